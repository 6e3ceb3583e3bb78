"""The access matrix of every customers API endpoint: anonymous, outsider org, same-org stranger,
read-only collaborator, owner, manager above. Refused calls must leave every row as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from kam.conftest import OrgWorld
from kam.core.tests.api_support import (  # noqa: F401 - _fast_password_hashing is an autouse fixture
    READ,
    ROLES,
    WRITE,
    _fast_password_hashing,
    call,
    db_state,
    rolled_back,
    session_client,
    user_for,
)
from kam.customers.tests.api_scene import build_scene


def codes(base: dict[str, int], **changes: int) -> dict[str, int]:
    return {**base, **changes}


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # formatted with Scene.ids()
    expected: dict[str, int]
    body: Callable[[dict[str, int]], Any] | None = None
    id: str = field(default="")

    def __str__(self) -> str:
        return self.id or f"{self.method} {self.path}"


CREATED = codes(WRITE, owner=201, manager=201)
DELETED = codes(WRITE, owner=204, manager=204)
POOL_READ = codes(READ, collaborator=404)

CASES = [
    Case("GET", "/customers/{customer}", READ),
    Case("PATCH", "/customers/{customer}", WRITE, lambda ids: {"short_name": "星辰"}),
    Case("DELETE", "/customers/{customer}", DELETED),
    # The recycle bin shows deleted customers to their owner and managers only: others get 404.
    Case("POST", "/customers/{deleted}/restore", codes(READ, collaborator=404)),
    Case("GET", "/customers/{customer}/history", READ),
    Case("GET", "/customers/{customer}/ownership", READ),
    Case("GET", "/customers/{customer}/collaborators", READ),
    Case("GET", "/customers/{customer}/collaborators/{collaborator}", READ),
    Case("PUT", "/customers/{customer}/collaborators/{teammate}", WRITE, lambda ids: {"access": "read"}),
    Case("DELETE", "/customers/{customer}/collaborators/{collaborator}", DELETED),
    Case("POST", "/customers/{customer}/lock", WRITE),
    Case("POST", "/customers/{customer}/unlock", WRITE),
    # 转移 is a manager's move: the owner (a rep) may not transfer their own customer.
    Case("POST", "/customers/{customer}/transfer", codes(WRITE, owner=403), lambda ids: {"user_id": ids["teammate"]}),
    Case("POST", "/customers/{customer}/return", WRITE, lambda ids: {"reason": "预算取消"}),
    # Merging is for managers, directors and admins.
    Case(
        "POST",
        "/customers/merge",
        codes(WRITE, owner=403),
        lambda ids: {"survivor_id": ids["customer"], "duplicate_id": ids["other"]},
    ),
    Case("GET", "/customers/{customer}/contacts", READ),
    Case("POST", "/customers/{customer}/contacts", CREATED, lambda ids: {"name": "李娜", "mobile": "13900001111"}),
    Case("GET", "/contacts/{contact}", READ),
    Case("PATCH", "/contacts/{contact}", WRITE, lambda ids: {"title": "CIO"}),
    Case("DELETE", "/contacts/{contact}", DELETED),
    # Pools: the owner is a member, manager_north the pool admin; nobody else sees the pool.
    Case("GET", "/pools/{pool}/customers", POOL_READ),
    Case("POST", "/pools/{pool}/customers/{pool_customer}/claim", POOL_READ),
    Case(
        "POST",
        "/pools/{pool}/customers/{pool_customer}/assign",
        codes(POOL_READ, owner=403),
        lambda ids: {"user_id": ids["teammate"]},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_access_matrix(world: OrgWorld, case: Case) -> None:
    scene = build_scene(world)
    ids = scene.ids(world)
    path = case.path.format(**ids)
    body = case.body(ids) if case.body else None
    got = {}
    for role in ROLES:
        before = db_state()
        response = rolled_back(lambda role=role: call(session_client(user_for(world, role)), case.method, path, body))
        got[role] = response.status_code
        if response.status_code >= 400:
            assert db_state() == before, f"{role} was refused ({response.status_code}) but data changed"
            assert "detail" in response.data
    assert got == case.expected


def _visible_ids(world: OrgWorld, role: str, path: str) -> Any:
    response = call(session_client(user_for(world, role)), "GET", path)
    if response.status_code != 200:
        return response.status_code
    if isinstance(response.data, dict) and "items" in response.data:
        assert response.data["count"] == len(response.data["items"])
        return sorted(item["id"] for item in response.data["items"])
    if isinstance(response.data, dict):
        return {key: sorted(item["id"] for item in rows) for key, rows in response.data.items()}
    return sorted(item["id"] for item in response.data)


def test_lists_show_only_what_each_role_may_open(world: OrgWorld) -> None:
    scene = build_scene(world)
    mine = sorted([scene.customer.pk, scene.other.pk])
    with_pool = sorted([*mine, scene.pool_customer.pk])  # owner and manager_north are pool members
    expected = {
        "anonymous": 401,
        "outsider": [],
        "stranger": [],
        "collaborator": mine,
        "owner": with_pool,
        "manager": with_pool,
    }
    assert {role: _visible_ids(world, role, "/customers") for role in ROLES} == expected


def test_contact_list_and_search_show_only_visible_records(world: OrgWorld) -> None:
    scene = build_scene(world)
    contact = [scene.contact.pk]
    contacts = {role: _visible_ids(world, role, "/contacts?q=zhangwei") for role in ROLES}
    assert contacts == {
        "anonymous": 401,
        "outsider": [],
        "stranger": [],
        "collaborator": contact,
        "owner": contact,
        "manager": contact,
    }
    found = {"customers": [scene.customer.pk], "contacts": []}
    searches = {role: _visible_ids(world, role, "/search?q=xingchen") for role in ROLES}
    nothing = {"customers": [], "contacts": []}
    assert searches == {
        "anonymous": 401,
        "outsider": nothing,
        "stranger": nothing,
        "collaborator": found,
        "owner": found,
        "manager": found,
    }


def test_pool_list_shows_member_pools_only(world: OrgWorld) -> None:
    scene = build_scene(world)
    pools = {role: _visible_ids(world, role, "/pools") for role in ROLES}
    assert pools == {
        "anonymous": 401,
        "outsider": [],
        "stranger": [],
        "collaborator": [],
        "owner": [scene.pool.pk],
        "manager": [scene.pool.pk],
    }


def test_anyone_signed_in_may_create_but_anonymous_may_not(world: OrgWorld) -> None:
    got = {}
    for index, role in enumerate(ROLES):
        body = {"name": f"杭州云栖{'一二三四五六'[index]}号网络有限公司"}
        got[role] = rolled_back(lambda role=role, body=body: call(session_client(user_for(world, role)), "POST",
                                                                  "/customers", body)).status_code  # fmt: skip
    assert got == {role: 401 if role == "anonymous" else 201 for role in ROLES}


def test_duplicate_check_names_only_matches_the_user_may_open(world: OrgWorld) -> None:
    scene = build_scene(world)
    body = {"name": "星辰科技", "credit_code": "", "phones": []}
    got = {}
    for role in ROLES:
        response = call(session_client(user_for(world, role)), "POST", "/customers/duplicates", body)
        got[role] = response.status_code if response.status_code != 200 else response.data
    visible = [{"customer_id": scene.customer.pk, "kind": "name", "score": 100, "visible": True,
                "name": "北京星辰科技有限公司", "holder": "owner"}]  # fmt: skip
    hidden = [{**visible[0], "customer_id": None, "visible": False, "name": ""}]
    assert got == {
        "anonymous": 401,
        "outsider": [],
        "stranger": hidden,
        "collaborator": visible,
        "owner": visible,
        "manager": visible,
    }
