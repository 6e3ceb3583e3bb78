"""Merging a duplicate into a survivor: who may, what moves, what is filled, and the merge hooks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.core.errors import StaleVersion
from kam.core.models import AuditAction, AuditEntry, User
from kam.customers.actions import (
    create_contact,
    delete_contact,
    merge_customers,
    register_merge_hook,
    set_collaborator,
    update_customer,
)
from kam.customers.actions.merge import MERGE_HOOKS
from kam.customers.models import (
    Collaborator,
    CollaboratorAccess,
    Contact,
    Customer,
    OwnershipChange,
    OwnershipKind,
)
from kam.customers.queries import visible_customers
from kam.customers.tests.domain_helpers import audit_rows, city, credit_code, make_customer


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def pair(world: OrgWorld) -> tuple[Customer, Customer]:
    survivor = make_customer(world.owner, "华为技术有限公司", address="深圳市龙岗区坂田", tag_names=["重点"])
    duplicate = make_customer(
        world.teammate,
        "北京华为技术有限公司",
        address="北京市海淀区",
        website="https://www.huawei.com",
        phone="0755-28780808",
        short_name="华为",
        credit_code=credit_code(7),
        tag_names=["华北"],
    )
    return survivor, duplicate


@pytest.mark.parametrize("who", ["owner", "teammate", "collaborator"])
def test_reps_and_other_roles_may_not_merge(world: OrgWorld, pair: tuple[Customer, Customer], who: str) -> None:
    survivor, duplicate = pair
    user: User = getattr(world, who)
    for customer in pair:
        Collaborator.objects.create(
            organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.WRITE
        )
    with pytest.raises(PermissionDenied):
        merge_customers(user, survivor, duplicate)
    duplicate.refresh_from_db()
    assert duplicate.deleted_at is None


def test_a_manager_must_be_able_to_change_both_customers(world: OrgWorld, pair: tuple[Customer, Customer]) -> None:
    survivor, duplicate = pair
    with pytest.raises(Http404):
        merge_customers(world.manager_east, survivor, duplicate)
    foreign = make_customer(world.outsider, "别家华为有限公司")
    with pytest.raises(Http404):
        merge_customers(world.manager_north, survivor, foreign)
    with pytest.raises(Http404):
        merge_customers(world.outsider, foreign, survivor)
    assert Customer.objects.count() == 3


def test_a_customer_cannot_be_merged_into_itself(world: OrgWorld, pair: tuple[Customer, Customer]) -> None:
    survivor, _duplicate = pair
    with pytest.raises(ValidationError) as exc:
        merge_customers(world.manager_north, survivor, survivor)
    assert exc.value.message_dict == {NON_FIELD_ERRORS: ["Choose two different customers to merge."]}
    survivor.refresh_from_db()
    assert survivor.deleted_at is None


def test_merge_moves_contacts_collaborators_history_and_tags(world: OrgWorld, pair: tuple[Customer, Customer]) -> None:
    survivor, duplicate = pair
    kept = create_contact(world.owner, survivor, {"name": "张伟"})
    moved = create_contact(world.teammate, duplicate, {"name": "李娜"})
    deleted_earlier = create_contact(world.teammate, duplicate, {"name": "王芳"})
    delete_contact(world.teammate, deleted_earlier)
    set_collaborator(world.owner, survivor, world.stranger, CollaboratorAccess.READ)
    set_collaborator(world.teammate, duplicate, world.stranger, CollaboratorAccess.WRITE)  # already on survivor
    set_collaborator(world.teammate, duplicate, world.collaborator, CollaboratorAccess.WRITE)
    set_collaborator(world.teammate, duplicate, world.owner, CollaboratorAccess.READ)  # the survivor's owner
    duplicate_history = set(
        AuditEntry.objects.filter(entity="customers.customer", entity_id=duplicate.pk).values_list("id", flat=True)
    )
    duplicate_ownership = set(OwnershipChange.objects.filter(customer=duplicate).values_list("id", flat=True))

    merged = merge_customers(world.manager_north, survivor, duplicate)

    assert merged.pk == survivor.pk
    assert set(Contact.all_objects.filter(customer=survivor).values_list("id", flat=True)) == {
        kept.pk, moved.pk, deleted_earlier.pk
    }  # fmt: skip
    assert Contact.all_objects.get(pk=deleted_earlier.pk).deleted_at is not None
    assert set(Collaborator.objects.filter(customer=survivor).values_list("user", "access")) == {
        (world.stranger.pk, "read"),
        (world.collaborator.pk, "write"),
    }
    assert duplicate_ownership <= set(OwnershipChange.objects.filter(customer=survivor).values_list("id", flat=True))
    assert duplicate_history <= set(
        AuditEntry.objects.filter(entity="customers.customer", entity_id=survivor.pk).values_list("id", flat=True)
    )
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["华北", "重点"]


def test_merge_fills_blank_fields_from_the_duplicate_and_keeps_filled_ones(
    world: OrgWorld, pair: tuple[Customer, Customer]
) -> None:
    survivor, duplicate = pair
    merge_customers(world.manager_north, survivor, duplicate)
    survivor.refresh_from_db()
    assert survivor.name == "华为技术有限公司"
    assert survivor.address == "深圳市龙岗区坂田"
    assert (survivor.website, survivor.phone, survivor.short_name) == (
        "https://www.huawei.com",
        "0755-28780808",
        "华为",
    )
    assert survivor.credit_code == credit_code(7)
    assert credit_code(7) in survivor.search_text
    assert "0755" in survivor.search_text
    updates = {(f, old, new) for _a, f, old, new in audit_rows(survivor, action=AuditAction.UPDATE)}
    assert updates == {
        ("website", "", "https://www.huawei.com"),
        ("phone", "", "0755-28780808"),
        ("short_name", "", "华为"),
        ("credit_code", "", credit_code(7)),
    }


def test_merge_soft_deletes_the_duplicate_and_records_both_sides(
    world: OrgWorld, pair: tuple[Customer, Customer]
) -> None:
    survivor, duplicate = pair
    merge_customers(world.manager_north, survivor, duplicate)
    gone = Customer.all_objects.get(pk=duplicate.pk)
    assert gone.deleted_at is not None
    assert (gone.deleted_by, gone.credit_code) == (world.manager_north, "")
    assert list(visible_customers(world.manager_north)) == [survivor]
    assert audit_rows(survivor, action=AuditAction.MERGE) == [
        (AuditAction.MERGE, "merged", f"北京华为技术有限公司 (#{duplicate.pk})", ""),
    ]
    assert audit_rows(gone, action=AuditAction.MERGE) == [
        (AuditAction.MERGE, "merged_into", "", f"华为技术有限公司 (#{survivor.pk})"),
    ]
    row = OwnershipChange.objects.get(customer=survivor, kind=OwnershipKind.MERGE)
    assert (row.from_user, row.to_user, row.actor, row.reason) == (
        world.teammate,
        world.owner,
        world.manager_north,
        "Merged 北京华为技术有限公司 into this customer",
    )


def test_the_survivors_credit_code_wins_and_the_duplicates_is_released(world: OrgWorld) -> None:
    survivor = make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1))
    duplicate = make_customer(world.owner, "华为技术股份有限公司", credit_code=credit_code(2))
    merge_customers(world.director, survivor, duplicate)
    survivor.refresh_from_db()
    assert survivor.credit_code == credit_code(1)
    # the released code may be used again
    assert make_customer(world.owner, "另一家有限公司", credit_code=credit_code(2)).credit_code == credit_code(2)


def test_merge_keeps_the_latest_follow_up(world: OrgWorld, pair: tuple[Customer, Customer]) -> None:
    survivor, duplicate = pair
    now = timezone.now()
    Customer.objects.filter(pk=survivor.pk).update(last_followup_at=now - timedelta(days=10))
    Customer.objects.filter(pk=duplicate.pk).update(last_followup_at=now - timedelta(days=2))
    merge_customers(world.admin, survivor, duplicate)
    survivor.refresh_from_db()
    assert survivor.last_followup_at == now - timedelta(days=2)


def test_a_registered_merge_hook_is_called_with_actor_survivor_and_duplicate(
    world: OrgWorld, pair: tuple[Customer, Customer]
) -> None:
    survivor, duplicate = pair
    calls: list[tuple[int, int, int, bool]] = []

    def hook(actor: User, kept: Customer, gone: Customer) -> None:
        calls.append((actor.pk, kept.pk, gone.pk, gone.is_deleted))

    assert register_merge_hook(hook) is hook
    try:
        merge_customers(world.manager_north, survivor, duplicate)
    finally:
        MERGE_HOOKS.remove(hook)
    # the hook runs before the duplicate is deleted, so it can still move rows pointing at it
    assert calls == [(world.manager_north.pk, survivor.pk, duplicate.pk, False)]


def test_a_failing_hook_rolls_the_whole_merge_back(world: OrgWorld, pair: tuple[Customer, Customer]) -> None:
    survivor, duplicate = pair
    contact = create_contact(world.teammate, duplicate, {"name": "李娜"})

    def hook(actor: User, kept: Customer, gone: Customer) -> None:
        raise RuntimeError("activities could not move")

    register_merge_hook(hook)
    try:
        with pytest.raises(RuntimeError):
            merge_customers(world.manager_north, survivor, duplicate)
    finally:
        MERGE_HOOKS.remove(hook)
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    contact.refresh_from_db()
    assert (duplicate.deleted_at, duplicate.credit_code) == (None, credit_code(7))
    assert (survivor.website, survivor.credit_code) == ("", "")
    assert contact.customer_id == duplicate.pk
    assert not OwnershipChange.objects.filter(kind=OwnershipKind.MERGE).exists()


def test_a_city_filled_by_merge_brings_its_city_tier(world: OrgWorld) -> None:
    beijing = city("110100", "北京市", "110000", "北京市", tier="一线")
    survivor = make_customer(world.owner, "华为技术有限公司")
    duplicate = make_customer(world.owner, "北京华为技术有限公司", city=beijing)
    merge_customers(world.manager_north, survivor, duplicate)
    survivor.refresh_from_db()
    assert (survivor.city_id, survivor.city_tier) == ("110100", "一线")


def test_merge_bumps_the_survivors_version(world: OrgWorld, pair: tuple[Customer, Customer]) -> None:
    survivor, duplicate = pair
    merge_customers(world.manager_north, survivor, duplicate)
    with pytest.raises(StaleVersion):
        update_customer(world.owner, survivor, {"website": ""}, expected_version=1)


def test_a_merged_duplicate_is_not_offered_for_restore(world: OrgWorld) -> None:
    from django.http import Http404

    from kam.customers.actions import restore_customer
    from kam.customers.queries import deleted_customers

    survivor = make_customer(world.owner, "北京星河数据科技有限公司")
    duplicate = make_customer(world.owner, "星河数据（北京）有限公司")
    merge_customers(world.manager_north, survivor, duplicate)
    assert not deleted_customers(world.owner).filter(pk=duplicate.pk).exists()
    assert not deleted_customers(world.admin).filter(pk=duplicate.pk).exists()
    with pytest.raises(Http404):
        restore_customer(world.admin, duplicate.pk)
