"""Customer writes: create, update, lock, collaborators — search columns, audit rows, limits, versions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.core import audit
from kam.core.errors import StaleVersion
from kam.core.models import AuditAction, AuditEntry
from kam.customers.actions import (
    create_customer,
    remove_collaborator,
    set_collaborator,
    set_locked,
    update_customer,
)
from kam.customers.models import (
    Collaborator,
    CollaboratorAccess,
    Customer,
    CustomerStatus,
    CustomerTier,
    OwnershipChange,
    OwnershipKind,
)
from kam.customers.queries import search
from kam.customers.tests.domain_helpers import audit_rows, city, credit_code, make_customer, make_pool


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- create ----------------------------------------------------------------------------------


def test_create_fills_pinyin_initials_and_normalised_name(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司", short_name="华为")
    customer.refresh_from_db()
    assert customer.name_pinyin.split(" ")[0] == "huaweijishuyouxiangongsi"
    assert customer.name_initials.split(" ")[0] == "hwjsyxgs"
    assert customer.name_norm == "华为技术"
    assert "hwjs" in customer.search_text
    assert search(world.owner, "hwjs") == ([customer], [])
    assert search(world.owner, "huawei") == ([customer], [])
    assert search(world.owner, "HW") == ([customer], [])
    assert search(world.teammate, "hwjs") == ([], [])


def test_create_sets_city_tier_from_the_reference_list(world: OrgWorld) -> None:
    beijing = city("110100", "北京市", "110000", "北京市", tier="一线")
    chengdu = city("510100", "成都市", "510000", "四川省", tier="新一线")
    no_tier = city("130600", "保定市", "130000", "河北省")
    assert make_customer(world.owner, "北京客户有限公司", city=beijing).city_tier == "一线"
    assert make_customer(world.owner, "成都客户有限公司", city=chengdu).city_tier == "新一线"
    assert make_customer(world.owner, "保定客户有限公司", city=no_tier).city_tier == ""
    assert make_customer(world.owner, "无城市客户有限公司").city_tier == ""


def test_create_writes_the_ownership_row_and_a_create_audit_row(world: OrgWorld) -> None:
    before = timezone.now()
    customer = make_customer(world.owner, "华为技术有限公司", tag_names=["重点", "华北"])
    assert customer.owner == world.owner
    assert customer.created_by == world.owner
    assert customer.owner_since is not None
    assert customer.owner_since >= before
    assert customer.version == 1
    assert sorted(customer.tags.values_list("name", flat=True)) == ["华北", "重点"]
    change = OwnershipChange.objects.get(customer=customer)
    assert (change.kind, change.from_user, change.to_user, change.pool, change.actor) == (
        OwnershipKind.CREATE,
        None,
        world.owner,
        None,
        world.owner,
    )
    assert audit_rows(customer) == [(AuditAction.CREATE, "", "", "")]
    entry = AuditEntry.objects.get(entity="customers.customer", entity_id=customer.pk)
    assert (entry.actor, entry.organization, entry.entity_repr) == (world.owner, world.org, "华为技术有限公司")


def test_manager_creates_for_a_rep_below_but_not_outside_their_subtree(world: OrgWorld) -> None:
    customer = make_customer(world.manager_north, "华为技术有限公司", owner=world.owner)
    assert customer.owner == world.owner
    assert OwnershipChange.objects.get(customer=customer).actor == world.manager_north
    with pytest.raises(ValidationError) as exc:
        make_customer(world.manager_north, "上海客户有限公司", owner=world.stranger)
    assert _errors(exc) == {"owner": ["You may only give customers to people in your own team."]}
    with pytest.raises(ValidationError) as exc:
        make_customer(world.owner, "北京客户有限公司", owner=world.teammate)
    assert _errors(exc) == {"owner": ["You may only give customers to people in your own team."]}
    with pytest.raises(ValidationError) as exc:
        make_customer(world.admin, "别家客户有限公司", owner=world.outsider)
    assert _errors(exc) == {"owner": ["Choose an active colleague as owner."]}
    world.teammate.is_active = False
    world.teammate.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as exc:
        make_customer(world.admin, "北京客户有限公司", owner=world.teammate)
    assert _errors(exc) == {"owner": ["Choose an active colleague as owner."]}
    assert list(Customer.all_objects.values_list("name", flat=True)) == ["华为技术有限公司"]


def test_only_pool_admins_create_into_a_pool(world: OrgWorld) -> None:
    pool = make_pool(world.org.pk, members=(world.owner,), admins=(world.manager_north,))
    with pytest.raises(ValidationError) as exc:
        make_customer(world.owner, "公海客户有限公司", pool=pool)
    assert _errors(exc) == {"pool": ["Only pool admins may put new customers into a pool."]}
    assert not Customer.all_objects.exists()
    pooled = make_customer(world.manager_north, "公海客户有限公司", pool=pool)
    assert (pooled.owner, pooled.pool, pooled.owner_since) == (None, pool, None)
    change = OwnershipChange.objects.get(customer=pooled)
    assert (change.kind, change.to_user, change.pool) == (OwnershipKind.CREATE, None, pool)


def test_holding_limit_refuses_the_customer_over_the_limit(world: OrgWorld) -> None:
    world.owner.holding_limit = 2
    world.owner.save(update_fields=["holding_limit"])
    make_customer(world.owner, "甲有限公司")
    make_customer(world.owner, "乙有限公司")
    with pytest.raises(ValidationError) as exc:
        make_customer(world.owner, "丙有限公司")
    assert _errors(exc) == {NON_FIELD_ERRORS: ["owner already holds 2 customers; the limit is 2."]}
    assert Customer.objects.filter(owner=world.owner).count() == 2


def test_organization_default_holding_limit_applies_when_the_user_has_none(world: OrgWorld) -> None:
    world.org.default_holding_limit = 1
    world.org.save(update_fields=["default_holding_limit"])
    world.owner.refresh_from_db()
    make_customer(world.owner, "甲有限公司")
    with pytest.raises(ValidationError) as exc:
        make_customer(world.owner, "乙有限公司")
    assert _errors(exc) == {NON_FIELD_ERRORS: ["owner already holds 1 customers; the limit is 1."]}


def test_deleted_customers_do_not_count_toward_the_holding_limit(world: OrgWorld) -> None:
    world.owner.holding_limit = 1
    world.owner.save(update_fields=["holding_limit"])
    first = make_customer(world.owner, "甲有限公司")
    Customer.objects.filter(pk=first.pk).update(deleted_at=timezone.now())
    assert make_customer(world.owner, "乙有限公司").owner == world.owner


# --- credit code uniqueness ------------------------------------------------------------------


def test_create_refuses_a_credit_code_already_registered(world: OrgWorld) -> None:
    make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1))
    with pytest.raises(ValidationError) as exc:
        make_customer(world.owner, "另一家有限公司", credit_code=credit_code(1))
    assert _errors(exc) == {
        "credit_code": ["This credit code is already registered: 华为技术有限公司 (held by owner)."]
    }
    # the holder is named even to someone who may not open the customer; its name is not
    with pytest.raises(ValidationError) as exc:
        make_customer(world.stranger, "另一家有限公司", credit_code=credit_code(1))
    assert _errors(exc) == {
        "credit_code": ["This credit code is already registered: an existing customer (held by owner)."]
    }
    assert Customer.all_objects.count() == 1


def test_create_refuses_the_credit_code_of_a_deleted_customer_and_leaves_nothing_behind(world: OrgWorld) -> None:
    deleted = make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1))
    Customer.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_customer(world.owner, "另一家有限公司", credit_code=credit_code(1))
    assert _errors(exc) == {
        "credit_code": [
            "A customer with this credit code is in the recycle bin; restore it instead of creating a new one."
        ]
    }
    assert list(Customer.all_objects.values_list("pk", flat=True)) == [deleted.pk]
    assert AuditEntry.objects.count() == audit_before
    assert OwnershipChange.objects.count() == 1


def test_the_same_credit_code_is_allowed_in_another_organization(world: OrgWorld) -> None:
    make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1))
    foreign = make_customer(world.outsider, "华为技术有限公司", credit_code=credit_code(1))
    assert foreign.organization_id != world.org.pk


def test_update_refuses_a_credit_code_held_by_another_customer(world: OrgWorld) -> None:
    make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1))
    other = make_customer(world.owner, "中兴通讯股份有限公司", credit_code=credit_code(2))
    with pytest.raises(ValidationError) as exc:
        update_customer(world.owner, other, {"credit_code": credit_code(1), "address": "深圳市南山区"})
    assert _errors(exc) == {
        "credit_code": ["This credit code is already registered: 华为技术有限公司 (held by owner)."]
    }
    other.refresh_from_db()
    assert (other.credit_code, other.address, other.version) == (credit_code(2), "", 1)
    assert audit_rows(other) == [(AuditAction.CREATE, "", "", "")]


def test_update_refuses_the_credit_code_of_a_deleted_customer(world: OrgWorld) -> None:
    deleted = make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1))
    Customer.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    other = make_customer(world.owner, "中兴通讯股份有限公司")
    with pytest.raises(ValidationError) as exc:
        update_customer(world.owner, other, {"credit_code": credit_code(1)})
    assert _errors(exc) == {"credit_code": ["This credit code is already registered: a deleted customer."]}
    other.refresh_from_db()
    assert other.credit_code == ""


def test_update_keeping_or_setting_a_free_credit_code_is_fine(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1))
    update_customer(world.owner, customer, {"credit_code": credit_code(1), "address": "深圳市龙岗区"})
    updated = update_customer(world.owner, customer, {"credit_code": credit_code(3)})
    assert updated.credit_code == credit_code(3)


# --- update ----------------------------------------------------------------------------------


def test_update_writes_one_audit_row_per_changed_field_with_display_values(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    updated = update_customer(
        world.manager_north,
        customer,
        {
            "name": "华为技术有限公司",  # unchanged
            "tier": CustomerTier.A,
            "status": CustomerStatus.ACTIVE,
            "address": "深圳市龙岗区坂田",
        },
    )
    assert updated.version == 2
    rows = audit_rows(customer, action=AuditAction.UPDATE)
    assert sorted(rows) == sorted(
        [
            (AuditAction.UPDATE, "tier", "C类客户", "A类客户"),
            (AuditAction.UPDATE, "status", "潜在客户", "合作中"),
            (AuditAction.UPDATE, "address", "", "深圳市龙岗区坂田"),
        ]
    )
    assert set(AuditEntry.objects.filter(action=AuditAction.UPDATE).values_list("actor", flat=True)) == {
        world.manager_north.pk
    }
    customer.refresh_from_db()
    assert (customer.tier, customer.status, customer.address, customer.version) == (
        "A",
        "active",
        "深圳市龙岗区坂田",
        2,
    )


def test_update_of_the_name_refreshes_the_search_columns(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    update_customer(world.owner, customer, {"name": "中兴通讯股份有限公司"})
    customer.refresh_from_db()
    assert customer.name_initials.split(" ")[0] == "zxtxgfyxgs"
    assert customer.name_norm == "中兴通讯"
    assert search(world.owner, "zxtx") == ([customer], [])
    assert search(world.owner, "hwjs") == ([], [])
    assert audit_rows(customer, field="name") == [
        (AuditAction.UPDATE, "name", "华为技术有限公司", "中兴通讯股份有限公司")
    ]


def test_update_of_the_city_recomputes_and_audits_the_city_tier(world: OrgWorld) -> None:
    beijing = city("110100", "北京市", "110000", "北京市", tier="一线")
    baoding = city("130600", "保定市", "130000", "河北省")
    customer = make_customer(world.owner, "华为技术有限公司", city=baoding)
    update_customer(world.owner, customer, {"city": beijing})
    customer.refresh_from_db()
    assert customer.city_tier == "一线"
    assert sorted(audit_rows(customer, action=AuditAction.UPDATE)) == [
        (AuditAction.UPDATE, "city", "保定市", "北京市"),
        (AuditAction.UPDATE, "city_tier", "", "一线"),
    ]


def test_update_of_tags_is_audited_as_one_row(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司", tag_names=["华北"])
    update_customer(world.owner, customer, {}, tag_names=["华北", "重点"])
    assert audit_rows(customer, action=AuditAction.UPDATE) == [(AuditAction.UPDATE, "tags", "华北", "华北、重点")]


def test_stale_version_raises_and_changes_nothing(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    update_customer(world.owner, customer, {"address": "一"}, expected_version=1)
    with pytest.raises(StaleVersion) as exc:
        update_customer(world.owner, customer, {"address": "二", "tier": "A"}, tag_names=["新"], expected_version=1)
    assert exc.value.current == 2
    customer.refresh_from_db()
    assert (customer.address, customer.tier, customer.version) == ("一", "C", 2)
    assert list(customer.tags.all()) == []
    assert [r[1] for r in audit_rows(customer, action=AuditAction.UPDATE)] == ["address"]


def test_read_only_and_hidden_users_cannot_update(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.READ
    )
    with pytest.raises(PermissionDenied):
        update_customer(world.collaborator, customer, {"address": "改"})
    for user in (world.teammate, world.manager_east, world.outsider):
        with pytest.raises(Http404):
            update_customer(user, customer, {"address": "改"})
    customer.refresh_from_db()
    assert (customer.address, customer.version) == ("", 1)
    assert audit_rows(customer, action=AuditAction.UPDATE) == []


def test_update_and_its_audit_rows_are_one_transaction(world: OrgWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")

    def boom(*args: Any, **kwargs: Any) -> list[str]:
        raise RuntimeError("audit failed")

    monkeypatch.setattr(audit, "record_changes", boom)
    with pytest.raises(RuntimeError):
        update_customer(world.owner, customer, {"address": "深圳市", "tier": "A"}, tag_names=["重点"])
    customer.refresh_from_db()
    assert (customer.address, customer.tier, customer.version) == ("", "C", 1)
    assert list(customer.tags.all()) == []


def test_create_and_its_audit_row_are_one_transaction(world: OrgWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit failed")

    monkeypatch.setattr(audit, "record", boom)
    with pytest.raises(RuntimeError):
        make_customer(world.owner, "华为技术有限公司", tag_names=["重点"])
    assert not Customer.all_objects.exists()
    assert not OwnershipChange.objects.exists()


# --- lock ------------------------------------------------------------------------------------


def test_lock_limit_refuses_the_lock_over_the_limit(world: OrgWorld) -> None:
    world.owner.lock_limit = 1
    world.owner.save(update_fields=["lock_limit"])
    first = make_customer(world.owner, "甲有限公司")
    second = make_customer(world.owner, "乙有限公司")
    assert set_locked(world.owner, first, True).locked is True
    with pytest.raises(ValidationError) as exc:
        set_locked(world.owner, second, True)
    assert _errors(exc) == {NON_FIELD_ERRORS: ["owner has already locked 1 customers, the limit."]}
    second.refresh_from_db()
    assert second.locked is False
    # re-locking a locked customer is not a new lock; unlocking frees a place
    assert set_locked(world.owner, first, True).locked is True
    set_locked(world.owner, first, False)
    assert set_locked(world.owner, second, True).locked is True
    assert audit_rows(first, action=AuditAction.UPDATE) == [
        (AuditAction.UPDATE, "locked", "否", "是"),
        (AuditAction.UPDATE, "locked", "是", "否"),
    ]


def test_the_lock_limit_is_the_owners_even_when_a_manager_locks(world: OrgWorld) -> None:
    world.owner.lock_limit = 0
    world.owner.save(update_fields=["lock_limit"])
    customer = make_customer(world.owner, "甲有限公司")
    with pytest.raises(ValidationError):
        set_locked(world.manager_north, customer, True)


def test_pool_customers_cannot_be_locked(world: OrgWorld) -> None:
    pool = make_pool(world.org.pk, admins=(world.manager_north,))
    pooled = make_customer(world.manager_north, "公海客户有限公司", pool=pool)
    with pytest.raises(ValidationError) as exc:
        set_locked(world.manager_north, pooled, True)
    assert _errors(exc) == {NON_FIELD_ERRORS: ["Customers in the public pool cannot be locked."]}


# --- collaborators ---------------------------------------------------------------------------


def test_collaborators_are_added_changed_and_removed_with_audit_rows(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    collab = set_collaborator(world.owner, customer, world.collaborator, CollaboratorAccess.READ)
    assert (collab.user, collab.access, collab.organization_id) == (world.collaborator, "read", world.org.pk)
    set_collaborator(world.owner, customer, world.collaborator, CollaboratorAccess.WRITE)
    assert list(Collaborator.objects.values_list("user", "access")) == [(world.collaborator.pk, "write")]
    remove_collaborator(world.owner, customer, world.collaborator)
    assert not Collaborator.objects.exists()
    rows = audit_rows(customer, field="collaborators")
    assert len(rows) == 3
    assert all(action == AuditAction.UPDATE for action, *_rest in rows)
    assert rows[2] == (AuditAction.UPDATE, "collaborators", "collab", "")
    # removing someone who is not a collaborator writes nothing
    remove_collaborator(world.owner, customer, world.teammate)
    assert len(audit_rows(customer, field="collaborators")) == 3


def test_collaborator_audit_rows_show_access_labels_and_the_old_access(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    set_collaborator(world.owner, customer, world.collaborator, CollaboratorAccess.READ)
    set_collaborator(world.owner, customer, world.collaborator, CollaboratorAccess.WRITE)
    assert audit_rows(customer, field="collaborators") == [
        (AuditAction.UPDATE, "collaborators", "", "collab: Read only"),
        (AuditAction.UPDATE, "collaborators", "collab: Read only", "collab: Read and write"),
    ]


def test_collaborators_must_be_colleagues_other_than_the_owner(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    with pytest.raises(ValidationError) as exc:
        set_collaborator(world.owner, customer, world.owner, CollaboratorAccess.READ)
    assert _errors(exc) == {"user": ["The owner already has full access."]}
    with pytest.raises(ValidationError) as exc:
        set_collaborator(world.owner, customer, world.outsider, CollaboratorAccess.READ)
    assert _errors(exc) == {"user": ["Choose a colleague from your organization."]}
    assert not Collaborator.objects.exists()
    assert audit_rows(customer, field="collaborators") == []


def test_read_collaborators_and_strangers_cannot_manage_collaborators(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    set_collaborator(world.owner, customer, world.collaborator, CollaboratorAccess.READ)
    with pytest.raises(PermissionDenied):
        set_collaborator(world.collaborator, customer, world.stranger, CollaboratorAccess.READ)
    with pytest.raises(PermissionDenied):
        remove_collaborator(world.collaborator, customer, world.collaborator)
    with pytest.raises(Http404):
        set_collaborator(world.teammate, customer, world.teammate, CollaboratorAccess.WRITE)
    assert list(Collaborator.objects.values_list("user", "access")) == [(world.collaborator.pk, "read")]


def test_create_customer_accepts_plain_data_without_confirmation_when_unique(world: OrgWorld) -> None:
    customer = create_customer(world.owner, {"name": "独一无二科技有限公司", "tier": "B", "unknown_field": "x"})
    assert (customer.tier, customer.owner) == ("B", world.owner)


def test_a_write_collaborator_may_edit_but_not_share_the_customer(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    set_collaborator(world.owner, customer, world.collaborator, CollaboratorAccess.WRITE)
    before = list(Collaborator.objects.values_list("user_id", "access"))
    with pytest.raises(PermissionDenied):
        set_collaborator(world.collaborator, customer, world.stranger, CollaboratorAccess.WRITE)
    with pytest.raises(PermissionDenied):
        remove_collaborator(world.collaborator, customer, world.collaborator)
    assert list(Collaborator.objects.values_list("user_id", "access")) == before
    # managers above the owner may share it
    set_collaborator(world.manager_north, customer, world.stranger, CollaboratorAccess.READ)
    assert Collaborator.objects.filter(customer=customer, user=world.stranger, access="read").exists()
