"""Creating a customer past the 撞单 warning, claiming from the public pool, the relationship map."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kam.conftest import OrgWorld
from kam.customers.actions import create_contact, create_customer
from kam.customers.models import Attitude, BuyingRole, Customer, Pool, PoolMember

pytestmark = pytest.mark.browser

JS_LI_DEPTH = "el => { let d = 0; for (let n = el; n; n = n.parentElement) if (n.tagName === 'LI') d++; return d; }"


def test_create_customer_warns_of_duplicate_held_by_another_rep_then_creates_anyway(
    page: Any, url: Any, log_in: Any, world: OrgWorld, shot: Any, assert_fits: Any
) -> None:
    world.stranger.display_name = "张伟"
    world.stranger.save(update_fields=["display_name"])
    existing = create_customer(world.stranger, {"name": "华为技术有限公司"})
    log_in(world.owner)
    page.goto(url(reverse("customer-create")))

    form = page.locator("main form[method=post]")
    form.locator("input[name=name]").press_sequentially("北京华为技术有限公司")
    # 查重 as you type: the warning appears before submitting.
    live = page.locator("#duplicate-check").get_by_role("alert")
    expect(live).to_contain_text("张伟")
    form.locator("button[type=submit]:not([name=confirm])").click()

    warning = page.get_by_role("alert")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("张伟")
    # The rep may not open the other rep's customer: no link to it, and its name is not shown.
    expect(warning.get_by_role("link")).to_have_count(0)
    expect(page.locator(f"a[href='{reverse('customer-detail', args=[existing.pk])}']")).to_have_count(0)
    assert Customer.objects.filter(name="北京华为技术有限公司").count() == 0
    assert_fits(page)
    shot(page, "warning")

    warning.locator("button[name=confirm]").click()

    created = page.get_by_role("heading", level=1)
    expect(created).to_contain_text("北京华为技术有限公司")
    customer = Customer.objects.get(name="北京华为技术有限公司")
    assert customer.owner_id == world.owner.pk
    expect(page).to_have_url(url(reverse("customer-detail", args=[customer.pk])))
    existing.refresh_from_db()
    assert existing.owner_id == world.stranger.pk
    assert_fits(page)
    shot(page)


def test_rep_claims_customer_from_public_pool(
    page: Any, url: Any, log_in: Any, world: OrgWorld, shot: Any, assert_fits: Any
) -> None:
    world.owner.display_name = "李明"
    world.owner.save(update_fields=["display_name"])
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=world.owner)
    waiting = create_customer(world.admin, {"name": "中铁建设集团有限公司"}, pool=pool)
    log_in(world.owner)
    page.goto(url(reverse("pool-list")))

    page.get_by_role("link", name="华北公海").click()
    expect(page).to_have_url(url(reverse("pool-detail", args=[pool.pk])))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="中铁建设集团有限公司"))
    expect(row).to_have_count(1)
    assert_fits(page)
    shot(page, "pool")

    row.locator(f"form[action='{reverse('customer-claim', args=[waiting.pk])}'] button[type=submit]").click()

    expect(page).to_have_url(url(reverse("customer-detail", args=[waiting.pk])))
    expect(page.locator(".messages")).to_contain_text("中铁建设集团有限公司")
    expect(page.locator("main .details")).to_contain_text("李明")
    waiting.refresh_from_db()
    assert waiting.owner_id == world.owner.pk
    assert waiting.pool_id is None
    assert_fits(page)
    shot(page)


def test_relationship_map_shows_reporting_chain_and_missing_coach(
    page: Any, url: Any, log_in: Any, world: OrgWorld, shot: Any, assert_fits: Any
) -> None:
    customer = create_customer(world.owner, {"name": "国家电网有限公司"})
    boss = create_contact(
        world.owner,
        customer,
        {
            "name": "张建国",
            "title": "总经理",
            "buying_role": BuyingRole.DECISION_MAKER,
            "attitude": Attitude.SUPPORTER,
            "strength": 4,
            "is_key_person": True,
        },
    )
    manager = create_contact(
        world.owner,
        customer,
        {"name": "李娜", "title": "信息中心主任", "buying_role": BuyingRole.TECHNICAL, "reports_to": boss},
    )
    create_contact(
        world.owner,
        customer,
        {
            "name": "王磊",
            "title": "工程师",
            "buying_role": BuyingRole.USER,
            "attitude": Attitude.OPPONENT,
            "reports_to": manager,
        },
    )
    log_in(world.owner)
    page.goto(url(reverse("customer-detail", args=[customer.pk])))

    page.locator(f"main a[href='{reverse('relationship-map', args=[customer.pk])}']").first.click()

    expect(page).to_have_url(url(reverse("relationship-map", args=[customer.pk])))
    chart = page.locator(".org-chart").first
    depths = {
        name: chart.get_by_role("link", name=name, exact=True).evaluate(JS_LI_DEPTH)
        for name in ("张建国", "李娜", "王磊")
    }
    assert depths == {"张建国": 1, "李娜": 2, "王磊": 3}
    expect(page.locator("[data-warning=no_coach]")).to_have_count(1)
    expect(page.locator("[data-warning=no_decision_maker]")).to_have_count(0)
    expect(page.locator("[data-warning=unplaced]")).to_have_count(0)
    # The decision maker is a key person never contacted: that is a warning too, naming them.
    expect(page.locator("[data-warning=key_person_cold]")).to_contain_text("张建国")
    assert_fits(page)
    shot(page)
