"""Reads around one deal: stages of a line, stage history with time in each stage, win rate, the
customers and people a deal may be given to, and the sales configuration read-only.

Access to the deal itself is decided by kam.sales.queries (get_opportunity_for_user).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kam.core import audit
from kam.core.models import AuditEntry, Role, Team, User
from kam.customers.models import Collaborator, CollaboratorAccess, Customer
from kam.customers.queries import customer_access
from kam.market.models import Competitor
from kam.sales.models import (
    BusinessLine,
    CloseReason,
    Opportunity,
    OpportunityStatus,
    Stage,
    StageChange,
    StageGate,
)

PERCENT = Decimal("0.01")
TENTH = Decimal("0.1")
SECONDS_PER_DAY = 86400


def win_rate(won: int, lost: int) -> Decimal | None:
    """Won ÷ (won + lost) in percent, two places (3 won, 1 lost → 75.00); None when nothing was decided.

    无效 deals are neither won nor lost, so callers never pass them.
    """
    decided = won + lost
    if decided <= 0:
        return None
    return (Decimal(won) * 100 / Decimal(decided)).quantize(PERCENT, rounding=ROUND_HALF_UP)


# --- stages and configuration ---------------------------------------------------------------------


def stages_of(line: BusinessLine | int, *, include: int | None = None) -> list[Stage]:
    """The line's active stages in pipeline order; `include` keeps one inactive stage (a deal's own)."""
    line_id = line if isinstance(line, int) else line.pk
    active = Q(active=True) | Q(pk=include) if include is not None else Q(active=True)
    return list(Stage.objects.filter(active, business_line_id=line_id).order_by("position", "id"))


def business_lines(organization_id: int) -> QuerySet[BusinessLine]:
    """Active business lines with their stages (in order) and each stage's gates: 3 queries."""
    stages = Stage.objects.order_by("position", "id").prefetch_related(
        Prefetch("gates", queryset=StageGate.objects.order_by("id"))
    )
    return (
        BusinessLine.objects.filter(organization_id=organization_id, active=True)
        .order_by("position", "id")
        .prefetch_related(Prefetch("stages", queryset=stages))
    )


def default_business_line(organization_id: int) -> BusinessLine | None:
    return (
        BusinessLine.objects.filter(organization_id=organization_id, active=True)
        .order_by("-is_default", "position", "id")
        .first()
    )


def close_reasons(organization_id: int, outcome: str | None = None) -> QuerySet[CloseReason]:
    """Active reason codes of the organization (of one outcome when given), in their order."""
    reasons = CloseReason.objects.filter(organization_id=organization_id, active=True)
    if outcome is not None:
        reasons = reasons.filter(outcome=outcome)
    return reasons.order_by("outcome", "position", "id")


def competitors_for(organization_id: int) -> QuerySet[Competitor]:
    """Competitors a lost deal may name as the winner (shared organization-wide)."""
    return Competitor.objects.filter(organization_id=organization_id, active=True).order_by("name")


# --- who may get a deal ---------------------------------------------------------------------------


def _subtree_user_ids(user: User) -> QuerySet[User]:
    teams = Team.objects.filter(organization_id=user.organization_id, path__startswith=user.team.path)  # type: ignore[union-attr]
    return User.objects.filter(team_id__in=teams.values("id")).values("id")  # type: ignore[return-value]


def writable_customers(user: User) -> QuerySet[Customer]:
    """Owned customers `user` may write: a new deal can be opened only for these (pool customers: claim first)."""
    if not user.is_authenticated or user.organization_id is None:
        return Customer.objects.none()
    owned = Customer.objects.filter(organization_id=user.organization_id, owner__isnull=False)
    if user.role == Role.ADMIN:
        return owned
    mine = Q(owner_id=user.pk) | Q(
        pk__in=Collaborator.objects.filter(user_id=user.pk, access=CollaboratorAccess.WRITE).values("customer_id")
    )
    if user.supervises:
        mine |= Q(owner_id__in=_subtree_user_ids(user))
    return owned.filter(mine)


def possible_owners(actor: User, customer: Customer) -> QuerySet[User]:
    """Who may own a deal of `customer`: its owner, its write collaborators, the managers above the owner,
    and the actor when they may write the customer."""
    people = Q(
        pk__in=Collaborator.objects.filter(customer_id=customer.pk, access=CollaboratorAccess.WRITE).values("user_id")
    )
    if customer_access(actor, customer).write:
        people |= Q(pk=actor.pk)
    owner = customer.owner
    if owner is not None:
        people |= Q(pk=owner.pk)
        if owner.team is not None:
            ancestors = [int(part) for part in owner.team.path.strip("/").split("/") if part]
            people |= Q(role__in=[Role.MANAGER, Role.DIRECTOR], team_id__in=ancestors)
    return (
        User.objects.filter(people, organization_id=customer.organization_id, is_active=True)
        .select_related("team")
        .order_by("username")
    )


# --- stage history --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageSpan:
    """One stay of a deal in a stage: entered, left (None while it is still there), and how long."""

    stage: Stage
    entered_at: datetime
    left_at: datetime | None
    duration: timedelta
    moved_by: User | None
    gate_override: bool
    missing: str
    override_reason: str
    # How the stay ended when the deal was closed in it (won/lost/invalid); "" otherwise.
    closed_as: str

    @property
    def days(self) -> Decimal:
        """The stay in days, one place (36 hours → 1.5)."""
        seconds = Decimal(int(self.duration.total_seconds()))
        return (seconds / SECONDS_PER_DAY).quantize(TENTH, rounding=ROUND_HALF_UP)


def _span(start: StageChange, end: StageChange | None, now: datetime) -> StageSpan:
    left_at = end.at if end is not None else None
    closed_as = end.to_status if end is not None and end.to_status != OpportunityStatus.OPEN else ""
    return StageSpan(
        stage=start.to_stage,
        entered_at=start.at,
        left_at=left_at,
        duration=max((left_at or now) - start.at, timedelta(0)),
        moved_by=start.actor,
        gate_override=start.gate_override,
        missing=start.missing,
        override_reason=start.override_reason,
        closed_as=closed_as,
    )


def stage_spans(deal: Opportunity, now: datetime | None = None) -> list[StageSpan]:
    """Every stay in a stage, oldest first, from consecutive StageChange rows (one query).

    A row that leaves the deal open starts a stay; the next row (a move or a close) ends it. While a
    deal is closed no stay runs; reopening starts a new one. The open stay runs until `now`.
    """
    now = now or timezone.now()
    changes = list(
        StageChange.objects.filter(opportunity_id=deal.pk).select_related("to_stage", "actor").order_by("at", "id")
    )
    spans: list[StageSpan] = []
    for i, change in enumerate(changes):
        if change.to_status != OpportunityStatus.OPEN:
            continue
        following = changes[i + 1] if i + 1 < len(changes) else None
        spans.append(_span(change, following, now))
    return spans


def time_in_stage_summary(spans: list[StageSpan]) -> dict[int, timedelta]:
    """Total time per stage id over all stays (a deal moved back and forth sums its stays)."""
    totals: dict[int, timedelta] = defaultdict(timedelta)
    for span in spans:
        totals[span.stage.pk] += span.duration
    return dict(totals)


def deal_history(deal: Opportunity, limit: int = 200) -> QuerySet[AuditEntry]:
    """The deal's audit rows, newest first, with their actors."""
    return audit.history(deal, limit=limit)
