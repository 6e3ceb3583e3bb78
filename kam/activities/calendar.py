"""The calendar read model: one person's visits, tasks, follow-ups due and requests, day by day.

Who may look: the person, and whoever oversees their work (`people_in_view`: managers and
directors above them, admins); anyone else gets 404. Everything shown is then visible to the
viewer through the items' own rules (a visit to the visitor's managers, a task to its owner's,
a request to the requester's and assignee's managers, a customer to its owner's).

What counts, for `subject` and the Shanghai days [first, last]:
- visits: every visit of theirs planned in the range, with its status (cancelled ones included,
  marked), from `planned_at` for `planned_minutes`;
- tasks: their open tasks (not done) whose due time falls in the range;
- follow-ups due: the customers they own whose next follow-up time (`Customer.next_followup_at`)
  falls in the range. One entry per customer: the customer's next time is the one a new follow-up
  record sets and the one the plan and the pool read, so older follow-ups' "next time" values,
  superseded by later records, never show up as stale duplicates;
- coordination requests: pending ones (waiting or in progress) due in the range, where they are
  the requester or the assignee, as all-day entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activities.models import CoordinationRequest, Task, Visit
from kam.core import workcal
from kam.core.models import User
from kam.core.queries import get_or_404, people_in_view
from kam.customers.models import Customer

# A task or follow-up is a moment; calendars draw it as a short block of this length.
MARKER_MINUTES = 15


class EventKind(StrEnum):
    VISIT = "visit"
    TASK = "task"
    FOLLOWUP = "followup"
    REQUEST = "request"


@dataclass(frozen=True)
class CalendarEvent:
    kind: EventKind
    pk: int  # the visit, task or request; the customer for a follow-up due
    title: str
    day: date  # the Shanghai day it belongs to
    start: datetime | None  # aware; None for all-day entries
    end: datetime | None
    status: str
    status_label: str
    customer_id: int | None
    customer_name: str
    detail: str
    updated_at: datetime
    url_name: str
    url_args: tuple[int, ...]

    @property
    def all_day(self) -> bool:
        return self.start is None

    @property
    def uid(self) -> str:
        """Stable across feeds and edits: one id per visit, task, request, or customer's next follow-up."""
        return f"kam-{self.kind}-{self.pk}"

    @property
    def url_arg(self) -> int:
        return self.url_args[0]


@dataclass(frozen=True)
class CalendarDay:
    info: workcal.DayInfo
    events: list[CalendarEvent]

    @property
    def day(self) -> date:
        return self.info.day


def calendar_subject(viewer: User, user_id: Any) -> User:
    """Whose calendar `viewer` asks for: themselves (no id) or someone they oversee; anyone else is 404."""
    if user_id in (None, ""):
        return viewer
    return get_or_404(people_in_view(viewer).select_related("team"), user_id)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The aware instants [start of `first`, start of the day after `last`) in the current (Shanghai) zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _visits(subject: User, start: datetime, end: datetime) -> list[CalendarEvent]:
    visits = (
        Visit.objects.filter(
            organization_id=subject.organization_id,
            owner_id=subject.pk,
            planned_at__gte=start,
            planned_at__lt=end,
            customer__deleted_at__isnull=True,
        )
        .select_related("customer")
        .order_by("planned_at", "pk")
    )
    return [
        CalendarEvent(
            kind=EventKind.VISIT,
            pk=visit.pk,
            title=_("Visit: %(customer)s") % {"customer": visit.customer.name},
            day=timezone.localdate(visit.planned_at),
            start=visit.planned_at,
            end=visit.planned_at + timedelta(minutes=visit.planned_minutes or MARKER_MINUTES),
            status=visit.status,
            status_label=visit.get_status_display(),
            customer_id=visit.customer_id,
            customer_name=visit.customer.name,
            detail=visit.purpose,
            updated_at=visit.updated_at,
            url_name="visit-detail",
            url_args=(visit.pk,),
        )
        for visit in visits
    ]


