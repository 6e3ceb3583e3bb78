"""Builders for the plan tests (not a test module): customers, visits, follow-ups, tasks, requests
and a pool rule for `world.owner`, at fixed Shanghai times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kam.activities.models import CoordinationRequest, FollowUp, Task, Visit
from kam.activities.models.followups import FollowUpKind
from kam.activities.models.requests import HelpRole, RequestKind, RequestStatus
from kam.activities.models.tasks import TaskPriority
from kam.activities.models.visits import VisitStatus
from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.actions import create_customer
from kam.customers.models import Customer, Pool, PoolMember, PoolRule, RecycleReason, ServiceLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday evening: the plan is for Tuesday 2026-12-01.
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)
PLAN_DAY = date(2026, 12, 1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def customer(owner: User, name: str, tier: str, **fields: Any) -> Customer:
    """A customer of `owner`; clock fields (owner_since, last/next follow-up) set directly."""
    made = create_customer(owner, {"name": name, "tier": tier}, confirm_duplicates=True)
    defaults = {"owner_since": at(2026, 6, 1), "last_followup_at": at(2026, 11, 25)}
    Customer.objects.filter(pk=made.pk).update(**{**defaults, **fields})
    made.refresh_from_db()
    return made


def service_levels(world: OrgWorld) -> None:
    for tier, days in (("A", 30), ("B", 60), ("C", 90)):
        ServiceLevel.objects.create(organization=world.org, tier=tier, visit_cadence_days=days)


def done_visit(customer: Customer, when: datetime) -> Visit:
    assert customer.owner is not None
    return Visit.objects.create(
        organization_id=customer.organization_id,
        customer=customer,
        owner=customer.owner,
        planned_at=when,
        status=VisitStatus.DONE,
        check_in_at=when,
    )


def visit_followup(customer: Customer, when: datetime) -> FollowUp:
    assert customer.owner is not None
    return FollowUp.objects.create(
        organization_id=customer.organization_id,
        customer=customer,
        author=customer.owner,
        kind=FollowUpKind.VISIT,
        occurred_at=when,
        content="上门拜访",
    )


def task(owner: User, title: str, due: datetime | None, **fields: Any) -> Task:
    return Task.objects.create(organization_id=owner.organization_id, owner=owner, title=title, due_at=due, **fields)


def request(requester: User, customer: Customer, subject: str, due: date, **fields: Any) -> CoordinationRequest:
    fields.setdefault("kind", RequestKind.SOLUTION)
    return CoordinationRequest.objects.create(
        organization_id=requester.organization_id,
        customer=customer,
        requester=requester,
        subject=subject,
        working_days=3,
        due_date=due,
        **fields,
    )


def pool_rule(world: OrgWorld, *members: User, days: int = 30) -> PoolRule:
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    for member in members:
        PoolMember.objects.create(pool=pool, user=member)
    return PoolRule.objects.create(pool=pool, reason=RecycleReason.NO_FOLLOWUP, days=days)


@dataclass
class RankingScene:
    """One record per case of every built-in source, and the records that must stay out."""

    a_followup: Customer  # A, follow-up planned 11-27 (4 days late), visited 11-20
    a_cadence: Customer  # A, last visit follow-up 10-17 (45 days), cadence 30
    b_both: Customer  # B, follow-up on the plan day and last visit 09-01 (91 days), cadence 60
    c_pool: Customer  # C, last follow-up 11-04: the 30-day pool rule returns it 12-04
    a_never: Customer  # A, never visited, owner since 09-01
    c_due: Customer  # C, follow-up on the plan day, owner since 11-01 (cadence not yet breached)
    task_overdue: Task  # normal, due 11-28 17:00, about a_followup
    task_high: Task  # high, due on the plan day
    task_low: Task  # low, due on the plan day
    request_mine: CoordinationRequest  # I asked presales, due today (11-30), about b_both
    request_for_me: CoordinationRequest  # teammate asked me, due 11-26 (overdue), about a_cadence


def ranking_scene(world: OrgWorld) -> RankingScene:
    owner = world.owner
    service_levels(world)
    pool_rule(world, owner)
    a_followup = customer(owner, "甲方科技有限公司", "A", next_followup_at=at(2026, 11, 27))
    a_cadence = customer(owner, "乙方制造有限公司", "A")
    b_both = customer(owner, "丙方能源有限公司", "B", next_followup_at=at(2026, 12, 1, 9))
    c_pool = customer(owner, "丁方物流有限公司", "C", last_followup_at=at(2026, 11, 4))
    a_never = customer(owner, "戊方医疗有限公司", "A", owner_since=at(2026, 9, 1))
    c_due = customer(owner, "己方教育有限公司", "C", owner_since=at(2026, 11, 1), next_followup_at=at(2026, 12, 1, 14))
    done_visit(a_followup, at(2026, 11, 20))
    visit_followup(a_cadence, at(2026, 10, 17))
    done_visit(b_both, at(2026, 9, 1))
    done_visit(c_pool, at(2026, 11, 4))
    scene = RankingScene(
        a_followup=a_followup,
        a_cadence=a_cadence,
        b_both=b_both,
        c_pool=c_pool,
        a_never=a_never,
        c_due=c_due,
        task_overdue=task(owner, "准备报价单", at(2026, 11, 28, 17), customer=a_followup),
        task_high=task(owner, "提交周报", at(2026, 12, 1, 10), priority=TaskPriority.HIGH),
        task_low=task(owner, "整理名片", at(2026, 12, 1, 15), priority=TaskPriority.LOW),
        request_mine=request(owner, b_both, "技术方案", date(2026, 11, 30), assignee=world.collaborator),
        request_for_me=request(
            world.teammate, a_cadence, "协助报价", date(2026, 11, 26), assignee=owner, status=RequestStatus.ACCEPTED
        ),
    )
    _noise(world, scene)
    return scene


def _noise(world: OrgWorld, scene: RankingScene) -> None:
    """Records the sources must leave out."""
    owner = world.owner
    # Someone else's customer with an overdue follow-up, and a lost customer never visited.
    customer(world.teammate, "队友客户有限公司", "A", next_followup_at=at(2026, 11, 1))
    customer(owner, "流失客户有限公司", "A", status="lost", owner_since=at(2026, 1, 1))
    # A visit only planned (not done) does not count: b_both stays out of its cadence.
    Visit.objects.create(
        organization=world.org,
        customer=scene.b_both,
        owner=owner,
        planned_at=at(2026, 11, 29),
        status=VisitStatus.PLANNED,
    )
    # A follow-up due the day after the plan day.
    customer(owner, "明后天客户有限公司", "C", owner_since=at(2026, 11, 1), next_followup_at=at(2026, 12, 2, 0, 0))
    # Tasks: done, due after the plan day, without a due time, someone else's.
    task(owner, "已完成的待办", at(2026, 11, 20), done_at=at(2026, 11, 21))
    task(owner, "后天的待办", at(2026, 12, 2, 0, 0))
    task(owner, "没有期限的待办", None)
    task(world.teammate, "队友的待办", at(2026, 11, 20))
    # Requests: completed, due later, asked of my role only, between two others.
    request(
        owner, scene.b_both, "已完成请求", date(2026, 11, 20), assignee=world.collaborator, status=RequestStatus.DONE
    )
    request(owner, scene.b_both, "以后的请求", date(2026, 12, 3), assignee=world.collaborator)
    request(world.teammate, scene.a_cadence, "角色请求", date(2026, 11, 20), role=HelpRole.FINANCE)
    request(world.teammate, scene.a_cadence, "别人的请求", date(2026, 11, 20), assignee=world.collaborator)
