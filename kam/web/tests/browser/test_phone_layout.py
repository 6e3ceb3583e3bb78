"""At 390 px the home page fits the screen and the folded menu still gets you around."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kam.conftest import OrgWorld
from kam.customers.actions import create_customer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["phone"])
def test_home_fits_phone_width_and_menu_opens(
    page: Any, url: Any, log_in: Any, world: OrgWorld, shot: Any, device: str
) -> None:
    for name in ("华为技术有限公司", "中国石油化工股份有限公司", "内蒙古伊利实业集团股份有限公司"):
        create_customer(world.owner, {"name": name})
    log_in(world.owner)
    page.goto(url("/"))

    assert page.evaluate("window.innerWidth") == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    nav = page.locator("nav.site-nav")
    expect(nav).to_be_hidden()
    expect(page.locator("header").get_by_role("searchbox")).to_be_visible()
    shot(page, "closed")

    page.locator("label[for=nav-toggle]").click()
    expect(nav).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot(page, "menu")

    nav.locator(f"a[href='{reverse('customer-list')}']").click()
    expect(page).to_have_url(url(reverse("customer-list")))
    expect(page.get_by_role("link", name="内蒙古伊利实业集团股份有限公司")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot(page)
