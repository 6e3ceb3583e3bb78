"""Move the demo's timestamps into the past, after the actions wrote them as "now".

Actions stamp rows with the current time; a demo needs customers created months ago, followed up
last week, returned to the pool in spring. Only timestamps change here, never who did what.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from kam.core.models import AuditAction, AuditEntry, Organization
from kam.customers.demo.fabricate import Story
from kam.customers.models import Collaborator, Contact, Customer, OwnershipChange, OwnershipKind

BATCH = 200


def _customers(org: Organization, stories: dict[int, Story], events: dict[tuple[int, str], datetime]) -> None:
    customers = list(Customer.objects.filter(organization=org))
    for customer in customers:
        story = stories[customer.pk]
        moved = events.get((customer.pk, "owner"))
        customer.created_at = story.created_at
        customer.last_followup_at = story.last_followup_at
        customer.next_followup_at = story.next_followup_at if customer.owner_id else None
        customer.won_at = story.won_at
        if customer.owner_id is None:
            customer.owner_since = None
            if moved is not None and story.last_followup_at is not None:
                customer.last_followup_at = min(story.last_followup_at, moved)
        else:
            customer.owner_since = moved or story.created_at
        moments = [
            story.created_at,
            customer.last_followup_at,
            *(at for (pk, _k), at in events.items() if pk == customer.pk),
        ]
        customer.updated_at = max(m for m in moments if m is not None)
    fields = ["created_at", "last_followup_at", "next_followup_at", "won_at", "owner_since", "updated_at"]
    Customer.objects.bulk_update(customers, fields, batch_size=BATCH)
    creations = list(OwnershipChange.objects.filter(organization=org, kind=OwnershipKind.CREATE))
    for change in creations:
        change.at = stories[change.customer_id].created_at
    OwnershipChange.objects.bulk_update(creations, ["at"], batch_size=BATCH)


def _contacts(org: Organization, stories: dict[int, Story], rng: random.Random, now: datetime) -> dict[int, datetime]:
    contacts = list(Contact.objects.filter(organization=org).order_by("id"))
    for contact in contacts:
        story = stories[contact.customer_id]
        contact.created_at = min(story.created_at + timedelta(days=rng.uniform(0, 10)), now)
        contact.updated_at = contact.created_at
        last = story.last_followup_at
        if last is not None and last > contact.created_at and rng.random() < 0.5:
            contact.last_contacted_at = contact.created_at + (last - contact.created_at) * rng.uniform(0.3, 1)
    Contact.objects.bulk_update(contacts, ["created_at", "updated_at", "last_contacted_at"], batch_size=BATCH)
    return {c.pk: c.created_at for c in contacts}


def _audit(
    org: Organization,
    stories: dict[int, Story],
    events: dict[tuple[int, str], datetime],
    contact_times: dict[int, datetime],
) -> None:
    entries = list(AuditEntry.objects.filter(organization=org, entity__in=["customers.customer", "customers.contact"]))
    changed = []
    for entry in entries:
        if entry.entity == "customers.contact":
            at = contact_times.get(entry.entity_id)
        elif entry.action == AuditAction.CREATE:
            at = stories[entry.entity_id].created_at
        else:
            at = events.get((entry.entity_id, entry.field))
        if at is not None:
            entry.at = at
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["at"], batch_size=BATCH)
    collaborators = list(Collaborator.objects.filter(organization=org))
    for collab in collaborators:
        collab.added_at = events.get((collab.customer_id, "collaborators"), collab.added_at)
    Collaborator.objects.bulk_update(collaborators, ["added_at"], batch_size=BATCH)


def backdate(
    org: Organization,
    stories: dict[int, Story],
    events: dict[tuple[int, str], datetime],
    rng: random.Random,
    now: datetime,
) -> None:
    """Give customers, contacts, ownership and audit rows the times of each customer's story."""
    _customers(org, stories, events)
    contact_times = _contacts(org, stories, rng, now)
    _audit(org, stories, events, contact_times)
