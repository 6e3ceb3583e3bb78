"""Rows of the large dataset, written a batch of customers at a time with bulk_create.

Each batch writes its customers, their tags, ownership and audit rows, collaborators and an org
chart of contacts (boss levels first, so `reports_to` points at saved rows), in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from kam.core.models import AuditAction, AuditEntry, Organization, Role, User
from kam.customers.demo import vocab
from kam.customers.demo.fabricate import City, ContactSpec, CustomerSpec, Fabricator, Story
from kam.customers.models import (
    Collaborator,
    CollaboratorAccess,
    Contact,
    Customer,
    OwnershipChange,
    OwnershipKind,
    Pool,
    Tag,
)
from kam.customers.search_index import refresh_contact_search, refresh_customer_search

CUSTOMER_LABEL = "customers.customer"
CONTACT_LABEL = "customers.contact"


@dataclass
class Holder:
    """Where a customer goes: its city, and an owner or a pool (with the reps of that area)."""

    city: City
    owner: User | None
    pool: Pool | None
    region_reps: list[User]
    contacts: int = 0


@dataclass
class _Row:
    holder: Holder
    spec: CustomerSpec
    story: Story
    customer: Customer
    previous_owner: User | None = None
    people: list[ContactSpec] = field(default_factory=list)


class BatchWriter:
    def __init__(self, fab: Fabricator, org: Organization, users: dict[str, User], now: datetime) -> None:
        self.fab, self.org, self.now = fab, org, now
        self.admin = users["admin"]
        self.helpers = [u for u in users.values() if u.role in (Role.PRESALES, Role.SERVICE)]
        Tag.objects.bulk_create(Tag(organization=org, name=name) for name in vocab.TAGS)
        self.tags = {t.name: t for t in Tag.objects.filter(organization=org)}
        self.customers = self.contacts = self.in_pool = 0

    def write(self, batch: list[Holder]) -> None:
        rows = [self._row(holder) for holder in batch]
        with transaction.atomic():
            Customer.objects.bulk_create([r.customer for r in rows])
            self._tags(rows)
            self._ownership(rows)
            self._collaborators(rows)
            self._contacts(rows)
        self.customers += len(rows)
        self.in_pool += sum(1 for r in rows if r.customer.owner_id is None)

    # --- customers ---------------------------------------------------------------------

    def _row(self, holder: Holder) -> _Row:
        fab = self.fab
        spec = fab.customer(holder.city)
        if holder.owner is None:
            spec.status = fab.rng.choice(("prospect", "prospect", "dormant", "lost"))
        story = fab.story(spec.tier, spec.status, self.now)
        owner = holder.owner
        customer = Customer(
            organization=self.org,
            **{k: v for k, v in spec.form_data(fab.ref).items() if k not in ("industry", "province", "city")},
            industry_id=spec.division if spec.division in fab.ref.divisions else None,
            province_id=holder.city.province_code,
            city_id=holder.city.code,
            city_tier=holder.city.tier,
            owner=owner,
            owner_since=story.created_at if owner else None,
            pool=holder.pool,
            locked=owner is not None and spec.tier == "A" and fab.rng.random() < 0.15,
            won_at=story.won_at,
            last_followup_at=story.last_followup_at,
            next_followup_at=story.next_followup_at if owner else None,
            created_by=owner or self.admin,
            created_at=story.created_at,
            updated_at=max(story.created_at, story.last_followup_at or story.created_at),
        )
        refresh_customer_search(customer)
        row = _Row(holder, spec, story, customer)
        if owner is None and holder.region_reps and fab.rng.random() < 0.5:
            row.previous_owner = fab.rng.choice(holder.region_reps)
        row.people = fab.contacts(spec, holder.contacts)
        return row

    def _tags(self, rows: list[_Row]) -> None:
        through = Customer.tags.through
        links = [
            through(customer_id=r.customer.pk, tag_id=self.tags[name].pk) for r in rows for name in r.spec.tag_names
        ]
        through.objects.bulk_create(links)

    def _audit(self, actor: User | None, label: str, pk: int, text: str, at: datetime, **extra: str) -> AuditEntry:
        return AuditEntry(
            organization=self.org,
            actor=actor,
            entity=label,
            entity_id=pk,
            entity_repr=text[:200],
            action=extra.pop("action", AuditAction.CREATE),
            at=at,
            **extra,
        )

    def _ownership(self, rows: list[_Row]) -> None:
        changes, entries = [], []
        for r in rows:
            c, created = r.customer, r.story.created_at
            first_holder = c.owner or r.previous_owner
            entries.append(self._audit(first_holder or self.admin, CUSTOMER_LABEL, c.pk, c.name, created))
            changes.append(
                OwnershipChange(organization=self.org, customer=c, kind=OwnershipKind.CREATE, to_user=first_holder,
                                pool=None if first_holder else c.pool, actor=first_holder or self.admin, at=created)
            )  # fmt: skip
            if r.previous_owner is not None:
                at = created + (self.now - created) * self.fab.rng.uniform(0.3, 0.9)
                reason = self.fab.rng.choice(vocab.RETURN_REASONS)
                changes.append(
                    OwnershipChange(organization=self.org, customer=c, kind=OwnershipKind.RECYCLE,
                                    from_user=r.previous_owner, pool=c.pool, reason=reason, at=at)
                )  # fmt: skip
                entries.append(
                    self._audit(None, CUSTOMER_LABEL, c.pk, c.name, at, action=AuditAction.OWNER, field="owner",
                                old=r.previous_owner.name, new=c.pool.name if c.pool else "")
                )  # fmt: skip
        OwnershipChange.objects.bulk_create(changes)
        AuditEntry.objects.bulk_create(entries)

    def _collaborators(self, rows: list[_Row]) -> None:
        fab, collaborators = self.fab, []
        for r in rows:
            owner = r.customer.owner
            if owner is None or fab.rng.random() >= 0.08:
                continue
            peers = [u for u in r.holder.region_reps if u.pk != owner.pk]
            if peers and fab.rng.random() < 0.4:
                user, access = fab.rng.choice(peers), CollaboratorAccess.READ
            else:
                user, access = fab.rng.choice(self.helpers), fab.rng.choice(list(CollaboratorAccess))
            added = r.story.created_at + (self.now - r.story.created_at) * fab.rng.uniform(0.05, 0.5)
            collaborators.append(
                Collaborator(organization=self.org, customer=r.customer, user=user, access=access, added_at=added)
            )
        Collaborator.objects.bulk_create(collaborators)

    # --- contacts ----------------------------------------------------------------------

    def _contact(self, r: _Row, person: ContactSpec, boss: Contact | None) -> Contact:
        fab, story = self.fab, r.story
        created = min(story.created_at + timedelta(days=fab.rng.uniform(0, 10)), self.now)
        last = story.last_followup_at
        contact = Contact(
            organization=self.org,
            customer=r.customer,
            **person.form_data(),
            reports_to=boss,
            relationship_owner=r.customer.owner if fab.rng.random() < 0.7 else None,
            last_contacted_at=(
                created + (last - created) * fab.rng.uniform(0.3, 1)
                if last is not None and last > created and fab.rng.random() < 0.5
                else None
            ),
            created_at=created,
            updated_at=created,
        )
        refresh_contact_search(contact)
        return contact

    def _contacts(self, rows: list[_Row]) -> None:
        slots: list[list[Contact | None]] = [[None] * len(r.people) for r in rows]
        everyone: list[Contact] = []
        for level in range(3):  # bosses are saved before the people who report to them
            wave = []
            for r, mine in zip(rows, slots, strict=True):
                for position, person in enumerate(r.people):
                    if person.level == level:
                        boss = mine[person.boss] if person.boss is not None else None
                        mine[position] = contact = self._contact(r, person, boss)
                        wave.append(contact)
            Contact.objects.bulk_create(wave)
            everyone += wave
        AuditEntry.objects.bulk_create(
            self._audit(c.customer.owner or self.admin, CONTACT_LABEL, c.pk, c.name, c.created_at) for c in everyone
        )
        self.contacts += len(everyone)
