"""Drafting 日报 / 周报 / 月报: the period of a report and its content from the period's records.

The content comes from the registry: work sources give the lines of 今日工作 (grouped here by
customer), report counters give the numbers of the 销售简报, and the plan proposes 明日计划.
Nothing here writes; kam/planning/actions_reports.py stores and submits.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.workcal import next_workday
from kam.planning import registry
from kam.planning.models import DayPlan, ReportKind
from kam.planning.plan import draft_candidates

if TYPE_CHECKING:
    from kam.core.models import User

# How many proposed items the plan text lists; the plan page holds the rest.
PLAN_LINES = 10


@dataclass(frozen=True)
class Period:
    """The days a report covers: one day, a Monday–Sunday week or a calendar month."""

    kind: str
    start: date
    end: date  # inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware moments: Shanghai midnight of the first day and of the day after the last."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def following(self) -> Period:
        return period_of(self.kind, self.end + timedelta(days=1))

    def preceding(self) -> Period:
        return period_of(self.kind, self.start - timedelta(days=1))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        if self.kind == ReportKind.DAILY:
            return self.start.isoformat()
        if self.kind == ReportKind.MONTHLY:
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def period_of(kind: str, day: date) -> Period:
    """The period of `kind` that contains `day`: that day, its Monday–Sunday week, its calendar month."""
    if kind == ReportKind.DAILY:
        return Period(kind, day, day)
    if kind == ReportKind.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    if kind == ReportKind.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(kind, day.replace(day=1), day.replace(day=last))
    raise ValueError(f"unknown report kind {kind!r}")


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# --- 今日工作 -----------------------------------------------------------------------------------


def group_work(lines: Iterable[registry.WorkLine], *, with_date: bool) -> list[dict[str, Any]]:
    """Lines grouped by customer, groups in the order of their first line, lines by time.

    The result is what WorkReport.work stores: [{"customer_id", "customer", "items": [{"kind", "time",
    "text"}]}]; times are Shanghai wall-clock text ("09:30", or "12-01 09:30" when `with_date`).
    """
    groups: dict[tuple[int | None, str], dict[str, Any]] = {}
    for line in sorted(lines, key=lambda item: (item.at, item.customer, item.kind, item.text)):
        key = (line.customer_id, line.customer if line.customer_id is None else "")
        group = groups.setdefault(key, {"customer_id": line.customer_id, "customer": line.customer, "items": []})
        local = timezone.localtime(line.at)
        shown = f"{local:%m-%d %H:%M}" if with_date else f"{local:%H:%M}"
        group["items"].append({"kind": line.kind, "time": shown, "text": line.text})
    return list(groups.values())


def collect_work(user: User, period: Period) -> list[dict[str, Any]]:
    start, end = period.bounds()
    lines = [line for source in registry.work_sources() for line in source(user, start, end)]
    return group_work(lines, with_date=period.kind != ReportKind.DAILY)


# --- 销售简报 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatLine:
    key: str
    label: str
    count: int


def count_stats(user: User, period: Period) -> dict[str, int]:
    """Every registered counter over the period, keyed by the counter's key (stored as such)."""
    start, end = period.bounds()
    return {entry.key: int(entry.count(user, start, end)) for entry in registry.report_counters()}


def stat_lines(stats: Mapping[str, int]) -> list[StatLine]:
    """Stored counts with labels in the reader's language; a key no longer registered keeps its name."""
    entries = registry.report_counters()
    known = [StatLine(e.key, str(e.label), int(stats[e.key])) for e in entries if e.key in stats]
    registered = {e.key for e in entries}
    extra = [StatLine(key, key, int(value)) for key, value in sorted(stats.items()) if key not in registered]
    return known + extra


# --- 明日计划 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    title: str
    reason: str = ""


def plan_candidates(user: User, plan_day: date, now: datetime) -> list[registry.PlanCandidate]:
    """The ranked candidates of the plan for `plan_day` (kam/planning/plan.py owns the ranking)."""
    return list(draft_candidates(user, plan_day, now))


def next_day_plan(user: User, plan_day: date, now: datetime) -> list[PlanLine]:
    """The rep's own plan for `plan_day` when they made one on the plan page, else the proposal."""
    plan = DayPlan.objects.filter(user=user, day=plan_day).first()
    if plan is not None:
        items = [item for item in plan.items.all() if not item.dropped]
        if items:
            return [PlanLine(item.title, item.reason) for item in items]
    return [PlanLine(c.title, c.reason) for c in plan_candidates(user, plan_day, now)]


