"""Deciding and writing: each customer of the file is skipped, merged or created, all in the caller's transaction.

Creates are written in batches with bulk_create, doing what create_customer does for one
customer (search columns, city tier, tags, the audit row, the ownership row of kind IMPORT)
without its per-call 查重, which the import has already done for the whole file against the
database loaded once (matching.py). Merges go through update_customer and create_contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.models import AuditAction, AuditEntry, User
from kam.core.models.org import DedupMode
from kam.customers.actions import create_contact, update_customer
from kam.customers.actions.customers import CITY_TIER_VERSION, check_holding_limit
from kam.customers.forms import CUSTOMER_FIELDS
from kam.customers.imports.matching import DatabaseIndex, MatchInfo
from kam.customers.imports.plan import PROGRESS_EVERY, Errors, Group, Prepared, Progress, add_error
from kam.customers.models import CityTier, Contact, Customer, OwnershipChange, OwnershipKind, Tag
from kam.customers.models.imports import RowDecision
from kam.customers.queries import get_customer_for_user
from kam.customers.search_index import refresh_contact_search, refresh_customer_search

BATCH = 500


class ImportRejected(Exception):
    """Rows that stop the import; raised inside the transaction so that nothing stays written."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"{len(errors)} rows with errors")
        self.errors = errors


@dataclass
class Counts:
    created: int = 0
    merged: int = 0
    skipped: int = 0
    contacts: int = 0


@dataclass
class Plan:
    # ("create", group, None) or ("merge", group, customer id), in file order
    steps: list[tuple[str, Group, int | None]] = field(default_factory=list)
    skipped: int = 0
    errors: Errors = field(default_factory=dict)
    total_rows: int = 0


def default_decision(group: Group, on_duplicate: str) -> str:
    return on_duplicate if group.db_matches or group.file_matches else RowDecision.CREATE


def _blank(value: Any) -> bool:
    return value is None or value == ""


def fill_blanks(current: dict[str, Any], source: Group) -> dict[str, Any]:
    """The cells of `source` that fill blank fields of `current`; province and city move together."""
    fill = {
        key: source.data[key]
        for key in CUSTOMER_FIELDS
        if key not in ("province", "city")
        and key in source.values
        and _blank(current.get(key))
        and not _blank(source.data.get(key))
    }
    province, city = source.data.get("province"), source.data.get("city")
    if city is not None and current.get("city") is None and current.get("province") in (None, province):
        fill["city"], fill["province"] = city, province
    elif province is not None and current.get("province") is None and current.get("city") is None:
        fill["province"] = province
    return fill


def _fold(target: Group, source: Group) -> None:
    """Merge a customer of the file into one above it: fill its blanks, add contacts and tags."""
    fill = fill_blanks(target.data, source)
    target.data.update(fill)
    target.values.update({k: v for k, v in source.values.items() if k in fill})
    target.tag_names += [t for t in source.tag_names if t not in target.tag_names]
    target.contacts += source.contacts
    target.rows += source.rows


def _first_row_of_owner(creates: list[Group], owner: User, skip: int) -> int:
    rows = [g.first_row for g in creates if g.owner is not None and g.owner.pk == owner.pk]
    return rows[min(skip, len(rows) - 1)]


def resolve(
    prepared: Prepared,
    actor: User,
    decisions: dict[int, str],
    on_duplicate: str,
    matches: dict[int, list[MatchInfo]],
    index: DatabaseIndex,
) -> Plan:
    """Apply the decisions: fold merges within the file, refuse what create_customer would refuse."""
    plan = Plan(total_rows=prepared.total_rows)
    by_row = {g.first_row: g for g in prepared.groups}
    decided = {g.first_row: decisions.get(g.first_row) or default_decision(g, on_duplicate) for g in prepared.groups}
    folded_into: dict[int, int] = {}
    live_rows: set[int] = set()
    block = actor.organization is not None and actor.organization.dedup_mode == DedupMode.BLOCK
    for group in prepared.groups:
        decision = decided[group.first_row]
        if decision == RowDecision.SKIP:
            plan.skipped += 1
            continue
        live_rows.update(group.rows)
        found = matches.get(group.first_row, [])
        if decision == RowDecision.MERGE:
            if found:
                plan.steps.append((RowDecision.MERGE, group, found[0].match.customer_id))
            elif group.file_matches:
                target_row = min(group.file_matches, key=lambda r: (-group.file_matches[r][1], r))
                while target_row in folded_into:
                    target_row = folded_into[target_row]
                if decided[target_row] == RowDecision.SKIP:
                    message = _("Row %(row)s, which this customer would merge into, is skipped.") % {"row": target_row}
                    add_error(plan.errors, group.first_row, NON_FIELD_ERRORS, [message])
                else:
                    _fold(by_row[target_row], group)
                    folded_into[group.first_row] = target_row
            else:
                add_error(
                    plan.errors, group.first_row, NON_FIELD_ERRORS, [_("There is no existing customer to merge into.")]
                )
            continue
        code = str(group.data.get("credit_code") or "")
        if any(m.match.kind == "credit_code" for m in found):
            message = _("This credit code is already registered: %(match)s.") % {"match": found[0].match.describe()}
            add_error(plan.errors, group.first_row, "credit_code", [message])
        elif code and code in index.deleted_codes:
            message = _("This credit code belongs to a customer in the recycle bin; restore that customer instead.")
            add_error(plan.errors, group.first_row, "credit_code", [message])
        elif found and block:
            message = _("A matching customer already exists: %(match)s.") % {"match": found[0].match.describe()}
            add_error(plan.errors, group.first_row, "name", [message])
        plan.steps.append((RowDecision.CREATE, group, None))
    for row, fields in prepared.errors.items():
        if row in live_rows:
            for key, messages in fields.items():
                add_error(plan.errors, row, key, messages)
    _check_holding_limits(plan)
    return plan


