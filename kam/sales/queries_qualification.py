"""Reads of a deal's qualification: its buying influences (Blue Sheet), MEDDPICC scores and coverage.

Every function takes a deal the caller already opened through `get_opportunity_for_user`, so the
scope check has happened; these reads only narrow to that deal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kam.activities.models import FollowUp
from kam.core.models import User
from kam.core.queries import get_or_404
from kam.customers.models import Contact
from kam.customers.queries import contacts_of, customer_access
from kam.customers.relationships import STRENGTH_MAX, CoverageWarning, MapNode, build_tree, coverage_warnings
from kam.sales.models import BuyingInfluence, InfluenceRole, MeddpiccElement, Opportunity, QualificationScore
from kam.sales.queries import get_opportunity_for_user

# Blue Sheet order: who releases the money first, then who uses, who screens, who guides us.
ROLE_ORDER = [InfluenceRole.ECONOMIC, InfluenceRole.USER, InfluenceRole.TECHNICAL, InfluenceRole.COACH]
ELEMENT_ORDER = list(MeddpiccElement)
# The MEDDPICC elements that name a person.
CONTACT_ELEMENTS = (MeddpiccElement.ECONOMIC_BUYER, MeddpiccElement.CHAMPION)
MAX_SCORE = 2
MAX_TOTAL = MAX_SCORE * len(ELEMENT_ORDER)
# A person of the deal nobody from our side met for this long is "unmet".
UNMET_DAYS = 90
# Ids beyond a bigint are missing rows, not a database overflow.
MAX_ID = 2**63 - 1


def signed(rating: int) -> str:
    """A rating as people write it: +3, 0, −4 (a real minus sign)."""
    if rating > 0:
        return f"+{rating}"
    return f"−{-rating}" if rating < 0 else "0"


def rating_class(rating: int) -> str:
    """The CSS modifier of a rating badge in five bands: neg2 (−5, −4) … zero … pos2 (+4, +5)."""
    if rating <= -4:
        return "neg2"
    if rating < 0:
        return "neg1"
    if rating == 0:
        return "zero"
    return "pos1" if rating < 4 else "pos2"


@dataclass(frozen=True)
class InfluenceMark:
    """An influence as the pages show it: the row, its rating written out and its colour band."""

    influence: BuyingInfluence
    rating: str
    rating_class: str


def marks_of(influences: Iterable[BuyingInfluence]) -> list[InfluenceMark]:
    return [InfluenceMark(i, signed(i.rating), rating_class(i.rating)) for i in influences]


def role_rank(influence: BuyingInfluence) -> tuple[int, str, int]:
    return (ROLE_ORDER.index(InfluenceRole(influence.role)), influence.contact.name, influence.pk)


def alive_influences(deal: Opportunity) -> QuerySet[BuyingInfluence]:
    """The deal's influence rows whose contact is not in the recycle bin."""
    return BuyingInfluence.objects.filter(opportunity_id=deal.pk, contact__deleted_at__isnull=True)


def influences_of(deal: Opportunity) -> list[BuyingInfluence]:
    """The deal's buying influences with their contacts, economic buyer first (one query)."""
    rows = list(alive_influences(deal).select_related("contact"))
    return sorted(rows, key=role_rank)


def get_influence_for_user(
    user: User, deal_pk: Any, influence_pk: Any, *, write: bool = False
) -> tuple[Opportunity, BuyingInfluence]:
    """The deal and one of its influences; 404 when either is hidden or missing, 403 for a read-only writer."""
    deal = get_opportunity_for_user(user, deal_pk, write=write)
    if not str(influence_pk).isdigit() or int(influence_pk) > MAX_ID:
        raise Http404
    influence = get_or_404(alive_influences(deal).select_related("contact"), influence_pk)
    return deal, influence


def customer_contacts(deal: Opportunity) -> QuerySet[Contact]:
    """The alive contacts of the deal's customer: the people who may be named in its qualification."""
    return Contact.objects.filter(customer_id=deal.customer_id).order_by("name_pinyin", "name", "id")


def economic_buyer_of(deal: Opportunity, *, exclude: int | None = None) -> BuyingInfluence | None:
    """The deal's economic-buyer influence (at most one), optionally ignoring the row being edited."""
    rows = BuyingInfluence.objects.filter(opportunity_id=deal.pk, role=InfluenceRole.ECONOMIC)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.select_related("contact").first()


def last_met_at(contact_ids: Iterable[int]) -> dict[int, datetime]:
    """When someone from our side last met each contact: the newest follow-up listing them (one query)."""
    through = FollowUp.contacts.through
    rows = (
        through.objects.filter(contact_id__in=list(contact_ids))
        .values("contact_id")
        .annotate(last=Max("followup__occurred_at"))
    )
    return {row["contact_id"]: row["last"] for row in rows}


