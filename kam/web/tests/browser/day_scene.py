"""The cast and set of the whole-day browser test (issue 3): one team, one customer, three phones.

Built with the real actions, like a user would have left it: 李明 (rep1) holds a customer with a
stored position and a follow-up whose next time is today, so today's plan proposes it. 王强
(manager1) runs the region above him; 赵敏 (presales1) is the presales engineer he will ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from kam.activities.actions_followups import create_followup
from kam.activities.models import FollowUp, FollowUpKind
from kam.core.actions import create_team
from kam.core.models import Organization, Role, Team, User
from kam.customers.actions import create_customer
from kam.customers.models import Customer

CUSTOMER_NAME = "北京燕山石化股份有限公司"
# The customer's stored point, and where the phone says the rep stands: 0.001° of latitude north
# (about 111 m) when checking in, half that when checking out. Both inside the default 500 m radius.
CUSTOMER_POINT = (Decimal("39.904200"), Decimal("116.407400"))
CHECK_IN_POINT = (39.905200, 116.407400)
CHECK_OUT_POINT = (39.904700, 116.407400)


@dataclass
class DayScene:
    org: Organization
    region: Team
    group: Team
    manager1: User
    rep1: User
    presales1: User
    customer: Customer
    earlier: FollowUp  # the follow-up three days ago that made today's follow-up due
    today: date


def _user(org: Organization, username: str, display_name: str, role: str, team: Team) -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, organization=org, role=role, team=team
    )
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    return user


def build_day_scene() -> DayScene:
    org = Organization.objects.create(name="华信智能科技有限公司", code="huaxin")
    company = create_team(org, "华信科技", kind="company")
    region = create_team(org, "华北大区", parent=company, kind="region")
    group = create_team(org, "北京一组", parent=region)
    manager1 = _user(org, "manager1", "王强", Role.MANAGER, region)
    rep1 = _user(org, "rep1", "李明", Role.REP, group)
    presales1 = _user(org, "presales1", "赵敏", Role.PRESALES, company)
    latitude, longitude = CUSTOMER_POINT
    customer = create_customer(
        rep1,
        {
            "name": CUSTOMER_NAME,
            "tier": "B",
            "address": "北京市房山区燕山岗南路1号",
            "latitude": latitude,
            "longitude": longitude,
        },
    )
    now = timezone.now()
    today = timezone.localdate(now)
    # Three days ago on the phone; the next step was set for 09:00 today.
    earlier = create_followup(
        rep1,
        customer,
        {
            "kind": FollowUpKind.CALL,
            "occurred_at": now - timedelta(days=3),
            "content": "电话沟通炼化装置数字化改造的意向",
            "feedback": "",
            "next_step": "上门拜访设备处",
            "next_followup_at": timezone.make_aware(datetime.combine(today, time(9, 0))),
        },
        now=now,
    )
    customer.refresh_from_db()
    return DayScene(org, region, group, manager1, rep1, presales1, customer, earlier, today)


@dataclass
class Phone:
    """A second (third) person's phone: its own browser context, signed in, with the page checks of
    the conftest `page` fixture (script errors, failed requests, HTTP errors fail the test)."""

    context: Any
    page: Any
    errors: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], "\n".join(self.errors)


def open_phone(browser: Any, live_server: Any, user: User, device: dict[str, Any], timeout_ms: int) -> Phone:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **device)
    context.set_default_timeout(timeout_ms)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": str(live_server.url)}])
    tab = context.new_page()
    phone = Phone(context, tab)
    watch(tab, phone.errors)
    return phone


def watch(tab: Any, errors: list[str]) -> None:
    tab.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))

    def failed(request: Any) -> None:
        if "ERR_ABORTED" not in str(request.failure):
            errors.append(f"request failed: {request.method} {request.url} {request.failure}")

    def status(response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    tab.on("requestfailed", failed)
    tab.on("response", status)


class Overflow:
    """Collects the pages wider than the phone, so one run reports every one of them."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, tab: Any) -> None:
        width = tab.evaluate("document.documentElement.scrollWidth")
        # Not window.innerWidth: on a mobile device Chromium zooms out to fit a too-wide page, and
        # innerWidth grows with it. The layout viewport (clientWidth) stays the phone's 390 px.
        viewport = tab.evaluate("document.documentElement.clientWidth")
        if width > viewport:
            wide = tab.evaluate(WIDEST_JS, viewport)
            self.found.append(f"{tab.url}: {width}px at {viewport}px ({wide})")


# The elements reaching past the right edge, deepest first, to say what makes a page too wide.
WIDEST_JS = """(viewport) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > viewport + 1 && el.children.length === 0 && !el.closest('.table-wrap')) {
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
               + ' ' + Math.round(r.right) + 'px');
    }
  }
  return out.slice(0, 5).join(', ');
}"""
