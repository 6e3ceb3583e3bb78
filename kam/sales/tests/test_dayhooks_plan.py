"""Deal plan sources: exact candidates (ref, reason, score, url) for a fixed plan day, fixed query counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from kam.conftest import OrgWorld
from kam.planning.registry import PlanCandidate, plan_sources
from kam.sales.models import MeddpiccElement, Opportunity, OpportunityStatus, QualificationScore
from kam.sales.plan_sources_deals import closing_deals, gate_failing_deals, stale_deals
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at
from kam.sales.tests.fixtures_needs import at

DAY = date(2026, 12, 8)  # the plan day (a Tuesday)
NOW = at("2026-12-07 18:00")
FAR = date(2027, 3, 31)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


class Deals:
    def __init__(self, world: OrgWorld) -> None:
        owner = world.owner
        self.key = make_customer(owner, "北京星河数据科技有限公司", tier="A")
        self.plain = make_customer(owner, "天津海港物流有限公司")
        last = stage_at(world.org, 5)
        recent = at("2026-12-07 09:00")

        def deal(name: str, customer: Any = None, stage: Any = last, **fields: Any) -> Opportunity:
            values = {"expected_close_date": FAR, "last_activity_at": recent, **fields}
            return make_deal(owner, customer or self.plain, stage, name=name, **values)

        self.stale = deal("星河数据中台", self.key, last_activity_at=at("2026-11-20 10:00"))
        self.boundary = deal("海港仓储", last_activity_at=at("2026-11-24 23:30"))
        self.fresh = deal("海港运输", last_activity_at=at("2026-11-25 00:30"))
        self.late = deal("海港冷链", expected_close_date=date(2026, 12, 3))
        self.soon = deal("海港报关", expected_close_date=date(2026, 12, 12))
        self.today = deal("海港叉车", expected_close_date=DAY)
        self.far = deal("海港码头", expected_close_date=date(2026, 12, 16))
        self.gate1 = deal("海港一期", stage=stage_at(world.org, 1))
        self.gate_ok = deal("海港二期", stage=stage_at(world.org, 1))
        self.gate2 = deal("海港三期", stage=stage_at(world.org, 2))
        for target, element in (
            (self.gate_ok, MeddpiccElement.IDENTIFIED_PAIN),
            (self.gate2, MeddpiccElement.CHAMPION),
        ):
            QualificationScore.objects.create(
                organization_id=world.org.pk, opportunity=target, element=element, score=1
            )
        # Neither a closed deal nor a colleague's counts.
        deal("海港旧单", status=OpportunityStatus.WON, last_activity_at=at("2026-01-01 09:00"),
             expected_close_date=date(2026, 1, 1))  # fmt: skip
        make_deal(world.teammate, self.plain, last, name="同事的单", last_activity_at=at("2026-01-01 09:00"),
                  expected_close_date=date(2026, 1, 1))  # fmt: skip


@pytest.fixture
def deals(world: OrgWorld) -> Deals:
    return Deals(world)


def rows(candidates: Any) -> list[tuple[str, str, float]]:
    return [(c.ref, c.reason, c.score) for c in candidates]


def test_stale_deals(world: OrgWorld, deals: Deals) -> None:
    found = list(stale_deals(world.owner, DAY, NOW))
    assert rows(found) == [
        (f"deal:{deals.stale.pk}", "No activity for 18 days (last 2026-11-20)", 62.0),
        (f"deal:{deals.boundary.pk}", "No activity for 14 days (last 2026-11-24)", 38.0),
    ]
    assert found[0] == PlanCandidate(
        source="deal_stale",
        ref=f"deal:{deals.stale.pk}",
        title="Work on deal 星河数据中台 (北京星河数据科技有限公司)",
        reason="No activity for 18 days (last 2026-11-20)",
        score=62.0,
        customer_id=deals.key.pk,
        url=f"/deals/{deals.stale.pk}/",
    )


def test_close_dates_passed_or_within_a_week(world: OrgWorld, deals: Deals) -> None:
    assert rows(closing_deals(world.owner, DAY, NOW)) == [
        (f"deal:{deals.late.pk}", "Expected to close on 2026-12-03, 5 days ago", 57.0),
        (f"deal:{deals.soon.pk}", "Expected to close on 2026-12-12, in 4 days", 34.0),
        (f"deal:{deals.today.pk}", "Expected to close on 2026-12-08, the plan day", 42.0),
    ]


def test_deals_failing_the_next_gate(world: OrgWorld, deals: Deals) -> None:
    needs_stage, proposal_stage = stage_at(world.org, 2).name, stage_at(world.org, 3).name
    assert rows(gate_failing_deals(world.owner, DAY, NOW)) == [
        (f"deal:{deals.gate1.pk}", f"Not ready for {needs_stage}: Identified pain ≥ 1 (now 0)", 37.0),
        (f"deal:{deals.gate2.pk}", f"Not ready for {proposal_stage}: Economic buyer ≥ 1 (now 0)", 37.0),
    ]


def test_gate_source_agrees_with_check_gate(world: OrgWorld, deals: Deals) -> None:
    from kam.sales.gates import check_gate

    for deal in (deals.gate1, deals.gate_ok, deals.gate2):
        target = stage_at(world.org, deal.stage.position + 1)
        proposed = any(c.ref == f"deal:{deal.pk}" for c in gate_failing_deals(world.owner, DAY, NOW))
        assert proposed is bool(check_gate(deal, target))


def test_sources_are_registered() -> None:
    keys = {entry.key for entry in plan_sources()}
    assert {"deal_stale", "deal_close", "deal_gate"} <= keys


@pytest.mark.parametrize(("source", "queries"), [(stale_deals, 1), (closing_deals, 1), (gate_failing_deals, 4)])
def test_sources_cost_fixed_queries(world: OrgWorld, source: Any, queries: int, django_assert_num_queries: Any) -> None:
    owner = world.owner
    customer = make_customer(owner, "北京星河数据科技有限公司")
    old = {"last_activity_at": at("2026-11-01 09:00"), "expected_close_date": date(2026, 12, 1)}
    for n in range(2):
        make_deal(owner, customer, stage_at(world.org, 1), name=f"项目{n}", **old)
    with django_assert_num_queries(queries):
        few = list(source(owner, DAY, NOW))
    for n in range(2, 6):
        make_deal(owner, customer, stage_at(world.org, 2), name=f"项目{n}", **old)
    with django_assert_num_queries(queries):
        many = list(source(owner, DAY, NOW))
    assert (len(few), len(many)) == (2, 6)
