"""Deals as sources of the next-day plan (明日计划): stale deals, close dates passed or near, deals that
fail the gate of their next stage. Registered through kam.sales.day_hooks.

Every candidate names its deal (`ref` "deal:<id>"), so a deal that several sources propose becomes
one plan item with the reasons joined (kam/planning/plan.py). Scores follow the house formula of
kam/planning/plan_sources.py (source weight + urgency + customer tier weight):

    source          weight  urgency
    deal_close        42    passed: + 3 per day late (at most 30); near: 28 + 2 per day closer
                            within 7 days (42 on the plan day itself)
    deal_stale        38    1 per day past STALE_DAYS without activity (at most 30)
    deal_gate         34    3 per missing gate element

Only the user's own open deals (as owner) count: the plan is the owner's work. Each source costs a
fixed number of queries whatever the number of deals (one; the gate source four).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.core.models import User
from kam.planning.plan_sources import LATE_CAP_DAYS, days_late, local_day, plan_window, record_url, score, tier_weight
from kam.planning.registry import PlanCandidate
from kam.sales.models import Opportunity, QualificationScore, Stage, StageGate

STALE_DAYS = 14  # "no follow-up for N days": a deal untouched this long is proposed
CLOSE_HORIZON_DAYS = 7  # close dates this near the plan day are proposed


def deal_ref(pk: int) -> str:
    return f"deal:{pk}"


def _title(deal: Opportunity) -> str:
    return _("Work on deal %(deal)s (%(customer)s)") % {"deal": deal.name, "customer": deal.customer.name}


def _open_deals(user: User) -> QuerySet[Opportunity]:
    """The user's open deals on live customers, with what a candidate shows."""
    return (
        Opportunity.objects.open()
        .filter(organization_id=user.organization_id, owner_id=user.pk, customer__deleted_at__isnull=True)
        .select_related("customer", "stage")
        .order_by("pk")
    )


def _candidate(source: str, deal: Opportunity, reason: str, value: float) -> PlanCandidate:
    return PlanCandidate(
        source=source,
        ref=deal_ref(deal.pk),
        title=_title(deal),
        reason=reason,
        score=score(value + tier_weight(deal.customer.tier)),
        customer_id=deal.customer_id,
        url=record_url("deal-detail", deal.pk),
    )


def stale_deals(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """My open deals without activity for STALE_DAYS days or more as of the plan day. One query."""
    window = plan_window(day, now)
    zone = window.day_end.tzinfo
    # Active on a (Shanghai) day after this one means not stale yet.
    cutoff = datetime.combine(window.day - timedelta(days=STALE_DAYS - 1), time.min, tzinfo=zone)
    for deal in _open_deals(user).filter(last_activity_at__lt=cutoff):
        last = local_day(deal.last_activity_at)
        idle = (window.day - last).days
        reason = ngettext(
            "No activity for %(days)d day (last %(date)s)", "No activity for %(days)d days (last %(date)s)", idle
        ) % {"days": idle, "date": last.isoformat()}
        yield _candidate("deal_stale", deal, reason, 38 + min(idle - STALE_DAYS, LATE_CAP_DAYS))


def closing_deals(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """My open deals whose expected close date passed or falls within a week of the plan day. One query."""
    window = plan_window(day, now)
    horizon = window.day + timedelta(days=CLOSE_HORIZON_DAYS)
    for deal in _open_deals(user).filter(expected_close_date__lte=horizon):
        due = deal.expected_close_date
        values = {"date": due.isoformat()}
        if due < window.day:
            late = days_late(window, due)
            reason = ngettext(
                "Expected to close on %(date)s, %(days)d day ago",
                "Expected to close on %(date)s, %(days)d days ago",
                late,
            ) % {**values, "days": late}
            value = 42 + 3 * late
        else:
            left = (due - window.day).days
            if left:
                reason = ngettext(
                    "Expected to close on %(date)s, in %(days)d day",
                    "Expected to close on %(date)s, in %(days)d days",
                    left,
                ) % {**values, "days": left}
            else:
                reason = _("Expected to close on %(date)s, the plan day") % values
            value = 28 + 2 * (CLOSE_HORIZON_DAYS - left)
        yield _candidate("deal_close", deal, reason, value)


def _gates_by_stage(stages: list[Stage]) -> dict[int, list[StageGate]]:
    from kam.sales.gates import ELEMENT_ORDER

    gates: dict[int, list[StageGate]] = {stage.pk: [] for stage in stages}
    for gate in StageGate.objects.filter(stage_id__in=list(gates)):
        gates[gate.stage_id].append(gate)
    for rows in gates.values():
        rows.sort(key=lambda gate: ELEMENT_ORDER.get(gate.element, len(ELEMENT_ORDER)))
    return gates


def gate_failing_deals(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """My open deals that the next stage's gate would refuse, with the missing elements. Four queries.

    The same rule as kam.sales.gates.check_gate, evaluated for all the deals at once.
    """
    from kam.sales.gates import describe_all, next_stage, shortfalls_for

    deals = list(_open_deals(user))
    if not deals:
        return
    lines = {deal.business_line_id for deal in deals}
    stages = list(Stage.objects.filter(business_line_id__in=lines))
    by_line: dict[int, list[Stage]] = {}
    for stage in stages:
        by_line.setdefault(stage.business_line_id, []).append(stage)
    gates = _gates_by_stage(stages)
    scores: dict[int, dict[str, int]] = {}
    rows = QualificationScore.objects.filter(opportunity_id__in=[deal.pk for deal in deals])
    for deal_id, element, value in rows.values_list("opportunity_id", "element", "score"):
        scores.setdefault(deal_id, {})[element] = value
    for deal in deals:
        target = next_stage(deal, by_line.get(deal.business_line_id, []))
        if target is None:
            continue
        missing = shortfalls_for(gates.get(target.pk, []), scores.get(deal.pk, {}))
        if not missing:
            continue
        reason = _("Not ready for %(stage)s: %(missing)s") % {"stage": target.name, "missing": describe_all(missing)}
        yield _candidate("deal_gate", deal, reason, 34 + 3 * len(missing))
