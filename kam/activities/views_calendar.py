"""Calendar pages: a person's day and week, the secret .ics feed, and regenerating its address.

`?user=<id>` shows someone else's calendar to whoever oversees their work (managers, directors,
admins); anyone else gets 404. `?date=` picks the day (an unreadable or far-off date shows today).
Week navigation swaps only the calendar body for htmx requests.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kam.activities.actions_calendar import regenerate_feed
from kam.activities.calendar import (
    CalendarEvent,
    admin_warnings,
    calendar_days,
    calendar_subject,
    week_of,
)
from kam.activities.feeds import build_feed, feed_owner
from kam.core.models import Role, User
from kam.core.queries import people_in_view

FIRST_DAY, LAST_DAY = date(2000, 1, 3), date(2099, 12, 27)


class CalendarQuery(forms.Form):
    date = forms.DateField(required=False)


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _day_of(request: HttpRequest) -> date:
    form = CalendarQuery(request.GET)
    if form.is_valid():
        day = form.cleaned_data["date"]
        if isinstance(day, date) and FIRST_DAY <= day <= LAST_DAY:
            return day
    return timezone.localdate()


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def _people(viewer: User) -> list[User]:
    """Whose calendars the viewer may switch to (only for those who oversee others)."""
    if viewer.role != Role.ADMIN and not viewer.supervises:
        return []
    return list(people_in_view(viewer).filter(is_active=True).order_by("username"))


def _context(request: HttpRequest, first: date, last: date) -> dict[str, Any]:
    viewer = _actor(request)
    subject = calendar_subject(viewer, request.GET.get("user"))
    return {
        "subject": subject,
        "is_self": subject.pk == viewer.pk,
        "user_query": "" if subject.pk == viewer.pk else f"&user={subject.pk}",
        "days": calendar_days(subject, first, last),
        "first": first,
        "last": last,
        "today": timezone.localdate(),
        "warnings": admin_warnings(viewer, first, last),
        "people": _people(viewer),
    }


def _render(request: HttpRequest, page: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, partial if _wants_partial(request) else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_safe
@login_required
def calendar_day(request: HttpRequest) -> HttpResponse:
    """One day: its working status and every visit, task, follow-up due and request due on it."""
    day = _day_of(request)
    context = _context(request, day, day)
    context.update(day=context["days"][0], previous=day - timedelta(days=1), next=day + timedelta(days=1))
    return _render(request, "activities/calendar_day.html", "activities/_calendar_day_body.html", context)


@require_safe
@login_required
def calendar_week(request: HttpRequest) -> HttpResponse:
    """Monday to Sunday around `?date=`; the days stack on a phone."""
    monday, sunday = week_of(_day_of(request))
    context = _context(request, monday, sunday)
    context.update(previous=monday - timedelta(days=7), next=monday + timedelta(days=7))
    return _render(request, "activities/calendar_week.html", "activities/_calendar_week_body.html", context)


@require_POST
@login_required
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    """Create the feed address, or replace it: the old address stops working at once."""
    regenerate_feed(_actor(request))
    messages.success(
        request, _("Your calendar feed has a new address. Subscribe to it again; the old one no longer works.")
    )
    return redirect("settings")


def feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("calendar-feed", args=[token]))


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics feed. No login: the token in the address is the secret; a wrong one is 404."""
    owner = feed_owner(token)

    def link(event: CalendarEvent) -> str:
        try:
            return request.build_absolute_uri(reverse(event.url_name, args=event.url_args))
        except NoReverseMatch:  # a page another module has not built yet
            return ""

    body = build_feed(owner, timezone.now(), link)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kam.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
