"""The account plan's candidates for the next-day plan: open objectives and actions due by the plan day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kam.conftest import OrgWorld
from kam.planning.account_plan_sources import plan_items_due
from kam.planning.actions_account_plans import create_plan
from kam.planning.plan import draft_candidates
from kam.planning.registry import PlanCandidate, plan_sources
from kam.planning.tests.fixtures_account_plans import PlanWorld, action, customer_of, make_planned, objective

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)  # Monday evening, planning Tuesday
PLAN_DAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def planned(world: OrgWorld) -> PlanWorld:
    return make_planned(world)


def test_open_objectives_and_actions_due_by_the_plan_day_are_proposed(planned: PlanWorld) -> None:
    w, plan = planned.w, planned.plan
    due = objective(plan, w.owner, "签下华南框架协议", PLAN_DAY)
    late = objective(plan, w.owner, "完成高层拜访", date(2026, 11, 25))
    objective(plan, w.owner, "下周的目标", date(2026, 12, 2))
    objective(plan, w.owner, "已达成的目标", date(2026, 11, 20), status="done")
    objective(plan, w.teammate, "同事的目标", date(2026, 11, 20))
    dropped = objective(plan, w.owner, "放弃的目标", date(2026, 12, 31), status="dropped")
    step = action(due, w.owner, "准备报价", PLAN_DAY)
    action(due, w.owner, "已完成的行动", date(2026, 11, 29), done=True)
    action(due, w.owner, "没有期限的行动", None)
    action(due, w.teammate, "同事的行动", date(2026, 11, 29))
    action(dropped, w.owner, "放弃目标下的行动", date(2026, 11, 29))

    candidates = list(plan_items_due(w.owner, PLAN_DAY, NOW))

    assert candidates == [
        PlanCandidate(
            source="account_plan",
            ref=f"plan-objective:{late.pk}",
            title="华为技术有限公司: 完成高层拜访",
            reason="Account plan objective overdue by 5 days",
            score=96.0,
            customer_id=planned.customer.pk,
            url=f"/account-plans/{plan.pk}/#objective-{late.pk}",
        ),
        PlanCandidate(
            source="account_plan",
            ref=f"plan-objective:{due.pk}",
            title="华为技术有限公司: 签下华南框架协议",
            reason="Account plan objective due in 1 day",
            score=58.0,
            customer_id=planned.customer.pk,
            url=f"/account-plans/{plan.pk}/#objective-{due.pk}",
        ),
        PlanCandidate(
            source="account_plan",
            ref=f"plan-action:{step.pk}",
            title="华为技术有限公司: 准备报价",
            reason="Account plan action due in 1 day",
            score=56.0,
            customer_id=planned.customer.pk,
            url=f"/account-plans/{plan.pk}/#action-{step.pk}",
        ),
    ]


def test_the_reason_counts_days_from_today_in_chinese(planned: PlanWorld) -> None:
    w, plan = planned.w, planned.plan
    friday = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)
    objective(plan, w.owner, "月底前完成方案评审", date(2026, 11, 30))
    today = objective(plan, w.owner, "今天的目标", date(2026, 11, 27))
    with translation.override("zh-hans"):
        reasons = {c.ref: c.reason for c in plan_items_due(w.owner, date(2026, 11, 30), friday)}
    assert sorted(reasons.values()) == ["客户规划目标 3 天后到期", "客户规划目标今天到期"]
    assert reasons[f"plan-objective:{today.pk}"] == "客户规划目标今天到期"


def test_plans_the_user_cannot_open_are_left_out(world: OrgWorld) -> None:
    elsewhere = create_plan(world.stranger, customer_of(world.stranger, "上海电气"), {})
    objective(elsewhere, world.owner, "别人客户的目标", date(2026, 11, 20))
    assert list(plan_items_due(world.owner, PLAN_DAY, NOW)) == []


def test_the_source_is_registered_and_joins_the_draft(planned: PlanWorld) -> None:
    goal = objective(planned.plan, planned.w.owner, "签下华南框架协议", PLAN_DAY)
    assert "account_plan" in [entry.key for entry in plan_sources()]
    refs = [candidate.ref for candidate in draft_candidates(planned.w.owner, PLAN_DAY, NOW)]
    assert f"plan-objective:{goal.pk}" in refs


def test_the_source_costs_two_queries(planned: PlanWorld, django_assert_num_queries: object) -> None:
    for index in range(5):
        goal = objective(planned.plan, planned.w.owner, f"目标{index}", PLAN_DAY)
        action(goal, planned.w.owner, f"行动{index}", PLAN_DAY)
    with django_assert_num_queries(2):  # type: ignore[operator]
        assert len(list(plan_items_due(planned.w.owner, PLAN_DAY, NOW))) == 10
