"""回收站: soft delete, restore within 30 days (children with their parent), admin-only purge."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, Role, User
from kam.core.models.softdelete import RECYCLE_BIN_DAYS
from kam.customers.actions.customers import can_delete
from kam.customers.models import Contact, Customer
from kam.customers.queries import (
    customer_access,
    deleted_customers,
    get_customer_for_user,
    visible_customers,
)


@transaction.atomic
def delete_customer(actor: User, customer: Customer) -> Customer:
    """Move a customer and its contacts to the 回收站 with one shared timestamp."""
    customer = get_customer_for_user(actor, customer.pk, write=True)
    if not can_delete(actor, customer):
        raise PermissionDenied
    now = timezone.now()
    Contact.objects.filter(customer=customer).update(deleted_at=now, deleted_by=actor)
    customer.deleted_at = now
    customer.deleted_by = actor
    customer.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(actor, customer, AuditAction.DELETE)
    return customer


def _restorable_customer(actor: User, customer_id: int) -> Customer:
    customer = deleted_customers(actor).filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    assert customer.deleted_at is not None
    if customer.deleted_at < timezone.now() - timedelta(days=RECYCLE_BIN_DAYS):
        raise refuse(
            _("Deleted more than %(days)d days ago; it can no longer be restored.") % {"days": RECYCLE_BIN_DAYS}
        )
    return customer


@transaction.atomic
def restore_customer(actor: User, customer_id: int) -> Customer:
    """Bring back a customer and the contacts deleted together with it."""
    customer = _restorable_customer(actor, customer_id)
    if (
        customer.credit_code
        and Customer.objects.filter(organization_id=customer.organization_id, credit_code=customer.credit_code).exists()
    ):
        raise refuse(_("Another customer now has this credit code; merge them instead."))
    Contact.all_objects.filter(customer=customer, deleted_at=customer.deleted_at).update(
        deleted_at=None, deleted_by=None
    )
    customer.deleted_at = None
    customer.deleted_by = None
    customer.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(actor, customer, AuditAction.RESTORE)
    return customer


@transaction.atomic
def purge_customer(actor: User, customer_id: int) -> None:
    """Delete for good (admins only). The audit trail keeps a PURGE row naming the customer."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied
    customer = Customer.all_objects.filter(
        pk=customer_id, organization_id=actor.organization_id, deleted_at__isnull=False
    ).first()
    if customer is None:
        raise Http404
    audit.record(actor, customer, AuditAction.PURGE)
    Contact.all_objects.filter(customer=customer).update(reports_to=None)
    customer.delete()


def restorable_contact(actor: User, contact_id: int) -> Contact:
    contact = (
        Contact.all_objects.select_related("customer")
        .filter(pk=contact_id, organization_id=actor.organization_id, deleted_at__isnull=False)
        .first()
    )
    if contact is None or contact.customer.is_deleted:
        raise Http404
    access = customer_access(actor, contact.customer)
    if not access.read:
        raise Http404
    if not access.write:
        raise PermissionDenied
    assert contact.deleted_at is not None
    if contact.deleted_at < timezone.now() - timedelta(days=RECYCLE_BIN_DAYS):
        raise refuse(
            _("Deleted more than %(days)d days ago; it can no longer be restored.") % {"days": RECYCLE_BIN_DAYS}
        )
    return contact


@transaction.atomic
def restore_contact(actor: User, contact_id: int) -> Contact:
    contact = restorable_contact(actor, contact_id)
    contact.deleted_at = None
    contact.deleted_by = None
    contact.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(actor, contact, AuditAction.RESTORE)
    return contact


def deleted_contacts(actor: User) -> list[Contact]:
    """Contacts deleted on their own (not with their customer) from customers the actor may open."""
    return list(
        Contact.all_objects.filter(deleted_at__isnull=False, customer__in=visible_customers(actor))
        .select_related("customer", "deleted_by")
        .order_by("-deleted_at")[:200]
    )
