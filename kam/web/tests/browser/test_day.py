"""The rep's day at phone width (issue 3 §8), from today's plan to the manager's comment on the 日报.

rep1 (李明) makes and accepts today's plan, plans a visit to the customer it proposes, checks in and
out with the phone's position, records the visit with the customer's feedback, creates a task and asks
presales1 (赵敏) for a technical solution, who accepts and completes it on her own phone; rep1 submits
the 日报. manager1 (王强) opens the next working day's briefing, finds the feedback, opens the 日报
(the read receipt) and comments; rep1 sees the comment. Every page must fit 390 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kam.activities.geo import haversine_m
from kam.activities.models import CoordinationRequest, FollowUpKind, RequestStatus, Task, Visit, VisitStatus
from kam.core.workcal import add_workdays, next_workday
from kam.planning.models import PlanItem, ReportComment, ReportKind, ReportRead, ReportStatus, WorkReport
from kam.web.tests.browser.conftest import DEVICES, TIMEOUT_MS
from kam.web.tests.browser.day_scene import (
    CHECK_IN_POINT,
    CHECK_OUT_POINT,
    CUSTOMER_NAME,
    CUSTOMER_POINT,
    DayScene,
    Overflow,
    build_day_scene,
    open_phone,
)

pytestmark = pytest.mark.browser

FEEDBACK = "设备处认可分阶段改造思路，担心停产窗口太短，希望下周看到技术方案和同类炼厂案例"
CONTENT = "与设备处张处长、信息中心刘工交流炼化装置数字化改造，现场看了二号装置"
TASK_TITLE = "整理燕山石化同类炼厂案例"
REQUEST_SUBJECT = "燕山石化装置数字化改造技术方案"
REQUEST_RESULT = "技术方案初稿已放在共享盘/燕山石化，含两家同类炼厂案例"
PROBLEMS = "客户停产窗口短，实施计划需压缩"
COMMENT = "停产窗口的问题明天晨会上一起讨论，先约交付经理评估工期"


@pytest.fixture
def scene(db: None) -> DayScene:
    return build_day_scene()


@pytest.fixture
def overflow() -> Iterator[Overflow]:
    found = Overflow()
    yield found
    assert found.found == [], "pages wider than the phone:\n" + "\n".join(found.found)


def metres(point: tuple[float, float]) -> int:
    return round(haversine_m(point[0], point[1], *CUSTOMER_POINT))


@pytest.mark.parametrize("device", ["phone"])
def test_reps_day_from_plan_to_managers_comment(
    page: Any,
    context: Any,
    browser: Any,
    live_server: Any,
    url: Any,
    log_in: Any,
    shot: Any,
    scene: DayScene,
    overflow: Overflow,
    device: str,
) -> None:
    customer, today = scene.customer, scene.today
    meeting_day = next_workday(today, scene.org.pk)
    assert page.viewport_size == {"width": 390, "height": 844}
    log_in(scene.rep1)

    # --- Morning: today's plan proposes the follow-up that fell due; rep1 makes and accepts it.
    page.goto(url("/"))
    overflow.check(page)
    page.locator("#agenda").get_by_role("link", name="制定今天的计划").click()
    expect(page).to_have_url(url(f"{reverse('plan')}?date={today.isoformat()}"))
    proposed = page.locator("#plan-editor .plan-item").filter(has_text=f"跟进{CUSTOMER_NAME}")
    expect(proposed).to_have_count(1)
    expect(proposed.locator(".plan-reason")).to_have_text(f"计划 {today.isoformat()} 跟进")
    overflow.check(page)
    shot(page, "1-plan-proposed")
    page.get_by_role("button", name="采用为我的计划").click()
    page.get_by_role("button", name="接受计划").click()
    expect(page.locator("#plan-editor .plan-status")).to_contain_text("已接受")
    item = PlanItem.objects.get(plan__user=scene.rep1, plan__day=today, customer=customer)
    assert item.plan.status == "accepted"
    assert item.source == "followup_due"
    overflow.check(page)
    shot(page, "2-plan-accepted")

    # --- The plan item leads to the customer, where rep1 plans the visit.
    page.locator("#plan-editor").get_by_role("link", name=f"跟进{CUSTOMER_NAME}").click()
    expect(page).to_have_url(url(reverse("customer-detail", args=[customer.pk])))
    overflow.check(page)
    page.get_by_role("link", name="计划拜访").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("计划拜访")
    page.locator("main form [name=purpose]").fill("交流装置数字化改造方案")
    overflow.check(page)
    page.get_by_role("button", name="计划拜访").click()
    visit = Visit.objects.get(customer=customer, owner=scene.rep1)
    expect(page).to_have_url(url(reverse("visit-detail", args=[visit.pk])))
    expect(page.locator(".messages")).to_contain_text("拜访已计划。")
    assert visit.status == VisitStatus.PLANNED

    # --- At the customer: 签到 with the phone's position, about 111 m from the stored point.
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": CHECK_IN_POINT[0], "longitude": CHECK_IN_POINT[1], "accuracy": 15})
    overflow.check(page)
    shot(page, "3-visit-planned")
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已签到。")
    expect(page.locator(".visit-step").first).to_contain_text(f"相距{metres(CHECK_IN_POINT)}米")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CHECKED_IN
    assert visit.check_in_distance_m == metres(CHECK_IN_POINT) == 111
    assert visit.check_in_distance_m < scene.org.checkin_radius_m == 500
    assert visit.check_in_out_of_range is False
    assert (float(visit.check_in_latitude), float(visit.check_in_longitude)) == CHECK_IN_POINT  # type: ignore[arg-type]
    overflow.check(page)
    shot(page, "4-checked-in")

    # --- Leaving: 签退 leads straight to the visit's record; rep1 notes the customer's feedback.
    context.set_geolocation({"latitude": CHECK_OUT_POINT[0], "longitude": CHECK_OUT_POINT[1], "accuracy": 15})
    page.get_by_role("button", name="签退", exact=True).click()
    expect(page).to_have_url(url(f"{reverse('followup-create')}?visit={visit.pk}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("记录拜访")
    expect(page.locator(".messages")).to_contain_text("已签退。")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    assert visit.check_out_distance_m == metres(CHECK_OUT_POINT)
    assert visit.check_out_out_of_range is False
    assert visit.stay_minutes == 0  # in and out within seconds
    form = page.locator("main form.followup-form")
    form.locator("[name=content]").fill(CONTENT)
    form.locator("[name=feedback]").fill(FEEDBACK)
    form.locator("[name=next_step]").fill("下周三前提交技术方案")
    overflow.check(page)
    shot(page, "5-visit-record")
    form.get_by_role("button", name="保存跟进").click()
    expect(page).to_have_url(url(reverse("visit-detail", args=[visit.pk])))
    expect(page.locator(".messages")).to_contain_text("跟进记录已保存。")
    expect(page.get_by_role("link", name="查看这次拜访的跟进记录")).to_be_visible()
    visit.refresh_from_db()
    record = visit.followup
    assert record is not None
    assert (record.kind, record.author_id, record.content, record.feedback) == (
        FollowUpKind.VISIT,
        scene.rep1.pk,
        CONTENT,
        FEEDBACK,
    )
    assert record.occurred_at == visit.check_in_at.replace(second=0, microsecond=0)  # type: ignore[union-attr]
    customer.refresh_from_db()
    assert customer.last_followup_at == record.occurred_at
    assert customer.last_followup_at > scene.earlier.occurred_at
    overflow.check(page)
    shot(page, "6-visit-done")

    # --- A task from the visit, due the next working day.
    page.goto(url(f"{reverse('task-create')}?customer={customer.pk}"))
    task_form = page.locator("main form.card").last
    expect(task_form.locator("#customer-matches input[name=customer]:checked")).to_have_value(str(customer.pk))
    task_form.locator("[name=title]").fill(TASK_TITLE)
    task_form.locator("[name=due_at]").fill(f"{meeting_day.isoformat()}T10:00")
    task_form.locator("[name=priority]").select_option("high")
    overflow.check(page)
    task_form.get_by_role("button", name="创建待办").click()
    expect(page.locator(".messages")).to_contain_text("待办已创建。")
    expect(page.get_by_role("link", name=TASK_TITLE)).to_be_visible()
    task = Task.objects.get(title=TASK_TITLE)
    assert (task.owner_id, task.customer_id, task.priority, task.done_at) == (scene.rep1.pk, customer.pk, "high", None)
    assert timezone.localtime(task.due_at) == timezone.make_aware(datetime.combine(meeting_day, time(10, 0)))  # type: ignore[arg-type]
    overflow.check(page)
    shot(page, "7-task")

    # --- A coordination request to presales1 by name, due in three working days.
    page.goto(url(f"{reverse('request-create')}?customer={customer.pk}"))
    ask = page.locator("main form.card")
    expect(ask.locator("#customer-matches input[name=customer]:checked")).to_have_value(str(customer.pk))
    ask.locator("input[name=assignee_q]").press_sequentially("赵敏")
    colleague = ask.locator(f"#assignee-matches input[name=assignee][value='{scene.presales1.pk}']")
    expect(colleague).to_be_checked()
    ask.locator("[name=kind]").select_option("solution")
    ask.locator("[name=working_days]").fill("3")
    due = add_workdays(today, 3, scene.org.pk)
    expect(ask.locator("#due-preview")).to_contain_text(due.isoformat())
    ask.locator("[name=subject]").fill(REQUEST_SUBJECT)
    ask.locator("[name=detail]").fill("客户希望下周看到分阶段改造的技术方案，停产窗口约10天")
    overflow.check(page)
    shot(page, "8-request-form")
    ask.get_by_role("button", name="发送请求").click()
    asked = CoordinationRequest.objects.get(subject=REQUEST_SUBJECT)
    expect(page).to_have_url(url(reverse("request-detail", args=[asked.pk])))
    expect(page.locator(".messages")).to_contain_text(f"请求已发送，截止日期为 {due.isoformat()}。")
    expect(page.locator(".page-head .badge").first).to_have_text("待接受")
    assert (asked.requester_id, asked.assignee_id, asked.role, asked.status, asked.due_date) == (
        scene.rep1.pk,
        scene.presales1.pk,
        "",
        RequestStatus.OPEN,
        due,
    )
    overflow.check(page)

    # --- presales1, on her own phone, finds it waiting for her, accepts and completes it.
    presales = open_phone(browser, live_server, scene.presales1, DEVICES["phone"], TIMEOUT_MS)
    try:
        tab = presales.page
        tab.goto(url(f"{reverse('request-list')}?tab=todo"))
        overflow.check(tab)
        tab.get_by_role("link", name=REQUEST_SUBJECT).click()
        expect(tab).to_have_url(url(reverse("request-detail", args=[asked.pk])))
        tab.get_by_role("button", name="接受", exact=True).click()
        expect(tab.locator(".page-head .badge").first).to_have_text("处理中")
        asked.refresh_from_db()
        assert asked.status == RequestStatus.ACCEPTED
        assert asked.accepted_at is not None
        tab.locator("main form [name=result]").fill(REQUEST_RESULT)
        overflow.check(tab)
        shot(tab, "9-presales-accepted")
        tab.get_by_role("button", name="完成", exact=True).click()
        expect(tab.locator(".page-head .badge").first).to_have_text("已完成")
        expect(tab.locator("main")).to_contain_text(REQUEST_RESULT)
        overflow.check(tab)
        shot(tab, "10-presales-done")
    finally:
        presales.close()
    asked.refresh_from_db()
    assert (asked.status, asked.result, asked.assignee_id) == (RequestStatus.DONE, REQUEST_RESULT, scene.presales1.pk)
    assert asked.completed_at is not None

    # rep1 sees the answer.
    page.goto(url(reverse("request-detail", args=[asked.pk])))
    expect(page.locator(".page-head .badge").first).to_have_text("已完成")
    expect(page.locator("main")).to_contain_text(REQUEST_RESULT)

    # --- Evening: the 日报, drafted from the day's records, submitted.
    page.goto(url(reverse("report-edit", kwargs={"kind": "daily", "day": today.isoformat()})))
    expect(page.locator("#work-title + *")).to_contain_text(CUSTOMER_NAME)
    report_form = page.locator("main form.report-form")
    report_form.locator("[name=problems]").fill(PROBLEMS)
    overflow.check(page)
    shot(page, "11-report-draft")
    report_form.get_by_role("button", name="提交", exact=True).click()
    report = WorkReport.objects.get(author=scene.rep1, kind=ReportKind.DAILY, period_start=today)
    expect(page).to_have_url(url(reverse("report-detail", args=[report.pk])))
    expect(page.locator(".messages")).to_contain_text("报告已提交。")
    expect(page.locator(".page-head")).to_contain_text("已提交")
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None
    assert report.problems == PROBLEMS
    assert [group["customer"] for group in report.work] == [CUSTOMER_NAME]
    assert (report.stats["visits"], report.stats["followups"]) == (1, 1)
    overflow.check(page)
    shot(page, "12-report-submitted")

    # Tomorrow's plan (the next working day) proposes the task due then.
    page.goto(url(reverse("plan")))
    expect(page.get_by_role("heading", level=1)).to_contain_text(meeting_day.isoformat())
    upcoming = page.locator("#plan-editor .plan-item").filter(has_text=TASK_TITLE)
    expect(upcoming).to_have_count(1)
    expect(upcoming.locator(".plan-reason")).to_have_text(f"待办 {meeting_day.isoformat()} 10:00 到期")
    overflow.check(page)
    shot(page, "12b-tomorrows-plan")

    # --- Next morning: manager1's briefing shows the customer's feedback.
    manager = open_phone(browser, live_server, scene.manager1, DEVICES["phone"], TIMEOUT_MS)
    try:
        tab = manager.page
        tab.goto(url(f"{reverse('briefing')}?date={meeting_day.isoformat()}"))
        expect(tab.get_by_role("heading", level=1)).to_contain_text(f"晨会 {meeting_day.isoformat()}")
        feedback = tab.locator("#section-feedback")
        expect(feedback).to_contain_text(CUSTOMER_NAME)
        expect(feedback).to_contain_text(FEEDBACK)
        overflow.check(tab)
        shot(tab, "13-briefing")

        # Who handed in the 日报: rep1's opens, and that is the read receipt.
        tab.goto(url(f"{reverse('report-team')}?kind=daily&date={today.isoformat()}"))
        row = tab.locator("tbody tr").filter(has_text="李明")
        expect(row).to_have_count(1)
        overflow.check(tab)
        shot(tab, "14-team-reports")
        assert not ReportRead.objects.filter(report=report).exists()
        row.get_by_role("link").click()
        expect(tab).to_have_url(url(reverse("report-detail", args=[report.pk])))
        expect(tab.locator("main")).to_contain_text(PROBLEMS)
        expect(tab.locator(".report-reads")).to_contain_text("王强")
        assert list(ReportRead.objects.filter(report=report).values_list("reader_id", flat=True)) == [scene.manager1.pk]

        comments = tab.locator("#report-comments")
        comments.locator("[name=body]").fill(COMMENT)
        comments.get_by_role("button", name="发表评论").click()
        expect(comments.locator(".report-comment")).to_have_count(1)
        expect(comments.locator(".report-comment")).to_contain_text("王强")
        expect(comments.locator(".report-comment")).to_contain_text(COMMENT)
        overflow.check(tab)
        shot(tab, "15-manager-comment")
    finally:
        manager.close()
    assert list(ReportComment.objects.filter(report=report).values_list("author_id", "body")) == [
        (scene.manager1.pk, COMMENT)
    ]

    # --- rep1 sees the comment on the 日报.
    page.goto(url(reverse("report-detail", args=[report.pk])))
    mine = page.locator("#report-comments .report-comment")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("王强")
    expect(mine).to_contain_text(COMMENT)
    overflow.check(page)
    shot(page, "16-rep-sees-comment")
    # Opening one's own report is no read receipt.
    assert ReportRead.objects.filter(report=report).count() == 1
    assert timedelta(0) <= timezone.now() - report.submitted_at < timedelta(minutes=5)  # type: ignore[operator]
