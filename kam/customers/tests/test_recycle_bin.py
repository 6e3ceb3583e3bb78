"""回收站: delete with contacts, restore within 30 days, admin-only purge, and who sees the bin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.core.models import AuditAction, AuditEntry
from kam.customers.actions import (
    create_contact,
    delete_contact,
    delete_customer,
    purge_customer,
    restore_contact,
    restore_customer,
)
from kam.customers.actions.recycle_bin import deleted_contacts
from kam.customers.models import Collaborator, CollaboratorAccess, Contact, Customer, OwnershipChange
from kam.customers.queries import deleted_customers, visible_contacts, visible_customers
from kam.customers.tests.domain_helpers import audit_rows, credit_code, make_customer, make_pool


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def customer(world: OrgWorld) -> Customer:
    return make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1))


def _age(customer: Customer, days: float) -> None:
    """Pretend the customer and the contacts deleted with it went to the bin `days` ago."""
    moment = timezone.now() - timedelta(days=days)
    Contact.all_objects.filter(customer=customer, deleted_at=customer.deleted_at).update(deleted_at=moment)
    Customer.all_objects.filter(pk=customer.pk).update(deleted_at=moment)


def test_delete_moves_the_customer_and_its_contacts_with_one_timestamp(world: OrgWorld, customer: Customer) -> None:
    first = create_contact(world.owner, customer, {"name": "张伟"})
    second = create_contact(world.owner, customer, {"name": "李娜"})
    deleted = delete_customer(world.owner, customer)
    assert deleted.deleted_at is not None
    assert deleted.deleted_by == world.owner
    rows = Contact.all_objects.filter(pk__in=[first.pk, second.pk])
    assert {(c.deleted_at, c.deleted_by_id) for c in rows} == {(deleted.deleted_at, world.owner.pk)}
    assert audit_rows(customer, action=AuditAction.DELETE) == [(AuditAction.DELETE, "", "", "")]
    assert list(visible_customers(world.owner)) == []
    assert list(visible_contacts(world.owner)) == []
    assert list(deleted_customers(world.owner)) == [deleted]


def test_manager_above_and_admin_may_delete(world: OrgWorld) -> None:
    one = make_customer(world.owner, "甲有限公司")
    two = make_customer(world.owner, "乙有限公司")
    assert delete_customer(world.manager_north, one).deleted_by == world.manager_north
    assert delete_customer(world.admin, two).deleted_by == world.admin


def test_collaborators_and_strangers_cannot_delete(world: OrgWorld, customer: Customer) -> None:
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.WRITE
    )
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.stranger, access=CollaboratorAccess.READ
    )
    with pytest.raises(PermissionDenied):
        delete_customer(world.collaborator, customer)
    with pytest.raises(PermissionDenied):
        delete_customer(world.stranger, customer)
    for user in (world.teammate, world.manager_east, world.outsider):
        with pytest.raises(Http404):
            delete_customer(user, customer)
    customer.refresh_from_db()
    assert customer.deleted_at is None
    assert audit_rows(customer, action=AuditAction.DELETE) == []


def test_pool_admin_who_may_edit_a_pool_customer_still_cannot_delete_it(world: OrgWorld) -> None:
    pool = make_pool(world.org.pk, admins=(world.manager_north,))
    pooled = make_customer(world.manager_north, "公海客户有限公司", pool=pool)
    with pytest.raises(PermissionDenied):
        delete_customer(world.manager_north, pooled)
    assert delete_customer(world.admin, pooled).deleted_at is not None


def test_restore_brings_back_the_contacts_deleted_with_it_but_not_one_deleted_earlier(
    world: OrgWorld, customer: Customer
) -> None:
    earlier = create_contact(world.owner, customer, {"name": "王芳"})
    with_it = create_contact(world.owner, customer, {"name": "张伟"})
    delete_contact(world.owner, earlier)
    delete_customer(world.owner, customer)
    restored = restore_customer(world.owner, customer.pk)
    assert (restored.deleted_at, restored.deleted_by) == (None, None)
    assert list(visible_customers(world.owner)) == [customer]
    assert list(visible_contacts(world.owner)) == [with_it]
    assert Contact.all_objects.get(pk=earlier.pk).deleted_at is not None
    assert audit_rows(customer, action=AuditAction.RESTORE) == [(AuditAction.RESTORE, "", "", "")]
    assert list(deleted_customers(world.owner)) == []


def test_restore_works_until_thirty_days_and_is_refused_after(world: OrgWorld) -> None:
    young = make_customer(world.owner, "甲有限公司")
    old = make_customer(world.owner, "乙有限公司")
    delete_customer(world.owner, young)
    delete_customer(world.owner, old)
    young.refresh_from_db()
    old = Customer.all_objects.get(pk=old.pk)
    _age(young, 29.9)
    _age(old, 30.01)
    assert restore_customer(world.owner, young.pk).deleted_at is None
    with pytest.raises(ValidationError) as exc:
        restore_customer(world.owner, old.pk)
    assert exc.value.message_dict == {
        NON_FIELD_ERRORS: ["Deleted more than 30 days ago; it can no longer be restored."]
    }
    assert Customer.all_objects.get(pk=old.pk).deleted_at is not None


def test_strangers_cannot_restore(world: OrgWorld, customer: Customer) -> None:
    delete_customer(world.owner, customer)
    for user in (world.teammate, world.stranger, world.manager_east, world.collaborator, world.outsider):
        with pytest.raises(Http404):
            restore_customer(user, customer.pk)
    with pytest.raises(Http404):
        restore_customer(world.owner, customer.pk + 1000)
    assert Customer.all_objects.get(pk=customer.pk).deleted_at is not None


def test_a_live_customer_cannot_be_restored(world: OrgWorld, customer: Customer) -> None:
    with pytest.raises(Http404):
        restore_customer(world.owner, customer.pk)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("owner", True),
        ("teammate", False),
        ("stranger", False),
        ("collaborator", False),
        ("manager_north", True),
        ("manager_east", False),
        ("director", True),
        ("admin", True),
        ("outsider", False),
    ],
)
def test_deleted_customers_scope(world: OrgWorld, customer: Customer, who: str, sees: bool) -> None:
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.READ
    )
    delete_customer(world.owner, customer)
    assert list(deleted_customers(getattr(world, who))) == ([Customer.all_objects.get(pk=customer.pk)] if sees else [])


def test_the_deleter_sees_what_they_deleted(world: OrgWorld) -> None:
    pool = make_pool(world.org.pk)
    pooled = make_customer(world.admin, "公海客户有限公司", pool=pool)
    delete_customer(world.admin, pooled)
    assert [c.pk for c in deleted_customers(world.admin)] == [pooled.pk]
    assert list(deleted_customers(world.manager_north)) == []


def test_purge_is_for_admins_only_and_leaves_a_purge_row(world: OrgWorld, customer: Customer) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟"})
    report = create_contact(world.owner, customer, {"name": "李娜", "reports_to": contact})
    delete_customer(world.owner, customer)
    for user in (world.owner, world.manager_north, world.director):
        with pytest.raises(PermissionDenied):
            purge_customer(user, customer.pk)
    with pytest.raises(Http404):
        purge_customer(world.outsider, customer.pk)
    assert Customer.all_objects.filter(pk=customer.pk).exists()
    purge_customer(world.admin, customer.pk)
    assert not Customer.all_objects.filter(pk=customer.pk).exists()
    assert not Contact.all_objects.filter(pk__in=[contact.pk, report.pk]).exists()
    assert not OwnershipChange.objects.filter(customer_id=customer.pk).exists()
    purge = AuditEntry.objects.get(entity="customers.customer", entity_id=customer.pk, action=AuditAction.PURGE)
    assert (purge.actor, purge.entity_repr) == (world.admin, "华为技术有限公司")
    # the rest of the history stays readable after the purge
    assert audit_rows(customer)[0] == (AuditAction.CREATE, "", "", "")


def test_purge_refuses_live_and_missing_customers(world: OrgWorld, customer: Customer) -> None:
    with pytest.raises(Http404):
        purge_customer(world.admin, customer.pk)
    with pytest.raises(Http404):
        purge_customer(world.admin, customer.pk + 1000)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_purged_customers_credit_code_is_free_again_but_a_deleted_ones_is_not(
    world: OrgWorld, customer: Customer
) -> None:
    delete_customer(world.owner, customer)
    with pytest.raises(ValidationError):
        make_customer(world.owner, "新华为有限公司", credit_code=credit_code(1))
    purge_customer(world.admin, customer.pk)
    assert make_customer(world.owner, "新华为有限公司", credit_code=credit_code(1)).credit_code == credit_code(1)


# --- contacts --------------------------------------------------------------------------------


def test_a_contact_deleted_alone_is_restored_by_someone_who_may_change_the_customer(
    world: OrgWorld, customer: Customer
) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟"})
    delete_contact(world.owner, contact)
    assert [c.pk for c in deleted_contacts(world.owner)] == [contact.pk]
    assert deleted_contacts(world.teammate) == []
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.READ
    )
    with pytest.raises(PermissionDenied):
        restore_contact(world.collaborator, contact.pk)
    for user in (world.teammate, world.outsider):
        with pytest.raises(Http404):
            restore_contact(user, contact.pk)
    restored = restore_contact(world.manager_north, contact.pk)
    assert (restored.deleted_at, restored.deleted_by) == (None, None)
    assert list(visible_contacts(world.owner)) == [contact]
    assert audit_rows(contact)[-1] == (AuditAction.RESTORE, "", "", "")


def test_contacts_of_a_deleted_customer_are_restored_only_with_it(world: OrgWorld, customer: Customer) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟"})
    delete_customer(world.owner, customer)
    with pytest.raises(Http404):
        restore_contact(world.owner, contact.pk)
    assert deleted_contacts(world.owner) == []


def test_a_contact_deleted_more_than_thirty_days_ago_cannot_be_restored(world: OrgWorld, customer: Customer) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟"})
    delete_contact(world.owner, contact)
    Contact.all_objects.filter(pk=contact.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    with pytest.raises(ValidationError):
        restore_contact(world.owner, contact.pk)


def test_deleted_contacts_list_is_one_query(
    world: OrgWorld, customer: Customer, django_assert_num_queries: Any
) -> None:
    for i in range(4):
        delete_contact(world.owner, create_contact(world.owner, customer, {"name": f"联系人{i}"}))
    with django_assert_num_queries(1):
        rows = deleted_contacts(world.manager_north)
        names = [(c.customer.name, c.deleted_by.name if c.deleted_by else "") for c in rows]
    assert names == [("华为技术有限公司", "owner")] * 4


def test_deleted_customers_list_is_one_query(world: OrgWorld, django_assert_num_queries: Any) -> None:
    for i in range(4):
        delete_customer(world.owner, make_customer(world.owner, f"测试{i}有限公司"))
    with django_assert_num_queries(1):
        rows = [(c.owner.name if c.owner else "", c.deleted_by.name if c.deleted_by else "")
                for c in deleted_customers(world.director)]  # fmt: skip
    assert rows == [("owner", "owner")] * 4