def period_plan(user: User, period: Period) -> list[PlanLine]:
    """For a 周报/月报: what is already scheduled in the next period (visits, tasks, follow-ups due)."""
    from kam.activities.models import Task, Visit, VisitStatus
    from kam.customers.models import Customer

    start, end = period.bounds()
    org = user.organization_id
    dated: list[tuple[datetime, str, PlanLine]] = []
    visits = Visit.objects.filter(
        organization_id=org, owner=user, status=VisitStatus.PLANNED, planned_at__gte=start, planned_at__lt=end
    ).select_related("customer")
    for visit in visits.order_by("planned_at", "pk")[:PLAN_LINES]:
        title = _("Visit %(customer)s") % {"customer": visit.customer.name}
        dated.append((visit.planned_at, title, PlanLine(title, visit.purpose)))
    tasks = Task.objects.open().filter(organization_id=org, owner=user, due_at__gte=start, due_at__lt=end)
    for task in tasks.order_by("due_at", "pk")[:PLAN_LINES]:
        assert task.due_at is not None
        dated.append((task.due_at, task.title, PlanLine(task.title, _("Task due"))))
    customers = Customer.objects.filter(
        organization_id=org, owner=user, next_followup_at__gte=start, next_followup_at__lt=end
    )
    for customer in customers.order_by("next_followup_at", "pk")[:PLAN_LINES]:
        assert customer.next_followup_at is not None
        title = _("Follow up with %(customer)s") % {"customer": customer.name}
        dated.append((customer.next_followup_at, title, PlanLine(title, _("Follow-up due"))))
    dated.sort(key=lambda row: (row[0], row[1]))
    return [
        PlanLine(line.title, f"{local_day(moment):%m-%d} {line.reason}".strip())
        for moment, _title, line in dated[:PLAN_LINES]
    ]


def plan_text(lines: list[PlanLine]) -> str:
    """The numbered plan the rep edits: "1. title (reason)"."""
    text = []
    for number, line in enumerate(lines[:PLAN_LINES], start=1):
        if line.reason:
            text.append(
                _("%(number)d. %(title)s (%(reason)s)") % {"number": number, "title": line.title, "reason": line.reason}
            )
        else:
            text.append(f"{number}. {line.title}")
    return "\n".join(text)


# --- the draft ------------------------------------------------------------------------------------


@dataclass
class ReportDraft:
    """What KAM proposes for a report; the stored report keeps work and stats, the rep edits the plan."""

    period: Period
    work: list[dict[str, Any]]
    stats: dict[str, int]
    plan: str
    plan_lines: list[PlanLine] = field(default_factory=list)
    # The day the plan is for: the next working day (daily) or the first day of the next period.
    plan_day: date | None = None

    @property
    def stat_lines(self) -> list[StatLine]:
        return stat_lines(self.stats)


def proposed_plan(user: User, period: Period, now: datetime) -> tuple[date, list[PlanLine]]:
    if period.kind == ReportKind.DAILY:
        plan_day = next_workday(period.end, user.organization_id)
        return plan_day, next_day_plan(user, plan_day, now)
    following = period.following()
    return following.start, period_plan(user, following)


def draft_report(user: User, kind: str, day: date, now: datetime) -> ReportDraft:
    """The draft of `user`'s report of `kind` for the period containing `day`, from the records as of `now`."""
    period = period_of(kind, day)
    plan_day, lines = proposed_plan(user, period, now)
    return ReportDraft(
        period=period,
        work=collect_work(user, period),
        stats=count_stats(user, period),
        plan=plan_text(lines),
        plan_lines=lines,
        plan_day=plan_day,
    )


def work_heading(kind: str) -> str:
    if kind == ReportKind.WEEKLY:
        return _("This week's work")
    if kind == ReportKind.MONTHLY:
        return _("This month's work")
    return _("Today's work")


def plan_heading(kind: str, plan_day: date | None) -> str:
    """明日计划 (with the working day it is for), 下周计划 or 下月计划."""
    if kind == ReportKind.WEEKLY:
        return _("Next week's plan")
    if kind == ReportKind.MONTHLY:
        return _("Next month's plan")
    if plan_day is None:
        return _("Tomorrow's plan")
    return _("Plan for %(day)s") % {"day": plan_day.isoformat()}
