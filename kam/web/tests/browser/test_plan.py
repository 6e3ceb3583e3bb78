"""The plan page and the home agenda in Chromium, at desktop and phone width (htmx edits, no reloads)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kam.conftest import OrgWorld
from kam.planning.models import DayPlan, PlanItem, PlanStatus
from kam.planning.plan import plan_day_for
from kam.planning.tests.fixtures_plan import customer

pytestmark = pytest.mark.browser


def test_rep_makes_reorders_and_accepts_tomorrows_plan(
    page: Any,
    url: Any,
    log_in: Any,
    world: OrgWorld,
    shot: Any,
    assert_fits: Any,
) -> None:
    now = timezone.now()
    customer(world.owner, "晨星科技有限公司", "A", next_followup_at=now - timedelta(days=3), last_followup_at=now)
    customer(world.owner, "远航物流有限公司", "C", next_followup_at=now, last_followup_at=now)
    log_in(world.owner)
    page.goto(url("/plan/"))
    expect(page.get_by_text("跟进晨星科技有限公司")).to_be_visible()
    assert_fits(page)
    page.get_by_role("button", name="采用为我的计划").click()

    editor = page.locator("#plan-editor")
    expect(editor.get_by_role("button", name="接受计划")).to_be_visible()
    items = editor.locator("ol.plan-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("晨星科技有限公司")
    items.nth(1).get_by_role("button", name="上移").click()
    expect(items.nth(0)).to_contain_text("远航物流有限公司")

    page.get_by_label("要做的事").fill("准备样品")
    page.get_by_role("button", name="添加", exact=True).click()
    expect(items).to_have_count(3)
    items.nth(2).get_by_role("button", name="放弃").click()
    expect(items).to_have_count(2)
    assert_fits(page)
    shot(page, "draft")

    editor.get_by_role("button", name="接受计划").click()
    expect(editor.get_by_text("已接受", exact=True)).to_be_visible()
    plan = DayPlan.objects.get(user=world.owner, day=plan_day_for(world.owner, now))
    assert plan.status == PlanStatus.ACCEPTED
    assert list(
        PlanItem.objects.filter(plan=plan, dropped=False).order_by("position").values_list("title", flat=True)
    ) == [
        "跟进远航物流有限公司",
        "跟进晨星科技有限公司",
    ]
    shot(page, "accepted")


def test_rep_ticks_off_todays_agenda_on_the_home_page(
    page: Any,
    url: Any,
    log_in: Any,
    world: OrgWorld,
    shot: Any,
    assert_fits: Any,
) -> None:
    from kam.planning.actions_plan import accept_plan, add_item, refresh_plan

    now = timezone.now()
    plan = refresh_plan(world.owner, timezone.localdate(now), now)
    item = add_item(world.owner, plan, "拜访晨星科技", now)
    add_item(world.owner, plan, "整理客户资料", now)
    accept_plan(world.owner, plan, now)
    log_in(world.owner)
    page.goto(url("/"))
    agenda = page.locator("#agenda")
    expect(agenda).to_contain_text("已完成 0 / 2")
    agenda.get_by_label("拜访晨星科技").check()
    expect(agenda).to_contain_text("已完成 1 / 2")
    assert PlanItem.objects.get(pk=item.pk).done_at is not None
    assert_fits(page)
    shot(page)
