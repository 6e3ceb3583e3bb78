"""Query counts: the deal table, the board (rep and director) and the customer's deals panel cost the
same number of queries with N and 3N deals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.models import Customer
from kam.sales.models import OpportunityStatus
from kam.sales.panels import customer_deals_panel
from kam.sales.tests.fixtures_deals import add_member, default_line, make_customer, make_deal, stages_of
from kam.sales.tests.lists_scene import htmx_client

N = 4


def add_deals(world: OrgWorld, customers: dict[str, Customer], count: int, start: int) -> None:
    """`count` deals per owner (owner, stranger) over all stages, some closed, some with a member."""
    stages = stages_of(default_line(world.org))
    for i in range(start, start + count):
        for owner, customer in ((world.owner, customers["owner"]), (world.stranger, customers["stranger"])):
            status = OpportunityStatus.WON if i % 4 == 3 else OpportunityStatus.OPEN
            deal = make_deal(
                owner,
                customer,
                stages[i % len(stages)],
                amount=1000 * (i + 1),
                status=status,
                name=f"{owner.username}{i}",
            )
            if i % 2:
                add_member(deal, world.collaborator)


def queries(client: Client, url: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def counts(world: OrgWorld, measure: Callable[[], int]) -> tuple[int, int]:
    customers = {"owner": make_customer(world.owner, "宝钢集团"), "stranger": make_customer(world.stranger, "海尔智家")}
    add_deals(world, customers, N, 0)
    small = measure()
    add_deals(world, customers, 2 * N, N)
    return small, measure()


@pytest.mark.parametrize(("part", "most"), [("owner", 10), ("director", 9), ("admin", 9), ("collaborator", 10)])
def test_deal_table_costs_the_same_with_n_and_3n_deals(world: OrgWorld, part: str, most: int) -> None:
    user: User = getattr(world, part)
    client = htmx_client(user)
    small, large = counts(world, lambda: queries(client, "/deals/", {"status": "all"}))
    assert small == large
    assert large <= most


@pytest.mark.parametrize(
    ("part", "most"), [("owner", 14), ("manager_north", 15), ("director", 15), ("admin", 14), ("collaborator", 16)]
)
def test_board_costs_the_same_with_n_and_3n_deals(world: OrgWorld, part: str, most: int) -> None:
    user: User = getattr(world, part)
    client = htmx_client(user)
    small, large = counts(world, lambda: queries(client, "/deals/board/"))
    assert small == large
    assert large <= most


def test_board_api_costs_the_same_with_n_and_3n_deals(world: OrgWorld) -> None:
    client = htmx_client(world.director)
    small, large = counts(world, lambda: queries(client, "/api/v1/deals/board"))
    assert small == large <= 12


@pytest.mark.parametrize(("part", "panel_queries"), [("owner", 4), ("manager_north", 5)])
def test_customer_deals_panel_costs_the_same_with_n_and_3n_deals(
    world: OrgWorld, part: str, panel_queries: int, django_assert_num_queries: Any
) -> None:
    user: User = getattr(world, part)
    client = htmx_client(user)
    customers = {"owner": make_customer(world.owner, "宝钢集团"), "stranger": make_customer(world.stranger, "海尔智家")}
    customer = customers["owner"]
    page = f"/customers/{customer.pk}/"
    add_deals(world, customers, N, 0)
    small = queries(client, page)
    add_deals(world, customers, 2 * N, N)
    assert queries(client, page) == small
    customer = Customer.objects.select_related("owner__team").get(pk=customer.pk)
    # The customer's deal ids, three reads of deals (totals, open, recently closed), plus the customer
    # access check for a manager.
    with django_assert_num_queries(panel_queries):
        panel = customer_deals_panel(customer, user)
    assert (panel["deals"].open_count, len(panel["deals"].open_rows), len(panel["deals"].closed_rows)) == (9, 9, 3)
