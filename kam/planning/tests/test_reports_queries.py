"""Query counts: the report list, the team page, the read view and the API list do not grow with rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.conftest import OrgWorld, make_user
from kam.core.models import Role, User
from kam.planning import actions_reports as actions
from kam.planning.models import ReportKind
from kam.planning.tests.fixtures_reports import DAY, at, english_client, rule


def _reports(author: User, count: int, reader: User) -> None:
    for offset in range(count):
        day = DAY - timedelta(days=offset)
        report = actions.submit(author, ReportKind.DAILY, day, now=at(day, 19))
        actions.add_comment(reader, report, f"评论{offset}")
        actions.add_comment(author, report, "收到")


def _queries(action: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_report_list_page_does_not_grow(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    client = english_client(world.owner)
    url = reverse("report-list")
    _reports(world.owner, 2, world.manager_north)
    client.get(url)
    few = _queries(lambda: client.get(url))
    _reports(world.teammate, 1, world.manager_north)
    _reports(world.owner, 0, world.manager_north)
    for offset in range(2, 25):
        day = DAY - timedelta(days=offset)
        report = actions.submit(world.owner, ReportKind.DAILY, day, now=at(day, 19))
        actions.add_comment(world.manager_north, report, "看过")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("/reports/") >= 25
    assert _queries(lambda: client.get(url)) == few


def _team(world: OrgWorld, size: int) -> None:
    for index in range(size):
        rep = make_user(world.org, f"rep{index:02d}", Role.REP, world.beijing)
        if index % 2:
            report = actions.submit(rep, ReportKind.DAILY, DAY, now=at(DAY, 19))
            actions.mark_read(world.manager_north, report)
            actions.mark_read(world.director, report)


def test_team_page_does_not_grow(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    rule(world, due=time(20))
    client = english_client(world.manager_north)
    url = reverse("report-team") + "?kind=daily&date=2026-12-01"
    _team(world, 2)
    client.get(url)
    few = _queries(lambda: client.get(url))
    more = [make_user(world.org, f"more{index}", Role.REP, world.beijing) for index in range(12)]
    for rep in more[::2]:
        report = actions.submit(rep, ReportKind.DAILY, DAY, now=at(DAY, 21))
        actions.mark_read(world.manager_north, report)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert _queries(lambda: client.get(url)) == few


def test_detail_page_does_not_grow_with_comments_and_reads(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    report = actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19))
    client = english_client(world.owner)
    url = reverse("report-detail", args=[report.pk])
    actions.add_comment(world.manager_north, report, "一")
    client.get(url)
    few = _queries(lambda: client.get(url))
    for index in range(15):
        actions.add_comment(world.manager_north if index % 2 else world.owner, report, f"第{index}条")
    actions.mark_read(world.director, report)
    actions.mark_read(world.admin, report)
    with django_assert_max_num_queries(16):
        client.get(url)
    assert _queries(lambda: client.get(url)) == few


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/reports?kind=daily"])
def test_api_list_does_not_grow(world: OrgWorld, django_assert_max_num_queries: Any, path: str) -> None:
    client = english_client(world.manager_north)
    _reports(world.owner, 2, world.manager_north)
    client.get(path)
    few = _queries(lambda: client.get(path))
    _reports(world.teammate, 3, world.manager_north)
    for offset in range(3, 20):
        day = date(2026, 12, 1) - timedelta(days=offset)
        actions.submit(world.owner, ReportKind.DAILY, day, now=at(day, 19))
    with django_assert_max_num_queries(8):
        response = client.get(path)
    assert response.json()["count"] == 22
    assert _queries(lambda: client.get(path)) == few


def test_api_team_status_does_not_grow(world: OrgWorld) -> None:
    rule(world, due=time(20))
    client = english_client(world.manager_north)
    path = "/api/v1/reports/team?kind=daily&date=2026-12-01"
    _team(world, 2)
    client.get(path)
    few = _queries(lambda: client.get(path))
    for index in range(10):
        rep = make_user(world.org, f"extra{index}", Role.REP, world.beijing)
        report = actions.submit(rep, ReportKind.DAILY, DAY, now=at(DAY, 19))
        actions.mark_read(world.manager_north, report)
    response = client.get(path)
    assert response.json()["required"] == 14
    assert _queries(lambda: client.get(path)) == few
