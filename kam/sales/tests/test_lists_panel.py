"""The customer 360 page's deals panel: open deals first by close date, then the five most recently
closed; totals of the open ones; "new deal" only for those who may write the customer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kam.conftest import OrgWorld
from kam.customers.actions import set_collaborator
from kam.sales.models import OpportunityStatus
from kam.sales.queries_customer_deals import customer_deals
from kam.sales.tests.fixtures_deals import aware, make_customer, make_deal, stage_at
from kam.sales.tests.lists_scene import english_client


def test_open_deals_first_then_the_five_latest_closed(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "宝钢集团")
    today = timezone.localdate()
    make_deal(
        world.owner,
        customer,
        stage_at(world.org, 2),
        amount="300",
        probability=50,
        name="晚",
        expected_close_date=today + timedelta(days=9),
    )
    make_deal(
        world.owner,
        customer,
        stage_at(world.org, 1),
        amount="100",
        probability=10,
        name="早",
        expected_close_date=today + timedelta(days=1),
    )
    for day in range(1, 8):
        status = OpportunityStatus.LOST if day % 2 else OpportunityStatus.WON
        make_deal(world.owner, customer, status=status, name=f"关{day}", closed_at=aware(2026, 3, day))
    other = make_customer(world.owner, "别的客户")
    make_deal(world.owner, other, name="别人的")
    deals = customer_deals(world.owner, customer.pk)
    assert [r.deal.name for r in deals.open_rows] == ["早", "晚"]
    assert [r.deal.name for r in deals.closed_rows] == ["关7", "关6", "关5", "关4", "关3"]
    assert (deals.open_count, deals.open_amount, deals.open_weighted) == (2, Decimal("400.00"), Decimal("160.00"))
    html = english_client(world.owner).get(f"/customers/{customer.pk}/").content.decode()
    panel = html[html.index('id="customer-deals"') :]
    assert panel.index("早") < panel.index("晚") < panel.index("关7")
    assert "2 open deals: ¥400.00, weighted ¥160.00" in panel
    assert f'href="/deals/new/?customer={customer.pk}"' in panel
    assert f'href="/deals/?customer={customer.pk}&amp;status=all"' in panel
    assert "别人的" not in panel


def test_new_deal_link_only_for_those_who_may_write_the_customer(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "宝钢集团")
    make_deal(world.owner, customer, name="冷轧线")
    set_collaborator(world.owner, customer, world.collaborator, "read")
    set_collaborator(world.owner, customer, world.stranger, "write")
    link = f'href="/deals/new/?customer={customer.pk}"'
    for user, expected in (
        (world.owner, True),
        (world.manager_north, True),
        (world.admin, True),
        (world.stranger, True),
        (world.collaborator, False),
    ):
        html = english_client(user).get(f"/customers/{customer.pk}/").content.decode()
        assert "冷轧线" in html
        assert (link in html) is expected, user.username


def test_an_empty_panel_says_so(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "新客户")
    html = english_client(world.owner).get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="customer-deals"' in html
    assert "No deals yet." in html
