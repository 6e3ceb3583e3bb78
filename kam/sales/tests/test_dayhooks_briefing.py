"""Deal sections of the morning briefing (exact rows for a fixed window), report counters, work lines."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.market.models import Competitor, PriceIntel
from kam.planning.registry import BriefingWindow, briefing_sections, report_counters
from kam.sales.actions_needs import save_needs
from kam.sales.briefing_deals import closed_section, competitor_intel_section, moved_section, need_changes_section
from kam.sales.day_hooks import count_deals_lost, count_deals_won, count_new_deals, deal_work_lines
from kam.sales.models import CloseReason, DealCompetitor, Opportunity, OpportunityStatus, StageChange
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at
from kam.sales.tests.fixtures_needs import at, item

SINCE, UNTIL = at("2026-12-07 00:00"), at("2026-12-08 00:00")
BEFORE = at("2026-12-01 09:00")


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def window(world: OrgWorld, viewer: Any = None, members: list[Any] | None = None) -> BriefingWindow:
    viewer = viewer or world.manager_north
    people = members if members is not None else [world.owner, world.teammate, world.manager_north]
    return BriefingWindow(viewer, [p.pk for p in people], date(2026, 12, 8), SINCE, UNTIL)


def move(deal: Opportunity, position: int, when: Any, actor: Any, **fields: Any) -> StageChange:
    return StageChange.objects.create(
        organization_id=deal.organization_id, opportunity=deal, from_stage=deal.stage,
        to_stage=stage_at(deal.organization, position), from_status="open", to_status=fields.pop("to_status", "open"),
        at=when, actor=actor, **fields,
    )  # fmt: skip


class Scene:
    def __init__(self, world: OrgWorld) -> None:
        w = world
        self.customer = make_customer(w.owner, "北京星河数据科技有限公司")
        self.hidden = make_customer(w.stranger, "上海远景贸易有限公司")
        self.rival, _new = Competitor.objects.get_or_create(organization=w.org, name="华为")
        early = {"stage_entered_at": BEFORE}
        self.a = make_deal(w.owner, self.customer, name="星河数据中台", **early)
        self.b = make_deal(w.teammate, self.customer, stage_at(w.org, 2), name="星河二期", **early)
        self.s = make_deal(w.stranger, self.hidden, name="远景ERP", **early)
        move(self.a, 2, at("2026-12-07 10:00"), w.owner)
        move(self.a, 2, at("2026-12-06 10:00"), w.owner)  # the day before: not in the window
        move(self.b, 3, at("2026-12-07 15:00"), w.manager_north, gate_override=True, missing="经济决策人",
             override_reason="客户高层已口头确认")  # fmt: skip
        move(self.s, 2, at("2026-12-07 11:00"), w.stranger)  # not the manager's people
        self.won_reason = CloseReason.objects.filter(organization=w.org, outcome="won").order_by("position").first()
        self.lost_reason = CloseReason.objects.filter(organization=w.org, outcome="lost").order_by("position").first()
        self.c = make_deal(w.owner, self.customer, name="星河运维", status=OpportunityStatus.WON,
                           closed_at=at("2026-12-07 11:00"), close_reason=self.won_reason, **early)  # fmt: skip
        self.d = make_deal(w.owner, self.customer, amount="250000", name="星河安全", status=OpportunityStatus.LOST,
                           closed_at=at("2026-12-07 16:00"), close_reason=self.lost_reason, won_by=self.rival,
                           **early)  # fmt: skip
        make_deal(w.owner, self.customer, name="星河旧单", status=OpportunityStatus.LOST, closed_at=BEFORE, **early)
        move(self.c, 5, at("2026-12-07 11:00"), w.owner, to_status="won")


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return Scene(world)


def test_deals_that_moved(world: OrgWorld, scene: Scene) -> None:
    block = moved_section(window(world))
    s1, s2, s3 = (stage_at(world.org, n).name for n in (1, 2, 3))
    assert block.rows == [
        ["owner", "北京星河数据科技有限公司", "星河数据中台", s1, s2, "12-07 10:00", ""],
        ["teammate", "北京星河数据科技有限公司", "星河二期", s2, s3, "12-07 15:00", "客户高层已口头确认"],
    ]
    assert block.links == [f"/deals/{scene.a.pk}/", f"/deals/{scene.b.pk}/"]
    assert block.highlight == [False, True]
    assert block.total is None


def test_a_rep_sees_only_their_own_moves(world: OrgWorld, scene: Scene) -> None:
    block = moved_section(window(world, world.owner, [world.owner]))
    assert [row[2] for row in block.rows] == ["星河数据中台"]


def test_deals_won_and_lost(world: OrgWorld, scene: Scene) -> None:
    block = closed_section(window(world))
    won, lost = scene.won_reason.label, scene.lost_reason.label  # type: ignore[union-attr]
    customer = "北京星河数据科技有限公司"
    assert block.rows == [
        ["owner", customer, "星河运维", "¥100,000.00", "Won", won, "", "12-07 11:00"],
        ["owner", customer, "星河安全", "¥250,000.00", "Lost", lost, "华为", "12-07 16:00"],
    ]
    assert block.highlight == [False, True]


def test_need_changes_are_v2_and_later_in_the_window(world: OrgWorld, scene: Scene) -> None:
    save_needs(world.owner, scene.a, {"pain": "数据分散"}, [item("统一数据平台")], base_version=0,
               now=at("2026-12-07 09:00"))  # fmt: skip
    save_needs(world.owner, scene.a, {"pain": "数据分散"}, [item("统一数据平台", 1, fit="partly")], reason="预算收紧",
               base_version=1, now=at("2026-12-07 12:00"))  # fmt: skip
    save_needs(world.stranger, scene.s, {"pain": "x"}, [], base_version=0, now=at("2026-12-07 09:00"))
    save_needs(world.stranger, scene.s, {"pain": "y"}, [], reason="改", base_version=1, now=at("2026-12-07 10:00"))
    block = need_changes_section(window(world))
    assert block.rows == [["北京星河数据科技有限公司", "星河数据中台", "V2", "owner", "预算收紧", "12-07 12:00"]]
    assert block.links == [f"/deals/{scene.a.pk}/needs/history/"]


def test_new_competitor_intel(world: OrgWorld, scene: Scene) -> None:
    price = PriceIntel.objects.create(organization=world.org, competitor=scene.rival, product="FusionInsight",
                                      price=Decimal("120000"), unit="套", observed_on=date(2026, 12, 5),
                                      customer=scene.customer, author=world.owner)  # fmt: skip
    hidden = PriceIntel.objects.create(organization=world.org, competitor=scene.rival, product="GaussDB",
                                       price=Decimal("80000"), observed_on=date(2026, 12, 5), customer=scene.hidden,
                                       author=world.stranger, confidence="high")  # fmt: skip
    old = PriceIntel.objects.create(organization=world.org, competitor=scene.rival, product="旧产品",
                                    price=Decimal("1"), observed_on=date(2026, 1, 5), author=world.owner)  # fmt: skip
    PriceIntel.objects.filter(pk=price.pk).update(created_at=at("2026-12-07 14:00"))
    PriceIntel.objects.filter(pk=hidden.pk).update(created_at=at("2026-12-07 15:00"))
    PriceIntel.objects.filter(pk=old.pk).update(created_at=BEFORE)
    presence = DealCompetitor.objects.create(organization=world.org, opportunity=scene.a, competitor=scene.rival)
    DealCompetitor.objects.filter(pk=presence.pk).update(created_at=at("2026-12-07 13:00"))
    block = competitor_intel_section(window(world))
    assert block.rows == [
        ["华为", "In deal 星河数据中台: Shortlisted", "北京星河数据科技有限公司", "owner", "12-07 13:00"],
        ["华为", "Price of FusionInsight: ¥120,000.00/套 (Likely)", "北京星河数据科技有限公司", "owner", "12-07 14:00"],
        ["华为", "Price of GaussDB: ¥80,000.00 (Confirmed)", "", "stranger", "12-07 15:00"],
    ]
    assert block.links[0] == f"/deals/{scene.a.pk}/"


def test_sections_registered_in_order() -> None:
    keys = [(s.key, s.order) for s in briefing_sections() if 45 <= s.order <= 49]
    assert keys == [("deals_moved", 45), ("deals_closed", 46), ("need_changes", 47), ("competitor_intel", 48)]


@pytest.mark.parametrize("fetch", [moved_section, closed_section, need_changes_section, competitor_intel_section])
def test_sections_cost_fixed_queries(world: OrgWorld, fetch: Any, django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    busy(world, Scene(world))
    with CaptureQueriesContext(connection) as few:
        small = fetch(window(world))
    busy(world, Scene(world))
    busy(world, Scene(world))
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = fetch(window(world))
    assert len(large.rows) == 3 * len(small.rows)


def busy(world: OrgWorld, scene: Scene) -> None:
    """A need change and two pieces of intel in the window, on top of the scene's moves and closings."""
    save_needs(world.owner, scene.a, {"pain": "a"}, [], base_version=0, now=at("2026-12-07 09:00"))
    save_needs(world.owner, scene.a, {"pain": "b"}, [], reason="改", base_version=1, now=at("2026-12-07 12:00"))
    price = PriceIntel.objects.create(organization=world.org, competitor=scene.rival, product="FusionInsight",
                                      price=Decimal("1"), observed_on=date(2026, 12, 5), customer=scene.customer,
                                      author=world.owner)  # fmt: skip
    PriceIntel.objects.filter(pk=price.pk).update(created_at=at("2026-12-07 14:00"))
    presence = DealCompetitor.objects.create(organization=world.org, opportunity=scene.a, competitor=scene.rival)
    DealCompetitor.objects.filter(pk=presence.pk).update(created_at=at("2026-12-07 13:00"))


