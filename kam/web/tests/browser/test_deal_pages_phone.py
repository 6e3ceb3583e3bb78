"""Every page type of issue 4 at 390 px: the page body never scrolls sideways.

Wide content (the board's columns, tables, the whitespace grid) may scroll inside its own container;
the page itself must fit. All pages are opened before the assertion so one run names every page
that is too wide, with the elements that stick out.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kam.conftest import OrgWorld
from kam.core.workcal import next_workday
from kam.sales.models import ProductLine
from kam.web.tests.browser.deal_scene import WidePages, build_deal_scene, build_pages_scene, phone_pages

pytestmark = pytest.mark.browser

# What each page must show, so a page that fits only because it is empty or an error does not pass.
EXPECTED_TEXT = {
    "deal-list": "燕山石化智能工厂一期",
    "deal-board": "燕山石化智能工厂一期",
    "deal-detail": "陈立",
    "deal-needs-history": "客户升级 ERP",
    "deal-coverage": "王建国",
    "competitor-list": "浙江中控技术股份有限公司",
    "competitor-detail": "MES 制造执行系统",
    "price-intel-list": "MES 制造执行系统",
    "price-intel-history": "455,000.00",
    "winloss": "浙江中控技术股份有限公司",
    "account-plan-list": "北京燕山石化股份有限公司",
    "account-plan-detail": "燕化高新技术公司",
    "briefing": "燕山石化智能工厂一期",
}


@pytest.mark.parametrize("device", ["phone"])
def test_new_deal_pages_fit_phone_width(
    page: Any, url: Any, log_in: Any, world: OrgWorld, shot: Any, assert_fits: Any, device: str
) -> None:
    scene = build_deal_scene(world)
    pages = build_pages_scene(world, scene)
    meeting_day = next_workday(timezone.localdate(), world.org.pk)
    paths = phone_pages(pages, meeting_day)
    assert sorted(paths) == sorted(EXPECTED_TEXT)
    wide = WidePages()

    log_in(world.owner)
    for name, path in paths.items():
        page.goto(url(path))
        expect(page.locator("main")).to_contain_text(EXPECTED_TEXT[name])
        wide.check(page, name)
        shot(page, name)
    # The whitespace grid: 3 business units × 4 product lines, scrolling inside its own box.
    page.goto(url(paths["account-plan-detail"]))
    expect(page.locator("#plan-whitespace .whitespace-grid td.whitespace-cell")).to_have_count(12)
    unit = pages.plan.business_units.get(name="炼油事业部")
    line = ProductLine.objects.filter(organization=world.org).order_by("position").first()
    assert line is not None
    expect(page.locator(f"#cell-{unit.pk}-{line.pk}")).to_have_class("whitespace-cell whitespace-owned")

    # 管理 → 销售设置 is an admin's page.
    log_in(world.admin)
    page.goto(url(reverse("admin-sales")))
    expect(page.locator("main")).to_contain_text("方案报价")
    wide.check(page, "admin-sales")
    shot(page, "admin-sales")

    assert wide.found == [], "pages wider than the phone:\n" + "\n".join(wide.found)
    assert_fits(page)