# --- MEDDPICC ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementScore:
    """One MEDDPICC element of a deal as shown and edited (a missing row reads as 0, unknown)."""

    element: str
    label: str
    score: int
    evidence: str
    contact: Contact | None

    @property
    def pips(self) -> list[bool]:
        """Two pips, the first `score` of them filled."""
        return [i < self.score for i in range(MAX_SCORE)]

    @property
    def names_contact(self) -> bool:
        return self.element in CONTACT_ELEMENTS


def element_scores(deal: Opportunity) -> list[ElementScore]:
    """The eight elements in MEDDPICC order with their score, evidence and person (one query)."""
    rows = {
        row.element: row for row in QualificationScore.objects.filter(opportunity_id=deal.pk).select_related("contact")
    }
    scores = []
    for element in ELEMENT_ORDER:
        row = rows.get(element)
        contact = row.contact if row is not None else None
        scores.append(
            ElementScore(
                element=str(element),
                label=str(element.label),
                score=row.score if row is not None else 0,
                evidence=row.evidence if row is not None else "",
                contact=contact if contact is not None and not contact.is_deleted else None,
            )
        )
    return scores


def total_of(scores: Sequence[ElementScore]) -> int:
    return sum(s.score for s in scores)


def meddpicc_total(deal: Opportunity) -> int:
    """The deal's MEDDPICC total, 0–16 (one query)."""
    total = QualificationScore.objects.filter(opportunity_id=deal.pk).aggregate(total=Sum("score"))["total"]
    return int(total or 0)


# --- coverage ------------------------------------------------------------------------------------


@dataclass
class CoverageNode:
    """A person on the deal's coverage map, with the roles they play in this deal."""

    contact: Contact
    influences: list[BuyingInfluence] = field(default_factory=list)
    children: list[CoverageNode] = field(default_factory=list)
    unmet: bool = False

    @property
    def strength_dots(self) -> list[bool]:
        return [i < self.contact.strength for i in range(STRENGTH_MAX)]

    @property
    def marks(self) -> list[InfluenceMark]:
        return marks_of(self.influences)


@dataclass(frozen=True)
class RoleCoverage:
    role: str
    label: str
    contacts: list[Contact]

    @property
    def covered(self) -> bool:
        return bool(self.contacts)


def role_coverage(influences: Sequence[BuyingInfluence]) -> list[RoleCoverage]:
    """The four Blue Sheet roles and who fills each in this deal."""
    return [
        RoleCoverage(str(role), str(role.label), [i.contact for i in influences if i.role == role])
        for role in ROLE_ORDER
    ]


@dataclass(frozen=True)
class UnmetPerson:
    contact: Contact
    roles: list[str]
    last_met: datetime | None


@dataclass
class DealCoverage:
    """The coverage page: the map (whole customer, or only the deal's people), roles and unmet people."""

    full_map: bool
    roots: list[CoverageNode]
    unplaced: list[CoverageNode]
    warnings: list[CoverageWarning]
    roles: list[RoleCoverage]
    unmet: list[UnmetPerson]


def _marked(nodes: Sequence[MapNode], marks: dict[int, list[BuyingInfluence]], unmet: set[int]) -> list[CoverageNode]:
    return [
        CoverageNode(n.contact, marks.get(n.contact.pk, []), _marked(n.children, marks, unmet), n.contact.pk in unmet)
        for n in nodes
    ]


def unmet_people(influences: Sequence[BuyingInfluence], now: datetime) -> list[UnmetPerson]:
    """The deal's people nobody from our side met in the last UNMET_DAYS days (or ever), in role order."""
    met = last_met_at({i.contact_id for i in influences})
    cutoff = now - timedelta(days=UNMET_DAYS)
    people: dict[int, UnmetPerson] = {}
    for influence in influences:
        last = met.get(influence.contact_id)
        if last is not None and last >= cutoff:
            continue
        person = people.setdefault(influence.contact_id, UnmetPerson(influence.contact, [], last))
        person.roles.append(str(influence.get_role_display()))
    return list(people.values())


def deal_coverage(viewer: User, deal: Opportunity, *, now: datetime | None = None) -> DealCoverage:
    """The deal's coverage for `viewer`: the customer's whole map when they may open the customer,
    otherwise only the deal's own people (deal-team membership opens the deal, not the customer)."""
    now = now or timezone.now()
    influences = influences_of(deal)
    full_map = customer_access(viewer, deal.customer).read
    if full_map:
        contacts = list(contacts_of(deal.customer))
    else:
        contacts = list({i.contact_id: i.contact for i in influences}.values())
    roots, unplaced = build_tree(contacts)
    warnings = coverage_warnings(contacts, [n.contact for n in unplaced], now=now) if full_map else []
    marks: dict[int, list[BuyingInfluence]] = {}
    for influence in influences:
        marks.setdefault(influence.contact_id, []).append(influence)
    unmet = unmet_people(influences, now)
    unmet_ids = {person.contact.pk for person in unmet}
    return DealCoverage(
        full_map=full_map,
        roots=_marked(roots, marks, unmet_ids),
        unplaced=_marked(unplaced, marks, unmet_ids),
        warnings=warnings,
        roles=role_coverage(influences),
        unmet=unmet,
    )
