"""The access matrix of every customer page and POST endpoint.

Roles: anonymous, another organization (outsider), a same-organization stranger, a read-only
collaborator, the owner and the manager above the owner. Refused writes must change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.models import Collaborator, Contact, Customer
from kam.customers.tests.view_scene import (  # noqa: F401 - _fast_hasher is an autouse fixture
    ROLES,
    Scene,
    _fast_hasher,
    assert_login_redirect,
    contact_form_data,
    customer_form_data,
    english_client,
    fingerprint,
    make_scene,
    user_for,
)

READABLE = {"outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}
WRITABLE = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 200, "manager": 200}
OPEN = {"outsider": 200, "stranger": 200, "collaborator": 200, "owner": 200, "manager": 200}

GET_PAGES: list[tuple[str, Callable[[Scene], list[int]], dict[str, int]]] = [
    ("customer-list", lambda s: [], OPEN),
    ("customer-create", lambda s: [], OPEN),
    ("duplicate-check", lambda s: [], OPEN),
    ("pool-list", lambda s: [], OPEN),
    ("recycle-bin", lambda s: [], OPEN),
    ("customer-detail", lambda s: [s.customer.pk], READABLE),
    ("customer-history", lambda s: [s.customer.pk], READABLE),
    ("relationship-map", lambda s: [s.customer.pk], READABLE),
    ("customer-edit", lambda s: [s.customer.pk], WRITABLE),
    ("customer-merge", lambda s: [s.customer.pk], {**WRITABLE, "owner": 403}),
    ("contact-create", lambda s: [s.customer.pk], WRITABLE),
    ("contact-detail", lambda s: [s.contact.pk], READABLE),
    ("contact-edit", lambda s: [s.contact.pk], WRITABLE),
    # Pool pages follow pool membership: the collaborator is not a member.
    ("pool-detail", lambda s: [s.pool.pk], {**READABLE, "collaborator": 404}),
]


@pytest.mark.parametrize(("name", "args", "expected"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_page_access_matrix(
    world: OrgWorld, name: str, args: Callable[[Scene], list[int]], expected: dict[str, int]
) -> None:
    scene = make_scene(world)
    before = fingerprint()
    for role in ROLES:
        response = english_client(user_for(world, role)).get(reverse(name, args=args(scene)))
        if role == "anonymous":
            assert_login_redirect(response)
        else:
            assert response.status_code == expected[role], role
    assert fingerprint() == before


@pytest.mark.parametrize(
    "name",
    ["customer-detail", "customer-edit", "customer-history", "relationship-map", "contact-detail", "pool-detail"],
)
def test_missing_record_is_404_like_a_hidden_one(world: OrgWorld, name: str) -> None:
    make_scene(world)
    response = english_client(world.admin).get(reverse(name, args=[987654]))
    assert response.status_code == 404


@dataclass
class PostCase:
    """One POST endpoint: how to call it, who gets which status, and what success looks like."""

    name: str
    target: Callable[[Scene], int | None]
    data: Callable[[Scene], dict[str, Any]]
    expected: dict[str, int]
    done: Callable[[Scene, User], bool]
    extra_allowed: list[str] = field(default_factory=list)


def _customer(pk: int) -> Customer:
    return Customer.all_objects.get(pk=pk)


def _contact(pk: int) -> Contact:
    return Contact.all_objects.get(pk=pk)


WRITE = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 302, "manager": 302}
MANAGER_ONLY = {**WRITE, "owner": 403}

POST_CASES = [
    PostCase(
        "customer-create",
        lambda s: None,
        # confirm=1: every role creates the same name, so later ones would otherwise see a duplicate warning.
        lambda s: {"name": "上海新建测试有限公司", "tier": "B", "status": "prospect", "confirm": "1"},
        {"outsider": 302, "stranger": 302, "collaborator": 302, "owner": 302, "manager": 302},
        lambda s, u: Customer.objects.filter(
            name="上海新建测试有限公司", owner=u, organization_id=u.organization_id
        ).exists(),
    ),
    PostCase(
        "customer-edit",
        lambda s: s.customer.pk,
        lambda s: customer_form_data(s.customer, notes="已更新"),
        WRITE,
        lambda s, u: _customer(s.customer.pk).notes == "已更新",
    ),
    PostCase(
        "customer-delete",
        lambda s: s.customer.pk,
        lambda s: {},
        WRITE,
        lambda s, u: _customer(s.customer.pk).deleted_by == u,
    ),
    PostCase(
        "customer-lock",
        lambda s: s.customer.pk,
        lambda s: {"locked": "1"},
        WRITE,
        lambda s, u: _customer(s.customer.pk).locked,
    ),
    PostCase(
        "customer-collaborators",
        lambda s: s.customer.pk,
        lambda s: {"user": s.world.teammate.pk, "access": "write"},
        WRITE,
        lambda s, u: Collaborator.objects.filter(customer=s.customer, user=s.world.teammate, access="write").exists(),
    ),
    PostCase(
        "customer-transfer",
        lambda s: s.customer.pk,
        lambda s: {"user": s.world.teammate.pk, "reason": "调整分工"},
        MANAGER_ONLY,
        lambda s, u: _customer(s.customer.pk).owner == s.world.teammate,
    ),
    PostCase(
        "customer-return",
        lambda s: s.customer.pk,
        lambda s: {"reason": "暂无预算"},
        WRITE,
        lambda s, u: _customer(s.customer.pk).owner is None and _customer(s.customer.pk).pool == s.pool,
    ),
    PostCase(
        "customer-claim",
        lambda s: s.pool_customer.pk,
        lambda s: {},
        WRITE,
        lambda s, u: _customer(s.pool_customer.pk).owner == u,
    ),
    PostCase(
        "customer-assign",
        lambda s: s.pool_customer.pk,
        lambda s: {"user": s.world.teammate.pk},
        MANAGER_ONLY,
        lambda s, u: _customer(s.pool_customer.pk).owner == s.world.teammate,
    ),
    PostCase(
        "customer-merge",
        lambda s: s.customer.pk,
        lambda s: {"duplicate": s.duplicate.pk},
        MANAGER_ONLY,
        lambda s, u: _customer(s.duplicate.pk).deleted_at is not None,
    ),
    PostCase(
        "contact-create",
        lambda s: s.customer.pk,
        lambda s: {"name": "张新来", "buying_role": "user", "influence": "low", "attitude": "support", "strength": 2},
        WRITE,
        lambda s, u: Contact.objects.filter(customer=s.customer, name="张新来").exists(),
    ),
    PostCase(
        "contact-edit",
        lambda s: s.contact.pk,
        lambda s: contact_form_data(s.contact, title="采购总监"),
        WRITE,
        lambda s, u: _contact(s.contact.pk).title == "采购总监",
    ),
    PostCase(
        "contact-delete",
        lambda s: s.contact.pk,
        lambda s: {},
        WRITE,
        lambda s, u: _contact(s.contact.pk).deleted_at is not None,
    ),
    PostCase(
        "recycle-restore-customer",
        lambda s: s.deleted_customer.pk,
        lambda s: {},
        # Only who could open it before deletion finds it in the 回收站: others get 404.
        {**WRITE, "collaborator": 404},
        lambda s, u: _customer(s.deleted_customer.pk).deleted_at is None,
    ),
    PostCase(
        "recycle-restore-contact",
        lambda s: s.deleted_contact.pk,
        lambda s: {},
        WRITE,
        lambda s, u: _contact(s.deleted_contact.pk).deleted_at is None,
    ),
    PostCase(
        "recycle-purge",
        lambda s: s.deleted_customer.pk,
        lambda s: {"confirm": "1"},
        # Purge is for admins only, whoever else asks.
        {"outsider": 404, "stranger": 403, "collaborator": 403, "owner": 403, "manager": 403},
        lambda s, u: not Customer.all_objects.filter(pk=s.deleted_customer.pk).exists(),
        extra_allowed=["admin"],
    ),
]


def _post(case: PostCase, scene: Scene, user: User | None) -> Any:
    target = case.target(scene)
    url = reverse(case.name, args=[] if target is None else [target])
    return english_client(user).post(url, case.data(scene))


@pytest.mark.parametrize("case", POST_CASES, ids=[c.name for c in POST_CASES])
def test_post_access_matrix(world: OrgWorld, case: PostCase) -> None:
    scene = make_scene(world)
    before = fingerprint()
    response = _post(case, scene, None)
    assert_login_redirect(response)
    assert fingerprint() == before
    refused = [r for r in ROLES[1:] if case.expected[r] != 302]
    for role in refused:
        response = _post(case, scene, user_for(world, role))
        assert response.status_code == case.expected[role], role
        assert fingerprint() == before, role
    allowed = [r for r in ROLES[1:] if case.expected[r] == 302] + case.extra_allowed
    for index, role in enumerate(allowed):
        user = getattr(world, role) if role == "admin" else user_for(world, role)
        assert user is not None
        fresh = scene if index == 0 else make_scene(world, suffix=f"-{index}")
        response = _post(case, fresh, user)
        assert response.status_code == 302, role
        assert case.done(fresh, user), role


POST_ONLY: list[tuple[str, Callable[[Scene], int]]] = [
    ("customer-delete", lambda s: s.customer.pk),
    ("customer-lock", lambda s: s.customer.pk),
    ("customer-claim", lambda s: s.pool_customer.pk),
    ("contact-delete", lambda s: s.contact.pk),
    ("recycle-restore-customer", lambda s: s.deleted_customer.pk),
    ("recycle-purge", lambda s: s.deleted_customer.pk),
]


@pytest.mark.parametrize(("name", "target"), POST_ONLY, ids=[p[0] for p in POST_ONLY])
def test_post_endpoints_refuse_get(world: OrgWorld, name: str, target: Callable[[Scene], int]) -> None:
    scene = make_scene(world)
    before = fingerprint()
    response = english_client(world.admin).get(reverse(name, args=[target(scene)]))
    assert response.status_code == 405
    assert fingerprint() == before
