"""Stage-to-stage conversion of the win/loss analysis.

Cohort: the viewer's deals (kam.market.winloss_scope) *created* in the period, per business line.

A deal *reached* stage k (position k of its line) when its stage history (StageChange.to_stage)
or its current stage went to a stage at position ≥ k, or when it was won (a won deal passed
every stage). Conversion k → next = reached(next) ÷ reached(k), over the stages shown (the active
ones, plus inactive ones some deal reached); the last stage's step is won ÷ reached(last). So
skipping a stage counts as passing it, and moving back does not undo a stage reached.

Two queries: the stages of the lines, then one GROUP BY (line, furthest position) over the cohort
with won deals counted apart. The furthest position is one correlated MAX per open or lost deal
(won deals skip it), with stage positions mapped by a CASE, so no join to stages per row.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest

from kam.core.models import User
from kam.market.winloss_rows import ConversionStep, LineConversion, WinLossQuery, average
from kam.market.winloss_scope import deal_filter, period_bounds
from kam.sales.models import Opportunity, OpportunityStatus, Stage, StageChange

# (furthest position, deals, won deals) of one line
Group = tuple[int, int, int]


def _position_of(field: str, stages: list[Stage]) -> Case:
    return Case(
        *(When(**{field: stage.pk}, then=Value(stage.position)) for stage in stages),
        default=Value(0),
        output_field=IntegerField(),
    )


def _furthest(stages: list[Stage]) -> Case:
    history = (
        StageChange.objects.filter(opportunity_id=OuterRef("pk"))
        .values("opportunity_id")
        .annotate(top=Max(_position_of("to_stage_id", stages)))
        .values("top")[:1]
    )
    reached = Greatest(Coalesce(Subquery(history), Value(0)), _position_of("stage_id", stages))
    # A won deal reached every stage: no need to read its history (0 = "won, see the won count").
    return Case(When(status=OpportunityStatus.WON, then=Value(0)), default=reached, output_field=IntegerField())


def stage_conversion(user: User, query: WinLossQuery) -> list[LineConversion]:
    """The conversion funnel of each business line that has deals in the cohort (module docstring)."""
    stages = Stage.objects.filter(organization_id=user.organization_id).select_related("business_line")
    if query.business_line is not None:
        stages = stages.filter(business_line_id=query.business_line.pk)
    stage_list = list(stages.order_by("business_line__position", "business_line_id", "position", "id"))
    if not stage_list:
        return []
    start, end = period_bounds(query)
    rows = (
        Opportunity.objects.filter(deal_filter(user, query), created_at__gte=start, created_at__lt=end)
        .annotate(furthest=_furthest(stage_list))
        .values("business_line_id", "furthest")
        .annotate(deals=Count("id"), won=Count("id", filter=Q(status=OpportunityStatus.WON)))
        .order_by()
    )
    grouped: dict[int, list[Group]] = defaultdict(list)
    for r in rows:
        grouped[r["business_line_id"]].append((r["furthest"], r["deals"], r["won"]))
    return _funnels(grouped, stage_list)


def _reached(groups: list[Group], position: int) -> int:
    """Deals whose furthest stage is at or past `position`, plus the won deals (all of them)."""
    return sum(deals if top >= position else won for top, deals, won in groups)


def _funnels(grouped: dict[int, list[Group]], stages: list[Stage]) -> list[LineConversion]:
    by_line: dict[int, list[Stage]] = defaultdict(list)
    for stage in stages:
        by_line[stage.business_line_id].append(stage)
    funnels = []
    for line_id, line_stages in by_line.items():
        groups = grouped.get(line_id)
        if not groups:
            continue
        won = sum(w for _, _, w in groups)
        shown = [s for s in line_stages if s.active or _reached(groups, s.position) > 0]
        steps = []
        for i, stage in enumerate(shown):
            count = _reached(groups, stage.position)
            following = _reached(groups, shown[i + 1].position) if i + 1 < len(shown) else won
            steps.append(ConversionStep(stage.pk, stage.name, count, following, _ratio(following, count)))
        line = line_stages[0].business_line
        funnels.append(LineConversion(line.pk, line.name, sum(d for _, d, _ in groups), won, steps))
    return funnels


def _ratio(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return average(Decimal(part) * 100, whole)