def _tasks(subject: User, start: datetime, end: datetime) -> list[CalendarEvent]:
    tasks = (
        Task.objects.open()
        .filter(
            Q(customer__isnull=True) | Q(customer__deleted_at__isnull=True),
            organization_id=subject.organization_id,
            owner_id=subject.pk,
            due_at__gte=start,
            due_at__lt=end,
        )
        .select_related("customer")
        .order_by("due_at", "pk")
    )
    events = []
    for task in tasks:
        assert task.due_at is not None
        events.append(
            CalendarEvent(
                kind=EventKind.TASK,
                pk=task.pk,
                title=_("Task: %(title)s") % {"title": task.title},
                day=timezone.localdate(task.due_at),
                start=task.due_at,
                end=task.due_at + timedelta(minutes=MARKER_MINUTES),
                status=task.priority,
                status_label=task.get_priority_display(),
                customer_id=task.customer_id,
                customer_name=task.customer.name if task.customer else "",
                detail=task.notes,
                updated_at=task.updated_at,
                url_name="task-detail",
                url_args=(task.pk,),
            )
        )
    return events


def _followups_due(subject: User, start: datetime, end: datetime) -> list[CalendarEvent]:
    customers = (
        Customer.objects.filter(
            organization_id=subject.organization_id,
            owner_id=subject.pk,
            next_followup_at__gte=start,
            next_followup_at__lt=end,
        )
        .only("pk", "name", "next_followup_at", "updated_at")
        .order_by("next_followup_at", "pk")
    )
    events = []
    for customer in customers:
        due = customer.next_followup_at
        assert due is not None
        events.append(
            CalendarEvent(
                kind=EventKind.FOLLOWUP,
                pk=customer.pk,
                title=_("Follow up: %(customer)s") % {"customer": customer.name},
                day=timezone.localdate(due),
                start=due,
                end=due + timedelta(minutes=MARKER_MINUTES),
                status="due",
                status_label=_("Follow-up due"),
                customer_id=customer.pk,
                customer_name=customer.name,
                detail="",
                updated_at=customer.updated_at,
                url_name="customer-detail",
                url_args=(customer.pk,),
            )
        )
    return events


def _requests_due(subject: User, first: date, last: date) -> list[CalendarEvent]:
    requests = (
        CoordinationRequest.objects.pending()
        .filter(
            Q(requester_id=subject.pk) | Q(assignee_id=subject.pk),
            organization_id=subject.organization_id,
            due_date__gte=first,
            due_date__lte=last,
            customer__deleted_at__isnull=True,
        )
        .select_related("customer", "requester", "assignee")
        .order_by("due_date", "pk")
    )
    events = []
    for request in requests:
        if request.requester_id == subject.pk:
            other = request.assignee.name if request.assignee else request.get_role_display()
            detail = _("Asked of %(who)s") % {"who": other}
        else:
            detail = _("Asked by %(who)s") % {"who": request.requester.name}
        events.append(
            CalendarEvent(
                kind=EventKind.REQUEST,
                pk=request.pk,
                title=_("Request due: %(subject)s") % {"subject": request.subject},
                day=request.due_date,
                start=None,
                end=None,
                status=request.status,
                status_label=request.get_status_display(),
                customer_id=request.customer_id,
                customer_name=request.customer.name,
                detail=detail,
                updated_at=request.updated_at,
                url_name="request-detail",
                url_args=(request.pk,),
            )
        )
    return events


def _sort_key(event: CalendarEvent) -> tuple[date, int, datetime, str, int]:
    moment = event.start or datetime.combine(event.day, time.min, tzinfo=timezone.get_current_timezone())
    return (event.day, 0 if event.all_day else 1, moment, event.kind, event.pk)


def events_of(subject: User, first: date, last: date) -> list[CalendarEvent]:
    """Every calendar entry of `subject` on the Shanghai days [first, last], in day and time order (4 queries)."""
    start, end = day_bounds(first, last)
    events = [
        *_visits(subject, start, end),
        *_tasks(subject, start, end),
        *_followups_due(subject, start, end),
        *_requests_due(subject, first, last),
    ]
    return sorted(events, key=_sort_key)


def calendar_days(subject: User, first: date, last: date) -> list[CalendarDay]:
    """The days [first, last] with their working status and entries (no access check: see calendar_subject)."""
    by_day: dict[date, list[CalendarEvent]] = {}
    for event in events_of(subject, first, last):
        by_day.setdefault(event.day, []).append(event)
    return [
        CalendarDay(info, by_day.get(info.day, [])) for info in workcal.days_info(first, last, subject.organization_id)
    ]


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def admin_warnings(viewer: User, first: date, last: date) -> list[str]:
    """For admins: the unknown-year warnings of the years shown (others see none)."""
    if not viewer.is_org_admin:
        return []
    return [w.message for w in workcal.calendar_warnings(viewer.organization_id, list({first.year, last.year}))]
