"""The calendar API: /calendar (entries), /workdays (working days), /calendar/feed (regenerate)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.activities.models import CalendarFeed
from kam.activities.tests.fixtures_calendar import (  # noqa: F401 - autouse fixture
    _fresh_workcal_cache,
    build_scene,
    fill_calendar,
    fingerprint,
)
from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.actions_holidays import add_holiday_override
from kam.core.tests.api_support import bearer_client, call, session_client

ROLES = {
    "anonymous": 401,
    "outsider": 404,
    "stranger": 404,
    "collaborator": 404,
    "teammate": 404,
    "owner": 200,
    "manager_north": 200,
    "director": 200,
    "admin": 200,
}
WEEK_QUERY = "start=2026-09-28&end=2026-10-04"


def _client(world: OrgWorld, role: str) -> Any:
    return session_client(None if role == "anonymous" else getattr(world, role))


@pytest.mark.parametrize(("role", "status"), ROLES.items())
def test_calendar_of_the_owner_access_matrix(world: OrgWorld, role: str, status: int) -> None:
    scene = build_scene(world)
    before = fingerprint()
    response = call(_client(world, role), "GET", f"/calendar?{WEEK_QUERY}&user={world.owner.pk}")
    assert response.status_code == status
    assert fingerprint() == before
    if status == 200:
        assert response.data["user"] == {"id": world.owner.pk, "username": "owner", "name": "owner"}
        assert f"kam-task-{scene.task.pk}" in [e["uid"] for e in response.data["events"]]
    else:
        assert "准备报价单" not in response.content.decode()


def test_calendar_lists_exact_entries_and_days(world: OrgWorld) -> None:
    scene = build_scene(world)
    data = call(bearer_client(world.owner), "GET", "/calendar?start=2026-09-30&end=2026-10-01").data
    assert data["start"] == "2026-09-30"
    assert data["days"] == [
        {"day": "2026-09-30", "is_workday": True, "kind": "workday", "name": "", "overridden": False, "known": True},
        {
            "day": "2026-10-01",
            "is_workday": False,
            "kind": "holiday",
            "name": "国庆节",
            "overridden": False,
            "known": True,
        },
    ]
    task = next(e for e in data["events"] if e["kind"] == "task")
    assert task == {
        "uid": f"kam-task-{scene.task.pk}",
        "kind": "task",
        "id": scene.task.pk,
        "title": "待办：准备报价单",
        "day": "2026-09-30",
        "all_day": False,
        "start": "2026-09-30T17:00:00+08:00",
        "end": "2026-09-30T17:15:00+08:00",
        "status": "high",
        "status_label": "高",
        "customer_id": scene.customer.pk,
        "customer_name": "北京星河数据科技有限公司",
        "detail": "",
        "url": task["url"],
    }
    assert [(e["kind"], e["day"], e["all_day"]) for e in data["events"]] == [
        ("visit", "2026-09-30", False),
        ("task", "2026-09-30", False),
        ("request", "2026-10-01", True),
    ]


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("start=2026-10-05&end=2026-10-04", ["query", "end"]),
        ("start=2026-01-01&end=2026-03-04", ["query", "end"]),  # 63 days
        ("start=1999-12-31&end=2000-01-01", ["query", "start"]),
        ("start=2099-12-31&end=2100-01-01", ["query", "end"]),
        ("start=2026-02-30&end=2026-03-01", ["query", "start"]),
        ("start=soon&end=2026-03-01", ["query", "start"]),
        ("end=2026-03-01", ["query", "start"]),
        ("start=2026-03-01&end=2026-03-02&user=abc", ["query", "user"]),
        ("start=2026-03-01&end=2026-03-02&user=0", ["query", "user"]),
        ("start=2026-03-01&end=2026-03-02&user=99999999999999999999999", ["query", "user"]),
    ],
)
def test_bad_ranges_are_422_naming_the_parameter(world: OrgWorld, query: str, loc: list[str]) -> None:
    response = call(session_client(world.owner), "GET", f"/calendar?{query}")
    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == loc


def test_sixty_two_days_are_allowed(world: OrgWorld) -> None:
    response = call(session_client(world.owner), "GET", "/calendar?start=2026-01-01&end=2026-03-03")
    assert response.status_code == 200
    assert len(response.data["days"]) == 62


def test_workdays_give_each_date_its_status_and_holiday(world: OrgWorld) -> None:
    add_holiday_override(world.admin, day=date(2026, 10, 9), is_workday=False, name="公司团建")
    response = call(session_client(world.owner), "GET", "/workdays?start=2026-10-07&end=2026-10-11")
    assert response.status_code == 200
    assert [(d["day"], d["is_workday"], d["kind"], d["name"], d["overridden"]) for d in response.data] == [
        ("2026-10-07", False, "holiday", "国庆节", False),
        ("2026-10-08", True, "workday", "", False),
        ("2026-10-09", False, "holiday", "公司团建", True),
        ("2026-10-10", True, "makeup", "国庆节", False),
        ("2026-10-11", False, "weekend", "", False),
    ]
    unknown = call(session_client(world.owner), "GET", "/workdays?start=2027-01-01&end=2027-01-01").data
    assert unknown == [
        {"day": "2027-01-01", "is_workday": True, "kind": "workday", "name": "", "overridden": False, "known": False}
    ]
    outsider = call(session_client(world.outsider), "GET", "/workdays?start=2026-10-09&end=2026-10-09").data
    assert outsider[0]["is_workday"] is True


def test_workdays_access_and_limits(world: OrgWorld) -> None:
    assert call(session_client(None), "GET", "/workdays?start=2026-10-07&end=2026-10-11").status_code == 401
    response = call(session_client(world.owner), "GET", "/workdays?start=2026-01-01&end=2027-01-02")
    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["query", "end"]
    assert len(call(session_client(world.owner), "GET", "/workdays?start=2026-01-01&end=2027-01-01").data) == 366


def test_regenerating_the_feed_over_the_api(world: OrgWorld) -> None:
    before = fingerprint()
    assert call(session_client(None), "POST", "/calendar/feed").status_code == 401
    assert fingerprint() == before
    client = bearer_client(world.owner)
    first = call(client, "POST", "/calendar/feed")
    assert first.status_code == 200
    token = CalendarFeed.objects.get(user=world.owner).token
    assert first.data["url"] == f"http://testserver/calendar/feed/{token}.ics"
    second = call(client, "POST", "/calendar/feed")
    assert second.data["url"] != first.data["url"]
    assert session_client(None).get(first.data["url"]).status_code == 404
    assert session_client(None).get(second.data["url"]).status_code == 200


def test_a_session_post_needs_the_csrf_token(world: OrgWorld) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    response = call(client, "POST", "/calendar/feed")
    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_calendar_query_count_does_not_grow_with_entries(world: OrgWorld) -> None:
    client = bearer_client(world.manager_north)
    path = f"/calendar?{WEEK_QUERY}&user={world.owner.pk}"

    def count() -> int:
        workcal.clear_caches()
        with CaptureQueriesContext(connection) as ctx:
            assert call(client, "GET", path).status_code == 200
        return len(ctx.captured_queries)

    call(client, "GET", path)  # the token's first use is recorded once
    fill_calendar(world, 2)
    few = count()
    fill_calendar(world, 15)
    assert count() == few <= 10
