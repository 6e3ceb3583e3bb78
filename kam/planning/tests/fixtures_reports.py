"""Builders of the report tests (not a test module itself).

`day_scene` is the acceptance day of issue 3 §5: Tuesday 2026-12-01 of `world.owner` (rep), with
records on the day, just outside it, and of a teammate, so the 日报 draft has exact expected lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from kam.activities.models import (
    CoordinationRequest,
    FollowUp,
    FollowUpKind,
    RequestKind,
    RequestStatus,
    Task,
    Visit,
    VisitStatus,
)
from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, Notification, Role, User
from kam.customers.actions import create_customer
from kam.customers.models import Customer
from kam.planning.models import ReportComment, ReportKind, ReportRead, ReportRule, WorkReport

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)  # a Tuesday, an ordinary working day
ROLES = ["anonymous", "outsider", "stranger", "collaborator", "owner", "manager"]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware moment on the Shanghai wall clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def user_for(world: OrgWorld, role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "manager":
        return world.manager_north
    user: User = getattr(world, role)
    return user


def english_client(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def customer(actor: User, name: str, created: datetime | None = None) -> Customer:
    made = create_customer(actor, {"name": name}, owner=actor, pool=None, tag_names=None, confirm_duplicates=True)
    if created is not None:
        Customer.all_objects.filter(pk=made.pk).update(created_at=created)
    return made


def followup(
    author: User, of: Customer, when: datetime, content: str, kind: str = FollowUpKind.CALL, **extra: Any
) -> FollowUp:
    return FollowUp.objects.create(
        organization_id=author.organization_id,
        customer=of,
        author=author,
        kind=kind,
        occurred_at=when,
        content=content,
        **extra,
    )


def visit(owner: User, of: Customer, planned: datetime, **extra: Any) -> Visit:
    return Visit.objects.create(
        organization_id=owner.organization_id, customer=of, owner=owner, planned_at=planned, **extra
    )


def rule(world: OrgWorld, kind: str = ReportKind.DAILY, due: time = time(20, 0), **extra: Any) -> ReportRule:
    extra.setdefault("role", Role.REP)
    return ReportRule.objects.create(organization=world.org, kind=kind, due_time=due, **extra)


@dataclass
class DayScene:
    huawei: Customer
    zte: Customer


def day_scene(world: OrgWorld) -> DayScene:
    """The owner's 2026-12-01: two customers, three follow-ups, two visits, a task, a request."""
    rep = world.owner
    huawei = customer(rep, "华为技术有限公司", created=at(DAY, 8, 40))
    zte = customer(rep, "中兴通讯股份有限公司", created=at(date(2026, 11, 2), 10))
    followup(rep, huawei, at(DAY, 9, 30), "电话确认拜访时间")
    told = followup(
        rep,
        huawei,
        at(DAY, 15, 0),
        "介绍二期方案",
        kind=FollowUpKind.VISIT,
        feedback="预算已批，希望月底前报价",
        next_step="周五前发报价",
    )
    visit(
        rep,
        huawei,
        at(DAY, 14),
        status=VisitStatus.DONE,
        check_in_at=at(DAY, 14, 5),
        check_out_at=at(DAY, 15, 0),
        stay_minutes=55,
        followup=told,
        purpose="二期方案交流",
    )
    followup(rep, zte, at(DAY, 11, 0), "发送产品资料", kind=FollowUpKind.WECHAT)
    visit(
        rep,
        zte,
        at(DAY, 16, 30),
        status=VisitStatus.DONE,
        check_in_at=at(DAY, 16, 30),
        stay_minutes=20,
        purpose="送样品",
    )
    # Outside the day, not done, or someone else's: none of these is in the report.
    followup(rep, zte, at(date(2026, 11, 30), 23, 59), "前一天的电话")
    followup(rep, zte, at(date(2026, 12, 2), 0, 0), "第二天的电话")
    followup(world.teammate, huawei, at(DAY, 10), "同事的电话")
    visit(rep, zte, at(DAY, 18), status=VisitStatus.PLANNED, purpose="计划中的拜访")
    visit(rep, zte, at(DAY, 19), status=VisitStatus.CANCELLED, purpose="取消的拜访")
    Task.objects.create(organization=world.org, owner=rep, title="整理报价单", done_at=at(DAY, 17))
    Task.objects.create(organization=world.org, owner=rep, title="明天的任务", done_at=at(date(2026, 12, 2), 9))
    Task.objects.create(organization=world.org, owner=rep, title="未完成的任务")
    request_fields = {
        "organization": world.org,
        "customer": zte,
        "requester": world.teammate,
        "kind": RequestKind.PRICE,
        "working_days": 2,
        "due_date": date(2026, 12, 3),
    }
    CoordinationRequest.objects.create(
        **request_fields, assignee=rep, subject="核价", status=RequestStatus.DONE, completed_at=at(DAY, 16)
    )
    CoordinationRequest.objects.create(**request_fields, assignee=rep, subject="未完成", status=RequestStatus.ACCEPTED)
    return DayScene(huawei, zte)


def fingerprint() -> tuple[Any, ...]:
    """Everything a refused report write could have touched."""
    return (
        list(WorkReport.objects.order_by("pk").values()),
        list(ReportComment.objects.order_by("pk").values()),
        list(ReportRead.objects.order_by("pk").values()),
        list(ReportRule.objects.order_by("pk").values()),
        Notification.objects.count(),
        AuditEntry.objects.count(),
    )