def test_report_counters(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    now = timezone.now()
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    make_deal(world.owner, customer, name="新单")
    make_deal(world.owner, customer, name="赢单", status=OpportunityStatus.WON, closed_at=now)
    make_deal(world.owner, customer, name="输单一", status=OpportunityStatus.LOST, closed_at=now)
    make_deal(world.owner, customer, name="输单二", status=OpportunityStatus.LOST, closed_at=now - timedelta(days=3))
    make_deal(world.teammate, customer, name="同事的单")
    assert count_new_deals(world.owner, start, end) == 4
    assert count_deals_won(world.owner, start, end) == 1
    assert count_deals_lost(world.owner, start, end) == 1
    assert [e.key for e in report_counters() if e.order >= 60][:3] == ["new_deals", "deals_won", "deals_lost"]


def test_work_lines_are_the_users_moves_and_closings(world: OrgWorld, scene: Scene) -> None:
    lines = list(deal_work_lines(world.owner, SINCE, UNTIL))
    s1, s2 = stage_at(world.org, 1).name, stage_at(world.org, 2).name
    assert [(line.customer, line.at, line.kind, line.text) for line in lines] == [
        ("北京星河数据科技有限公司", at("2026-12-07 10:00"), "Deal", f"星河数据中台: {s1} → {s2}"),
        ("北京星河数据科技有限公司", at("2026-12-07 11:00"), "Deal", f"星河运维: Won · {scene.won_reason.label}"),  # type: ignore[union-attr]
    ]
