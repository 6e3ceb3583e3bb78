"""Reads of the competitors present in a deal (the deal is opened through kam.sales.queries first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from kam.core.models import User
from kam.core.queries import get_or_404
from kam.market.models import Competitor
from kam.sales.models import CompetitorStatus, DealCompetitor, Opportunity, OpportunityStatus
from kam.sales.queries import get_opportunity_for_user, opportunity_access

STATUS_ORDER = {
    CompetitorStatus.WON: 0,
    CompetitorStatus.INCUMBENT: 1,
    CompetitorStatus.SHORTLISTED: 2,
    CompetitorStatus.ELIMINATED: 3,
}


def competitors_of(deal: Opportunity) -> list[DealCompetitor]:
    """The deal's competitor rows with their profiles, in the order they were added."""
    return list(
        DealCompetitor.objects.filter(opportunity_id=deal.pk).select_related("competitor").order_by("created_at", "pk")
    )


def get_deal_competitor_for_user(
    user: User, deal_pk: Any, row_pk: Any, write: bool = False
) -> tuple[Opportunity, DealCompetitor]:
    """The deal and one of its competitor rows: 404 when either is hidden or missing, 403 for read-only writes."""
    deal = get_opportunity_for_user(user, deal_pk, write=write)
    row = get_or_404(DealCompetitor.objects.filter(opportunity_id=deal.pk).select_related("competitor"), row_pk)
    return deal, row


def may_write_deal(user: User, deal: Opportunity) -> bool:
    return opportunity_access(user, deal).write


def require_deal_write(user: User, deal: Opportunity) -> None:
    """Raise 404 / 403 unless `user` may change the deal (deal loaded with its customer and owner)."""
    get_opportunity_for_user(user, deal.pk, write=True)
    if not may_write_deal(user, deal):
        raise PermissionDenied


@dataclass(frozen=True)
class CompetitorLine:
    """One competitor as the deal page shows it; `row` is None for a winner the list does not name."""

    competitor: Competitor
    status: str
    status_label: str
    notes: str
    row: DealCompetitor | None


def competitor_lines(deal: Opportunity, rows: list[DealCompetitor]) -> list[CompetitorLine]:
    """The rows as shown: a deal lost to a named competitor shows that competitor as the winner."""
    lost_to = deal.won_by if deal.status == OpportunityStatus.LOST and deal.won_by_id else None
    lines = []
    for row in rows:
        status = CompetitorStatus.WON if lost_to is not None and row.competitor_id == lost_to.pk else row.status
        lines.append(CompetitorLine(row.competitor, status, str(CompetitorStatus(status).label), row.notes, row))
    if lost_to is not None and all(row.competitor_id != lost_to.pk for row in rows):
        lines.append(CompetitorLine(lost_to, CompetitorStatus.WON, str(CompetitorStatus.WON.label), "", None))
    lines.sort(key=lambda line: STATUS_ORDER.get(CompetitorStatus(line.status), 9))
    return lines
