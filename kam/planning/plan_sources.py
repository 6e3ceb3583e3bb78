"""The built-in sources of the next-day plan (明日计划), registered with the planning registry.

Each source reads one kind of record for one user and one plan day and proposes candidates with a
reason and a score. A later module adds its own with one `register_plan_source(key, label, fetch)`.

Score = source weight + urgency + tier weight, rounded to one decimal; higher comes first.

    source          weight  urgency (days are Shanghai days; "late" is counted to the plan day)
    task_due          50    3 per day late (at most 30 days), +20 when already overdue now;
                            priority high +10, low −10
    request_due       45    3 per day late (at most 30 days), +20 when already overdue today
    followup_due      40    2 per day late (at most 30 days)
    pool_return       35    4 per day less than a week before the customer returns to the pool
    cadence           30    1 per day beyond the tier's visit cadence (at most 30 days)

    tier weight (every candidate about a customer): A +20, B +10, C 0

So an overdue task outranks every task that is merely due, and within a source the later item and
the more important customer come first. Several sources may name the same record (a customer can be
due for a follow-up, out of its cadence and about to return to the pool): `draft_candidates` in
kam/planning/plan.py keeps one candidate per ref, the highest-scoring, adds 5 (MERGE_BONUS) per
further source and joins the reasons. Ties rank by score, then source key, then ref, so the order is
the same on every run.

Every source costs a fixed number of queries whatever the number of customers (one or two; the pool
source one plus one per active pool rule, through `returning_soon`): keep it so when adding one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kam.activities.models import CoordinationRequest, FollowUp, Task, Visit
from kam.activities.models.followups import FollowUpKind
from kam.activities.models.requests import HelpRole
from kam.activities.models.tasks import TaskPriority
from kam.activities.models.visits import VisitStatus
from kam.core.models import User
from kam.customers.models import Customer, CustomerStatus, RecycleReason, ServiceLevel
from kam.customers.pool_rules import returning_soon
from kam.planning.registry import PlanCandidate, register_plan_source

TIER_WEIGHT = {"A": 20.0, "B": 10.0, "C": 0.0}
LATE_CAP_DAYS = 30
OVERDUE_BONUS = 20.0
POOL_HORIZON_DAYS = 7


@dataclass(frozen=True)
class PlanWindow:
    """The plan day and the moments the sources compare with (aware, Asia/Shanghai days)."""

    day: date
    today: date
    now: datetime
    day_end: datetime  # the first moment after the plan day


def plan_window(day: date, now: datetime) -> PlanWindow:
    zone = timezone.get_default_timezone()
    return PlanWindow(
        day=day,
        today=timezone.localdate(now, zone),
        now=now,
        day_end=datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment, timezone.get_default_timezone())


def days_late(window: PlanWindow, due: date) -> int:
    """Whole days from `due` to the plan day, 0 when due on the plan day, capped."""
    return min(max((window.day - due).days, 0), LATE_CAP_DAYS)


def tier_weight(tier: str | None) -> float:
    return TIER_WEIGHT.get(tier or "", 0.0)


def score(value: float) -> float:
    return round(value, 1)


# reverse() costs more than the rest of a candidate; each page's URL is resolved once with a
# placeholder id that no real id can equal, then filled in.
_PLACEHOLDER = "987654321987654321"


@lru_cache(maxsize=32)
def _url_pattern(name: str) -> str:
    try:
        return reverse(name, args=[int(_PLACEHOLDER)])
    except NoReverseMatch:
        return ""


def record_url(name: str, pk: int) -> str:
    """The page of a record; "" while the page is not installed (each app adds its own pages)."""
    return _url_pattern(name).replace(_PLACEHOLDER, str(pk))


def customer_ref(customer_id: int) -> str:
    return f"customer:{customer_id}"


def customer_title(name: str) -> str:
    return _("Follow up with %(customer)s") % {"customer": name}


# --- follow-ups whose next time has come ----------------------------------------------------------


def followups_due(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """My customers whose next follow-up time falls before the end of the plan day. One query."""
    window = plan_window(day, now)
    customers = (
        Customer.objects.filter(owner_id=user.pk, next_followup_at__lt=window.day_end)
        .order_by("next_followup_at", "pk")
        .values_list("pk", "name", "tier", "next_followup_at")
    )
    for pk, name, tier, next_at in customers:
        if next_at is None:  # excluded by the filter; typed as nullable
            continue
        due = local_day(next_at)
        late = days_late(window, due)
        if late:
            reason = ngettext(
                "Follow-up planned for %(date)s, %(days)d day late",
                "Follow-up planned for %(date)s, %(days)d days late",
                late,
            ) % {"date": due.isoformat(), "days": late}
        else:
            reason = _("Follow-up planned for %(date)s") % {"date": due.isoformat()}
        yield PlanCandidate(
            source="followup_due",
            ref=customer_ref(pk),
            title=customer_title(name),
            reason=reason,
            score=score(40 + 2 * late + tier_weight(tier)),
            customer_id=pk,
            url=record_url("customer-detail", pk),
        )


# --- tier visit cadence breached ------------------------------------------------------------------


def _last_visits(user: User, tiers: list[str]) -> QuerySet[Customer, tuple[Any, ...]]:
    """My live customers of these tiers: (pk, name, tier, last done visit, last visit follow-up,
    when the cadence clock started). The two subqueries walk the per-customer time indexes."""
    done_visits = Visit.objects.filter(customer_id=OuterRef("pk"), status=VisitStatus.DONE).order_by("-planned_at")
    visit_followups = FollowUp.objects.filter(customer_id=OuterRef("pk"), kind=FollowUpKind.VISIT).order_by(
        "-occurred_at"
    )
    return (
        Customer.objects.filter(owner_id=user.pk, tier__in=tiers)
        .exclude(status=CustomerStatus.LOST)
        .annotate(
            last_visit_at=Subquery(done_visits.values(visited=Coalesce("check_in_at", "planned_at"))[:1]),
            last_visit_followup_at=Subquery(visit_followups.values("occurred_at")[:1]),
            clock_start=Coalesce(F("owner_since"), F("created_at")),
        )
        .order_by("pk")
        .values_list("pk", "name", "tier", "last_visit_at", "last_visit_followup_at", "clock_start")
    )


def cadence_breached(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """My customers not visited within their tier's cadence as of the plan day. Two queries."""
    window = plan_window(day, now)
    cadences = dict(
        ServiceLevel.objects.filter(organization_id=user.organization_id).values_list("tier", "visit_cadence_days")
    )
    if not cadences:
        return
    for pk, name, tier, last_visit, last_visit_followup, clock_start in _last_visits(user, list(cadences)):
        cadence = cadences[tier]
        visits = [moment for moment in (last_visit, last_visit_followup) if moment is not None]
        if visits:
            since = (window.day - local_day(max(visits))).days
            reason = ngettext(
                "Tier %(tier)s customer, not visited for %(days)d day (cadence %(cadence)d days)",
                "Tier %(tier)s customer, not visited for %(days)d days (cadence %(cadence)d days)",
                since,
            ) % {"tier": tier, "days": since, "cadence": cadence}
        else:
            since = (window.day - local_day(clock_start)).days
            reason = _("Tier %(tier)s customer, never visited (cadence %(cadence)d days)") % {
                "tier": tier,
                "cadence": cadence,
            }
        if since <= cadence:
            continue
        yield PlanCandidate(
            source="cadence",
            ref=customer_ref(pk),
            title=_("Visit %(customer)s") % {"customer": name},
            reason=reason,
            score=score(30 + min(since - cadence, LATE_CAP_DAYS) + tier_weight(tier)),
            customer_id=pk,
            url=record_url("customer-detail", pk),
        )


