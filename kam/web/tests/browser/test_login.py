"""Logging in through the real login form."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kam.conftest import OrgWorld

pytestmark = pytest.mark.browser


def submit_login(page: Any, username: str, password: str) -> None:
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def test_rep_logs_in_and_lands_on_home(page: Any, url: Any, world: OrgWorld, shot: Any) -> None:
    page.goto(url("/"))
    expect(page).to_have_url(url("/login/?next=/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    submit_login(page, "owner", "pw-owner")

    expect(page).to_have_url(url("/"))
    expect(page.locator(".user-menu summary")).to_have_text("owner")
    expect(page.locator("input[name=password]")).to_have_count(0)
    shot(page)


def test_wrong_password_shows_error_and_stays_logged_out(page: Any, url: Any, world: OrgWorld, shot: Any) -> None:
    page.goto(url("/login/"))

    submit_login(page, "owner", "not-the-password")

    expect(page).to_have_url(url("/login/"))
    error = page.locator("main .errorlist")
    expect(error).to_be_visible()
    # The message names the lockout rule (10 failures, 15 minutes) in whatever language is active.
    expect(error).to_contain_text("10")
    expect(error).to_contain_text("15")
    expect(page.locator(".user-menu")).to_have_count(0)
    world.owner.refresh_from_db()
    assert world.owner.failed_logins == 1
    shot(page)
