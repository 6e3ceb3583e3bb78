"""The calendar over HTTP: a person's entries, the working-day calendar, the .ics feed address.

`user` names someone whose work the caller oversees (404 for anyone else, as on the pages).
Ranges are inclusive Shanghai dates; a range that ends before it starts, is too long, or leaves
the years 2000–2099 is a 422 naming the query parameter.
"""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import ValidationError as NinjaValidationError

from kam.activities.actions_calendar import regenerate_feed
from kam.activities.calendar import CalendarEvent, calendar_days, calendar_subject
from kam.activities.schemas_calendar import CalendarOut, DayOut, FeedOut
from kam.activities.views_calendar import feed_url
from kam.core import workcal
from kam.core.api import DbId, FieldProblem, Problem
from kam.core.api_auth import actor

router = Router(tags=["calendar"])

CALENDAR_MAX_DAYS = 62
WORKDAYS_MAX_DAYS = 366
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)
READ = {401: Problem, 404: Problem, 422: FieldProblem}


def _check_range(start: date, end: date, max_days: int) -> None:
    """Refuse a range the calendar cannot or should not answer, naming the query parameter."""
    problems: list[dict[str, Any]] = []
    for name, value in (("start", start), ("end", end)):
        if not FIRST_DATE <= value <= LAST_DATE:
            msg = _("Enter a date between %(first)s and %(last)s.") % {
                "first": FIRST_DATE.isoformat(),
                "last": LAST_DATE.isoformat(),
            }
            problems.append({"loc": ["query", name], "msg": msg, "type": "value_error"})
    if not problems and end < start:
        msg = _("The end date must not be before the start date.")
        problems.append({"loc": ["query", "end"], "msg": msg, "type": "value_error"})
    elif not problems and (end - start).days + 1 > max_days:
        msg = _("Ask for at most %(days)d days at a time.") % {"days": max_days}
        problems.append({"loc": ["query", "end"], "msg": msg, "type": "value_error"})
    if problems:
        raise NinjaValidationError(problems)


def _day_out(info: workcal.DayInfo) -> dict[str, Any]:
    return {
        "day": info.day,
        "is_workday": info.is_workday,
        "kind": info.kind.value,
        "name": info.name,
        "overridden": info.overridden,
        "known": info.known,
    }


def _page(event: CalendarEvent) -> str | None:
    try:
        return reverse(event.url_name, args=event.url_args)
    except NoReverseMatch:  # a page another module has not built yet
        return None


def _event_out(event: CalendarEvent) -> dict[str, Any]:
    return {
        "uid": event.uid,
        "kind": event.kind.value,
        "id": event.pk,
        "title": event.title,
        "day": event.day,
        "all_day": event.all_day,
        "start": event.start,
        "end": event.end,
        "status": event.status,
        "status_label": event.status_label,
        "customer_id": event.customer_id,
        "customer_name": event.customer_name,
        "detail": event.detail,
        "url": _page(event),
    }


@router.get(
    "/calendar",
    response={200: CalendarOut, **READ},
    summary="Visits, tasks, follow-ups due and requests due of me (or someone I oversee), day by day",
    description=f"At most {CALENDAR_MAX_DAYS} days per call. `days` gives every date's working status.",
)
def calendar(request: HttpRequest, start: date, end: date, user: DbId | None = None) -> dict[str, Any]:
    viewer = actor(request)
    _check_range(start, end, CALENDAR_MAX_DAYS)
    subject = calendar_subject(viewer, user)
    days = calendar_days(subject, start, end)
    return {
        "user": subject,
        "start": start,
        "end": end,
        "days": [_day_out(day.info) for day in days],
        "events": [_event_out(event) for day in days for event in day.events],
    }


@router.get(
    "/workdays",
    response={200: list[DayOut], **READ},
    summary="Working days of my organization: statutory holidays, 调休 make-up days and overrides",
    description=f"At most {WORKDAYS_MAX_DAYS} days per call.",
)
def workdays(request: HttpRequest, start: date, end: date) -> list[dict[str, Any]]:
    viewer = actor(request)
    _check_range(start, end, WORKDAYS_MAX_DAYS)
    return [_day_out(info) for info in workcal.days_info(start, end, viewer.organization_id)]


@router.post(
    "/calendar/feed",
    response={200: FeedOut, 401: Problem, 403: Problem},
    summary="Create or regenerate my .ics feed address (the old address stops working)",
)
def regenerate_calendar_feed(request: HttpRequest) -> dict[str, Any]:
    feed = regenerate_feed(actor(request))
    return {"url": feed_url(request, feed.token), "created_at": feed.created_at}
