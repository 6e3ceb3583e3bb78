"""The deal table: who sees which rows, every filter with its exact rows, sorting and paging."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kam.conftest import OrgWorld
from kam.sales.models import BusinessLine, Stage
from kam.sales.queries_lists import DealFilters, deal_ids, deal_list, rows_of
from kam.sales.tests.fixtures_deals import make_customer, make_deal
from kam.sales.tests.lists_scene import Scene, htmx_client, make_scene, names


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def rows(scene: Scene, part: str, **filters: object) -> list[str]:
    user = scene.user(part)
    assert user is not None
    return names(deal_list(user, DealFilters(**filters)))  # type: ignore[arg-type]


def test_open_deals_by_close_date_are_the_default_for_each_viewer(scene: Scene) -> None:
    assert rows(scene, "owner") == ["华能集控平台", "宝钢冷轧线改造"]
    assert rows(scene, "manager") == ["华能集控平台", "宝钢冷轧线改造"]
    assert rows(scene, "director") == ["华能集控平台", "宝钢冷轧线改造", "海尔仓储系统"]
    assert rows(scene, "admin") == ["华能集控平台", "宝钢冷轧线改造", "海尔仓储系统"]
    assert rows(scene, "stranger") == ["海尔仓储系统"]
    # A deal-team member sees that deal only.
    assert rows(scene, "collaborator") == ["宝钢冷轧线改造"]
    assert rows(scene, "writer") == ["华能集控平台"]
    assert rows(scene, "manager_east") == ["海尔仓储系统"]


def test_status_filter(scene: Scene) -> None:
    assert rows(scene, "owner", status="won") == ["宝钢备件"]
    assert rows(scene, "owner", status="lost") == []
    assert rows(scene, "owner", status="closed") == ["宝钢备件"]
    assert rows(scene, "owner", status="all") == ["宝钢备件", "华能集控平台", "宝钢冷轧线改造"]
    # An unknown status falls back to open deals rather than showing everything.
    assert rows(scene, "owner", status="bogus") == ["华能集控平台", "宝钢冷轧线改造"]


def test_search_matches_deal_name_customer_name_and_customer_pinyin(scene: Scene) -> None:
    assert rows(scene, "director", q="冷轧") == ["宝钢冷轧线改造"]
    assert rows(scene, "director", q="海尔") == ["海尔仓储系统"]
    assert rows(scene, "director", q="huaneng") == ["华能集控平台"]
    assert rows(scene, "director", q="不存在") == []
    # The search never widens the scope.
    assert rows(scene, "stranger", q="宝钢") == []


def test_owner_and_team_filters(scene: Scene) -> None:
    w = scene.world
    assert rows(scene, "director", owner=w.stranger.pk) == ["海尔仓储系统"]
    assert rows(scene, "director", team=w.north.pk) == ["华能集控平台", "宝钢冷轧线改造"]
    assert rows(scene, "director", team=w.east.pk) == ["海尔仓储系统"]
    assert rows(scene, "director", team=w.company.pk) == ["华能集控平台", "宝钢冷轧线改造", "海尔仓储系统"]
    # A team of another organization matches nothing.
    assert rows(scene, "director", team=999999) == []


def test_stage_business_line_and_forecast_filters(scene: Scene) -> None:
    first, second = scene.stages[0], scene.stages[1]
    assert rows(scene, "director", stage=first.pk) == ["宝钢冷轧线改造", "海尔仓储系统"]
    assert rows(scene, "director", stage=second.pk) == ["华能集控平台"]
    assert rows(scene, "director", business_line=first.business_line_id) == [
        "华能集控平台",
        "宝钢冷轧线改造",
        "海尔仓储系统",
    ]
    other = BusinessLine.objects.create(organization=scene.world.org, name="标准品", position=2)
    assert rows(scene, "director", business_line=other.pk) == []
    assert rows(scene, "director", forecast_category="commit") == ["华能集控平台"]
    assert rows(scene, "director", forecast_category="pipeline") == ["宝钢冷轧线改造", "海尔仓储系统"]


def test_close_date_and_amount_ranges_include_their_bounds(scene: Scene) -> None:
    today = scene.today
    assert rows(scene, "director", close_from=today) == ["宝钢冷轧线改造", "海尔仓储系统"]
    assert rows(scene, "director", close_to=today + timedelta(days=10)) == ["华能集控平台", "宝钢冷轧线改造"]
    assert rows(scene, "director", close_from=today + timedelta(days=10), close_to=today + timedelta(days=10)) == [
        "宝钢冷轧线改造"
    ]
    assert rows(scene, "director", amount_min=Decimal("100000")) == ["华能集控平台", "宝钢冷轧线改造"]
    assert rows(scene, "director", amount_max=Decimal("100000")) == ["宝钢冷轧线改造", "海尔仓储系统"]
    assert rows(scene, "director", amount_min=Decimal("250000.50"), amount_max=Decimal("250000.50")) == ["华能集控平台"]


def test_customer_filter(scene: Scene) -> None:
    assert rows(scene, "director", customer=scene.customer_a.pk, status="all") == ["宝钢备件", "宝钢冷轧线改造"]
    assert rows(scene, "stranger", customer=scene.customer_a.pk, status="all") == []


def test_sorts(scene: Scene) -> None:
    assert rows(scene, "director", sort="-close") == ["海尔仓储系统", "宝钢冷轧线改造", "华能集控平台"]
    assert rows(scene, "director", sort="-amount") == ["华能集控平台", "宝钢冷轧线改造", "海尔仓储系统"]
    assert rows(scene, "director", sort="amount") == ["海尔仓储系统", "宝钢冷轧线改造", "华能集控平台"]
    assert rows(scene, "director", sort="name") == sorted(["华能集控平台", "宝钢冷轧线改造", "海尔仓储系统"])
    assert rows(scene, "director", sort="-name") == sorted(
        ["华能集控平台", "宝钢冷轧线改造", "海尔仓储系统"], reverse=True
    )
    assert rows(scene, "director", sort="nonsense") == ["华能集控平台", "宝钢冷轧线改造", "海尔仓储系统"]


def test_rows_carry_weighted_amount_overdue_flag_and_days_in_stage(scene: Scene) -> None:
    deals = deal_list(scene.world.owner, DealFilters())
    got = [(r.deal.name, r.weighted, r.overdue, r.days_in_stage) for r in rows_of(list(deals), scene.today)]
    assert got == [("华能集控平台", Decimal("62500.13"), True, 0), ("宝钢冷轧线改造", Decimal("10000.00"), False, 0)]


def test_list_page_shows_exact_rows_and_marks_past_close_dates(scene: Scene) -> None:
    response = htmx_client(scene.world.owner).get("/deals/", {"sort": "-amount"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section id="deal-table"')
    assert html.count('id="deal-row-') == 2
    assert html.index(f'id="deal-row-{scene.power.pk}"') < html.index(f'id="deal-row-{scene.steel.pk}"')
    assert "¥250,000.50" in html
    assert "¥62,500.13" in html
    assert "25%" in html
    assert html.count('class="deallists-overdue"') == 1
    assert '<th class="deallists-num" aria-sort="descending">' in html
    assert "2 deals" in html


def test_list_pages_fifty_rows(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "分页客户")
    stage = Stage.objects.filter(business_line__organization=world.org).order_by("position").first()
    for i in range(53):
        make_deal(world.owner, customer, stage, name=f"商机{i:02d}")
    page1 = htmx_client(world.owner).get("/deals/", {"sort": "name"}).content.decode()
    page2 = htmx_client(world.owner).get("/deals/", {"sort": "name", "page": "2"}).content.decode()
    assert page1.count('id="deal-row-') == 50
    assert page2.count('id="deal-row-') == 3
    assert "商机52" in page2
    assert "商机52" not in page1
    assert "Page 2 of 2" in page2
    assert len(deal_ids(world.owner, DealFilters())) == 53
