"""The competitor list: deal counts and our win rate against each competitor, in one query."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kam.market.queries import CompetitorFilters, competitor_list, get_competitor_for_user, win_rate_percent
from kam.market.tests.fixtures_competitors import (  # noqa: F401 - fixtures
    _english_messages,
    add_to_deal,
    make_competitor,
)
from kam.sales.models import CompetitorStatus, OpportunityStatus
from kam.sales.tests.fixtures_deals import make_customer, make_deal

pytestmark = pytest.mark.django_db


def _deals_against(world: Any, competitor: Any, statuses: list[str], prefix: str = "项目") -> list[Any]:
    customer = make_customer(world.owner, f"{prefix}客户{competitor.pk}")
    deals = []
    for index, status in enumerate(statuses):
        deal = make_deal(world.owner, customer, status=status, name=f"{prefix}{competitor.name}{index}")
        add_to_deal(deal, competitor)
        deals.append(deal)
    return deals


def test_counts_and_win_rate_against_a_competitor_are_exact(world: Any) -> None:
    rival = make_competitor(world.org, "华为")
    W, L, INV, OPEN = (OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.INVALID, OpportunityStatus.OPEN)
    _deals_against(world, rival, [W, W, L, INV, OPEN])
    found = get_competitor_for_user(world.owner, rival.pk)
    assert (found.met_count, found.won_count, found.lost_count) == (5, 2, 1)
    assert win_rate_percent(found) == Decimal("66.67")


def test_win_rate_is_empty_when_nothing_was_decided(world: Any) -> None:
    rival = make_competitor(world.org, "新华三")
    _deals_against(world, rival, [OpportunityStatus.OPEN, OpportunityStatus.INVALID])
    found = get_competitor_for_user(world.owner, rival.pk)
    assert (found.met_count, found.won_count, found.lost_count) == (2, 0, 0)
    assert win_rate_percent(found) is None


def test_a_deal_lost_to_a_competitor_counts_even_when_the_list_does_not_name_it(world: Any) -> None:
    rival = make_competitor(world.org, "浪潮")
    customer = make_customer(world.owner, "山东钢铁")
    make_deal(world.owner, customer, status=OpportunityStatus.LOST, won_by=rival)
    listed = make_deal(world.owner, customer, status=OpportunityStatus.LOST, won_by=rival, name="二期")
    add_to_deal(listed, rival, CompetitorStatus.WON)
    found = get_competitor_for_user(world.owner, rival.pk)
    assert (found.met_count, found.won_count, found.lost_count) == (2, 0, 2)
    assert win_rate_percent(found) == Decimal("0.00")


def test_deals_of_deleted_customers_do_not_count(world: Any) -> None:
    rival = make_competitor(world.org, "中兴")
    deals = _deals_against(world, rival, [OpportunityStatus.WON])
    gone = make_customer(world.owner, "已删除客户")
    add_to_deal(make_deal(world.owner, gone, status=OpportunityStatus.LOST), rival)
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])
    found = get_competitor_for_user(world.owner, rival.pk)
    assert (found.met_count, found.won_count, found.lost_count) == (1, 1, 0)
    assert deals[0].status == OpportunityStatus.WON


def test_other_competitors_and_other_organizations_do_not_mix(world: Any) -> None:
    rival = make_competitor(world.org, "华为")
    other = make_competitor(world.org, "思科")
    _deals_against(world, rival, [OpportunityStatus.WON])
    _deals_against(world, other, [OpportunityStatus.LOST, OpportunityStatus.LOST], prefix="B")
    make_competitor(world.outsider.organization, "华为")
    rows = {c.name: (c.met_count, c.won_count, c.lost_count) for c in competitor_list(world.owner, CompetitorFilters())}
    assert rows == {"华为": (1, 1, 0), "思科": (2, 0, 2)}


def test_the_list_filters_by_name_and_state(world: Any) -> None:
    make_competitor(world.org, "华为技术")
    make_competitor(world.org, "华三通信", active=False)
    make_competitor(world.org, "思科")

    def names(**kwargs: Any) -> list[str]:
        return [c.name for c in competitor_list(world.owner, CompetitorFilters(**kwargs))]

    assert names() == ["华为技术", "思科"]
    assert names(q="华") == ["华为技术"]
    assert names(q="华", state="all") == ["华三通信", "华为技术"]
    assert names(state="inactive") == ["华三通信"]


def test_the_list_page_shows_counts_and_win_rate(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    W, L, INV = OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.INVALID
    _deals_against(world, rival, [W, W, L, INV])
    response = client_for(world.stranger).get("/competitors/")
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index(f'id="competitor-row-{rival.pk}"') :]
    row = row[: row.index("</tr>")]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[1:-1]]
    assert cells == ["—", "4", "2", "1", "66.67%"]


def test_the_api_lists_counts_and_win_rate(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为", price_positioning="premium")
    _deals_against(world, rival, [OpportunityStatus.WON, OpportunityStatus.WON, OpportunityStatus.LOST])
    body = client_for(world.owner).get("/api/v1/competitors").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["name"], item["deals_met"], item["deals_won"], item["deals_lost"], item["win_rate"]) == (
        "华为",
        3,
        2,
        1,
        "66.67",
    )
    assert item["price_positioning"] == "premium"


def _competitors_with_deals(world: Any, count: int) -> None:
    customer = make_customer(world.owner, f"批量客户{count}")
    deal = make_deal(world.owner, customer, status=OpportunityStatus.WON)
    for index in range(count):
        rival = make_competitor(world.org, f"对手{count}-{index}")
        add_to_deal(deal, rival)


@pytest.mark.parametrize("rows", [3, 9])
def test_competitor_list_page_query_count_does_not_grow(
    world: Any, client_for: Any, django_assert_max_num_queries: Any, rows: int
) -> None:
    _competitors_with_deals(world, rows)
    client = client_for(world.owner)
    client.get("/competitors/")  # warm the session and the per-process caches
    with django_assert_max_num_queries(6):
        response = client.get("/competitors/")
    assert response.content.decode().count('id="competitor-row-') == rows


@pytest.mark.parametrize("rows", [3, 9])
def test_competitor_list_api_query_count_does_not_grow(
    world: Any, client_for: Any, django_assert_max_num_queries: Any, rows: int
) -> None:
    _competitors_with_deals(world, rows)
    client = client_for(world.owner)
    client.get("/api/v1/competitors")
    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/competitors").json()
    assert body["count"] == rows
