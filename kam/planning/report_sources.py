"""The built-in work sources and 销售简报 counters of 日报/周报/月报 (issue 3).

Registered from PlanningConfig.ready(). Work sources: the user's follow-ups and their finished
visits; a visit that ended in a follow-up of the period is one line (the follow-up's), not two.
Counters: new customers, follow-ups, visits done, tasks completed, coordination requests handled.
Later modules (deals, quotes, contracts, 回款) register their own counters the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.activities.models import CoordinationRequest, FollowUp, FollowUpKind, RequestStatus, Task, Visit, VisitStatus
from kam.customers.models import Customer
from kam.planning.registry import WorkLine, register_report_counter, register_work_source

if TYPE_CHECKING:
    from kam.core.models import User

SEPARATOR = " · "


def _followups(user: User, start: datetime, end: datetime) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(organization_id=user.organization_id, author=user).between(start, end)


def _visits_done(user: User, start: datetime, end: datetime) -> QuerySet[Visit]:
    """Finished visits of the user whose visit time (check-in, else the planned time) falls in [start, end)."""
    return (
        Visit.objects.filter(organization_id=user.organization_id, owner=user, status=VisitStatus.DONE)
        .alias(visited_at=Coalesce("check_in_at", "planned_at"))
        .filter(visited_at__gte=start, visited_at__lt=end)
    )


def _stay(visit: Visit) -> str:
    if visit.stay_minutes is None:
        return ""
    return _("stayed %(minutes)d min") % {"minutes": visit.stay_minutes}


def _followup_text(followup: FollowUp) -> list[str]:
    parts = [followup.content.strip()]
    if followup.feedback.strip():
        parts.append(_("Customer feedback: %(text)s") % {"text": followup.feedback.strip()})
    if followup.next_step.strip():
        parts.append(_("Next step: %(text)s") % {"text": followup.next_step.strip()})
    return [part for part in parts if part]


def followup_lines(user: User, start: datetime, end: datetime) -> Iterable[WorkLine]:
    """Each follow-up of the period; one that closed a visit reads as the visit, at its check-in time."""
    rows = _followups(user, start, end).select_related("customer", "visit").order_by("occurred_at", "pk")
    for followup in rows:
        visit: Visit | None = getattr(followup, "visit", None)
        parts = _followup_text(followup)
        at = followup.occurred_at
        kind = followup.get_kind_display()
        if visit is not None:
            kind = str(FollowUpKind.VISIT.label)
            # The visit's own time when it happened in the period (a follow-up logged later keeps its time).
            if visit.check_in_at is not None and start <= visit.check_in_at < end:
                at = visit.check_in_at
            parts.append(_stay(visit))
        yield WorkLine(
            customer_id=followup.customer_id,
            customer=followup.customer.name,
            at=at,
            kind=kind,
            text=SEPARATOR.join(part for part in parts if part),
        )


def visit_lines(user: User, start: datetime, end: datetime) -> Iterable[WorkLine]:
    """Finished visits without a follow-up of the period by the user (those are followup_lines' lines)."""
    told = _followups(user, start, end).values("pk")
    rows = (
        _visits_done(user, start, end)
        .filter(Q(followup__isnull=True) | ~Q(followup__in=told))
        .select_related("customer")
        .order_by("planned_at", "pk")
    )
    for visit in rows:
        parts = [visit.purpose.strip(), _stay(visit)]
        yield WorkLine(
            customer_id=visit.customer_id,
            customer=visit.customer.name,
            at=visit.check_in_at or visit.planned_at,
            kind=str(FollowUpKind.VISIT.label),
            text=SEPARATOR.join(part for part in parts if part),
        )


def count_new_customers(user: User, start: datetime, end: datetime) -> int:
    """Customers the user created in the period (still in the book, not in the recycle bin)."""
    return Customer.objects.filter(
        organization_id=user.organization_id, created_by=user, created_at__gte=start, created_at__lt=end
    ).count()


def count_followups(user: User, start: datetime, end: datetime) -> int:
    return _followups(user, start, end).count()


def count_visits(user: User, start: datetime, end: datetime) -> int:
    return _visits_done(user, start, end).count()


def count_tasks_done(user: User, start: datetime, end: datetime) -> int:
    return Task.objects.filter(
        organization_id=user.organization_id, owner=user, done_at__gte=start, done_at__lt=end
    ).count()


def count_requests_handled(user: User, start: datetime, end: datetime) -> int:
    """Coordination requests the user completed for a colleague in the period."""
    return CoordinationRequest.objects.filter(
        organization_id=user.organization_id,
        assignee=user,
        status=RequestStatus.DONE,
        completed_at__gte=start,
        completed_at__lt=end,
    ).count()


register_work_source("followups", followup_lines)
register_work_source("visits", visit_lines)
register_report_counter("new_customers", gettext_lazy("New customers"), 10, count_new_customers)
register_report_counter("followups", gettext_lazy("Follow-ups"), 20, count_followups)
register_report_counter("visits", gettext_lazy("Visits done"), 30, count_visits)
register_report_counter("tasks_done", gettext_lazy("Tasks completed"), 40, count_tasks_done)
register_report_counter("requests_handled", gettext_lazy("Requests handled"), 50, count_requests_handled)
