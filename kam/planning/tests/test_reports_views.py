"""The report pages: draft → edit → submit, the read view with receipts and comments (htmx), the list,
the team page and the admin rules page. Bad input is a field error with 422 and changes nothing."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry
from kam.planning import actions_reports as actions
from kam.planning.models import ReportComment, ReportKind, ReportRead, ReportRule, ReportStatus, WorkReport
from kam.planning.tests.fixtures_reports import DAY, at, customer, english_client, fingerprint, followup, rule

# Pages run on the real clock; this Tuesday is safely in the past.
PAST = date(2025, 6, 3)


def edit_url(kind: str = "daily", day: date = PAST) -> str:
    return reverse("report-edit", kwargs={"kind": kind, "day": day.isoformat()})


@pytest.fixture(autouse=True)
def _no_proposals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kam.planning.reports.plan_candidates", lambda *args: [])


def test_edit_page_shows_the_draft_before_anything_is_saved(world: OrgWorld) -> None:
    acme = customer(world.owner, "北京顶点科技有限公司")
    followup(world.owner, acme, at(PAST, 10, 15), "电话沟通需求", feedback="想看演示")
    page = english_client(world.owner).get(edit_url()).content.decode()
    assert "北京顶点科技有限公司" in page
    assert "10:15" in page
    assert "电话沟通需求 · Customer feedback: 想看演示" in page
    assert "Not saved yet" in page
    assert "Plan for 2025-06-04" in page
    assert WorkReport.objects.count() == 0


def test_save_then_submit_through_the_page(world: OrgWorld) -> None:
    client = english_client(world.owner)
    response = client.post(edit_url(), {"action": "save", "problems": "客户预算紧", "summary": "", "plan": "1. 回访"})
    assert (response.status_code, response["Location"]) == (302, edit_url())
    report = WorkReport.objects.get()
    assert (report.status, report.problems, report.plan) == (ReportStatus.DRAFT, "客户预算紧", "1. 回访")
    page = client.get(edit_url()).content.decode()
    assert "客户预算紧" in page
    assert "Draft" in page
    response = client.post(
        edit_url(), {"action": "submit", "problems": "客户预算紧", "summary": "总结", "plan": "1. 回访"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("report-detail", args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.summary) == (ReportStatus.SUBMITTED, "总结")
    # The edit address of a submitted report leads to the read view.
    assert client.get(edit_url())["Location"] == reverse("report-detail", args=[report.pk])


def test_regenerate_through_the_page_keeps_the_text(world: OrgWorld) -> None:
    client = english_client(world.owner)
    client.post(edit_url(), {"action": "save", "problems": "问题", "plan": "计划"})
    acme = customer(world.owner, "北京顶点科技有限公司")
    followup(world.owner, acme, at(PAST, 16), "下午的电话")
    client.post(edit_url(), {"action": "regenerate", "problems": "问题二", "plan": "计划"})
    report = WorkReport.objects.get()
    assert report.problems == "问题二"
    assert report.stats["followups"] == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "save", "problems": "长" * 5001}, "problems"),
        ({"action": "explode", "problems": "x"}, None),
    ],
)
def test_bad_input_is_422_and_changes_nothing(world: OrgWorld, data: dict[str, str], field: str | None) -> None:
    before = fingerprint()
    response = english_client(world.owner).post(edit_url(), data)
    assert response.status_code == 422
    if field:
        assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert fingerprint() == before


def test_a_future_period_is_refused_with_422(world: OrgWorld) -> None:
    before = fingerprint()
    response = english_client(world.owner).post(edit_url(day=date(2099, 1, 5)), {"action": "submit"})
    assert response.status_code == 422
    assert "This period has not started yet." in response.content.decode()
    assert fingerprint() == before


@pytest.mark.parametrize("day", ["2026-13-45", "0000-01-01", "1999-12-31", "2101-01-01"])
def test_impossible_dates_are_404(world: OrgWorld, day: str) -> None:
    url = reverse("report-edit", kwargs={"kind": "daily", "day": "2026-01-01"}).replace("2026-01-01", day)
    assert english_client(world.owner).get(url).status_code == 404


def test_any_day_of_a_week_leads_to_the_weeks_report(world: OrgWorld) -> None:
    response = english_client(world.owner).get(edit_url("weekly", date(2025, 6, 5)))
    assert (response.status_code, response["Location"]) == (302, edit_url("weekly", date(2025, 6, 2)))


def test_detail_records_reads_and_shows_them_to_the_author(world: OrgWorld) -> None:
    report = actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19), problems="压价")
    url = reverse("report-detail", args=[report.pk])
    english_client(world.owner).get(url)
    assert ReportRead.objects.count() == 0
    english_client(world.manager_north).get(url)
    english_client(world.manager_north).get(url)
    assert list(ReportRead.objects.values_list("reader__username", flat=True)) == ["mgr_north"]
    page = english_client(world.owner).get(url).content.decode()
    assert "mgr_north" in page
    assert "压价" in page
    assert "Withdraw" not in page  # read already


def test_author_can_withdraw_an_unread_report_from_the_page(world: OrgWorld) -> None:
    report = actions.submit(world.owner, ReportKind.DAILY, PAST, now=at(PAST, 19))
    client = english_client(world.owner)
    assert "Withdraw" in client.get(reverse("report-detail", args=[report.pk])).content.decode()
    response = client.post(reverse("report-withdraw", args=[report.pk]))
    assert response["Location"] == edit_url()
    assert WorkReport.objects.get().status == ReportStatus.DRAFT


def test_comment_thread_via_htmx(world: OrgWorld) -> None:
    report = actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19))
    url = reverse("report-comments", args=[report.pk])
    response = english_client(world.manager_north).post(url, {"body": "明天带上方案"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="report-comments"')
    assert "明天带上方案" in body
    assert "<html" not in body
    # The author sees the manager's comment on their report.
    page = english_client(world.owner).get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "明天带上方案" in page
    before = fingerprint()
    response = english_client(world.owner).post(url, {"body": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert fingerprint() == before
    assert ReportComment.objects.count() == 1


def test_list_shows_my_reports_and_the_team_link_for_managers(world: OrgWorld) -> None:
    actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19))
    actions.save_draft(world.owner, ReportKind.WEEKLY, DAY, now=at(DAY, 19))
    actions.submit(world.teammate, ReportKind.DAILY, DAY, now=at(DAY, 19))
    page = english_client(world.owner).get(reverse("report-list")).content.decode()
    assert page.count('href="/reports/') >= 2
    assert "Team reports" not in page
    assert "2026-11-30 – 2026-12-06" in page
    assert "Team reports" in english_client(world.manager_north).get(reverse("report-list")).content.decode()
    weekly_only = english_client(world.owner).get(reverse("report-list") + "?kind=weekly").content.decode()
    assert "Daily report" not in weekly_only.split("<tbody>")[1]


def test_team_page_lists_submitted_missing_and_pending(world: OrgWorld) -> None:
    rule(world, due=time(20))
    actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 21))
    page = (
        english_client(world.manager_north).get(reverse("report-team") + "?kind=daily&date=2026-12-01").content.decode()
    )
    assert "report-row-submitted" in page
    assert "Late" in page
    assert "teammate" in page
    assert "stranger" not in page


def test_team_page_says_when_nothing_is_due(world: OrgWorld) -> None:
    rule(world, due=time(20))
    page = (
        english_client(world.manager_north).get(reverse("report-team") + "?kind=daily&date=2026-10-01").content.decode()
    )
    assert "no working day" in page


def test_team_page_ignores_bad_filters(world: OrgWorld) -> None:
    response = english_client(world.manager_north).get(reverse("report-team") + "?kind=yearly&date=99999-01-01")
    assert response.status_code == 200


# --- the admin rules page -------------------------------------------------------------------------


def test_admin_adds_edits_and_deactivates_a_rule(world: OrgWorld) -> None:
    client = english_client(world.admin)
    response = client.post(
        reverse("report-rules"), {"kind": "weekly", "role": "rep", "team": world.north.pk, "due_time": "18:00"}
    )
    assert response.status_code == 302
    saved = ReportRule.objects.get()
    assert (saved.kind, saved.team, saved.due_time, saved.active) == ("weekly", world.north, time(18), True)
    response = client.post(
        reverse("report-rule-edit", args=[saved.pk]),
        {"kind": "weekly", "role": "rep", "team": world.north.pk, "due_time": "17:30", "active": "on"},
    )
    assert response.status_code == 302
    client.post(reverse("report-rule-active", args=[saved.pk]), {"active": "0"})
    saved.refresh_from_db()
    assert (saved.due_time, saved.active) == (time(17, 30), False)
    assert AuditEntry.objects.filter(entity="planning.reportrule").count() == 3
    page = client.get(reverse("report-rule-edit", args=[saved.pk])).content.decode()
    assert "17:30" in page


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "daily", "role": "rep", "due_time": "25:00"},
        {"kind": "yearly", "role": "rep", "due_time": "20:00"},
        {"kind": "daily", "role": "rep", "due_time": "20:00", "team": "999999"},
        {"kind": "daily", "role": "rep", "due_time": "20:00"},  # the same rule again
    ],
)
def test_bad_rules_are_422(world: OrgWorld, data: dict[str, str]) -> None:
    rule(world, due=time(20))
    before = fingerprint()
    response = english_client(world.admin).post(reverse("report-rules"), data)
    assert response.status_code == 422
    assert fingerprint() == before


def test_another_organizations_team_is_not_a_choice(world: OrgWorld) -> None:
    data = {"kind": "daily", "role": "rep", "due_time": "20:00", "team": world.outsider.team_id}
    assert english_client(world.admin).post(reverse("report-rules"), data).status_code == 422
    assert ReportRule.objects.count() == 0


def test_day_navigation_on_the_edit_page(world: OrgWorld) -> None:
    page = english_client(world.owner).get(edit_url()).content.decode()
    assert edit_url(day=PAST - timedelta(days=1)) in page
    assert edit_url(day=PAST + timedelta(days=1)) in page
    assert edit_url("weekly", date(2025, 6, 2)) in page
    assert edit_url("monthly", date(2025, 6, 1)) in page


def test_a_failed_comment_without_htmx_is_422_on_the_read_view(world: OrgWorld) -> None:
    report = actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19))
    before = fingerprint()
    response = english_client(world.manager_north).post(reverse("report-comments", args=[report.pk]), {"body": ""})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert fingerprint() == before


def test_list_pages_keep_the_filters(world: OrgWorld) -> None:
    for offset in range(35):
        day = DAY - timedelta(days=offset)
        actions.submit(world.owner, ReportKind.DAILY, day, now=at(day, 19))
    page = english_client(world.owner).get(reverse("report-list") + "?kind=daily").content.decode()
    assert "?kind=daily&amp;date=&amp;page=2" in page
    second = english_client(world.owner).get(reverse("report-list") + "?kind=daily&page=2").content.decode()
    assert second.split("<tbody>")[1].count("<tr>") == 5
