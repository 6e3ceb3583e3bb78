"""Lists and the plan page cost the same number of queries whatever they hold."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.market.models import Competitor
from kam.planning.actions_account_plans import add_key_player, add_team_member, create_plan
from kam.planning.models.account_plans import AccountPlan
from kam.planning.queries_account_plans import PlanFilters, key_accounts_without_plan, plan_list
from kam.planning.tests.fixtures_account_plans import (
    PlanWorld,
    action,
    cell,
    competitor,
    contact_of,
    customer_of,
    make_planned,
    objective,
    product_lines,
    unit,
)
from kam.sales.models import ProductLine

TODAY = date(2026, 12, 1)


def _plans(world: OrgWorld, count: int) -> None:
    lines = product_lines(world.org)
    rival = competitor(world.org, f"竞品{count}")
    for index in range(count):
        plan = create_plan(world.owner, customer_of(world.owner, f"客户{count}-{index}"), {})
        goal = objective(plan, world.owner, "目标", date(2026, 11, 1))
        action(goal, world.owner, "行动", date(2026, 11, 2))
        bu = unit(plan, "总部")
        cell(plan, bu, lines[0], "owned", "100", "us")
        cell(plan, bu, lines[1], "gap", "300", "competitor", rival)
        customer_of(world.teammate, f"无规划{count}-{index}")


def _page_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("viewer", ["owner", "manager_north", "admin"])
def test_the_list_page_costs_the_same_for_n_and_3n_plans(world: OrgWorld, client_for: Any, viewer: str) -> None:
    client = client_for(getattr(world, viewer))
    _plans(world, 2)
    small = _page_queries(client, reverse("account-plan-list"))
    _plans(world, 4)
    assert AccountPlan.objects.count() == 6
    assert _page_queries(client, reverse("account-plan-list")) == small


def test_the_api_list_costs_the_same_for_n_and_3n_plans(world: OrgWorld, client_for: Any) -> None:
    client = client_for(world.manager_north)
    _plans(world, 2)
    small = _page_queries(client, "/api/v1/account-plans")
    _plans(world, 4)
    assert _page_queries(client, "/api/v1/account-plans") == small


def test_the_list_query_annotates_counts_and_wallet(world: OrgWorld) -> None:
    _plans(world, 3)
    rows = list(plan_list(world.manager_north, PlanFilters(), TODAY))
    assert [(row.open_objectives, row.overdue_objectives, row.our_spend, row.category_spend) for row in rows] == [  # type: ignore[attr-defined]
        (1, 1, 100, 400)
    ] * 3
    assert [c.name for c in key_accounts_without_plan(world.manager_north)] == ["无规划3-0", "无规划3-1", "无规划3-2"]
    assert list(key_accounts_without_plan(world.owner)) == []
    assert list(key_accounts_without_plan(world.stranger)) == []


def _fill(planned: PlanWorld, units: int, lines: int) -> None:
    w, plan = planned.w, planned.plan
    extra = [
        ProductLine.objects.get_or_create(organization=w.org, name=f"线{i}", defaults={"position": 10 + i})[0]
        for i in range(2)
    ]
    active = [*planned.lines, *extra][:lines]
    ProductLine.objects.filter(organization=w.org).exclude(pk__in=[line.pk for line in active]).update(active=False)
    rival = Competitor.objects.get_or_create(organization=w.org, name="竞品甲")[0]
    for index in range(units):
        bu = unit(plan, f"事业部{index}", index)
        for position, line in enumerate(active):
            cell(plan, bu, line, "gap", "1000", "competitor", rival) if position % 2 else cell(
                plan, bu, line, "owned", "1000", "us"
            )
        goal = objective(plan, w.owner, f"目标{index}", date(2026, 12, 31))
        action(goal, w.teammate, f"行动{index}", date(2026, 12, 1))
        add_key_player(w.owner, plan, contact_of(planned.customer, f"联系人{index}"), "key_player")
    for person in (w.teammate, w.collaborator, w.director)[: max(units // 2, 1)]:
        add_team_member(w.owner, plan, person, "支持")


@pytest.mark.parametrize("viewer", ["owner", "manager_north", "collaborator"])
def test_the_plan_page_costs_the_same_for_2x3_and_6x4(world: OrgWorld, client_for: Any, viewer: str) -> None:
    small_plan = make_planned(world)
    _fill(small_plan, 2, 3)
    client = client_for(getattr(world, viewer))
    small = _page_queries(client, reverse("account-plan-detail", args=[small_plan.plan.pk]))

    big_plan = PlanWorld(small_plan.w, customer_of(world.owner, "大客户"), None, small_plan.lines)  # type: ignore[arg-type]
    from kam.customers.actions import set_collaborator

    set_collaborator(world.owner, big_plan.customer, world.collaborator, "read")
    big_plan.plan = create_plan(world.owner, big_plan.customer, {})
    ProductLine.objects.filter(organization=world.org).update(active=True)
    _fill(big_plan, 6, 4)
    big = _page_queries(client, reverse("account-plan-detail", args=[big_plan.plan.pk]))
    assert big == small


def test_the_api_plan_and_grid_cost_the_same_for_2x3_and_6x4(world: OrgWorld, client_for: Any) -> None:
    small_plan = make_planned(world)
    _fill(small_plan, 2, 3)
    client = client_for(world.owner)
    counts = []
    for suffix in ("", "/whitespace"):
        counts.append(_page_queries(client, f"/api/v1/account-plans/{small_plan.plan.pk}{suffix}"))
    big = create_plan(world.owner, customer_of(world.owner, "大客户"), {})
    ProductLine.objects.filter(organization=world.org).update(active=True)
    _fill(PlanWorld(small_plan.w, big.customer, big, small_plan.lines), 6, 4)
    assert [
        _page_queries(client, f"/api/v1/account-plans/{big.pk}{suffix}") for suffix in ("", "/whitespace")
    ] == counts


def test_the_customer_panel_costs_the_same_with_a_big_plan(world: OrgWorld, client_for: Any) -> None:
    small_plan = make_planned(world)
    _fill(small_plan, 1, 2)
    client = client_for(world.owner)
    small = _page_queries(client, reverse("customer-detail", args=[small_plan.customer.pk]))
    ProductLine.objects.filter(organization=world.org).update(active=True)
    big = create_plan(world.owner, customer_of(world.owner, "大客户"), {})
    _fill(PlanWorld(small_plan.w, big.customer, big, small_plan.lines), 6, 4)
    assert _page_queries(client, reverse("customer-detail", args=[big.customer_id])) == small
