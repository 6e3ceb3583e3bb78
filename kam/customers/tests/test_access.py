"""Who may open and change a customer and its contacts (DESIGN.md §3), through queries.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.customers.actions import create_contact
from kam.customers.models import Collaborator, CollaboratorAccess, Contact, Customer
from kam.customers.queries import (
    CustomerAccess,
    customer_access,
    get_contact_for_user,
    get_customer_for_user,
    visible_contacts,
    visible_customers,
)
from kam.customers.tests.domain_helpers import make_customer, make_pool

EVERYONE = ["owner", "teammate", "stranger", "collaborator", "manager_north", "manager_east", "director", "admin",
            "outsider"]  # fmt: skip
SEES_OWNERS_CUSTOMER = {"owner", "manager_north", "director", "admin"}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def customer(world: OrgWorld) -> Customer:
    return make_customer(world.owner, "华为技术有限公司")


def _collaborate(world: OrgWorld, customer: Customer, access: str, user: Any = None) -> None:
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=user or world.collaborator, access=access
    )


@pytest.mark.parametrize("who", EVERYONE)
def test_owners_customer_is_readable_and_writable_exactly_by_owner_managers_above_director_and_admin(
    world: OrgWorld, customer: Customer, who: str
) -> None:
    user = getattr(world, who)
    allowed = who in SEES_OWNERS_CUSTOMER
    assert customer_access(user, customer) == CustomerAccess(allowed, allowed)
    assert list(visible_customers(user)) == ([customer] if allowed else [])
    if allowed:
        assert get_customer_for_user(user, customer.pk) == customer
        assert get_customer_for_user(user, customer.pk, write=True) == customer
    else:
        with pytest.raises(Http404):
            get_customer_for_user(user, customer.pk)
        with pytest.raises(Http404):
            get_customer_for_user(user, customer.pk, write=True)


@pytest.mark.parametrize("who", EVERYONE)
def test_missing_customer_id_is_404_for_everyone(world: OrgWorld, customer: Customer, who: str) -> None:
    for pk in (customer.pk + 1000, "not-a-number", None):
        with pytest.raises(Http404):
            get_customer_for_user(getattr(world, who), pk)


def test_director_and_admin_see_every_customer_of_their_org_and_managers_only_their_subtree(world: OrgWorld) -> None:
    north = make_customer(world.owner, "北京甲公司")
    east = make_customer(world.stranger, "上海乙公司")
    foreign = make_customer(world.outsider, "别家丙公司")
    assert set(visible_customers(world.director)) == {north, east}
    assert set(visible_customers(world.admin)) == {north, east}
    assert set(visible_customers(world.manager_north)) == {north}
    assert set(visible_customers(world.manager_east)) == {east}
    assert set(visible_customers(world.outsider)) == {foreign}
    with pytest.raises(Http404):
        get_customer_for_user(world.admin, foreign.pk)
    with pytest.raises(Http404):
        get_customer_for_user(world.outsider, north.pk)


def test_outsider_admin_never_sees_even_with_a_stray_collaborator_row(world: OrgWorld, customer: Customer) -> None:
    _collaborate(world, customer, CollaboratorAccess.WRITE, user=world.outsider)
    assert customer_access(world.outsider, customer) == CustomerAccess(False, False)
    assert list(visible_customers(world.outsider)) == []
    with pytest.raises(Http404):
        get_customer_for_user(world.outsider, customer.pk)


def test_read_collaborator_sees_but_write_is_forbidden(world: OrgWorld, customer: Customer) -> None:
    _collaborate(world, customer, CollaboratorAccess.READ)
    assert customer_access(world.collaborator, customer) == CustomerAccess(True, False)
    assert list(visible_customers(world.collaborator)) == [customer]
    assert get_customer_for_user(world.collaborator, customer.pk) == customer
    with pytest.raises(PermissionDenied):
        get_customer_for_user(world.collaborator, customer.pk, write=True)


def test_write_collaborator_may_change(world: OrgWorld, customer: Customer) -> None:
    _collaborate(world, customer, CollaboratorAccess.WRITE)
    assert customer_access(world.collaborator, customer) == CustomerAccess(True, True)
    assert get_customer_for_user(world.collaborator, customer.pk, write=True) == customer


def test_collaboration_on_one_customer_shows_no_other(world: OrgWorld, customer: Customer) -> None:
    other = make_customer(world.owner, "中兴通讯股份有限公司")
    _collaborate(world, customer, CollaboratorAccess.READ)
    assert list(visible_customers(world.collaborator)) == [customer]
    with pytest.raises(Http404):
        get_customer_for_user(world.collaborator, other.pk)


def test_pool_members_read_pool_admins_write_non_members_404(world: OrgWorld) -> None:
    pool = make_pool(world.org.pk, members=(world.owner,), admins=(world.manager_east,))
    pooled = make_customer(world.admin, "公海客户有限公司", pool=pool)
    assert customer_access(world.owner, pooled) == CustomerAccess(True, False)
    assert list(visible_customers(world.owner)) == [pooled]
    assert get_customer_for_user(world.owner, pooled.pk) == pooled
    with pytest.raises(PermissionDenied):
        get_customer_for_user(world.owner, pooled.pk, write=True)
    assert customer_access(world.manager_east, pooled) == CustomerAccess(True, True)
    assert get_customer_for_user(world.manager_east, pooled.pk, write=True) == pooled
    assert customer_access(world.admin, pooled) == CustomerAccess(True, True)
    for who in ("teammate", "stranger", "manager_north", "collaborator", "outsider"):
        user = getattr(world, who)
        assert customer_access(user, pooled) == CustomerAccess(False, False), who
        assert list(visible_customers(user)) == [], who
        with pytest.raises(Http404):
            get_customer_for_user(user, pooled.pk)


def test_pool_membership_does_not_show_owned_customers_of_other_members(world: OrgWorld) -> None:
    make_pool(world.org.pk, members=(world.owner, world.stranger))
    owned = make_customer(world.owner, "已领取客户有限公司")
    assert list(visible_customers(world.stranger)) == []
    with pytest.raises(Http404):
        get_customer_for_user(world.stranger, owned.pk)


@pytest.mark.parametrize("who", EVERYONE)
def test_deleted_customer_is_invisible_to_everyone(world: OrgWorld, customer: Customer, who: str) -> None:
    _collaborate(world, customer, CollaboratorAccess.WRITE)
    Customer.objects.filter(pk=customer.pk).update(deleted_at=timezone.now(), deleted_by=world.owner)
    customer.refresh_from_db()
    user = getattr(world, who)
    assert customer_access(user, customer) == CustomerAccess(False, False)
    assert list(visible_customers(user)) == []
    with pytest.raises(Http404):
        get_customer_for_user(user, customer.pk)


# --- contacts follow their customer ----------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_contacts_follow_their_customers_visibility(world: OrgWorld, customer: Customer, who: str) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟", "mobile": "13812345678"})
    user = getattr(world, who)
    if who in SEES_OWNERS_CUSTOMER:
        assert list(visible_contacts(user)) == [contact]
        assert get_contact_for_user(user, contact.pk) == contact
        assert get_contact_for_user(user, contact.pk, write=True) == contact
    else:
        assert list(visible_contacts(user)) == []
        with pytest.raises(Http404):
            get_contact_for_user(user, contact.pk)
    with pytest.raises(Http404):
        get_contact_for_user(user, contact.pk + 1000)


def test_read_collaborator_reads_contacts_but_may_not_change_them(world: OrgWorld, customer: Customer) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟"})
    _collaborate(world, customer, CollaboratorAccess.READ)
    assert list(visible_contacts(world.collaborator)) == [contact]
    assert get_contact_for_user(world.collaborator, contact.pk) == contact
    with pytest.raises(PermissionDenied):
        get_contact_for_user(world.collaborator, contact.pk, write=True)


def test_contacts_of_a_deleted_customer_and_deleted_contacts_are_invisible(world: OrgWorld, customer: Customer) -> None:
    alive = make_customer(world.owner, "中兴通讯股份有限公司")
    gone_with_customer = create_contact(world.owner, customer, {"name": "张伟"})
    deleted_alone = create_contact(world.owner, alive, {"name": "李娜"})
    kept = create_contact(world.owner, alive, {"name": "王芳"})
    Customer.objects.filter(pk=customer.pk).update(deleted_at=timezone.now())
    Contact.objects.filter(pk=deleted_alone.pk).update(deleted_at=timezone.now())
    assert list(visible_contacts(world.admin)) == [kept]
    for contact in (gone_with_customer, deleted_alone):
        with pytest.raises(Http404):
            get_contact_for_user(world.owner, contact.pk)
        with pytest.raises(Http404):
            get_contact_for_user(world.admin, contact.pk)


def test_pool_member_reads_pool_contacts_read_only(world: OrgWorld) -> None:
    pool = make_pool(world.org.pk, members=(world.teammate,))
    pooled = make_customer(world.admin, "公海客户有限公司", pool=pool)
    contact = create_contact(world.admin, pooled, {"name": "赵磊"})
    assert list(visible_contacts(world.teammate)) == [contact]
    with pytest.raises(PermissionDenied):
        get_contact_for_user(world.teammate, contact.pk, write=True)
    with pytest.raises(Http404):
        get_contact_for_user(world.stranger, contact.pk)


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "collaborator", "manager_north", "director", "admin"])
def test_visible_customers_is_one_query_whatever_the_rows(
    world: OrgWorld, django_assert_num_queries: Any, who: str
) -> None:
    make_pool(world.org.pk, members=(world.owner,))
    for i in range(6):
        customer = make_customer(world.owner, f"测试客户{i}号有限公司")
        _collaborate(world, customer, CollaboratorAccess.READ)
    user = getattr(world, who)
    with django_assert_num_queries(1):
        rows = list(visible_customers(user))
    assert len(rows) == 6


def test_visible_contacts_is_one_query_whatever_the_rows(world: OrgWorld, django_assert_num_queries: Any) -> None:
    for i in range(3):
        customer = make_customer(world.owner, f"测试客户{i}号有限公司")
        for j in range(3):
            create_contact(world.owner, customer, {"name": f"联系人{i}{j}"})
    with django_assert_num_queries(1):
        rows = list(visible_contacts(world.manager_north))
    assert len(rows) == 9
