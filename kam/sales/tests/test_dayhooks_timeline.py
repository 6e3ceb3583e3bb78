"""Deals on the customer timeline (entries, access, query count) and the customer merge hook."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from kam.activities.timeline import TIMELINE_SOURCES, customer_timeline
from kam.conftest import OrgWorld
from kam.customers.actions import merge_customers
from kam.sales.models import CloseReason, Opportunity, OpportunityStatus, StageChange
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at
from kam.sales.tests.fixtures_needs import at
from kam.sales.timeline_deals import deal_entries


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def history(world: OrgWorld, customer: Any, name: str = "星河数据中台") -> Opportunity:
    """Created 12-01, moved 12-03 (by the manager, past a failed gate), lost 12-05 on price."""
    first, second = stage_at(world.org, 1), stage_at(world.org, 2)  # also sets up the pipeline
    reason = CloseReason.objects.filter(organization=world.org, outcome="lost").order_by("position").first()
    deal = make_deal(world.owner, customer, name=name, stage_entered_at=at("2026-12-01 09:00"),
                     status=OpportunityStatus.LOST, closed_at=at("2026-12-05 17:00"), close_reason=reason)  # fmt: skip
    common = {"organization_id": world.org.pk, "opportunity": deal}
    StageChange.objects.create(**common, from_stage=first, to_stage=second, from_status="open", to_status="open",
                               at=at("2026-12-03 10:00"), actor=world.manager_north, gate_override=True,
                               override_reason="客户高层确认")  # fmt: skip
    StageChange.objects.create(**common, from_stage=second, to_stage=second, from_status="open", to_status="lost",
                               at=at("2026-12-05 17:00"), actor=world.owner)  # fmt: skip
    return deal


def test_timeline_entries_of_a_deal(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    deal = history(world, customer)
    reason = deal.close_reason.label  # type: ignore[union-attr]
    s1, s2 = stage_at(world.org, 1).name, stage_at(world.org, 2).name
    entries = deal_entries(customer, world.owner, 10)
    assert [(e.at, e.title, e.body, e.details, e.url, e.source) for e in entries] == [
        (at("2026-12-05 17:00"), "Deal 星河数据中台 lost", reason, (("By", "owner"),), f"/deals/{deal.pk}/", "deals"),
        (at("2026-12-03 10:00"), f"Deal 星河数据中台 moved from {s1} to {s2}", "",
         (("By", "mgr_north"), ("Gate overridden", "客户高层确认")), f"/deals/{deal.pk}/", "deals"),
        (at("2026-12-01 09:00"), f"Deal 星河数据中台 created in {s1}", "", (("By", "owner"),), f"/deals/{deal.pk}/",
         "deals"),
    ]  # fmt: skip


def test_timeline_shows_only_deals_the_viewer_may_open(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    history(world, customer)
    assert len(deal_entries(customer, world.manager_north, 10)) == 3
    assert deal_entries(customer, world.stranger, 10) == []
    assert deal_entries(customer, world.outsider, 10) == []


def test_deals_source_is_registered_and_merged_into_the_timeline(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    history(world, customer)
    assert "deals" in TIMELINE_SOURCES
    page = customer_timeline(customer, world.owner)
    assert [entry.source for entry in page.entries] == ["deals", "deals", "deals"]


def test_timeline_source_query_count_does_not_grow(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    history(world, customer, "一期")
    with CaptureQueriesContext(connection) as few:
        deal_entries(customer, world.manager_north, 50)
    for n in range(3):
        history(world, customer, f"二期{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(deal_entries(customer, world.manager_north, 50)) == 12


def test_merge_moves_the_duplicates_deals(world: OrgWorld) -> None:
    survivor = make_customer(world.owner, "北京星河数据科技有限公司")
    duplicate = make_customer(world.owner, "北京星河数据科技公司")
    kept = make_deal(world.owner, survivor, name="原有商机")
    moved = make_deal(world.owner, duplicate, name="重复客户的商机")
    merge_customers(world.manager_north, survivor, duplicate)
    assert sorted(Opportunity.objects.filter(customer=survivor).values_list("pk", flat=True)) == [kept.pk, moved.pk]
    assert Opportunity.objects.filter(customer=duplicate).count() == 0
