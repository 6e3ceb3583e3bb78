"""Tasks and coordination requests in Chromium, at desktop and phone width: the htmx pieces work
(customer picker → contacts, tick a task off, due date while typing, comment thread) and pages fit 390 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from kam.activities.models import CoordinationRequest, Task
from kam.activities.tests.fixtures_tasks import make_customer
from kam.conftest import OrgWorld
from kam.core import workcal
from kam.customers.actions import create_contact

pytestmark = pytest.mark.browser
# The area's stylesheet until it is merged into kam.css.
PART_CSS = Path(settings.BASE_DIR) / "kam" / "web" / "static" / "web" / "parts" / "tasks.css"


def styled(tab: Any) -> None:
    if PART_CSS.exists():
        tab.add_style_tag(content=PART_CSS.read_text(encoding="utf-8"))


def test_create_a_task_with_customer_and_contact_then_tick_it_off(
    page: Any, url: Any, log_in: Any, world: OrgWorld, shot: Any, assert_fits: Any
) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    create_contact(world.owner, customer, {"name": "张伟"})
    log_in(world.owner)
    page.goto(url(reverse("task-create")))
    styled(page)
    page.fill("input[name=title]", "送样品给张总")
    page.fill("input[name=customer_q]", "星辰")
    page.get_by_label("北京星辰科技有限公司").check()
    expect(page.locator("select[name=contact] option", has_text="张伟")).to_have_count(1)
    page.select_option("select[name=contact]", label="张伟")
    page.fill("input[name=due_at]", "2026-10-08T10:00")
    assert_fits(page)
    shot(page, "form")
    page.get_by_role("button", name="创建待办").click()
    expect(page).to_have_url(url(reverse("task-list")))
    styled(page)
    task = Task.objects.get(title="送样品给张总")
    assert (task.customer_id, task.contact.name if task.contact else None) == (customer.pk, "张伟")
    row = page.locator(f"#task-{task.pk}")
    expect(row).to_have_class("task-overdue")
    assert_fits(page)
    shot(page, "list")
    row.locator("input[type=checkbox]").check()
    expect(page.locator(f"#task-{task.pk}")).to_have_class("task-done")
    assert_fits(page)
    shot(page, "ticked")
    task.refresh_from_db()
    assert task.done_at is not None


def test_ask_presales_for_help_and_get_an_answer(
    page: Any, context: Any, url: Any, log_in: Any, world: OrgWorld, shot: Any, assert_fits: Any
) -> None:
    make_customer(world.owner, "北京星辰科技有限公司")
    log_in(world.owner)
    page.goto(url(reverse("request-create")))
    styled(page)
    page.fill("input[name=customer_q]", "星辰")
    page.get_by_label("北京星辰科技有限公司").check()
    page.select_option("select[name=role]", "presales")
    page.select_option("select[name=kind]", "solution")
    page.fill("input[name=subject]", "出具技术方案")
    page.fill("input[name=working_days]", "5")
    from kam.activities.actions_requests import shanghai_today

    due = workcal.add_workdays(shanghai_today(), 5, world.org.pk)
    expect(page.locator("#due-preview")).to_contain_text(due.isoformat())
    assert_fits(page)
    shot(page, "ask")
    page.get_by_role("button", name="发送请求").click()
    request = CoordinationRequest.objects.get(subject="出具技术方案")
    expect(page).to_have_url(url(reverse("request-detail", args=[request.pk])))

    context.clear_cookies()
    log_in(world.collaborator)
    page.goto(url(reverse("request-list") + "?tab=todo"))
    styled(page)
    assert_fits(page)
    shot(page, "todo")
    page.get_by_role("link", name="出具技术方案").click()
    page.get_by_role("button", name="接受").click()
    styled(page)
    page.fill("textarea[name=body]", "请提供网络拓扑")
    page.get_by_role("button", name="发表评论").click()
    expect(page.locator("#comments")).to_contain_text("请提供网络拓扑")
    page.fill("textarea[name=result]", "方案已上传")
    page.get_by_role("button", name="完成", exact=True).click()
    expect(page.locator(".badge.request-status-done")).to_be_visible()
    styled(page)
    assert_fits(page)
    shot(page, "done")
    request.refresh_from_db()
    assert (request.status, request.assignee, request.result) == ("done", world.collaborator, "方案已上传")
