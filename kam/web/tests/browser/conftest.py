"""Playwright harness: one headless Debian Chromium per session, a fresh zh-CN context per test.

Every test runs twice, at desktop width and at phone width (a touch device 390 px wide), against
pytest-django's live server. Screenshots of the final states go to test-artifacts/ for a human look.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kam.core.models import User

CHROMIUM = os.environ.get("KAM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium phones home (Google update, sync, field trials).
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# Playwright waits at most this long for anything; a page of this app answers in well under a second.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop on this thread; the ORM calls of the tests are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The world fixture hashes nine passwords per test; the default hasher would cost seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def context(browser: Any, device: str) -> Iterator[Any]:
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **DEVICES[device])
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any, live_server: Any) -> Iterator[Any]:
    """A tab whose uncaught script errors and failed requests (4xx/5xx, broken static files) fail the test."""
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))

    def check_failed(request: Any) -> None:
        # A request cut short by navigation (or htmx replacing it) is not a fault of the page.
        if "ERR_ABORTED" not in str(request.failure):
            errors.append(f"request failed: {request.method} {request.url} {request.failure}")

    tab.on("requestfailed", check_failed)

    def check_status(response: Any) -> None:
        # Browsers ask for /favicon.ico on their own; the app does not serve one.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    tab.on("response", check_status)
    yield tab
    assert errors == [], "\n".join(errors)


@pytest.fixture
def url(live_server: Any) -> Any:
    def build(path: str) -> str:
        return str(live_server.url) + path

    return build


@pytest.fixture
def log_in(context: Any, live_server: Any) -> Any:
    """Sign a user in by handing the browser a session cookie (the login form has its own test)."""

    def sign_in(user: User) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": str(live_server.url)}])

    return sign_in


@pytest.fixture
def shot(request: pytest.FixtureRequest, device: str) -> Any:
    """Save a full-page screenshot named after the test (and a step) for a human to look at."""

    def save(tab: Any, step: str = "") -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        base = re.sub(r"\[.*\]$", "", request.node.name).removeprefix("test_")
        name = "-".join(part for part in (base, step, device) if part) + ".png"
        path = ARTIFACTS / name
        tab.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def assert_fits(device: str) -> Any:
    """At phone width the page must not scroll sideways (wide tables scroll inside .table-wrap)."""

    def check(tab: Any) -> None:
        if device != "phone":
            return
        width = tab.evaluate("document.documentElement.scrollWidth")
        # Not window.innerWidth: a mobile Chromium zooms out to fit a wide page and innerWidth grows with it.
        viewport = tab.evaluate("document.documentElement.clientWidth")
        assert width <= viewport + 1, f"{tab.url} is {width}px wide at a {viewport}px viewport"

    return check
