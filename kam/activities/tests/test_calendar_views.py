"""The day and week pages: who may see whose calendar, what is on it, working-day labels, query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse

from kam.activities.calendar import calendar_days, calendar_subject, week_of
from kam.activities.tests.fixtures_calendar import (  # noqa: F401 - autouse fixture
    WEEK,
    _fresh_workcal_cache,
    at,
    build_scene,
    english_client,
    fill_calendar,
    fingerprint,
    make_customer,
    make_request,
    make_task,
    make_visit,
)
from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.actions_holidays import add_holiday_override

# Whose calendar a person may open with ?user=<owner>: themselves and whoever oversees them.
OWNER_CALENDAR = {
    "outsider": 404,
    "stranger": 404,
    "collaborator": 404,
    "teammate": 404,
    "manager_east": 404,
    "owner": 200,
    "manager_north": 200,
    "director": 200,
    "admin": 200,
}


def _url(name: str, **query: object) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return reverse(name) + (f"?{params}" if params else "")


@pytest.mark.parametrize("name", ["calendar-day", "calendar-week"])
def test_anonymous_is_sent_to_login(world: OrgWorld, name: str) -> None:
    response = english_client(None).get(_url(name, date="2026-09-28"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", ["calendar-day", "calendar-week"])
@pytest.mark.parametrize(("role", "status"), OWNER_CALENDAR.items())
def test_someone_elses_calendar_is_only_for_those_above_them(
    world: OrgWorld, name: str, role: str, status: int
) -> None:
    scene = build_scene(world)
    before = fingerprint()
    response = english_client(getattr(world, role)).get(_url(name, date="2026-09-30", user=world.owner.pk))
    assert response.status_code == status
    assert fingerprint() == before
    body = response.content.decode()
    if status == 200:
        assert "准备报价单" in body
        assert reverse("customer-detail", args=[scene.customer.pk]) in body
    else:
        assert "准备报价单" not in body


@pytest.mark.parametrize("name", ["calendar-day", "calendar-week"])
@pytest.mark.parametrize("role", ["outsider", "stranger", "collaborator", "teammate", "owner", "manager_north"])
def test_everyone_sees_their_own_calendar_and_nothing_of_the_owners(world: OrgWorld, name: str, role: str) -> None:
    build_scene(world)
    response = english_client(getattr(world, role)).get(_url(name, date="2026-09-30"))
    assert response.status_code == 200
    assert ("准备报价单" in response.content.decode()) is (role == "owner")


@pytest.mark.parametrize("user", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_a_malformed_or_unknown_user_is_404(world: OrgWorld, user: str) -> None:
    response = english_client(world.manager_north).get(_url("calendar-week", user=user))
    assert response.status_code == 404


@pytest.mark.parametrize("raw", ["", "yesterday", "2026-13-01", "0001-01-01", "9999-12-31", "2026-02-30"])
def test_an_unreadable_or_far_date_shows_today(world: OrgWorld, raw: str) -> None:
    response = english_client(world.owner).get(_url("calendar-day", date=raw))
    assert response.status_code == 200
    assert response.context["first"] == response.context["today"]


def test_the_week_holds_exactly_the_owners_entries_in_order(world: OrgWorld) -> None:
    scene = build_scene(world)
    days = calendar_days(world.owner, *WEEK)
    assert [(day.day.isoformat(), day.info.kind.value, day.info.is_workday) for day in days] == [
        ("2026-09-28", "workday", True),
        ("2026-09-29", "workday", True),
        ("2026-09-30", "workday", True),
        ("2026-10-01", "holiday", False),
        ("2026-10-02", "holiday", False),
        ("2026-10-03", "holiday", False),
        ("2026-10-04", "holiday", False),
    ]
    from django.utils import translation

    with translation.override("en"):
        rows = [
            (e.day.isoformat(), e.uid, e.title, e.start, e.end, e.status, e.detail)
            for day in calendar_days(world.owner, *WEEK)
            for e in day.events
        ]
    assert rows == [
        (
            "2026-09-28",
            f"kam-request-{scene.request_received.pk}",
            "Request due: 帮忙核价",
            None,
            None,
            "open",
            "Asked by teammate",
        ),
        (
            "2026-09-28",
            f"kam-visit-{scene.visit.pk}",
            "Visit: 北京星河数据科技有限公司",
            at("2026-09-28", "09:30"),
            at("2026-09-28", "11:00"),
            "planned",
            "方案交流",
        ),
        (
            "2026-09-29",
            f"kam-followup-{scene.customer.pk}",
            "Follow up: 北京星河数据科技有限公司",
            at("2026-09-29", "10:00"),
            at("2026-09-29", "10:15"),
            "due",
            "",
        ),
        (
            "2026-09-30",
            f"kam-visit-{scene.cancelled_visit.pk}",
            "Visit: 北京星河数据科技有限公司",
            at("2026-09-30", "14:00"),
            at("2026-09-30", "15:00"),
            "cancelled",
            "",
        ),
        (
            "2026-09-30",
            f"kam-task-{scene.task.pk}",
            "Task: 准备报价单",
            at("2026-09-30", "17:00"),
            at("2026-09-30", "17:15"),
            "high",
            "",
        ),
        (
            "2026-10-01",
            f"kam-request-{scene.request_made.pk}",
            "Request due: 技术方案支持",
            None,
            None,
            "open",
            "Asked of collab",
        ),
    ]


def test_the_week_page_shows_holidays_make_up_days_and_links(world: OrgWorld) -> None:
    scene = build_scene(world)
    body = english_client(world.owner).get(_url("calendar-week", date="2026-10-10")).content.decode()
    # The week of 5–11 October: 5–7 National Day, 8–9 working days, Saturday 10 a 调休 workday.
    assert "National Day" in body
    assert "Make-up workday (调休)" in body
    week = english_client(world.owner).get(_url("calendar-week", date="2026-09-30"))
    page = week.content.decode()
    assert week.context["first"] == date(2026, 9, 28)
    assert reverse("customer-detail", args=[scene.customer.pk]) in page
    for name, pk in (("visit-detail", scene.visit.pk), ("task-detail", scene.task.pk)):
        try:
            assert reverse(name, args=[pk]) in page
        except NoReverseMatch:  # that page is another module's, not built yet
            pass
    assert _url("calendar-week", date="2026-10-05") in page  # next week
    assert _url("calendar-week", date="2026-09-21") in page  # previous week


def test_a_manager_browsing_a_members_week_keeps_the_member(world: OrgWorld) -> None:
    build_scene(world)
    response = english_client(world.manager_north).get(_url("calendar-week", date="2026-09-30", user=world.owner.pk))
    page = response.content.decode()
    assert response.context["subject"] == world.owner
    assert f"?date=2026-10-05&amp;user={world.owner.pk}" in page
    assert [p.username for p in response.context["people"]] == ["mgr_north", "owner", "teammate"]
    assert english_client(world.owner).get(_url("calendar-week")).context["people"] == []


def test_htmx_navigation_gets_only_the_calendar_body(world: OrgWorld) -> None:
    response = english_client(world.owner).get(_url("calendar-week", date="2026-09-30"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.startswith('<div id="calendar-body">')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_admins_see_the_unknown_year_warning_on_the_calendar(world: OrgWorld) -> None:
    for user, shown in ((world.admin, True), (world.owner, False), (world.manager_north, False)):
        page = english_client(user).get(_url("calendar-week", date="2027-03-03")).content.decode()
        assert ("KAM does not know China&#x27;s statutory holidays" in page) is shown
    add_holiday_override(world.admin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    page = english_client(world.admin).get(_url("calendar-week", date="2027-03-03")).content.decode()
    assert "statutory holidays" not in page
    page = english_client(world.admin).get(_url("calendar-week", date="2026-03-03")).content.decode()
    assert "warning-box" not in page


def test_an_override_shows_on_the_calendar(world: OrgWorld) -> None:
    add_holiday_override(world.admin, day=date(2026, 10, 9), is_workday=False, name="公司团建")
    day = english_client(world.owner).get(_url("calendar-day", date="2026-10-09")).context["day"]
    assert (day.info.is_workday, day.info.name, day.info.overridden) == (False, "公司团建", True)


def test_a_visit_at_midnight_belongs_to_the_shanghai_day(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    make_visit(world.owner, customer, at("2026-10-05", "00:00"))
    make_visit(world.owner, customer, at("2026-10-04", "23:59"))
    assert [len(day.events) for day in calendar_days(world.owner, date(2026, 10, 4), date(2026, 10, 5))] == [1, 1]


def test_the_subject_is_looked_up_in_the_viewers_scope(world: OrgWorld) -> None:
    assert calendar_subject(world.owner, None) == world.owner
    assert calendar_subject(world.director, str(world.stranger.pk)) == world.stranger
    assert week_of(date(2026, 10, 4)) == (date(2026, 9, 28), date(2026, 10, 4))


@pytest.mark.parametrize("name", ["calendar-day", "calendar-week"])
def test_the_page_query_count_does_not_grow_with_entries(world: OrgWorld, name: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = english_client(world.manager_north)
    url = _url(name, date="2026-09-30", user=world.owner.pk)

    def count() -> int:
        workcal.clear_caches()  # both calls read the overrides once
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    fill_calendar(world, 2)
    few = count()
    fill_calendar(world, 15)
    assert count() == few <= 12
