"""Builders for the calendar tests (not a test module itself).

The scene fills `owner`'s National Day week 2026 (Mon 28 Sep – Sun 4 Oct) and its surroundings with
one row of every kind the calendar shows, and with rows it must leave out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kam.activities.models import (
    CalendarFeed,
    CoordinationRequest,
    HelpRole,
    RequestKind,
    RequestStatus,
    Task,
    TaskPriority,
    Visit,
    VisitStatus,
)
from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.models import AuditEntry, HolidayOverride, User
from kam.customers.actions import create_customer
from kam.customers.models import Customer

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = (date(2026, 9, 28), date(2026, 10, 4))


@pytest.fixture(autouse=True)
def _fresh_workcal_cache() -> Iterator[None]:
    """Cached override sets of rolled-back tests must not leak between tests."""
    workcal.clear_caches()
    yield
    workcal.clear_caches()


def at(day: str, hhmm: str) -> datetime:
    """An aware Shanghai time."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), tzinfo=SHANGHAI)


@dataclass
class CalendarScene:
    world: OrgWorld
    customer: Customer
    other_customer: Customer
    visit: Visit
    cancelled_visit: Visit
    task: Task
    request_made: CoordinationRequest
    request_received: CoordinationRequest


def make_customer(owner: User, name: str, **fields: Any) -> Customer:
    customer = create_customer(owner, {"name": name}, confirm_duplicates=True)
    if fields:
        Customer.objects.filter(pk=customer.pk).update(**fields)
        customer.refresh_from_db()
    return customer


def make_visit(owner: User, customer: Customer, when: datetime, **fields: Any) -> Visit:
    return Visit.objects.create(
        organization_id=owner.organization_id, customer=customer, owner=owner, planned_at=when, **fields
    )


def make_task(owner: User, title: str, due: datetime | None, **fields: Any) -> Task:
    return Task.objects.create(
        organization_id=owner.organization_id, owner=owner, created_by=owner, title=title, due_at=due, **fields
    )


def make_request(
    requester: User, customer: Customer, subject: str, due: date, assignee: User | None = None, **fields: Any
) -> CoordinationRequest:
    fields.setdefault("role", "" if assignee else HelpRole.PRESALES)
    return CoordinationRequest.objects.create(
        organization_id=requester.organization_id,
        customer=customer,
        requester=requester,
        assignee=assignee,
        kind=RequestKind.SOLUTION,
        subject=subject,
        working_days=3,
        due_date=due,
        **fields,
    )


def build_scene(world: OrgWorld) -> CalendarScene:
    owner, teammate = world.owner, world.teammate
    customer = make_customer(owner, "北京星河数据科技有限公司", next_followup_at=at("2026-09-29", "10:00"))
    other = make_customer(teammate, "天津远航物流有限公司", next_followup_at=at("2026-09-29", "11:00"))
    visit = make_visit(owner, customer, at("2026-09-28", "09:30"), purpose="方案交流", planned_minutes=90)
    cancelled = make_visit(owner, customer, at("2026-09-30", "14:00"), status=VisitStatus.CANCELLED)
    task = make_task(owner, "准备报价单", at("2026-09-30", "17:00"), priority=TaskPriority.HIGH, customer=customer)
    made = make_request(owner, customer, "技术方案支持", date(2026, 10, 1), assignee=world.collaborator)
    received = make_request(teammate, other, "帮忙核价", date(2026, 9, 28), assignee=owner)
    # Rows the week must not show: done, finished, undated, other people's, outside the week.
    make_task(owner, "已完成的事", at("2026-09-29", "09:00"), done_at=at("2026-09-28", "18:00"))
    make_task(owner, "没有期限", None)
    make_task(teammate, "别人的待办", at("2026-09-29", "09:00"))
    make_visit(teammate, other, at("2026-09-29", "09:00"))
    make_visit(owner, customer, at("2026-10-05", "00:00"))  # the Monday after, 00:00 Shanghai
    make_request(
        owner, customer, "已完成的请求", date(2026, 9, 29), assignee=world.collaborator, status=RequestStatus.DONE
    )
    make_request(world.stranger, make_customer(world.stranger, "上海某公司"), "别人的请求", date(2026, 9, 29))
    return CalendarScene(world, customer, other, visit, cancelled, task, made, received)


def english_client(user: User | None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def fingerprint() -> tuple[Any, ...]:
    """What calendar requests could change (nothing but the feed, and only through its own POST)."""
    return (
        list(Visit.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        list(CoordinationRequest.objects.order_by("pk").values()),
        list(Customer.all_objects.order_by("pk").values("pk", "next_followup_at", "owner_id")),
        list(CalendarFeed.objects.order_by("pk").values()),
        list(HolidayOverride.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def fill_calendar(world: OrgWorld, count: int) -> None:
    """`count` more entries of every kind in the scene's week, for query-count tests."""
    for i in range(count):
        customer = make_customer(world.owner, f"客户{i:03d}有限公司", next_followup_at=at("2026-09-29", "10:00"))
        make_visit(world.owner, customer, at("2026-09-28", "09:00") + timedelta(minutes=i))
        make_task(world.owner, f"待办{i}", at("2026-09-30", "09:00"), customer=customer)
        make_request(world.owner, customer, f"请求{i}", date(2026, 10, 1), assignee=world.collaborator)
