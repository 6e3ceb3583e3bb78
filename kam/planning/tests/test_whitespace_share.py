"""Share of wallet and the grid totals (kam/planning/whitespace.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kam.conftest import OrgWorld
from kam.planning.queries_account_plans import PlanFilters, annotated_share, plan_list
from kam.planning.tests.fixtures_account_plans import PlanWorld, cell, competitor, make_planned, unit
from kam.planning.whitespace import build_grid, share_of_wallet
from kam.sales.models import ProductLine

TODAY = date(2026, 12, 1)


@pytest.fixture
def planned(world: OrgWorld) -> PlanWorld:
    return make_planned(world)


def test_share_of_wallet_is_our_revenue_over_eligible_spend(planned: PlanWorld) -> None:
    plan, (software, hardware, services, support) = planned.plan, planned.lines
    rival = competitor(planned.w.org, "竞品甲")
    north, south = unit(plan, "华北事业部", 1), unit(plan, "华南事业部", 2)
    cell(plan, north, software, "owned", "300000", "us")
    cell(plan, north, hardware, "gap", "500000", "competitor", rival)
    cell(plan, south, software, "pipeline", "200000", "unspent")
    cell(plan, south, services, "na", "1000000", "unspent")

    grid = build_grid(plan)

    assert grid.share == Decimal("30.00")
    assert grid.totals.ours == Decimal("300000.00")
    assert grid.totals.category == Decimal("1000000.00")
    assert grid.unspent == Decimal("200000.00")
    assert [(taken.competitor.name, taken.spend) for taken in grid.competitors] == [("竞品甲", Decimal("500000.00"))]
    assert [row.unit.name for row in grid.rows] == ["华北事业部", "华南事业部"]
    assert [(row.totals.ours, row.totals.category) for row in grid.rows] == [
        (Decimal("300000.00"), Decimal("800000.00")),
        (Decimal("0.00"), Decimal("200000.00")),
    ]
    assert [row.totals.share for row in grid.rows] == [Decimal("37.50"), Decimal("0.00")]
    assert [(column.ours, column.category) for column in grid.columns] == [
        (Decimal("300000.00"), Decimal("500000.00")),
        (Decimal("0.00"), Decimal("500000.00")),
        (Decimal("0.00"), Decimal("0.00")),
        (Decimal("0.00"), Decimal("0.00")),
    ]
    assert [column.share for column in grid.columns] == [Decimal("60.00"), Decimal("0.00"), None, None]
    assert [[spot.status for spot in row.cells] for row in grid.rows] == [
        ["owned", "gap", "gap", "gap"],
        ["pipeline", "gap", "na", "gap"],
    ]
    assert [spot.recorded for spot in grid.rows[1].cells] == [True, False, True, False]
    assert support.name == "运维支持"  # the default lines are stored in the organization's language


def test_the_plan_list_shows_the_same_share_as_the_grid(planned: PlanWorld) -> None:
    plan, (software, hardware, services, _support) = planned.plan, planned.lines
    north = unit(plan, "华北事业部")
    cell(plan, north, software, "owned", "300000", "us")
    cell(plan, north, hardware, "gap", "700000", "unspent")
    cell(plan, north, services, "na", "5000000", "")

    [row] = plan_list(planned.w.owner, PlanFilters(), TODAY)

    assert annotated_share(row) == Decimal("30.00")
    assert build_grid(plan).share == Decimal("30.00")


def test_share_is_none_without_category_spend(planned: PlanWorld) -> None:
    plan, (software, *_rest) = planned.plan, planned.lines
    cell(plan, unit(plan, "总部"), software, "na", "900000", "unspent")

    assert build_grid(plan).share is None
    assert share_of_wallet(Decimal("0"), Decimal("0")) is None
    assert share_of_wallet(None, None) is None


def test_share_rounds_half_up_to_two_places() -> None:
    assert share_of_wallet(Decimal("1"), Decimal("3")) == Decimal("33.33")
    assert share_of_wallet(Decimal("2"), Decimal("3")) == Decimal("66.67")
    assert share_of_wallet(Decimal("1"), Decimal("8")) == Decimal("12.50")
    assert share_of_wallet(Decimal("1"), Decimal("1600")) == Decimal("0.06")


def test_a_cell_without_spend_counts_as_zero(planned: PlanWorld) -> None:
    plan, (software, hardware, *_rest) = planned.plan, planned.lines
    north = unit(plan, "华北事业部")
    cell(plan, north, software, "owned", None, "us")
    cell(plan, north, hardware, "gap", "400000", "unspent")

    assert build_grid(plan).share == Decimal("0.00")


def test_a_retired_product_line_leaves_the_grid_and_the_share(planned: PlanWorld) -> None:
    plan, (software, hardware, *_rest) = planned.plan, planned.lines
    north = unit(plan, "华北事业部")
    cell(plan, north, software, "owned", "100000", "us")
    cell(plan, north, hardware, "gap", "100000", "unspent")
    ProductLine.objects.filter(pk=software.pk).update(active=False)

    grid = build_grid(plan)
    [row] = plan_list(planned.w.owner, PlanFilters(), TODAY)

    assert [line.name for line in grid.lines] == ["硬件", "实施服务", "运维支持"]
    assert grid.share == Decimal("0.00")
    assert annotated_share(row) == Decimal("0.00")


def _grid_of(scene: PlanWorld, units: int, lines: int) -> None:
    plan = scene.plan
    extra = [ProductLine.objects.create(organization=scene.w.org, name=f"线{i}", position=10 + i) for i in range(2)]
    active = [*scene.lines, *extra][:lines]
    ProductLine.objects.filter(organization=scene.w.org).exclude(pk__in=[line.pk for line in active]).update(
        active=False
    )
    rival = competitor(scene.w.org, "竞品甲")
    for index in range(units):
        bu = unit(plan, f"事业部{index}", index)
        for position, line in enumerate(active):
            if position % 2:
                cell(plan, bu, line, "gap", "1000", "competitor", rival)
            else:
                cell(plan, bu, line, "owned", "1000", "us")


def test_the_grid_costs_the_same_queries_for_2x3_and_6x4(planned: PlanWorld, django_assert_num_queries: object) -> None:
    _grid_of(planned, 2, 3)
    with django_assert_num_queries(3):  # type: ignore[operator]
        small = build_grid(planned.plan)
    assert (len(small.rows), len(small.lines)) == (2, 3)


def test_the_big_grid_costs_three_queries_too(planned: PlanWorld, django_assert_num_queries: object) -> None:
    _grid_of(planned, 6, 4)
    with django_assert_num_queries(3):  # type: ignore[operator]
        big = build_grid(planned.plan)
    assert (len(big.rows), len(big.lines)) == (6, 4)
    assert big.share == Decimal("50.00")