def _check_holding_limits(plan: Plan) -> None:
    creates = [g for kind, g, _pk in plan.steps if kind == RowDecision.CREATE]
    owners = {g.owner.pk: g.owner for g in creates if g.owner is not None}
    for owner in owners.values():
        count = sum(1 for g in creates if g.owner is not None and g.owner.pk == owner.pk)
        try:
            check_holding_limit(owner, extra=count)
        except ValidationError as exc:
            held = Customer.objects.filter(owner=owner).count()
            row = _first_row_of_owner(creates, owner, max(owner.effective_holding_limit - held, 0))
            add_error(plan.errors, row, "owner", exc.messages)


class Writer:
    """Writes a resolved plan; call inside transaction.atomic."""

    def __init__(self, actor: User, progress: Progress | None = None) -> None:
        self.actor = actor
        self.progress = progress
        self.now = timezone.now()
        self.counts = Counts()
        self.city_tiers = dict(CityTier.objects.filter(version=CITY_TIER_VERSION).values_list("city_id", "tier"))
        self.tags: dict[str, Tag] = {}

    def write(self, plan: Plan) -> Counts:
        self.counts.skipped = plan.skipped
        pending: list[Group] = []
        done = reported = 0
        for kind, group, customer_id in plan.steps:
            if kind == RowDecision.CREATE:
                pending.append(group)
                if len(pending) >= BATCH:
                    self._create(pending)
                    pending = []
            else:
                assert customer_id is not None
                self._merge(group, customer_id)
            done += len(group.rows)
            if self.progress is not None and done - reported >= PROGRESS_EVERY:
                self.progress("write", done, plan.total_rows)
                reported = done
        self._create(pending)
        if self.progress is not None:
            self.progress("write", plan.total_rows, plan.total_rows)
        return self.counts

    def _tag_objects(self, names: set[str]) -> None:
        missing = names - self.tags.keys()
        if not missing:
            return
        org_id = self.actor.organization_id
        self.tags.update((t.name, t) for t in Tag.objects.filter(organization_id=org_id, name__in=missing))
        new = [Tag(organization_id=org_id, name=n) for n in sorted(missing - self.tags.keys())]
        self.tags.update((t.name, t) for t in Tag.objects.bulk_create(new))

    def _create(self, groups: list[Group]) -> None:
        if not groups:
            return
        org_id = self.actor.organization_id
        customers = []
        for group in groups:
            customer = Customer(
                organization_id=org_id,
                owner=group.owner,
                owner_since=self.now,
                created_by=self.actor,
                **{k: v for k, v in group.data.items() if k in CUSTOMER_FIELDS},
            )
            customer.city_tier = self.city_tiers.get(customer.city_id or "", "")
            refresh_customer_search(customer)
            customers.append(customer)
        Customer.objects.bulk_create(customers)
        self._tag_objects({name for g in groups for name in g.tag_names})
        Customer.tags.through.objects.bulk_create(
            Customer.tags.through(customer_id=c.pk, tag_id=self.tags[name].pk)
            for c, g in zip(customers, groups, strict=True)
            for name in g.tag_names
        )
        OwnershipChange.objects.bulk_create(
            OwnershipChange(
                organization_id=org_id, customer=c, kind=OwnershipKind.IMPORT, to_user=c.owner, actor=self.actor,
                at=self.now,
            )
            for c in customers
        )  # fmt: skip
        contacts = []
        for customer, group in zip(customers, groups, strict=True):
            for _row, data in group.contacts:
                contact = Contact(organization_id=org_id, customer=customer, **data)
                refresh_contact_search(contact)
                contacts.append(contact)
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        self._audit_created([*customers, *contacts])
        self.counts.created += len(customers)
        self.counts.contacts += len(contacts)

    def _audit_created(self, rows: list[Customer | Contact]) -> None:
        """The CREATE audit row audit.record writes for each, in one insert."""
        AuditEntry.objects.bulk_create(
            (
                AuditEntry(
                    organization_id=row.organization_id,
                    actor=self.actor,
                    entity=row._meta.label_lower,
                    entity_id=row.pk,
                    entity_repr=str(row)[:200],
                    action=AuditAction.CREATE,
                )
                for row in rows
            ),
            batch_size=BATCH,
        )

    def _merge(self, group: Group, customer_id: int) -> None:
        try:
            customer = get_customer_for_user(self.actor, customer_id, write=True)
            current = {k: getattr(customer, k) for k in CUSTOMER_FIELDS}
            fill = fill_blanks(current, group)
            tags = [t.name for t in customer.tags.all()]
            new_tags = [t for t in group.tag_names if t not in tags]
            if fill or new_tags:
                customer = update_customer(self.actor, customer, fill, tag_names=tags + new_tags if new_tags else None)
            known = set(Contact.objects.filter(customer=customer).values_list("name", "mobile"))
            for _row, data in group.contacts:
                key = (data["name"], data.get("mobile", ""))
                if key in known:
                    continue
                create_contact(self.actor, customer, data)
                known.add(key)
                self.counts.contacts += 1
        except Http404 as exc:
            raise ImportRejected(
                {group.first_row: {NON_FIELD_ERRORS: [_("The customer to merge into is gone.")]}}
            ) from exc
        except PermissionDenied as exc:
            message = _("You may not change the customer to merge into.")
            raise ImportRejected({group.first_row: {NON_FIELD_ERRORS: [message]}}) from exc
        except ValidationError as exc:
            found: dict[str, list[str]] = (
                dict(exc.message_dict) if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            )
            raise ImportRejected({group.first_row: found}) from exc
        self.counts.merged += 1
