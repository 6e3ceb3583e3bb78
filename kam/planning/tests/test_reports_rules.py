"""Submission rules and the manager's team status: submitted (on time or late), missing, not yet due;
working days only (weekends and the 2026 National Day holiday require no 日报)."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied

from kam.conftest import OrgWorld, make_user
from kam.core.models import Role
from kam.planning import actions_reports as actions
from kam.planning.models import ReportKind
from kam.planning.queries_reports import due_day, rule_for, team_status
from kam.planning.reports import period_of
from kam.planning.tests.fixtures_reports import DAY, at, rule


def _rows(world: OrgWorld, kind: str, day: date, now_hour: int, now_minute: int = 0) -> dict[str, tuple[str, bool]]:
    status = team_status(world.manager_north, kind, day, at(day, now_hour, now_minute))
    return {row.person.username: (row.status, row.late) for row in status.rows}


@pytest.mark.parametrize(
    ("kind", "day", "due"),
    [
        ("daily", date(2026, 12, 1), date(2026, 12, 1)),
        ("daily", date(2026, 12, 5), None),  # Saturday
        ("daily", date(2026, 10, 1), None),  # National Day
        ("daily", date(2026, 10, 7), None),  # still the National Day holiday
        ("daily", date(2026, 10, 10), date(2026, 10, 10)),  # Saturday make-up workday (调休)
        ("weekly", date(2026, 12, 2), date(2026, 12, 4)),  # Friday
        ("weekly", date(2026, 9, 29), date(2026, 9, 30)),  # the holiday starts on Thursday
        ("weekly", date(2026, 10, 6), date(2026, 10, 10)),  # the make-up Saturday ends the week
        ("monthly", date(2026, 12, 9), date(2026, 12, 31)),
        ("monthly", date(2026, 1, 9), date(2026, 1, 30)),  # Jan 31 is a Saturday
        ("monthly", date(2026, 2, 9), date(2026, 2, 28)),  # Feb 28 is a make-up Saturday
    ],
)
def test_due_day_follows_the_working_calendar(world: OrgWorld, kind: str, day: date, due: date | None) -> None:
    assert due_day(kind, period_of(kind, day), world.org.pk) == due


def test_missing_versus_not_yet_due_versus_late(world: OrgWorld) -> None:
    rule(world, due=time(20, 0))
    actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19, 0))
    assert _rows(world, "daily", DAY, 19, 30) == {"owner": ("submitted", False), "teammate": ("pending", False)}
    assert _rows(world, "daily", DAY, 20, 0) == {"owner": ("submitted", False), "teammate": ("pending", False)}
    assert _rows(world, "daily", DAY, 20, 1) == {"teammate": ("missing", False), "owner": ("submitted", False)}
    actions.submit(world.teammate, ReportKind.DAILY, DAY, now=at(DAY, 21, 15))
    status = team_status(world.manager_north, "daily", DAY, at(DAY, 22))
    assert {row.person.username: (row.status, row.late) for row in status.rows} == {
        "owner": ("submitted", False),
        "teammate": ("submitted", True),
    }
    assert (status.required, status.submitted, status.late, status.missing, status.pending) == (2, 2, 1, 0, 0)


def test_counts_on_a_fixed_clock(world: OrgWorld) -> None:
    rule(world, due=time(20, 0))
    actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 18))
    status = team_status(world.manager_north, "daily", DAY, at(DAY, 21))
    assert (status.required, status.submitted, status.late, status.missing, status.pending) == (2, 1, 0, 1, 0)
    assert status.due_day == DAY
    assert [row.due.isoformat() if row.due else None for row in status.rows] == [
        "2026-12-01T20:00:00+08:00",
        "2026-12-01T20:00:00+08:00",
    ]


@pytest.mark.parametrize("day", [date(2026, 12, 5), date(2026, 12, 6), date(2026, 10, 1), date(2026, 10, 5)])
def test_no_daily_report_is_due_on_weekends_and_holidays(world: OrgWorld, day: date) -> None:
    rule(world, due=time(20, 0))
    status = team_status(world.manager_north, "daily", day, at(day, 23))
    assert (status.due_day, status.rows, status.required, status.missing) == (None, [], 0, 0)


def test_a_report_sent_on_a_day_off_is_listed_but_not_required(world: OrgWorld) -> None:
    rule(world, due=time(20, 0))
    actions.submit(world.owner, ReportKind.DAILY, date(2026, 10, 2), now=at(date(2026, 10, 2), 23))
    status = team_status(world.manager_north, "daily", date(2026, 10, 2), at(date(2026, 10, 3), 9))
    assert [(row.person.username, row.status, row.late, row.required) for row in status.rows] == [
        ("owner", "submitted", False, False)
    ]


def test_the_make_up_saturday_requires_a_daily_report(world: OrgWorld) -> None:
    rule(world, due=time(20, 0))
    assert _rows(world, "daily", date(2026, 10, 10), 21) == {
        "owner": ("missing", False),
        "teammate": ("missing", False),
    }


def test_weekly_report_is_due_on_the_last_working_day(world: OrgWorld) -> None:
    rule(world, kind=ReportKind.WEEKLY, due=time(18, 0))
    # The week of National Day: due Wednesday 09-30 at 18:00.
    assert _rows(world, "weekly", date(2026, 9, 30), 17) == {
        "owner": ("pending", False),
        "teammate": ("pending", False),
    }
    assert _rows(world, "weekly", date(2026, 9, 30), 18, 1) == {
        "owner": ("missing", False),
        "teammate": ("missing", False),
    }
    status = team_status(world.manager_north, "weekly", date(2026, 9, 28), at(date(2026, 9, 30), 18, 1))
    assert status.due_day == date(2026, 9, 30)


def test_monthly_report_due_on_the_last_working_day_of_the_month(world: OrgWorld) -> None:
    rule(world, kind=ReportKind.MONTHLY, due=time(12, 0))
    actions.submit(world.owner, ReportKind.MONTHLY, date(2026, 1, 5), now=at(date(2026, 1, 30), 12, 30))
    assert _rows(world, "monthly", date(2026, 1, 30), 13) == {
        "teammate": ("missing", False),
        "owner": ("submitted", True),
    }


def test_the_most_specific_rule_binds(world: OrgWorld) -> None:
    everyone = rule(world, due=time(20, 0))
    beijing = rule(world, due=time(18, 0), team=world.beijing)
    rule(world, due=time(17, 0), team=world.shanghai)
    rules = [everyone, beijing]
    assert rule_for(world.owner, rules) == beijing
    assert rule_for(world.stranger, rules) == everyone
    assert rule_for(world.manager_north, rules) is None  # a rep rule does not bind a manager
    beijing.active = False
    assert rule_for(world.owner, rules) == everyone
    assert _rows(world, "daily", DAY, 19) == {"owner": ("missing", False), "teammate": ("missing", False)}


def test_rules_by_role_and_inactive_rules(world: OrgWorld) -> None:
    rule(world, due=time(20, 0), role=Role.MANAGER)
    rule(world, due=time(20, 0), active=False)
    assert _rows(world, "daily", DAY, 21) == {"mgr_north": ("missing", False)}


def test_the_team_page_sees_only_the_managers_subtree_and_active_people(world: OrgWorld) -> None:
    rule(world, due=time(20, 0))
    gone = make_user(world.org, "gone", Role.REP, world.beijing)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    names = set(_rows(world, "daily", DAY, 21))
    assert names == {"owner", "teammate"}
    director = team_status(world.director, "daily", DAY, at(DAY, 21))
    assert {row.person.username for row in director.rows} == {"owner", "teammate", "stranger"}


def test_readers_are_shown_per_report(world: OrgWorld) -> None:
    rule(world, due=time(20, 0))
    report = actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19))
    actions.mark_read(world.manager_north, report)
    actions.mark_read(world.director, report)
    status = team_status(world.manager_north, "daily", DAY, at(DAY, 21))
    owner_row = next(row for row in status.rows if row.person == world.owner)
    assert [read.reader.username for read in owner_row.readers] == ["mgr_north", "director"]


@pytest.mark.parametrize("who", ["owner", "collaborator", "stranger"])
def test_only_managers_and_admins_have_a_team_status(world: OrgWorld, who: str) -> None:
    with pytest.raises(PermissionDenied):
        team_status(getattr(world, who), "daily", DAY, at(DAY, 21))
