"""Writes to contacts. Access follows the customer the contact belongs to."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kam.core import audit
from kam.core.errors import StaleVersion
from kam.core.models import AuditAction, User
from kam.customers.forms import CONTACT_FIELDS
from kam.customers.models import Contact, Customer
from kam.customers.queries import get_contact_for_user, get_customer_for_user
from kam.customers.search_index import refresh_contact_search


@transaction.atomic
def create_contact(actor: User, customer: Customer, data: dict[str, Any]) -> Contact:
    """Add a person to a customer the actor may change."""
    customer = get_customer_for_user(actor, customer.pk, write=True)
    contact = Contact(
        organization_id=customer.organization_id,
        customer=customer,
        **{k: v for k, v in data.items() if k in CONTACT_FIELDS},
    )
    refresh_contact_search(contact)
    contact.save()
    audit.record(actor, contact, AuditAction.CREATE)
    return contact


@transaction.atomic
def update_contact(
    actor: User, contact: Contact, data: dict[str, Any], *, expected_version: int | None = None
) -> Contact:
    """Apply changed fields with one audit row each; refuse a stale version."""
    contact = get_contact_for_user(actor, contact.pk, write=True)
    current = Contact.objects.select_for_update().values_list("version", flat=True).get(pk=contact.pk)
    if expected_version is not None and current != expected_version:
        raise StaleVersion(current)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    changed = [name for name, value in data.items() if name in CONTACT_FIELDS and getattr(contact, name) != value]
    for name in changed:
        setattr(contact, name, data[name])
    refresh_contact_search(contact)
    contact.version = F("version") + 1  # type: ignore[assignment]
    contact.save(update_fields=[*changed, "name_pinyin", "name_initials", "search_text", "version", "updated_at"])
    contact.refresh_from_db(fields=["version"])
    audit.record_changes(actor, contact, before)
    return contact


@transaction.atomic
def delete_contact(actor: User, contact: Contact) -> Contact:
    """Move a contact to the 回收站; people who reported to them now report to nobody."""
    contact = get_contact_for_user(actor, contact.pk, write=True)
    contact.deleted_at = timezone.now()
    contact.deleted_by = actor
    contact.save(update_fields=["deleted_at", "deleted_by"])
    for report in Contact.objects.filter(reports_to=contact):
        audit.record(actor, report, AuditAction.UPDATE, field="reports_to", old=contact.name)
    Contact.objects.filter(reports_to=contact).update(reports_to=None)
    audit.record(actor, contact, AuditAction.DELETE)
    return contact
