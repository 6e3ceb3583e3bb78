"""Win/loss analysis (赢单/输单分析): every number of the page and the API, aggregated in SQL.

Population. The deals the viewer's numbers cover: admins and directors the whole organization,
managers the deals owned by people of their team subtree, everyone else their own deals; deals of
customers in the recycle bin never count. Always a subset of
`kam.sales.queries.visible_opportunities`. An optional team (its subtree, among `analysis_teams`)
and business line narrow it further (kam.market.winloss_scope).

Period. Closed deals count by `closed_at` in [start 00:00, end + 1 day 00:00) Asia/Shanghai; the
stage conversion takes the deals *created* in the same window (kam.market.winloss_conversion).

Win rate is won ÷ (won + lost) (`kam.sales.queries_deals.win_rate`); 无效 deals are neither.
Average cycle: days from creation to closing, won and lost apart. Average won deal: won amount ÷
won deals.

Cost. A fixed number of queries whatever the data size: owner totals, the lost breakdown, the
competitors present (+ their names), the reason labels, stages + conversion, and two for the team
table. Each is one GROUP BY over the period's deals (`opp_org_status_closed_idx`: organization,
status, closed_at); Python only walks aggregated rows (owners × statuses, months × reasons ×
winners, competitors, stages). Cycle days and month buckets are computed by the database.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from kam.core.models import User
from kam.core.money import to_money
from kam.market.models import Competitor
from kam.market.winloss_conversion import stage_conversion
from kam.market.winloss_rows import (
    CompetitorRow,
    OwnerTotals,
    ReasonMonths,
    WinLossQuery,
    WinLossReport,
    month_starts,
    team_rows,
    totals_of,
)
from kam.market.winloss_scope import DECIDED, DaysBetween, closed_in_period
from kam.sales.models import CloseOutcome, CloseReason, DealCompetitor, Opportunity, OpportunityStatus
from kam.sales.queries_deals import win_rate

# (month index, close reason, winning competitor, deals) of the lost deals
LostRow = tuple[int, int | None, int | None, int]


def _owner_totals(user: User, query: WinLossQuery) -> list[OwnerTotals]:
    """Counts, amounts and cycle days per (owner, status) of the closed deals: one query."""
    rows = (
        Opportunity.objects.filter(closed_in_period(user, query))
        .values("owner_id", "status")
        .annotate(
            deals=Count("id"),
            amount=Sum("amount"),
            cycle_days=Sum(DaysBetween(F("closed_at"), F("created_at"))),
        )
        .order_by()
    )
    return [
        OwnerTotals(r["owner_id"], r["status"], r["deals"], to_money(str(r["amount"] or 0)), r["cycle_days"] or 0.0)
        for r in rows
    ]


def _lost_breakdown(user: User, query: WinLossQuery, months: list[date]) -> list[LostRow]:
    """(month index, close reason, winning competitor, deals) of the lost deals: one GROUP BY that
    feeds both the reasons by month and the "lost to" column."""
    rows = (
        Opportunity.objects.filter(closed_in_period(user, query), status=OpportunityStatus.LOST)
        .annotate(month=_month_bucket(months))
        .values("month", "close_reason_id", "won_by_id")
        .annotate(deals=Count("id"))
        .order_by()
    )
    return [(r["month"], r["close_reason_id"], r["won_by_id"], r["deals"]) for r in rows]


def _competitors(user: User, query: WinLossQuery, lost: list[LostRow]) -> list[CompetitorRow]:
    """Per competitor: decided deals it was in (DealCompetitor), won and lost among them, and the
    lost deals it won (Opportunity.won_by, whether or not it was recorded as present). One GROUP
    BY, plus one query for the names."""
    present = (
        DealCompetitor.objects.filter(closed_in_period(user, query, "opportunity__"))
        .filter(opportunity__status__in=DECIDED)
        .values("competitor_id")
        .annotate(
            won=Count("id", filter=Q(opportunity__status=OpportunityStatus.WON)),
            lost=Count("id", filter=Q(opportunity__status=OpportunityStatus.LOST)),
        )
        .order_by()
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in present:
        counts[r["competitor_id"]][:2] = [r["won"], r["lost"]]
    for _month, _reason, winner, deals in lost:
        if winner is not None:
            counts[winner][2] += deals
    if not counts:
        return []
    names = dict(Competitor.objects.filter(pk__in=list(counts)).values_list("id", "name"))
    rows = [
        CompetitorRow(pk, names.get(pk, ""), won, lost_, win_rate(won, lost_), lost_to)
        for pk, (won, lost_, lost_to) in counts.items()
    ]
    return sorted(rows, key=lambda row: (-(row.won + row.lost + row.lost_to), row.name, row.competitor_id))


def _month_bucket(months: list[date]) -> Case:
    """The index of the month a closing falls in: one CASE over the month boundaries, in SQL
    (TruncMonth would call Python once per row on SQLite)."""
    zone = timezone.get_default_timezone()
    starts = [*months[1:], _next_month(months[-1])]
    whens = [
        When(closed_at__lt=datetime.combine(start, time.min, tzinfo=zone), then=Value(i))
        for i, start in enumerate(starts)
    ]
    return Case(*whens, default=Value(len(months) - 1), output_field=IntegerField())


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _loss_reasons(user: User, months: list[date], lost: list[LostRow]) -> ReasonMonths:
    """Lost deals per month (Shanghai) and close reason, with the reasons' labels: one query."""
    labels = CloseReason.objects.filter(organization_id=user.organization_id, outcome=CloseOutcome.LOST).order_by(
        "position", "id"
    )
    counts = [(month, reason, deals) for month, reason, _winner, deals in lost]
    return ReasonMonths.build(
        months, counts, [{"id": pk, "label": label} for pk, label in labels.values_list("id", "label")]
    )


def win_loss(user: User, query: WinLossQuery) -> WinLossReport:
    """The whole analysis for the viewer, the period and the filters (a fixed number of queries)."""
    owners = _owner_totals(user, query)
    months = month_starts(query.start, query.end)
    lost = _lost_breakdown(user, query, months)
    return WinLossReport(
        query=query,
        totals=totals_of(owners),
        competitors=_competitors(user, query, lost),
        reasons=_loss_reasons(user, months, lost),
        conversion=stage_conversion(user, query),
        teams=team_rows(user, query, owners),
    )
