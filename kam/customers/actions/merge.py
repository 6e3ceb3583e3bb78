"""Merging two customers: everything of the duplicate moves to the survivor.

Later modules (activities, deals, contracts) register a hook that moves their own rows, so
merging never forgets a record type that did not exist when this file was written.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, AuditEntry, Role, User
from kam.customers.actions.customers import city_tier_of
from kam.customers.forms import CUSTOMER_FIELDS
from kam.customers.models import Collaborator, Contact, Customer, OwnershipChange, OwnershipKind
from kam.customers.queries import get_customer_for_user
from kam.customers.search_index import refresh_customer_search

MergeHook = Callable[[User, Customer, Customer], None]
MERGE_HOOKS: list[MergeHook] = []


def register_merge_hook(hook: MergeHook) -> MergeHook:
    """Later apps call this at import time: `hook(actor, survivor, duplicate)` moves their rows."""
    MERGE_HOOKS.append(hook)
    return hook


@transaction.atomic
def merge_customers(actor: User, survivor: Customer, duplicate: Customer) -> Customer:
    """Move contacts, collaborators, history and later records to `survivor`; delete `duplicate`."""
    if actor.role not in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN):
        raise PermissionDenied
    survivor = get_customer_for_user(actor, survivor.pk, write=True)
    duplicate = get_customer_for_user(actor, duplicate.pk, write=True)
    if survivor.pk == duplicate.pk:
        raise refuse(_("Choose two different customers to merge."))
    before = audit.snapshot(survivor, [*CUSTOMER_FIELDS, "city_tier"])
    # Blank fields of the survivor take the duplicate's values; filled ones win.
    filled = []
    for name in CUSTOMER_FIELDS:
        if name == "credit_code":
            continue
        mine, theirs = getattr(survivor, name), getattr(duplicate, name)
        if mine in (None, "") and theirs not in (None, ""):
            setattr(survivor, name, theirs)
            filled.append(name)
    if "city" in filled:
        survivor.city_tier = city_tier_of(survivor.city_id)
        filled.append("city_tier")
    credit_code = duplicate.credit_code if not survivor.credit_code else ""
    Contact.all_objects.filter(customer=duplicate).update(customer=survivor)
    taken = set(Collaborator.objects.filter(customer=survivor).values_list("user_id", flat=True))
    Collaborator.objects.filter(customer=duplicate).exclude(user_id__in=taken | {survivor.owner_id}).update(
        customer=survivor
    )
    OwnershipChange.objects.filter(customer=duplicate).update(customer=survivor)
    AuditEntry.objects.filter(entity="customers.customer", entity_id=duplicate.pk).update(entity_id=survivor.pk)
    survivor.tags.add(*duplicate.tags.all())
    if duplicate.last_followup_at and (
        survivor.last_followup_at is None or duplicate.last_followup_at > survivor.last_followup_at
    ):
        survivor.last_followup_at = duplicate.last_followup_at
        filled.append("last_followup_at")
    for hook in MERGE_HOOKS:
        hook(actor, survivor, duplicate)
    now = timezone.now()
    duplicate.deleted_at = now
    duplicate.deleted_by = actor
    duplicate.credit_code = ""
    duplicate.save(update_fields=["deleted_at", "deleted_by", "credit_code"])
    if credit_code:
        survivor.credit_code = credit_code
        filled.append("credit_code")
    refresh_customer_search(survivor)
    survivor.version = F("version") + 1  # type: ignore[assignment]
    survivor.save(
        update_fields=[*filled, "name_pinyin", "name_initials", "name_norm", "search_text", "version", "updated_at"]
    )
    survivor.refresh_from_db(fields=["version"])
    audit.record_changes(actor, survivor, before)
    audit.record(actor, survivor, AuditAction.MERGE, field="merged", old=f"{duplicate.name} (#{duplicate.pk})")
    audit.record(actor, duplicate, AuditAction.MERGE, field="merged_into", new=f"{survivor.name} (#{survivor.pk})")
    OwnershipChange.objects.create(
        organization_id=survivor.organization_id,
        customer=survivor,
        kind=OwnershipKind.MERGE,
        from_user=duplicate.owner,
        to_user=survivor.owner,
        actor=actor,
        reason=_("Merged %(name)s into this customer") % {"name": duplicate.name},
        at=now,
    )
    return survivor
