"""The 日报/周报/月报 draft: periods, 今日工作 grouped by customer, 销售简报 counts and the proposed plan.

`test_daily_draft_of_the_acceptance_day` is the acceptance test of issue 3 §5 (the 日报 draft contents).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from kam.activities.models import Task, VisitStatus
from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.models import Customer
from kam.planning import reports
from kam.planning.models import DayPlan, PlanItem, ReportKind
from kam.planning.registry import PlanCandidate
from kam.planning.reports import Period, draft_report, period_of
from kam.planning.tests.fixtures_reports import DAY, at, customer, day_scene, followup, visit

NOW = at(DAY, 18, 30)


@pytest.fixture
def proposals(monkeypatch: pytest.MonkeyPatch) -> list[tuple[User, date]]:
    """Stand in for the plan ranking (kam/planning/plan.py tests it); records which day was asked for."""
    asked: list[tuple[User, date]] = []

    def fake(user: User, plan_day: date, now: datetime) -> list[PlanCandidate]:
        asked.append((user, plan_day))
        return [
            PlanCandidate("followup_due", "customer:1", "跟进 华为技术有限公司", "约定的下次跟进时间已到", 80.0),
            PlanCandidate("task_due", "task:1", "提交中兴报价", "", 60.0),
        ]

    monkeypatch.setattr(reports, "plan_candidates", fake)
    return asked


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        ("daily", date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 1)),
        ("weekly", date(2026, 12, 3), date(2026, 11, 30), date(2026, 12, 6)),
        ("weekly", date(2026, 11, 30), date(2026, 11, 30), date(2026, 12, 6)),
        ("weekly", date(2026, 12, 6), date(2026, 11, 30), date(2026, 12, 6)),
        ("weekly", date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 4)),
        ("monthly", date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28)),
        ("monthly", date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),
        ("monthly", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_period_of_a_day(kind: str, day: date, start: date, end: date) -> None:
    assert period_of(kind, day) == Period(kind, start, end)


def test_period_bounds_are_shanghai_midnights() -> None:
    start, end = period_of("weekly", date(2026, 12, 3)).bounds()
    assert (start.isoformat(), end.isoformat()) == ("2026-11-30T00:00:00+08:00", "2026-12-07T00:00:00+08:00")


def test_period_labels_and_neighbours() -> None:
    week = period_of("weekly", date(2026, 12, 3))
    assert week.label == "2026-11-30 – 2026-12-06"
    assert week.following().start == date(2026, 12, 7)
    assert week.preceding().start == date(2026, 11, 23)
    assert period_of("monthly", date(2026, 12, 3)).label == "2026-12"
    assert period_of("monthly", date(2026, 12, 3)).following() == Period("monthly", date(2027, 1, 1), date(2027, 1, 31))


# --- the acceptance day ----------------------------------------------------------------------------


def test_daily_draft_of_the_acceptance_day(world: OrgWorld, proposals: list[tuple[User, date]]) -> None:
    scene = day_scene(world)
    with translation.override("en"):
        draft = draft_report(world.owner, ReportKind.DAILY, DAY, NOW)
    assert draft.work == [
        {
            "customer_id": scene.huawei.pk,
            "customer": "华为技术有限公司",
            "items": [
                {"kind": "Phone call", "time": "09:30", "text": "电话确认拜访时间"},
                {
                    "kind": "Visit",
                    "time": "14:05",
                    "text": "介绍二期方案 · Customer feedback: 预算已批，希望月底前报价"
                    " · Next step: 周五前发报价 · stayed 55 min",
                },
            ],
        },
        {
            "customer_id": scene.zte.pk,
            "customer": "中兴通讯股份有限公司",
            "items": [
                {"kind": "WeChat", "time": "11:00", "text": "发送产品资料"},
                {"kind": "Visit", "time": "16:30", "text": "送样品 · stayed 20 min"},
            ],
        },
    ]
    assert draft.stats == {
        "new_customers": 1,
        "followups": 3,
        "visits": 2,
        "tasks_done": 1,
        "requests_handled": 1,
        "new_deals": 0,
        "deals_won": 0,
        "deals_lost": 0,
    }
    with translation.override("en"):
        labels = [(s.label, s.count) for s in draft.stat_lines]
    assert labels == [
        ("New customers", 1),
        ("Follow-ups", 3),
        ("Visits done", 2),
        ("Tasks completed", 1),
        ("Requests handled", 1),
        ("New deals", 0),
        ("Deals won", 0),
        ("Deals lost", 0),
    ]
    assert draft.plan_day == date(2026, 12, 2)
    assert proposals == [(world.owner, date(2026, 12, 2))]
    assert draft.plan == "1. 跟进 华为技术有限公司 (约定的下次跟进时间已到)\n2. 提交中兴报价"


def test_a_visit_with_its_followup_is_one_line(world: OrgWorld, proposals: object) -> None:
    scene = day_scene(world)
    draft = draft_report(world.owner, ReportKind.DAILY, DAY, NOW)
    huawei = next(group for group in draft.work if group["customer_id"] == scene.huawei.pk)
    # Two records (the visit and its follow-up) for the 14:00 meeting, one line.
    assert len(huawei["items"]) == 2
    assert draft.stats["visits"] == 2
    assert draft.stats["followups"] == 3


def test_a_visit_logged_the_next_day_is_a_visit_line_on_its_day(world: OrgWorld, proposals: object) -> None:
    rep = world.owner
    acme = customer(rep, "北京顶点科技有限公司")
    told = followup(rep, acme, at(DAY + timedelta(days=1), 9), "补记拜访内容")
    visit(
        rep, acme, at(DAY, 15), status=VisitStatus.DONE, check_in_at=at(DAY, 15, 10), followup=told, purpose="初次拜访"
    )
    with translation.override("en"):
        first = draft_report(rep, ReportKind.DAILY, DAY, NOW).work
        second = draft_report(rep, ReportKind.DAILY, DAY + timedelta(days=1), NOW).work
    assert first[0]["items"] == [{"kind": "Visit", "time": "15:10", "text": "初次拜访"}]
    assert second[0]["items"] == [{"kind": "Visit", "time": "09:00", "text": "补记拜访内容"}]


def test_an_empty_day_has_no_work_and_zero_counts(world: OrgWorld, proposals: object) -> None:
    draft = draft_report(world.teammate, ReportKind.DAILY, date(2026, 12, 8), NOW)
    assert draft.work == []
    assert set(draft.stats.values()) == {0}


def test_only_the_authors_records_count(world: OrgWorld, proposals: object) -> None:
    day_scene(world)
    draft = draft_report(world.teammate, ReportKind.DAILY, DAY, NOW)
    assert [group["customer"] for group in draft.work] == ["华为技术有限公司"]
    assert draft.stats["followups"] == 1
    assert draft.stats["new_customers"] == 0


# --- weekly and monthly ---------------------------------------------------------------------------


def test_weekly_draft_covers_monday_to_sunday(world: OrgWorld) -> None:
    day_scene(world)
    with translation.override("en"):
        draft = draft_report(world.owner, ReportKind.WEEKLY, date(2026, 12, 3), NOW)
    assert (draft.period.start, draft.period.end) == (date(2026, 11, 30), date(2026, 12, 6))
    # Monday 23:59 and Wednesday 00:00 are inside the week; times carry the date.
    assert draft.stats == {
        "new_customers": 1,
        "followups": 5,
        "visits": 2,
        "tasks_done": 2,
        "requests_handled": 1,
        "new_deals": 0,
        "deals_won": 0,
        "deals_lost": 0,
    }
    zte = next(group for group in draft.work if group["customer"] == "中兴通讯股份有限公司")
    assert [item["time"] for item in zte["items"]] == ["11-30 23:59", "12-01 11:00", "12-01 16:30", "12-02 00:00"]


def test_monthly_draft_covers_the_calendar_month(world: OrgWorld) -> None:
    day_scene(world)
    draft = draft_report(world.owner, ReportKind.MONTHLY, date(2026, 12, 20), NOW)
    assert (draft.period.start, draft.period.end) == (date(2026, 12, 1), date(2026, 12, 31))
    # 11-30 23:59 belongs to November; the customer created on 11-02 too.
    assert draft.stats == {
        "new_customers": 1,
        "followups": 4,
        "visits": 2,
        "tasks_done": 2,
        "requests_handled": 1,
        "new_deals": 0,
        "deals_won": 0,
        "deals_lost": 0,
    }


def test_weekly_plan_lists_what_is_scheduled_next_week(world: OrgWorld) -> None:
    rep = world.owner
    acme = customer(rep, "北京顶点科技有限公司")
    visit(rep, acme, at(date(2026, 12, 8), 10), purpose="送方案")
    visit(rep, acme, at(date(2026, 12, 15), 10), purpose="下下周")
    Task.objects.create(organization=world.org, owner=rep, title="准备投标文件", due_at=at(date(2026, 12, 9), 17))
    Customer.objects.filter(pk=acme.pk).update(next_followup_at=at(date(2026, 12, 10), 9))
    with translation.override("en"):
        draft = draft_report(rep, ReportKind.WEEKLY, DAY, NOW)
    assert draft.plan_day == date(2026, 12, 7)
    assert draft.plan == (
        "1. Visit 北京顶点科技有限公司 (12-08 送方案)\n"
        "2. 准备投标文件 (12-09 Task due)\n"
        "3. Follow up with 北京顶点科技有限公司 (12-10 Follow-up due)"
    )


# --- the proposed plan of a 日报 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "plan_day"),
    [
        (date(2026, 12, 4), date(2026, 12, 7)),  # Friday → Monday
        (date(2026, 9, 30), date(2026, 10, 8)),  # before National Day → the first day after it
        (date(2026, 10, 9), date(2026, 10, 10)),  # Friday before the Saturday make-up workday
    ],
)
def test_daily_plan_is_for_the_next_working_day(
    world: OrgWorld, proposals: list[tuple[User, date]], day: date, plan_day: date
) -> None:
    draft = draft_report(world.owner, ReportKind.DAILY, day, NOW)
    assert draft.plan_day == plan_day
    assert proposals == [(world.owner, plan_day)]


def test_daily_plan_uses_the_reps_own_plan_when_made(world: OrgWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> list[PlanCandidate]:
        raise AssertionError("the rep's plan exists, nothing to propose")

    monkeypatch.setattr(reports, "plan_candidates", refuse)
    plan = DayPlan.objects.create(organization=world.org, user=world.owner, day=date(2026, 12, 2))
    for position, (title, reason, dropped) in enumerate(
        [("拜访华为", "A类客户超期未拜访", False), ("不去了", "", True), ("写方案", "", False)]
    ):
        PlanItem.objects.create(
            organization=world.org,
            plan=plan,
            source="manual",
            title=title,
            reason=reason,
            position=position,
            dropped=dropped,
        )
    with translation.override("en"):
        draft = draft_report(world.owner, ReportKind.DAILY, DAY, NOW)
    assert draft.plan == "1. 拜访华为 (A类客户超期未拜访)\n2. 写方案"
