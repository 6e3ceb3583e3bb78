"""The header search box finds a customer by pinyin initials while typing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kam.conftest import OrgWorld
from kam.customers.actions import create_customer

pytestmark = pytest.mark.browser


def test_header_search_finds_customer_by_pinyin_initials(
    page: Any, url: Any, log_in: Any, world: OrgWorld, shot: Any
) -> None:
    customer = create_customer(world.owner, {"name": "华为技术有限公司"})
    detail = reverse("customer-detail", args=[customer.pk])
    log_in(world.owner)
    page.goto(url("/"))

    box = page.locator("header").get_by_role("searchbox")
    box.click()
    box.press_sequentially("hwjs")

    result = page.locator("#search-live").get_by_role("link", name="华为技术有限公司")
    expect(result).to_be_visible()
    expect(result).to_have_attribute("href", detail)
    shot(page, "results")

    result.click()
    expect(page).to_have_url(url(detail))
    expect(page.get_by_role("heading", level=1)).to_contain_text("华为技术有限公司")
    shot(page)
