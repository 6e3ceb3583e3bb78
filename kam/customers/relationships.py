"""The relationship map of one customer: its contacts as an org chart, and where coverage is thin.

The chart follows `reports_to`. A contact whose boss is unknown (none recorded, or the boss was
deleted) and who has nobody reporting to them is "unplaced": we know the person, not where they sit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.customers.models import BuyingRole, Contact, Customer
from kam.customers.queries import contacts_of

# A key person we have not spoken to for this many days gets a warning.
KEY_PERSON_COLD_DAYS = 60
STRENGTH_MAX = 5


@dataclass
class MapNode:
    contact: Contact
    children: list[MapNode] = field(default_factory=list)

    @property
    def strength_dots(self) -> list[bool]:
        """Five dots, the first `strength` of them filled."""
        return [i < self.contact.strength for i in range(STRENGTH_MAX)]


@dataclass(frozen=True)
class CoverageWarning:
    code: str  # no_contacts | no_decision_maker | no_coach | key_person_cold | single_threaded | unplaced
    message: str
    contacts: tuple[Contact, ...] = ()


@dataclass
class RelationshipMap:
    customer: Customer
    roots: list[MapNode]
    unplaced: list[MapNode]
    warnings: list[CoverageWarning]
    contact_count: int


def build_tree(contacts: Sequence[Contact]) -> tuple[list[MapNode], list[MapNode]]:
    """(chart roots with their subtrees, unplaced contacts). Contacts caught in a reporting loop are unplaced."""
    nodes = {c.pk: MapNode(c) for c in contacts}
    tops: list[MapNode] = []
    for node in nodes.values():
        boss = nodes.get(node.contact.reports_to_id) if node.contact.reports_to_id else None
        if boss is None:
            tops.append(node)
        else:
            boss.children.append(node)
    placed: set[int] = set()
    stack = list(tops)
    while stack:
        node = stack.pop()
        placed.add(node.contact.pk)
        stack.extend(node.children)
    roots = [n for n in tops if n.children]
    unplaced = [n for n in tops if not n.children]
    # Loops (imported data can hold them) are unreachable from any top: show them flat.
    for node in nodes.values():
        if node.contact.pk not in placed:
            node.children = []
            unplaced.append(node)
    return roots, unplaced


def coverage_warnings(
    contacts: Sequence[Contact],
    unplaced: Sequence[Contact] = (),
    *,
    now: datetime | None = None,
    cold_days: int = KEY_PERSON_COLD_DAYS,
) -> list[CoverageWarning]:
    """What the account team does not know or has neglected, most serious first."""
    if not contacts:
        return [CoverageWarning("no_contacts", _("No contacts are known at this customer."))]
    now = now or timezone.now()
    warnings: list[CoverageWarning] = []
    if not any(c.buying_role == BuyingRole.DECISION_MAKER for c in contacts):
        warnings.append(CoverageWarning("no_decision_maker", _("No decision maker is known.")))
    if not any(c.buying_role == BuyingRole.COACH for c in contacts):
        warnings.append(CoverageWarning("no_coach", _("No coach is known.")))
    cutoff = now - timedelta(days=cold_days)
    for contact in contacts:
        if not contact.is_key_person:
            continue
        if contact.last_contacted_at is None:
            message = _("Key person %(name)s has never been contacted.") % {"name": contact.name}
        elif contact.last_contacted_at < cutoff:
            days = (now - contact.last_contacted_at).days
            message = _("No contact with key person %(name)s for %(days)d days.") % {
                "name": contact.name,
                "days": days,
            }
        else:
            continue
        warnings.append(CoverageWarning("key_person_cold", message, (contact,)))
    if len(contacts) == 1:
        warnings.append(
            CoverageWarning("single_threaded", _("Only one contact is known: the relationship is single-threaded."))
        )
    elif unplaced:
        warnings.append(
            CoverageWarning(
                "unplaced",
                ngettext(
                    "%(count)d contact is not placed in the org chart.",
                    "%(count)d contacts are not placed in the org chart.",
                    len(unplaced),
                )
                % {"count": len(unplaced)},
                tuple(unplaced),
            )
        )
    return warnings


def relationship_map(customer: Customer, *, now: datetime | None = None) -> RelationshipMap:
    """The org chart of a customer the caller already may open, with its coverage warnings."""
    contacts = list(contacts_of(customer))
    roots, unplaced = build_tree(contacts)
    warnings = coverage_warnings(contacts, [n.contact for n in unplaced], now=now)
    return RelationshipMap(customer, roots, unplaced, warnings, len(contacts))
