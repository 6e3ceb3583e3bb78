"""Drafting a plan costs a fixed number of queries per source, whatever the number of customers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.models import User
from kam.planning.actions_plan import accept_plan, add_item, refresh_plan
from kam.planning.plan import draft_candidates, plan_day_for, today_for
from kam.planning.tests.fixtures_plan import (
    NOW,
    PLAN_DAY,
    at,
    customer,
    done_visit,
    pool_rule,
    request,
    service_levels,
    task,
    visit_followup,
)

pytestmark = pytest.mark.django_db


def add_book(world: OrgWorld, count: int) -> None:
    """`count` customers of the owner, each in every source: due, out of cadence, returning, a task, a request."""
    for n in range(count):
        c = customer(
            world.owner,
            f"批量客户{n:03d}-{count}有限公司",
            "ABC"[n % 3],
            next_followup_at=at(2026, 11, 28),
            last_followup_at=at(2026, 11, 3),
        )
        done_visit(c, at(2026, 6, 1))
        visit_followup(c, at(2026, 6, 2))
        task(world.owner, f"待办{n}", at(2026, 11, 29), customer=c)
        request(world.owner, c, f"请求{n}", date(2026, 11, 27), assignee=world.collaborator)


def queries(fn: object) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()  # type: ignore[operator]
    return len(captured)


def test_drafting_does_not_grow_with_customers(world: OrgWorld) -> None:
    service_levels(world)
    pool_rule(world, world.owner)
    add_book(world, 2)
    small = queries(lambda: draft_candidates(world.owner, PLAN_DAY, NOW))
    assert len(draft_candidates(world.owner, PLAN_DAY, NOW)) == 2 * 3
    add_book(world, 25)
    assert len(draft_candidates(world.owner, PLAN_DAY, NOW)) == 27 * 3
    assert queries(lambda: draft_candidates(world.owner, PLAN_DAY, NOW)) == small
    # follow-ups 1, cadence 2, pool 1 + 1 per rule, tasks 1, requests 1; deals (issue 4): stale 1,
    # close date 1, next gate 1 (no open deal here, so no gate lookups); account-plan objectives and actions 2.
    assert small == 12


def test_refreshing_a_plan_does_not_grow_with_items(world: OrgWorld) -> None:
    service_levels(world)
    add_book(world, 2)
    first = queries(lambda: refresh_plan(world.owner, PLAN_DAY, NOW))
    again = queries(lambda: refresh_plan(world.owner, PLAN_DAY, NOW))
    add_book(world, 25)
    assert queries(lambda: refresh_plan(world.owner, PLAN_DAY, NOW)) <= again + 1  # the new items' insert
    assert queries(lambda: refresh_plan(world.owner, PLAN_DAY, NOW)) == again
    assert first <= 25


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_plan_page_does_not_grow_with_items(world: OrgWorld) -> None:
    service_levels(world)
    now = timezone.now()
    day = plan_day_for(world.owner, now)
    plan = refresh_plan(world.owner, day, now)
    for n in range(2):
        add_item(world.owner, plan, f"事项{n}", now)
    client = _client(world.owner)
    url = f"/plan/?date={day.isoformat()}"
    client.get(url)  # warm the working calendar's per-process cache
    few = queries(lambda: client.get(url))
    for n in range(30):
        add_item(world.owner, plan, f"更多事项{n}", now)
    assert queries(lambda: client.get(url)) == few


def test_home_agenda_does_not_grow_with_items(world: OrgWorld) -> None:
    now = timezone.now()
    plan = refresh_plan(world.owner, today_for(now), now)
    add_item(world.owner, plan, "事项", now)
    accept_plan(world.owner, plan, now)
    client = _client(world.owner)
    client.get("/")
    few = queries(lambda: client.get("/"))
    for n in range(30):
        add_item(world.owner, plan, f"更多事项{n}", now + timedelta(seconds=n))
    assert queries(lambda: client.get("/")) == few
    workcal.clear_caches()
