"""The customer 360 timeline: events from every module, newest first.

A module adds its events with `register_timeline_source(key, fetch)` at import time (from its
AppConfig.ready()); `fetch(customer, viewer, limit)` returns at most `limit` of its newest
`TimelineEntry`s for a customer the viewer may open, in one or two queries whatever the number of
rows. Follow-ups and visits are the built-in sources; deals, quotes and tickets add theirs later.

Paging merges the sources: page n asks each source for (offset + limit + 1) entries, so the
number of queries stays one per source whatever the page and the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.activities.models import FollowUp, FollowUpKind, Visit, VisitStatus
from kam.core.models import User
from kam.customers.models import Customer


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # a translated label, e.g. 电话 or 拜访
    title: str
    body: str = ""
    url: str = ""
    icon: str = "dot"  # a CSS modifier: timeline-icon-<icon>
    # Extra lines shown under the body, e.g. ("客户反馈", "…"); kept short.
    details: tuple[tuple[str, str], ...] = field(default=())
    source: str = ""
    sort_id: int = 0


TimelineFetch = Callable[[Customer, User, int], list[TimelineEntry]]
TIMELINE_SOURCES: dict[str, TimelineFetch] = {}
MAX_OFFSET = 2000
PAGE = 20


def register_timeline_source(key: str, fetch: TimelineFetch) -> TimelineFetch:
    """Add (or replace, by key) a source of timeline entries."""
    TIMELINE_SOURCES[key] = fetch
    return fetch


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    offset: int
    next_offset: int | None


def customer_timeline(customer: Customer, viewer: User, offset: int = 0, limit: int = PAGE) -> TimelinePage:
    """One page of the merged timeline of a customer the viewer may open (the caller checked)."""
    offset = max(0, min(offset, MAX_OFFSET))
    wanted = offset + limit + 1
    merged: list[TimelineEntry] = []
    for key, fetch in TIMELINE_SOURCES.items():
        merged.extend(
            entry if entry.source else _with_source(entry, key) for entry in fetch(customer, viewer, wanted)[:wanted]
        )
    merged.sort(key=lambda e: (e.at, e.source, e.sort_id), reverse=True)
    page = merged[offset : offset + limit]
    more = len(merged) > offset + limit
    return TimelinePage(page, offset, offset + limit if more else None)


def _with_source(entry: TimelineEntry, key: str) -> TimelineEntry:
    return replace(entry, source=key)


# --- built-in sources ---------------------------------------------------------------------------

FOLLOWUP_ICONS = {
    FollowUpKind.CALL: "phone",
    FollowUpKind.WECHAT: "chat",
    FollowUpKind.SMS: "chat",
    FollowUpKind.EMAIL: "mail",
    FollowUpKind.VISIT: "visit",
    FollowUpKind.MEETING: "meeting",
    FollowUpKind.EVENT: "event",
}


def _followup_details(followup: FollowUp) -> tuple[tuple[str, str], ...]:
    lines = []
    names = "、".join(contact.name for contact in followup.contacts.all())
    if names:
        lines.append((_("Contacts met"), names))
    if followup.feedback:
        lines.append((_("Customer feedback"), followup.feedback))
    if followup.next_step:
        lines.append((_("Next step"), followup.next_step))
    visit = getattr(followup, "visit", None)
    if visit is not None and visit.stay_minutes is not None:
        stay = ngettext("%(count)d minute", "%(count)d minutes", visit.stay_minutes) % {"count": visit.stay_minutes}
        lines.append((_("Stay"), stay))
    return tuple(lines)


def followup_entries(customer: Customer, viewer: User, limit: int) -> list[TimelineEntry]:
    """Follow-ups with their feedback and next step; the record of a visit also carries the stay."""
    rows = (
        FollowUp.objects.filter(customer=customer)
        .select_related("author", "visit")
        .prefetch_related("contacts")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            at=row.occurred_at,
            kind=row.get_kind_display(),
            title=_("%(kind)s by %(author)s") % {"kind": row.get_kind_display(), "author": row.author.name},
            body=row.content,
            url=reverse("followup-detail", args=[row.pk]),
            icon=FOLLOWUP_ICONS.get(FollowUpKind(row.kind), "dot"),
            details=_followup_details(row),
            source="followups",
            sort_id=row.pk,
        )
        for row in rows
    ]


def _visit_title(visit: Visit) -> str:
    names = {"visitor": visit.owner.name}
    if visit.status == VisitStatus.PLANNED:
        return _("Visit planned by %(visitor)s") % names
    if visit.status == VisitStatus.CHECKED_IN:
        return _("%(visitor)s is visiting") % names
    if visit.status == VisitStatus.CANCELLED:
        return _("Visit by %(visitor)s cancelled") % names
    return _("Visit by %(visitor)s") % names


def visit_entries(customer: Customer, viewer: User, limit: int) -> list[TimelineEntry]:
    """Visits without a follow-up record yet (a recorded visit appears as its follow-up)."""
    rows = (
        Visit.objects.filter(customer=customer, followup__isnull=True)
        .select_related("owner")
        .order_by("-planned_at", "-id")[:limit]
    )
    entries = []
    for row in rows:
        details: list[tuple[str, str]] = []
        if row.check_in_at is not None:
            details.append((_("Checked in"), timezone.localtime(row.check_in_at).strftime("%Y-%m-%d %H:%M")))
        if row.check_in_distance_m is not None:
            details.append((_("Check-in distance"), _("%(metres)d m") % {"metres": row.check_in_distance_m}))
        if row.stay_minutes is not None:
            stay = ngettext("%(count)d minute", "%(count)d minutes", row.stay_minutes) % {"count": row.stay_minutes}
            details.append((_("Stay"), stay))
        entries.append(
            TimelineEntry(
                at=row.planned_at,
                kind=str(FollowUpKind.VISIT.label),
                title=_visit_title(row),
                body=row.purpose,
                url=reverse("visit-detail", args=[row.pk]),
                icon="visit",
                details=tuple(details),
                source="visits",
                sort_id=row.pk,
            )
        )
    return entries


register_timeline_source("followups", followup_entries)
register_timeline_source("visits", visit_entries)