# --- customers about to return to the pool --------------------------------------------------------


def pool_returning(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """My customers that a pool rule returns within a week of the plan day. One query per pool rule."""
    window = plan_window(day, now)
    within = max((window.day - window.today).days, 0) + POOL_HORIZON_DAYS
    for returning in returning_soon([user.pk], now, within_days=within):
        customer = returning.customer
        due = local_day(returning.due_at)
        left = min(max((due - window.day).days, 0), POOL_HORIZON_DAYS)
        if returning.rule.reason == RecycleReason.NOT_WON:
            reason = _("Returns to the public pool on %(date)s: not won within %(days)d days")
        elif returning.rule.reason == RecycleReason.NO_OPEN_DEAL:
            reason = _("Returns to the public pool on %(date)s: no open deal for %(days)d days")
        else:
            reason = _("Returns to the public pool on %(date)s: no follow-up for %(days)d days")
        yield PlanCandidate(
            source="pool_return",
            ref=customer_ref(customer.pk),
            title=customer_title(customer.name),
            reason=reason % {"date": due.isoformat(), "days": returning.rule.days},
            score=score(35 + 4 * (POOL_HORIZON_DAYS - left) + tier_weight(customer.tier)),
            customer_id=customer.pk,
            url=record_url("customer-detail", customer.pk),
        )


# --- tasks and coordination requests due ----------------------------------------------------------

PRIORITY_WEIGHT: dict[str, float] = {
    TaskPriority.HIGH.value: 10.0,
    TaskPriority.NORMAL.value: 0.0,
    TaskPriority.LOW.value: -10.0,
}


def tasks_due(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """My open tasks due by the end of the plan day, overdue ones first. One query."""
    window = plan_window(day, now)
    zone = timezone.get_default_timezone()
    tasks = (
        Task.objects.open()
        .filter(owner_id=user.pk, due_at__lt=window.day_end)
        .filter(Q(customer__isnull=True) | Q(customer__deleted_at__isnull=True))
        .order_by("due_at", "pk")
        .values_list("pk", "title", "due_at", "priority", "customer_id", "customer__tier")
    )
    for pk, title, due_at, priority, customer_id, tier in tasks:
        if due_at is None:  # excluded by the filter; typed as nullable
            continue
        due = timezone.localtime(due_at, zone)
        overdue = due_at < now
        if overdue:
            reason = _("Task overdue since %(date)s %(time)s")
        else:
            reason = _("Task due %(date)s %(time)s")
        value = 50 + 3 * days_late(window, due.date()) + PRIORITY_WEIGHT.get(priority, 0.0)
        value += (OVERDUE_BONUS if overdue else 0) + tier_weight(tier)
        yield PlanCandidate(
            source="task_due",
            ref=f"task:{pk}",
            title=title,
            reason=reason % {"date": due.date().isoformat(), "time": due.strftime("%H:%M")},
            score=score(value),
            customer_id=customer_id,
            url=record_url("task-detail", pk),
        )


def _request_reason(row: Mapping[str, Any], user: User, overdue: bool) -> str:
    values = {"date": row["due_date"].isoformat()}
    if row["assignee_id"] == user.pk:
        values["name"] = row["requester__display_name"] or row["requester__username"]
        if overdue:
            return _("%(name)s asked you for help, overdue since %(date)s") % values
        return _("%(name)s asked you for help, due %(date)s") % values
    if row["assignee_id"] is not None:
        values["who"] = row["assignee__display_name"] or row["assignee__username"]
    else:
        values["who"] = str(HelpRole(row["role"]).label) if row["role"] in HelpRole.values else row["role"]
    if overdue:
        return _("Your request to %(who)s is overdue since %(date)s") % values
    return _("Your request to %(who)s is due %(date)s") % values


def requests_due(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """Pending coordination requests I made or was given, due by the plan day. One query."""
    window = plan_window(day, now)
    # Each side of the OR matches one index (requester / assignee, with the organization first).
    mine = Q(organization_id=user.organization_id, requester_id=user.pk)
    mine |= Q(organization_id=user.organization_id, assignee_id=user.pk)
    requests = (
        CoordinationRequest.objects.pending()
        .filter(mine, due_date__lte=window.day, customer__deleted_at__isnull=True)
        .order_by("due_date", "pk")
        .values(
            "pk",
            "subject",
            "due_date",
            "role",
            "customer_id",
            "customer__tier",
            "assignee_id",
            "assignee__display_name",
            "assignee__username",
            "requester__display_name",
            "requester__username",
        )
    )
    for row in requests:
        overdue = row["due_date"] < window.today
        value = 45 + 3 * days_late(window, row["due_date"]) + (OVERDUE_BONUS if overdue else 0)
        yield PlanCandidate(
            source="request_due",
            ref=f"request:{row['pk']}",
            title=_("Coordination request: %(subject)s") % {"subject": row["subject"]},
            reason=_request_reason(row, user, overdue),
            score=score(value + tier_weight(row["customer__tier"])),
            customer_id=row["customer_id"],
            url=record_url("request-detail", row["pk"]),
        )


register_plan_source("followup_due", gettext_lazy("Follow-ups due"), followups_due)
register_plan_source("cadence", gettext_lazy("Visit cadence"), cadence_breached)
register_plan_source("pool_return", gettext_lazy("Returning to the pool"), pool_returning)
register_plan_source("task_due", gettext_lazy("Tasks due"), tasks_due)
register_plan_source("request_due", gettext_lazy("Coordination requests due"), requests_due)
