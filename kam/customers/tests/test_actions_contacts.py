"""Contact writes: access follows the customer; audit rows per field; versions; soft delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.core import audit
from kam.core.errors import StaleVersion
from kam.core.models import AuditAction
from kam.customers.actions import create_contact, delete_contact, update_contact
from kam.customers.models import Attitude, BuyingRole, Collaborator, CollaboratorAccess, Contact, Customer
from kam.customers.queries import get_contact_for_user, search, visible_contacts
from kam.customers.tests.domain_helpers import audit_rows, make_customer


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def customer(world: OrgWorld) -> Customer:
    return make_customer(world.owner, "华为技术有限公司")


def test_create_contact_fills_search_columns_and_writes_a_create_row(world: OrgWorld, customer: Customer) -> None:
    contact = create_contact(
        world.owner,
        customer,
        {"name": "张伟", "title": "CIO", "mobile": "13812345678", "phone": "010-12345678", "ignored": "x"},
    )
    contact.refresh_from_db()
    assert (contact.organization_id, contact.customer_id, contact.version) == (world.org.pk, customer.pk, 1)
    assert contact.name_pinyin.split(" ")[0] == "zhangwei"
    assert contact.name_initials.split(" ")[0] == "zw"
    assert "13812345678" in contact.search_text
    assert "01012345678" in contact.search_text
    assert audit_rows(contact) == [(AuditAction.CREATE, "", "", "")]
    assert search(world.owner, "zw") == ([], [contact])
    assert search(world.owner, "13812345678") == ([], [contact])


def test_manager_above_and_write_collaborator_add_contacts(world: OrgWorld, customer: Customer) -> None:
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.WRITE
    )
    create_contact(world.manager_north, customer, {"name": "李娜"})
    create_contact(world.collaborator, customer, {"name": "王芳"})
    assert sorted(customer.contacts.values_list("name", flat=True)) == ["李娜", "王芳"]


def test_read_collaborator_and_strangers_cannot_add_contacts(world: OrgWorld, customer: Customer) -> None:
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.READ
    )
    with pytest.raises(PermissionDenied):
        create_contact(world.collaborator, customer, {"name": "张伟"})
    for user in (world.teammate, world.manager_east, world.outsider):
        with pytest.raises(Http404):
            create_contact(user, customer, {"name": "张伟"})
    assert not Contact.all_objects.exists()


def test_no_contacts_are_added_to_a_deleted_customer(world: OrgWorld, customer: Customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(deleted_at=timezone.now())
    with pytest.raises(Http404):
        create_contact(world.owner, customer, {"name": "张伟"})
    assert not Contact.all_objects.exists()


def test_update_contact_audits_each_changed_field_with_labels_and_bumps_version(
    world: OrgWorld, customer: Customer
) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟", "title": "CIO"})
    updated = update_contact(
        world.owner,
        contact,
        {"name": "张伟", "title": "CTO", "attitude": Attitude.SUPPORTER, "buying_role": BuyingRole.DECISION_MAKER},
        expected_version=1,
    )
    assert updated.version == 2
    assert sorted(audit_rows(contact, action=AuditAction.UPDATE)) == sorted(
        [
            (AuditAction.UPDATE, "title", "CIO", "CTO"),
            (AuditAction.UPDATE, "attitude", "中立", "支持"),
            (AuditAction.UPDATE, "buying_role", "其他", "决策者"),
        ]
    )


def test_update_contact_reports_to_is_audited_by_name(world: OrgWorld, customer: Customer) -> None:
    boss = create_contact(world.owner, customer, {"name": "李总"})
    contact = create_contact(world.owner, customer, {"name": "张伟"})
    update_contact(world.owner, contact, {"reports_to": boss})
    assert audit_rows(contact, action=AuditAction.UPDATE) == [(AuditAction.UPDATE, "reports_to", "", "李总")]


def test_update_contact_with_a_stale_version_changes_nothing(world: OrgWorld, customer: Customer) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟", "title": "CIO"})
    update_contact(world.owner, contact, {"title": "CTO"}, expected_version=1)
    with pytest.raises(StaleVersion) as exc:
        update_contact(world.owner, contact, {"title": "CEO"}, expected_version=1)
    assert exc.value.current == 2
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("CTO", 2)
    assert len(audit_rows(contact, action=AuditAction.UPDATE)) == 1


def test_update_contact_and_audit_are_one_transaction(
    world: OrgWorld, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟", "title": "CIO"})

    def boom(*args: Any, **kwargs: Any) -> list[str]:
        raise RuntimeError("audit failed")

    monkeypatch.setattr(audit, "record_changes", boom)
    with pytest.raises(RuntimeError):
        update_contact(world.owner, contact, {"title": "CTO"})
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("CIO", 1)


def test_read_collaborator_cannot_update_or_delete_contacts(world: OrgWorld, customer: Customer) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟", "title": "CIO"})
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.READ
    )
    with pytest.raises(PermissionDenied):
        update_contact(world.collaborator, contact, {"title": "CTO"})
    with pytest.raises(PermissionDenied):
        delete_contact(world.collaborator, contact)
    with pytest.raises(Http404):
        update_contact(world.teammate, contact, {"title": "CTO"})
    with pytest.raises(Http404):
        delete_contact(world.outsider, contact)
    contact.refresh_from_db()
    assert (contact.title, contact.version, contact.deleted_at) == ("CIO", 1, None)


def test_delete_contact_is_soft_audited_and_hides_the_contact(world: OrgWorld, customer: Customer) -> None:
    contact = create_contact(world.owner, customer, {"name": "张伟"})
    delete_contact(world.owner, contact)
    row = Contact.all_objects.get(pk=contact.pk)
    assert row.deleted_at is not None
    assert row.deleted_by == world.owner
    assert audit_rows(contact) == [(AuditAction.CREATE, "", "", ""), (AuditAction.DELETE, "", "", "")]
    assert list(visible_contacts(world.owner)) == []
    with pytest.raises(Http404):
        get_contact_for_user(world.owner, contact.pk)
    assert search(world.owner, "zhangwei") == ([], [])


def test_deleting_a_contact_detaches_the_people_who_reported_to_them(world: OrgWorld, customer: Customer) -> None:
    boss = create_contact(world.owner, customer, {"name": "李总"})
    report = create_contact(world.owner, customer, {"name": "张伟", "reports_to": boss})
    delete_contact(world.owner, boss)
    report.refresh_from_db()
    assert report.reports_to_id is None
