"""The Blue Sheet red flags of a deal (KAM_METHOD.md), computed from its buying influences.

Codes: role_missing (economic/user/technical buyer), no_coach, low_rating, economic_buyer_mode,
new_person, reorganisation, unmet. `red_flags` costs at most four queries whatever the deal holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kam.core import audit
from kam.core.models import AuditAction, AuditEntry
from kam.customers.models import Contact
from kam.sales.models import BuyingInfluence, InfluenceRole, Opportunity, ResponseMode, Stage
from kam.sales.queries_qualification import (
    UNMET_DAYS,
    influences_of,
    meddpicc_total,
    role_rank,
    signed,
    unmet_people,
)

__all__ = ["RedFlag", "meddpicc_total", "red_flags", "signed"]

NEW_PERSON_DAYS = 14
REORGANISATION_DAYS = 30
LOW_RATING = -4
# The contact fields whose change means the customer reorganised around this person.
REORGANISATION_FIELDS = ("title", "department", "reports_to")


@dataclass(frozen=True)
class RedFlag:
    code: str
    message: str
    contact: Contact | None = None


def _joined(parts: Sequence[str]) -> str:
    return pgettext("list separator", ", ").join(parts)


def _people(influences: Sequence[BuyingInfluence]) -> list[tuple[Contact, list[BuyingInfluence]]]:
    """Each person once, in role order, with the influence rows they hold."""
    people: dict[int, tuple[Contact, list[BuyingInfluence]]] = {}
    for influence in influences:
        people.setdefault(influence.contact_id, (influence.contact, []))[1].append(influence)
    return list(people.values())


def _role_gaps(influences: Sequence[BuyingInfluence]) -> list[RedFlag]:
    present = {i.role for i in influences}
    missing = {
        InfluenceRole.ECONOMIC: _("No economic buyer identified."),
        InfluenceRole.USER: _("No user buyer identified."),
        InfluenceRole.TECHNICAL: _("No technical buyer identified."),
    }
    flags = [RedFlag("role_missing", message) for role, message in missing.items() if role not in present]
    if InfluenceRole.COACH not in present:
        flags.append(RedFlag("no_coach", _("No coach: nobody guides us through this deal.")))
    return flags


def _low_ratings(people: Sequence[tuple[Contact, list[BuyingInfluence]]]) -> list[RedFlag]:
    flags = []
    for contact, rows in people:
        rating = min(row.rating for row in rows)
        if rating <= LOW_RATING:
            message = _("%(name)s is strongly against our proposal (rating %(rating)s).") % {
                "name": contact.name,
                "rating": signed(rating),
            }
            flags.append(RedFlag("low_rating", message, contact))
    return flags


def _economic_buyer_mode(influences: Sequence[BuyingInfluence]) -> list[RedFlag]:
    messages = {
        ResponseMode.EVEN_KEEL: _("The economic buyer %(name)s is in even-keel mode: they see no reason to change."),
        ResponseMode.OVERCONFIDENT: _("The economic buyer %(name)s is overconfident: they see no need for our offer."),
    }
    return [
        RedFlag("economic_buyer_mode", messages[ResponseMode(i.response_mode)] % {"name": i.contact.name}, i.contact)
        for i in influences
        if i.role == InfluenceRole.ECONOMIC and i.response_mode in messages
    ]


def _past_first_stage(deal: Opportunity) -> bool:
    return (
        Stage.objects.filter(business_line_id=deal.business_line_id, active=True)
        .filter(position__lt=Stage.objects.filter(pk=deal.stage_id).values("position")[:1])
        .exists()
    )


def _new_people(
    deal: Opportunity, people: Sequence[tuple[Contact, list[BuyingInfluence]]], now: datetime
) -> list[RedFlag]:
    since = now - timedelta(days=NEW_PERSON_DAYS)
    added = [(contact, max(row.added_at for row in rows)) for contact, rows in people]
    recent = [(contact, at) for contact, at in added if at >= since]
    if not recent or not _past_first_stage(deal):
        return []
    return [
        RedFlag(
            "new_person",
            _("New person in the buying decision: %(name)s was added on %(date)s.")
            % {"name": contact.name, "date": timezone.localtime(added).date().isoformat()},
            contact,
        )
        for contact, added in recent
    ]


def _reorganisations(
    deal: Opportunity, people: Sequence[tuple[Contact, list[BuyingInfluence]]], now: datetime
) -> list[RedFlag]:
    changes = AuditEntry.objects.filter(
        organization_id=deal.organization_id,
        entity=Contact._meta.label_lower,
        entity_id__in=[contact.pk for contact, _rows in people],
        action=AuditAction.UPDATE,
        field__in=REORGANISATION_FIELDS,
        at__gte=now - timedelta(days=REORGANISATION_DAYS),
    ).values_list("entity_id", "field", "at")
    changed: dict[int, tuple[set[str], datetime]] = {}
    for contact_id, name, at in changes:
        fields, latest = changed.get(contact_id, (set(), at))
        fields.add(name)
        changed[contact_id] = (fields, max(latest, at))
    flags = []
    for contact, _rows in people:
        if contact.pk not in changed:
            continue
        fields, latest = changed[contact.pk]
        labels = [str(audit.field_label(Contact, name)) for name in REORGANISATION_FIELDS if name in fields]
        message = _("Reorganisation around %(name)s: %(fields)s changed on %(date)s.") % {
            "fields": _joined(labels),
            "name": contact.name,
            "date": timezone.localtime(latest).date().isoformat(),
        }
        flags.append(RedFlag("reorganisation", message, contact))
    return flags


def _unmet(influences: Sequence[BuyingInfluence], now: datetime) -> list[RedFlag]:
    flags = []
    for person in unmet_people(influences, now):
        values = {"name": person.contact.name, "roles": _joined(person.roles), "days": UNMET_DAYS}
        if person.last_met is None:
            message = _("Nobody from our side has ever met %(name)s (%(roles)s).") % values
        else:
            message = _("Nobody from our side has met %(name)s (%(roles)s) in the last %(days)d days.") % values
        flags.append(RedFlag("unmet", message, person.contact))
    return flags


def red_flags(
    deal: Opportunity, *, influences: Sequence[BuyingInfluence] | None = None, now: datetime | None = None
) -> list[RedFlag]:
    """The deal's red flags, role gaps first, then per person in role order.

    Pass `influences` (from `influences_of`) when the caller has them already, to save their query.
    """
    now = now or timezone.now()
    rows = sorted(influences, key=role_rank) if influences is not None else influences_of(deal)
    people = _people(rows)
    flags = _role_gaps(rows)
    if not people:
        return flags
    flags += _low_ratings(people)
    flags += _economic_buyer_mode(rows)
    flags += _new_people(deal, people, now)
    flags += _reorganisations(deal, people, now)
    flags += _unmet(rows, now)
    return flags
