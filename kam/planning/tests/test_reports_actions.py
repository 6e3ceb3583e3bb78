"""Saving, regenerating, submitting, withdrawing, commenting on and reading reports; the rule actions."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, Notification, Role
from kam.planning import actions_reports as actions
from kam.planning.models import ReportKind, ReportRead, ReportRule, ReportStatus, WorkReport
from kam.planning.queries_reports import get_report_for_user
from kam.planning.registry import PlanCandidate
from kam.planning.tests.fixtures_reports import DAY, at, customer, day_scene, followup

NOW = at(DAY, 18, 30)


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _submit(world: OrgWorld, **text: str) -> WorkReport:
    return actions.submit(world.owner, ReportKind.DAILY, DAY, now=NOW, **text)


def _audit(report: WorkReport) -> list[tuple[str, str]]:
    rows = AuditEntry.objects.filter(entity="planning.workreport", entity_id=report.pk).order_by("id")
    return [(row.action, row.field) for row in rows]


def test_first_save_creates_the_draft_with_the_drafted_parts(world: OrgWorld) -> None:
    day_scene(world)
    report = actions.save_draft(world.owner, "daily", DAY, now=NOW, problems=" 报价偏高 ", summary="", plan="拜访华为")
    assert report.status == ReportStatus.DRAFT
    assert (report.period_start, report.period_end, report.organization_id) == (DAY, DAY, world.org.pk)
    assert [group["customer"] for group in report.work] == ["华为技术有限公司", "中兴通讯股份有限公司"]
    assert report.stats["followups"] == 3
    assert (report.problems, report.summary, report.plan) == ("报价偏高", "", "拜访华为")
    assert _audit(report) == [("create", ""), ("update", "problems"), ("update", "plan")]


def test_saving_again_keeps_the_drafted_parts_until_regenerated(world: OrgWorld) -> None:
    scene = day_scene(world)
    report = actions.save_draft(world.owner, "daily", DAY, now=NOW, problems="一", summary="", plan="计划")
    followup(world.owner, scene.zte, at(DAY, 17, 45), "晚上补的电话")
    report = actions.save_draft(world.owner, "daily", DAY, now=NOW, problems="二")
    assert report.stats["followups"] == 3
    assert (report.problems, report.plan) == ("二", "计划")  # a field left out keeps its value
    report = actions.regenerate(world.owner, report, NOW)
    assert report.stats["followups"] == 4
    assert report.work[1]["items"][-1]["text"] == "晚上补的电话"
    assert (report.problems, report.plan) == ("二", "计划")
    assert WorkReport.objects.count() == 1


def test_regenerate_fills_an_empty_plan_with_the_proposal(world: OrgWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    proposal = [PlanCandidate("task_due", "task:1", "提交报价", "", 50.0)]
    monkeypatch.setattr("kam.planning.reports.plan_candidates", lambda *args: proposal)
    report = actions.save_draft(world.owner, "daily", DAY, now=NOW, plan="")
    assert report.plan == ""
    assert actions.regenerate(world.owner, report, NOW).plan == "1. 提交报价"
    report = actions.save_draft(world.owner, "daily", DAY, now=NOW, plan="我自己的计划")
    assert actions.regenerate(world.owner, report, NOW).plan == "我自己的计划"


def test_submit_freezes_work_and_notifies_the_manager(world: OrgWorld) -> None:
    scene = day_scene(world)
    actions.save_draft(world.owner, "daily", DAY, now=NOW, problems="旧的")
    followup(world.owner, scene.zte, at(DAY, 18), "提交前的电话")
    report = _submit(world, problems="客户压价", summary="顺利", plan="1. 报价")
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at == NOW
    assert report.stats["followups"] == 4  # drafted again at submission
    # Records added or changed later do not change the submitted report.
    followup(world.owner, scene.zte, at(DAY, 20), "提交后的电话")
    fresh = WorkReport.objects.get(pk=report.pk)
    assert fresh.stats["followups"] == 4
    assert fresh.work == report.work
    note = Notification.objects.get(user=world.manager_north)
    assert (note.kind, note.url) == ("report_submitted", f"/reports/{report.pk}/")
    assert "owner" in note.title
    assert ("update", "status") in _audit(report)


def test_a_submitted_report_is_not_edited_or_submitted_again(world: OrgWorld) -> None:
    report = _submit(world)
    with pytest.raises(ValidationError):
        _submit(world)
    with pytest.raises(ValidationError):
        actions.save_draft(world.owner, "daily", DAY, now=NOW, problems="改")
    with pytest.raises(ValidationError):
        actions.regenerate(world.owner, report, NOW)
    assert WorkReport.objects.get(pk=report.pk).problems == ""


def test_a_future_period_cannot_be_saved_or_submitted(world: OrgWorld) -> None:
    with pytest.raises(ValidationError, match="not started"):
        actions.save_draft(world.owner, "daily", date(2026, 12, 2), now=NOW, problems="x")
    with pytest.raises(ValidationError):
        actions.submit(world.owner, "weekly", date(2026, 12, 7), now=NOW)
    assert WorkReport.objects.count() == 0


def test_text_longer_than_the_limit_is_a_field_error(world: OrgWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.save_draft(world.owner, "daily", DAY, now=NOW, problems="长" * 5001)
    assert list(caught.value.message_dict) == ["problems"]
    assert WorkReport.objects.count() == 0


def test_without_a_manager_submission_notifies_nobody(world: OrgWorld) -> None:
    actions.submit(world.director, "daily", DAY, now=NOW)
    assert Notification.objects.count() == 0


def test_only_the_author_regenerates_or_withdraws(world: OrgWorld) -> None:
    draft = actions.save_draft(world.owner, "daily", DAY, now=NOW)
    with pytest.raises(PermissionDenied):
        actions.regenerate(world.manager_north, draft, NOW)
    report = _submit(world)
    with pytest.raises(PermissionDenied):
        actions.withdraw(world.manager_north, report)


# --- read receipts --------------------------------------------------------------------------------


def test_read_receipt_only_for_others_and_only_once(world: OrgWorld) -> None:
    report = _submit(world)
    assert actions.mark_read(world.owner, report) is None
    first = actions.mark_read(world.manager_north, report)
    again = actions.mark_read(world.manager_north, report)
    assert first is not None
    assert again is not None
    assert first.pk == again.pk
    actions.mark_read(world.admin, report)
    readers = list(ReportRead.objects.filter(report=report).order_by("pk").values_list("reader__username", flat=True))
    assert readers == ["mgr_north", "admin"]


def test_no_read_receipt_on_a_draft(world: OrgWorld) -> None:
    draft = actions.save_draft(world.owner, "daily", DAY, now=NOW)
    assert actions.mark_read(world.manager_north, draft) is None
    assert ReportRead.objects.count() == 0


# --- withdrawing ----------------------------------------------------------------------------------


def test_withdraw_until_someone_has_read_it(world: OrgWorld) -> None:
    report = _submit(world, problems="第一版")
    report = actions.withdraw(world.owner, report)
    assert (report.status, report.submitted_at, report.problems) == (ReportStatus.DRAFT, None, "第一版")
    # A draft is the author's alone again.
    with pytest.raises(Http404):
        get_report_for_user(world.manager_north, report.pk)
    report = _submit(world, problems="第二版")
    actions.mark_read(world.manager_north, report)
    with pytest.raises(ValidationError, match="already been read"):
        actions.withdraw(world.owner, report)
    assert WorkReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


# --- comments -------------------------------------------------------------------------------------


def test_comments_notify_the_other_side(world: OrgWorld) -> None:
    report = _submit(world)
    comment = actions.add_comment(world.manager_north, report, " 华为的报价先别降 ")
    assert comment.body == "华为的报价先别降"
    assert list(Notification.objects.filter(kind="report_comment").values_list("user__username", flat=True)) == [
        "owner"
    ]
    # Commenting counts as reading.
    assert ReportRead.objects.filter(report=report, reader=world.manager_north).count() == 1
    actions.add_comment(world.owner, report, "收到")
    actions.add_comment(world.director, report, "同意")
    actions.add_comment(world.owner, report, "好的")
    to = list(
        Notification.objects.filter(kind="report_comment").order_by("pk").values_list("user__username", flat=True)
    )
    assert to == ["owner", "mgr_north", "owner", "mgr_north", "director"]


def test_the_authors_first_comment_goes_to_their_manager(world: OrgWorld) -> None:
    report = _submit(world)
    Notification.objects.all().delete()
    actions.add_comment(world.owner, report, "补充：明天再去一次")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["mgr_north"]


def test_no_empty_comment_and_none_on_a_draft(world: OrgWorld) -> None:
    draft = actions.save_draft(world.owner, "daily", DAY, now=NOW)
    with pytest.raises(ValidationError):
        actions.add_comment(world.owner, draft, "太早了")
    report = _submit(world)
    with pytest.raises(ValidationError) as caught:
        actions.add_comment(world.manager_north, report, "   ")
    assert list(caught.value.message_dict) == ["body"]
    assert report.comments.count() == 0


# --- rules ----------------------------------------------------------------------------------------


def test_admin_creates_edits_and_deactivates_rules_with_audit(world: OrgWorld) -> None:
    rule = actions.create_rule(world.admin, kind="daily", role=Role.REP, team=None, due_time=time(20))
    rule = actions.update_rule(
        world.admin, rule, kind="daily", role=Role.REP, team=world.north, due_time=time(19, 30), active=True
    )
    rule = actions.set_rule_active(world.admin, rule, False)
    assert (rule.team, rule.due_time, rule.active) == (world.north, time(19, 30), False)
    rows = AuditEntry.objects.filter(entity="planning.reportrule", entity_id=rule.pk).order_by("id")
    assert [(r.action, r.field) for r in rows] == [
        ("create", ""),
        ("update", "team"),
        ("update", "due_time"),
        ("update", "active"),
    ]


def test_rules_are_admin_only_and_unique(world: OrgWorld) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_rule(world.manager_north, kind="daily", role=Role.REP, team=None, due_time=time(20))
    actions.create_rule(world.admin, kind="daily", role=Role.REP, team=None, due_time=time(20))
    with pytest.raises(ValidationError, match="already a rule"):
        actions.create_rule(world.admin, kind="daily", role=Role.REP, team=None, due_time=time(21))
    with pytest.raises(ValidationError):
        actions.create_rule(world.admin, kind="daily", role=Role.REP, team=world.outsider.team, due_time=time(21))
    assert ReportRule.objects.count() == 1


def test_a_customer_made_today_counts_as_new(world: OrgWorld) -> None:
    customer(world.owner, "今日新客户", created=at(DAY, 9))
    report = _submit(world)
    assert report.stats["new_customers"] == 1
