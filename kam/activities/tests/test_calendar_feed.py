"""The personal .ics feed: its secret address, regeneration, and exactly what calendar clients read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from kam.activities.actions_calendar import regenerate_feed
from kam.activities.feeds import build_feed
from kam.activities.models import CalendarFeed, Visit
from kam.activities.tests.fixtures_calendar import (  # noqa: F401 - autouse fixture
    _fresh_workcal_cache,
    at,
    build_scene,
    english_client,
    fingerprint,
    make_customer,
    make_task,
    make_visit,
)
from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, User

# The scene's week is 28 Sep – 4 Oct 2026; the feed covers 30 days back and 180 ahead of "now".
NOW = at("2026-09-27", "12:00")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _events(body: bytes) -> list[tuple[Any, ...]]:
    calendar = Calendar.from_ical(body)
    rows = []
    for event in calendar.walk("VEVENT"):
        start = event.decoded("dtstart")
        end = event.decoded("dtend")
        rows.append((str(event["uid"]), str(event["summary"]), start, end, str(event.get("status", ""))))
    return rows


def test_the_feed_holds_exactly_the_owners_entries(world: OrgWorld) -> None:
    scene = build_scene(world)
    monday_visit = Visit.objects.get(planned_at=at("2026-10-05", "00:00"))
    with translation.override("en"):
        body = build_feed(world.owner, NOW)
    calendar = Calendar.from_ical(body)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "KAM · owner"
    assert _events(body) == [
        (f"kam-request-{scene.request_received.pk}", "Request due: 帮忙核价", date(2026, 9, 28), date(2026, 9, 29), ""),
        (
            f"kam-visit-{scene.visit.pk}",
            "Visit: 北京星河数据科技有限公司",
            _utc("2026-09-28T01:30:00"),
            _utc("2026-09-28T03:00:00"),
            "",
        ),
        (
            f"kam-followup-{scene.customer.pk}",
            "Follow up: 北京星河数据科技有限公司",
            _utc("2026-09-29T02:00:00"),
            _utc("2026-09-29T02:15:00"),
            "",
        ),
        (
            f"kam-visit-{scene.cancelled_visit.pk}",
            "Visit: 北京星河数据科技有限公司",
            _utc("2026-09-30T06:00:00"),
            _utc("2026-09-30T07:00:00"),
            "CANCELLED",
        ),
        (
            f"kam-task-{scene.task.pk}",
            "Task: 准备报价单",
            _utc("2026-09-30T09:00:00"),
            _utc("2026-09-30T09:15:00"),
            "",
        ),
        (f"kam-request-{scene.request_made.pk}", "Request due: 技术方案支持", date(2026, 10, 1), date(2026, 10, 2), ""),
        (
            f"kam-visit-{monday_visit.pk}",  # Monday 5 October, 00:00 Shanghai
            "Visit: 北京星河数据科技有限公司",
            _utc("2026-10-04T16:00:00"),
            _utc("2026-10-04T17:00:00"),
            "",
        ),
    ]
    visit = next(e for e in calendar.walk("VEVENT") if str(e["uid"]) == f"kam-visit-{scene.visit.pk}")
    assert str(visit["description"]) == "Planned\nCustomer: 北京星河数据科技有限公司\n方案交流"
    assert str(visit["transp"]) == "OPAQUE"
    assert visit.decoded("dtstamp") == scene.visit.updated_at.astimezone(UTC).replace(microsecond=0)


def test_the_feed_window_is_thirty_days_back_and_half_a_year_ahead(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    inside = [at("2026-08-28", "00:00"), at("2027-03-26", "23:59")]
    outside = [at("2026-08-27", "23:59"), at("2027-03-27", "00:00")]
    for moment in inside + outside:
        make_visit(world.owner, customer, moment)
    starts = [row[2] for row in _events(build_feed(world.owner, NOW))]
    assert starts == [moment.astimezone(UTC) for moment in inside]


def test_uids_stay_the_same_when_an_entry_moves(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    task = make_task(world.owner, "准备报价单", at("2026-09-30", "17:00"))
    first = _events(build_feed(world.owner, NOW))
    type(task).objects.filter(pk=task.pk).update(due_at=at("2026-10-09", "10:00"))
    second = _events(build_feed(world.owner, NOW))
    assert [row[0] for row in first] == [row[0] for row in second] == [f"kam-task-{task.pk}"]
    assert second[0][2] == _utc("2026-10-09T02:00:00")
    assert customer.pk  # the customer has no next follow-up, so it adds nothing


def _feed_client_url(user: User) -> str:
    feed = regenerate_feed(user)
    return reverse("calendar-feed", args=[feed.token])


def test_the_feed_is_served_without_login_as_text_calendar(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    visit = make_visit(world.owner, customer, timezone.now() + timedelta(days=1))
    url = _feed_client_url(world.owner)
    assert url.startswith("/calendar/feed/")
    assert url.endswith(".ics")
    response = english_client(None).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"kam-visit-{visit.pk}"]
    try:
        page = "http://testserver" + reverse("visit-detail", args=[visit.pk])
    except Exception:  # noqa: BLE001 - the visit page is another module's
        page = None
    assert (str(events[0]["url"]) if "url" in events[0] else None) == page


@pytest.mark.parametrize(
    "token",
    ["wrong", "x" * 43, "x" * 200, "%00", "..", "abc def"],
)
def test_a_wrong_token_is_404(world: OrgWorld, token: str) -> None:
    regenerate_feed(world.owner)
    response = english_client(None).get(f"/calendar/feed/{token}.ics")
    assert response.status_code in (404, 400)  # a NUL is refused before any view (400)


def test_regenerating_kills_the_old_address_and_audits(world: OrgWorld) -> None:
    old = _feed_client_url(world.owner)
    new = _feed_client_url(world.owner)
    assert old != new
    assert english_client(None).get(old).status_code == 404
    assert english_client(None).get(new).status_code == 200
    rows = AuditEntry.objects.filter(entity="core.user", entity_id=world.owner.pk).order_by("id")
    assert [(r.action, r.field, r.old, r.new) for r in rows] == [
        ("create", "calendar_feed", "", ""),
        ("update", "calendar_feed", "", ""),
    ]
    assert CalendarFeed.objects.get().token not in str(list(AuditEntry.objects.values()))


def test_a_deactivated_users_feed_is_404(world: OrgWorld) -> None:
    url = _feed_client_url(world.owner)
    User.objects.filter(pk=world.owner.pk).update(is_active=False)
    assert english_client(None).get(url).status_code == 404


def test_the_settings_page_shows_the_absolute_address_and_the_button(world: OrgWorld) -> None:
    client = english_client(world.owner)
    page = client.get(reverse("settings")).content.decode()
    assert "You have no calendar feed yet." in page
    assert reverse("calendar-feed-regenerate") in page
    response = client.post(reverse("calendar-feed-regenerate"), follow=True)
    assert response.redirect_chain == [(reverse("settings"), 302)]
    token = CalendarFeed.objects.get(user=world.owner).token
    page = response.content.decode()
    assert f"http://testserver/calendar/feed/{token}.ics" in page
    assert "Your calendar feed has a new address." in page
    client.post(reverse("calendar-feed-regenerate"))
    assert CalendarFeed.objects.get(user=world.owner).token != token


def test_regenerating_needs_a_login_and_a_post(world: OrgWorld) -> None:
    before = fingerprint()
    response = english_client(None).post(reverse("calendar-feed-regenerate"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert english_client(world.owner).get(reverse("calendar-feed-regenerate")).status_code == 405
    assert fingerprint() == before


def test_each_person_regenerates_only_their_own_feed(world: OrgWorld) -> None:
    owner_url = _feed_client_url(world.owner)
    english_client(world.manager_north).post(reverse("calendar-feed-regenerate"))
    assert english_client(None).get(owner_url).status_code == 200
    assert CalendarFeed.objects.count() == 2


def test_the_feed_query_count_does_not_grow_with_entries(world: OrgWorld) -> None:
    url = _feed_client_url(world.owner)
    client = english_client(None)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    make_visit(world.owner, customer, timezone.now() + timedelta(days=1))
    few = count()
    for i in range(20):
        make_visit(world.owner, customer, timezone.now() + timedelta(days=2, hours=i))
        make_task(world.owner, f"待办{i}", timezone.now() + timedelta(days=3, hours=i))
    assert count() == few <= 6
