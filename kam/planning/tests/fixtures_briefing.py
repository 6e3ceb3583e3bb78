"""The records behind the briefing tests (not a test module itself).

The meeting is Monday 2026-11-16; its window is Friday 2026-11-13 00:00 to Monday 00:00 (Shanghai).
North (manager_north) has owner and teammate in 北京一组; east has stranger. Each record below is
either inside the window for the north team or placed to be left out for one reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import Settings

from kam.activities.models import (
    CoordinationRequest,
    FollowUp,
    FollowUpKind,
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
from kam.core.models import Team, User
from kam.customers.actions import create_customer
from kam.customers.models import Customer, CustomerTier, Industry, Pool, PoolMember, PoolRule, RecycleReason, Region
from kam.planning.models import MarketNews

MONDAY = date(2026, 11, 16)
FRIDAY = date(2026, 11, 13)


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_workcal() -> None:
    workcal.clear_caches()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def customer(actor: User, name: str, *, created: datetime, tier: str = CustomerTier.C, **fields: Any) -> Customer:
    made = create_customer(
        actor, {"name": name, "tier": tier, **fields}, owner=None, pool=None, confirm_duplicates=True
    )
    Customer.objects.filter(pk=made.pk).update(created_at=created, owner_since=created)
    made.refresh_from_db()
    return made


def followup(author: User, on: Customer, when: datetime, **fields: Any) -> FollowUp:
    values = {"kind": FollowUpKind.CALL, "content": "沟通", **fields}
    return FollowUp.objects.create(organization=on.organization, customer=on, author=author, occurred_at=when, **values)


def visit(owner: User, on: Customer, when: datetime, **fields: Any) -> Visit:
    return Visit.objects.create(organization=on.organization, customer=on, owner=owner, planned_at=when, **fields)


def task(owner: User, title: str, due: datetime | None, **fields: Any) -> Task:
    return Task.objects.create(
        organization=owner.organization, owner=owner, created_by=owner, title=title, due_at=due, **fields
    )


def request(requester: User, on: Customer, subject: str, due: date, **fields: Any) -> CoordinationRequest:
    values = {"kind": RequestKind.SOLUTION, "working_days": 2, "role": HelpRole.PRESALES, **fields}
    return CoordinationRequest.objects.create(
        organization=on.organization, customer=on, requester=requester, subject=subject, due_date=due, **values
    )


def news(author: User, title: str, created: datetime, team: Team | None = None, **fields: Any) -> MarketNews:
    item = MarketNews.objects.create(organization=author.organization, author=author, title=title, team=team, **fields)
    MarketNews.objects.filter(pk=item.pk).update(created_at=created)
    item.refresh_from_db()
    return item


@dataclass
class Scene:
    star: Customer  # owner's, tier A
    far: Customer  # owner's, tier B, about to return to the pool
    river: Customer  # teammate's
    fresh: Customer  # teammate's, created on Friday
    east: Customer  # stranger's (east team)
    visit_out: Visit
    visit_missed: Visit
    call_star: FollowUp
    visit_far: FollowUp
    task_late: Task
    request_late: CoordinationRequest
    request_asked: CoordinationRequest
    news_org: MarketNews
    news_north: MarketNews
    news_east: MarketNews


def make_scene(world: OrgWorld) -> Scene:
    long_ago = at(date(2026, 9, 1), 9)
    star = customer(world.owner, "北京星辰科技有限公司", created=long_ago, tier=CustomerTier.A)
    far = customer(world.owner, "北京远航物流有限公司", created=long_ago, tier=CustomerTier.B)
    river = customer(world.teammate, "天津海河机械有限公司", created=long_ago)
    fresh = customer(
        world.teammate,
        "北京新程软件有限公司",
        created=at(FRIDAY, 11),
        industry=Industry.objects.get(pk="I"),
        source="exhibition",
    )
    east = customer(world.stranger, "上海浦江贸易有限公司", created=at(FRIDAY, 9))
    # far: last follow-up on 10-18 10:00, the 30-day rule returns it on 11-17 10:00.
    Customer.objects.filter(pk=far.pk).update(last_followup_at=at(date(2026, 10, 18), 10))
    Customer.objects.filter(pk=star.pk).update(last_followup_at=at(FRIDAY, 10))
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=world.owner)
    PoolRule.objects.create(pool=pool, reason=RecycleReason.NO_FOLLOWUP, days=30)

    visit_out = visit(
        world.owner,
        star,
        at(FRIDAY, 9),
        status=VisitStatus.DONE,
        check_in_at=at(FRIDAY, 9, 5),
        check_in_distance_m=1234,
        check_in_out_of_range=True,
        check_out_at=at(FRIDAY, 9, 50),
        check_out_distance_m=80,
        stay_minutes=45,
    )
    visit_missed = visit(world.teammate, river, at(FRIDAY, 14))
    visit(world.owner, far, at(FRIDAY, 16), status=VisitStatus.CANCELLED)
    visit(world.stranger, east, at(FRIDAY, 10), status=VisitStatus.DONE, check_in_at=at(FRIDAY, 10), stay_minutes=30)
    visit(world.owner, far, at(date(2026, 11, 12), 10), status=VisitStatus.DONE)  # Thursday: before the window

    call_star = followup(world.owner, star, at(FRIDAY, 10), content="介绍新方案")
    visit_far = followup(
        world.owner,
        far,
        at(FRIDAY, 15, 30),
        kind=FollowUpKind.VISIT,
        content="拜访采购部",
        feedback="价格偏高，希望九折",
        next_step="下周报价",
    )
    followup(world.teammate, river, at(date(2026, 11, 14), 9), kind=FollowUpKind.WECHAT, content="问候")  # not key
    followup(world.teammate, river, at(date(2026, 11, 12), 16), feedback="周四的反馈")  # before the window
    followup(world.stranger, east, at(FRIDAY, 11), feedback="东区反馈")  # another team
    followup(world.owner, far, at(MONDAY, 8), feedback="周一的反馈")  # the meeting day itself

    task_late = task(world.owner, "准备报价单", at(FRIDAY, 18), priority=TaskPriority.HIGH, customer=far)
    task(world.teammate, "回访客户", at(MONDAY, 10))  # due on the meeting day: not overdue yet
    task(world.owner, "已完成的事", at(date(2026, 11, 12), 9), done_at=at(date(2026, 11, 12), 8))
    task(world.stranger, "东区的待办", at(FRIDAY, 9))
    task(world.owner, "没有截止时间", None)

    request_late = request(world.owner, far, "需要技术方案", FRIDAY)
    request(world.owner, star, "价格核对", MONDAY, assignee=world.collaborator, role="", status=RequestStatus.ACCEPTED)
    request(world.owner, star, "合同审核", date(2026, 11, 10), status=RequestStatus.DONE)
    request_asked = request(
        world.stranger,
        east,
        "请北京协助演示",
        date(2026, 11, 12),
        assignee=world.teammate,
        role="",
        status=RequestStatus.ACCEPTED,
        kind=RequestKind.DEMO,
    )

    news_org = news(
        world.director,
        "制造业数字化补贴政策出台",
        at(date(2026, 11, 14), 10),
        industry=Industry.objects.get(pk="C"),
        region=Region.objects.get(pk="110000"),
        source="工信部网站",
    )
    news_north = news(world.manager_north, "竞品在华北降价一成", at(FRIDAY, 17), team=world.north)
    news_east = news(world.manager_east, "华东展会延期", at(FRIDAY, 12), team=world.east)
    news(world.director, "上月的旧闻", at(date(2026, 11, 1), 10))
    return Scene(
        star=star,
        far=far,
        river=river,
        fresh=fresh,
        east=east,
        visit_out=visit_out,
        visit_missed=visit_missed,
        call_star=call_star,
        visit_far=visit_far,
        task_late=task_late,
        request_late=request_late,
        request_asked=request_asked,
        news_org=news_org,
        news_north=news_north,
        news_east=news_east,
    )


def now_monday() -> datetime:
    return at(MONDAY, 8, 30)


def days_before(day: date, n: int) -> date:
    return day - timedelta(days=n)
