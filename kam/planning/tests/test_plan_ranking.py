"""The plan ranking: every built-in source at a fixed clock, in one exact order (issue 3 §8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from kam.activities.models import CoordinationRequest
from kam.conftest import OrgWorld
from kam.customers.models import Customer, ServiceLevel
from kam.planning.plan import draft_candidates, rank_key
from kam.planning.registry import PlanCandidate, plan_sources, register_plan_source
from kam.planning.tests.fixtures_plan import NOW, PLAN_DAY, at, customer, ranking_scene, service_levels

pytestmark = pytest.mark.django_db


def test_plan_ranks_every_source_in_one_exact_order(world: OrgWorld) -> None:
    s = ranking_scene(world)
    with translation.override("en"):
        got = [(c.ref, c.source, c.score, c.reason) for c in draft_candidates(world.owner, PLAN_DAY, NOW)]
    assert got == [
        (
            f"request:{s.request_for_me.pk}",
            "request_due",
            100.0,
            "teammate asked you for help, overdue since 2026-11-26",
        ),
        (f"task:{s.task_overdue.pk}", "task_due", 99.0, "Task overdue since 2026-11-28 17:00"),
        (f"customer:{s.a_never.pk}", "cadence", 80.0, "Tier A customer, never visited (cadence 30 days)"),
        (
            f"customer:{s.b_both.pk}",
            "cadence",
            75.0,
            "Tier B customer, not visited for 91 days (cadence 60 days); Follow-up planned for 2026-12-01",
        ),
        (f"customer:{s.a_followup.pk}", "followup_due", 68.0, "Follow-up planned for 2026-11-27, 4 days late"),
        (f"customer:{s.a_cadence.pk}", "cadence", 65.0, "Tier A customer, not visited for 45 days (cadence 30 days)"),
        (f"task:{s.task_high.pk}", "task_due", 60.0, "Task due 2026-12-01 10:00"),
        (f"request:{s.request_mine.pk}", "request_due", 58.0, "Your request to collab is due 2026-11-30"),
        (
            f"customer:{s.c_pool.pk}",
            "pool_return",
            51.0,
            "Returns to the public pool on 2026-12-04: no follow-up for 30 days",
        ),
        # A tie at 40: the source key decides (followup_due before task_due).
        (f"customer:{s.c_due.pk}", "followup_due", 40.0, "Follow-up planned for 2026-12-01"),
        (f"task:{s.task_low.pk}", "task_due", 40.0, "Task due 2026-12-01 15:00"),
    ]


def test_reasons_and_titles_are_chinese_by_default(world: OrgWorld) -> None:
    s = ranking_scene(world)
    with translation.override("zh-hans"):
        by_ref = {c.ref: c for c in draft_candidates(world.owner, PLAN_DAY, NOW)}
    cadence = by_ref[f"customer:{s.a_cadence.pk}"]
    assert cadence.reason == "A 类客户，已 45 天未拜访（拜访周期 30 天）"
    assert cadence.title == "拜访乙方制造有限公司"
    assert by_ref[f"customer:{s.a_followup.pk}"].title == "跟进甲方科技有限公司"
    assert by_ref[f"request:{s.request_for_me.pk}"].title == "协调请求：协助报价"


def test_candidates_link_to_their_customer(world: OrgWorld) -> None:
    s = ranking_scene(world)
    by_ref = {c.ref: c for c in draft_candidates(world.owner, PLAN_DAY, NOW)}
    assert by_ref[f"customer:{s.c_pool.pk}"].customer_id == s.c_pool.pk
    assert by_ref[f"customer:{s.c_pool.pk}"].url == f"/customers/{s.c_pool.pk}/"
    assert by_ref[f"task:{s.task_overdue.pk}"].customer_id == s.a_followup.pk
    assert by_ref[f"task:{s.task_high.pk}"].customer_id is None


def test_ranking_is_the_same_on_every_run(world: OrgWorld) -> None:
    ranking_scene(world)
    first = draft_candidates(world.owner, PLAN_DAY, NOW)
    assert draft_candidates(world.owner, PLAN_DAY, NOW) == first
    assert first == sorted(first, key=rank_key)


def test_each_user_gets_only_their_own_work(world: OrgWorld) -> None:
    s = ranking_scene(world)
    with translation.override("en"):
        teammate = {(c.source, c.title) for c in draft_candidates(world.teammate, PLAN_DAY, NOW)}
    # Their own customer and task, and the requests they made (to me, to a colleague, to a role).
    assert teammate == {
        ("followup_due", "Follow up with 队友客户有限公司"),
        ("task_due", "队友的待办"),
        ("request_due", "Coordination request: 协助报价"),
        ("request_due", "Coordination request: 别人的请求"),
        ("request_due", "Coordination request: 角色请求"),
    }
    # The presales colleague was asked twice: the overdue request first, then mine due today.
    overdue = CoordinationRequest.objects.get(subject="别人的请求")
    assert [c.ref for c in draft_candidates(world.collaborator, PLAN_DAY, NOW)] == [
        f"request:{overdue.pk}",
        f"request:{s.request_mine.pk}",
    ]
    assert draft_candidates(world.stranger, PLAN_DAY, NOW) == []


def test_cadence_counts_to_the_plan_day_not_to_now(world: OrgWorld) -> None:
    service_levels(world)
    visited = customer(world.owner, "刚好到期有限公司", "A")
    from kam.planning.tests.fixtures_plan import done_visit

    # 30 days before the plan day: within the cadence; one day earlier: breached.
    visit = done_visit(visited, at(2026, 11, 1))
    assert draft_candidates(world.owner, PLAN_DAY, NOW) == []
    visit.check_in_at = visit.planned_at = at(2026, 10, 31)
    visit.save()
    (candidate,) = draft_candidates(world.owner, PLAN_DAY, NOW)
    assert (candidate.source, candidate.score) == ("cadence", 51.0)


def test_no_service_levels_means_no_cadence_candidates(world: OrgWorld) -> None:
    customer(world.owner, "从未拜访有限公司", "A", owner_since=at(2025, 1, 1))
    assert draft_candidates(world.owner, PLAN_DAY, NOW) == []
    ServiceLevel.objects.create(organization=world.org, tier="B", visit_cadence_days=30)
    assert draft_candidates(world.owner, PLAN_DAY, NOW) == []


def test_deleted_customers_are_not_proposed(world: OrgWorld) -> None:
    gone = customer(world.owner, "已删除有限公司", "A", next_followup_at=at(2026, 11, 29))
    Customer.all_objects.filter(pk=gone.pk).update(deleted_at=NOW - timedelta(days=1))
    assert draft_candidates(world.owner, PLAN_DAY, NOW) == []


def test_a_new_source_is_one_register_call(world: OrgWorld) -> None:
    def quotes(user: object, day: object, now: object) -> list[PlanCandidate]:
        return [
            PlanCandidate(source="quote_expiring", ref="quote:1", title="报价即将过期", reason="3 天后过期", score=70)
        ]

    register_plan_source("zz_test_quotes", "Quotes", quotes)
    try:
        assert [c.ref for c in draft_candidates(world.owner, PLAN_DAY, NOW)] == ["quote:1"]
    finally:
        from kam.planning import registry

        registry._plan_sources.pop("zz_test_quotes")
    assert "zz_test_quotes" not in [entry.key for entry in plan_sources()]
