"""The personal .ics feed: a secret address that calendar clients (Apple, Outlook, Google) subscribe to.

The token in the address is the only credential, so it is long and random, and regenerating it
(`kam.activities.actions_calendar.regenerate_feed`) makes the old address answer 404. A deactivated
user's feed answers 404 too.

What the feed holds: the user's own calendar (`kam.activities.calendar.events_of`) from
`PAST_DAYS` ago to `FUTURE_DAYS` ahead. Visits, tasks and follow-ups due are VEVENTs with start
and end in UTC; tasks are VEVENTs rather than VTODOs because subscribed calendars in Google
Calendar and Outlook ignore VTODO entirely and Apple Calendar does not show VTODOs from a
subscription either, so a VTODO would never reach the rep's phone. Requests due are all-day
VEVENTs (a due date, no time). Every entry keeps one UID for its whole life (`kam-visit-12`), so a
changed time updates the client's copy instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from kam.activities.calendar import CalendarEvent, EventKind, events_of
from kam.activities.models import CalendarFeed, VisitStatus
from kam.core.models import User

PAST_DAYS = 30
FUTURE_DAYS = 180
TOKEN_MAX_LENGTH = 64


def feed_of(user: User) -> CalendarFeed | None:
    """The user's feed, or None before they create one."""
    return CalendarFeed.objects.filter(user_id=user.pk).first()


def feed_owner(token: str) -> User:
    """The active user whose feed has this token; any other token is 404."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise Http404
    feed = (
        CalendarFeed.objects.select_related("user", "user__organization")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    return feed.user


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _description(event: CalendarEvent) -> str:
    lines = [event.status_label]
    if event.customer_name and event.kind != EventKind.FOLLOWUP:
        lines.append(_("Customer: %(customer)s") % {"customer": event.customer_name})
    if event.detail:
        lines.append(event.detail)
    return "\n".join(lines)


def _vevent(event: CalendarEvent, base_url: str) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(event.updated_at))
    vevent.add("last-modified", _utc(event.updated_at))
    vevent.add("summary", event.title)
    if event.start is None:
        vevent.add("dtstart", event.day)
        vevent.add("dtend", event.day + timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")  # a deadline, not time taken
    else:
        assert event.end is not None
        vevent.add("dtstart", _utc(event.start))
        vevent.add("dtend", _utc(event.end))
        vevent.add("transp", "OPAQUE" if event.kind == EventKind.VISIT else "TRANSPARENT")
    vevent.add("description", _description(event))
    vevent.add("categories", [event.kind.value])
    if event.kind == EventKind.VISIT and event.status == VisitStatus.CANCELLED:
        vevent.add("status", "CANCELLED")
    if base_url:
        vevent.add("url", base_url)
    return vevent


def build_feed(user: User, now: datetime, link: Callable[[CalendarEvent], str] | None = None) -> bytes:
    """The feed of `user` around `now` as iCalendar bytes. `link` gives an entry's page address ("" for none)."""
    today = timezone.localdate(now)
    calendar = Calendar()
    calendar.add("prodid", "-//KAM//KAM Calendar//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("KAM · %(name)s") % {"name": user.name})
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for event in events_of(user, today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)):
        calendar.add_component(_vevent(event, link(event) if link is not None else ""))
    return bytes(calendar.to_ical())
