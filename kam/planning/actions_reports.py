"""Writes of 日报/周报/月报: save the draft, regenerate, submit, withdraw, comment, read receipts, and
the admin's submission rules.

Lifecycle: the first save creates the report with the drafted parts (今日工作 and 销售简报) and the
proposed plan; the author edits 遇到的问题, the summary and the plan; "regenerate" refreshes the
drafted parts and keeps the author's text. Submitting drafts the parts one last time from the
records and freezes them; the author's manager is notified.

Withdrawing (撤回): as in most Chinese office tools, a submitted report can be taken back to a draft
until someone other than the author has read it; after the first read receipt it is final.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.admin_actions import require_admin
from kam.core.errors import refuse
from kam.core.models import AuditAction, Team, User
from kam.core.notify import notify
from kam.core.queries import manager_of
from kam.planning.models import ReportComment, ReportKind, ReportRead, ReportRule, ReportStatus, WorkReport
from kam.planning.reports import Period, draft_report, local_day, period_of

TEXT_FIELDS = ["problems", "summary", "plan"]
TEXT_LIMIT = 5000
COMMENT_LIMIT = 2000
RULE_FIELDS = ["kind", "role", "team", "due_time", "active"]


def _require_author(actor: User, report: WorkReport) -> None:
    # Managers who may read the report still may not write in it.
    if report.author_id != actor.pk:
        raise PermissionDenied


def _check_started(period: Period, now: datetime) -> None:
    if period.start > local_day(now):
        raise refuse(_("This period has not started yet."))


def _check_text(values: dict[str, str | None]) -> dict[str, str]:
    """The author's text, stripped and bounded; a None value leaves that field as it is."""
    cleaned = {}
    for name, raw in values.items():
        if raw is None:
            continue
        value = raw.strip()
        if len(value) > TEXT_LIMIT:
            raise refuse(_("Keep this under %(limit)d characters.") % {"limit": TEXT_LIMIT}, name)
        cleaned[name] = value
    return cleaned


def _locked(report: WorkReport) -> WorkReport:
    fresh = WorkReport.objects.select_for_update().filter(pk=report.pk).first()
    if fresh is None:
        raise Http404
    return fresh


def _report_row(actor: User, period: Period, now: datetime) -> WorkReport:
    """The author's report of the period, locked; created with the drafted parts when missing."""
    lookup = {"author": actor, "kind": period.kind, "period_start": period.start}
    report = WorkReport.objects.select_for_update().filter(**lookup).first()
    if report is not None:
        return report
    draft = draft_report(actor, period.kind, period.start, now)
    try:
        with transaction.atomic():
            report = WorkReport.objects.create(
                organization_id=actor.organization_id,
                period_end=period.end,
                work=draft.work,
                stats=draft.stats,
                plan=draft.plan,
                **lookup,
            )
    except IntegrityError:  # created concurrently (a double click)
        return WorkReport.objects.select_for_update().get(**lookup)
    audit.record(actor, report, AuditAction.CREATE)
    return report


def _refuse_if_submitted(report: WorkReport) -> None:
    if report.status == ReportStatus.SUBMITTED:
        raise refuse(_("This report has already been submitted."))


@transaction.atomic
def save_draft(
    actor: User,
    kind: str,
    day: date,
    *,
    now: datetime,
    problems: str | None = None,
    summary: str | None = None,
    plan: str | None = None,
) -> WorkReport:
    """Create or update the author's draft of the period containing `day` with their own text."""
    period = period_of(kind, day)
    _check_started(period, now)
    text = _check_text({"problems": problems, "summary": summary, "plan": plan})
    report = _report_row(actor, period, now)
    _refuse_if_submitted(report)
    before = audit.snapshot(report, TEXT_FIELDS)
    for name, value in text.items():
        setattr(report, name, value)
    report.save(update_fields=[*TEXT_FIELDS, "updated_at"])
    audit.record_changes(actor, report, before)
    return report


def _redraft(actor: User, report: WorkReport, now: datetime) -> None:
    """Refresh 今日工作 and 销售简报 from the records; fill the plan only when the author left it empty."""
    draft = draft_report(actor, report.kind, report.period_start, now)
    old_stats = report.stats
    report.work = draft.work
    report.stats = draft.stats
    if not report.plan.strip():
        report.plan = draft.plan
    if old_stats != draft.stats:
        audit.record(
            actor,
            report,
            AuditAction.UPDATE,
            field="stats",
            old=json.dumps(old_stats, sort_keys=True),
            new=json.dumps(draft.stats, sort_keys=True),
        )


@transaction.atomic
def regenerate(actor: User, report: WorkReport, now: datetime) -> WorkReport:
    """Draft the work lines and counts again; 遇到的问题, the summary and the plan stay as written."""
    _require_author(actor, report)
    report = _locked(report)
    _refuse_if_submitted(report)
    before = audit.snapshot(report, ["plan"])
    _redraft(actor, report, now)
    report.save(update_fields=["work", "stats", "plan", "updated_at"])
    audit.record_changes(actor, report, before)
    return report


def _notify_submitted(report: WorkReport) -> None:
    manager = manager_of(report.author)
    if manager is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s submitted the %(kind)s of %(period)s") % {
            "name": report.author.name,
            "kind": report.get_kind_display(),
            "period": period_of(report.kind, report.period_start).label,
        }
    notify(manager, "report_submitted", title, url=reverse("report-detail", args=[report.pk]))


@transaction.atomic
def submit(
    actor: User,
    kind: str,
    day: date,
    *,
    now: datetime,
    problems: str | None = None,
    summary: str | None = None,
    plan: str | None = None,
) -> WorkReport:
    """Save the author's text, draft the work and counts from the records as of `now`, freeze them,
    and tell the author's manager."""
    period = period_of(kind, day)
    _check_started(period, now)
    text = _check_text({"problems": problems, "summary": summary, "plan": plan})
    report = _report_row(actor, period, now)
    _refuse_if_submitted(report)
    before = audit.snapshot(report, [*TEXT_FIELDS, "status"])
    for name, value in text.items():
        setattr(report, name, value)
    _redraft(actor, report, now)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.save(update_fields=["work", "stats", *TEXT_FIELDS, "status", "submitted_at", "updated_at"])
    audit.record_changes(actor, report, before)
    _notify_submitted(report)
    return report


@transaction.atomic
def withdraw(actor: User, report: WorkReport) -> WorkReport:
    """Take a submitted report back to a draft; refused once someone else has read it."""
    _require_author(actor, report)
    report = _locked(report)
    if report.status != ReportStatus.SUBMITTED:
        raise refuse(_("Only a submitted report can be withdrawn."))
    if report.reads.exclude(reader_id=report.author_id).exists():
        raise refuse(_("This report has already been read, so it can no longer be withdrawn."))
    before = audit.snapshot(report, ["status"])
    report.status = ReportStatus.DRAFT
    report.submitted_at = None
    report.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record_changes(actor, report, before)
    return report


@transaction.atomic
def mark_read(reader: User, report: WorkReport) -> ReportRead | None:
    """The read receipt of a submitted report, recorded on the first open by anyone but its author.

    The receipt is itself the record of the event, so no audit row is written for it.
    """
    if reader.pk == report.author_id or report.status != ReportStatus.SUBMITTED:
        return None
    read, _created = ReportRead.objects.get_or_create(
        report=report, reader=reader, defaults={"organization_id": report.organization_id}
    )
    return read


def _comment_recipients(actor: User, report: WorkReport) -> list[User]:
    if actor.pk != report.author_id:
        return [report.author]
    # The author answers: whoever commented before, or else their manager.
    ids = set(report.comments.exclude(author_id=report.author_id).values_list("author_id", flat=True))
    if ids:
        return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    manager = manager_of(report.author)
    return [manager] if manager is not None else []


@transaction.atomic
def add_comment(actor: User, report: WorkReport, body: str) -> ReportComment:
    """A comment on a submitted report by its author or by someone who may read it; the other side is told."""
    if report.status != ReportStatus.SUBMITTED:
        raise refuse(_("Comments open once the report is submitted."), "body")
    body = body.strip()
    if not body:
        raise refuse(_("Write a comment first."), "body")
    if len(body) > COMMENT_LIMIT:
        raise refuse(_("Keep this under %(limit)d characters.") % {"limit": COMMENT_LIMIT}, "body")
    comment = ReportComment.objects.create(
        organization_id=report.organization_id, report=report, author=actor, body=body
    )
    audit.record(actor, comment, AuditAction.CREATE, field="body", new=body[:200])
    mark_read(actor, report)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s commented on the %(kind)s of %(period)s") % {
            "name": actor.name,
            "kind": report.get_kind_display(),
            "period": period_of(report.kind, report.period_start).label,
        }
    url = reverse("report-detail", args=[report.pk])
    for recipient in _comment_recipients(actor, report):
        notify(recipient, "report_comment", title, body=body[:500], url=url)
    return comment


# --- submission rules (admin) ---------------------------------------------------------------------


def _check_rule(actor: User, kind: str, role: str, team: Team | None, exclude: ReportRule | None = None) -> None:
    if kind not in ReportKind.values:
        raise refuse(_("Choose a report kind."), "kind")
    if team is not None and team.organization_id != actor.organization_id:
        raise refuse(_("Choose a team of your organization."), "team")
    same = ReportRule.objects.filter(organization_id=actor.organization_id, kind=kind, role=role, team=team)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise refuse(_("There is already a rule for this report, role and team."))


@transaction.atomic
def create_rule(actor: User, *, kind: str, role: str, team: Team | None, due_time: time) -> ReportRule:
    """A new submission rule: users of `role` in `team`'s subtree (or everywhere) submit `kind` by `due_time`."""
    require_admin(actor)
    _check_rule(actor, kind, role, team)
    rule = ReportRule.objects.create(
        organization_id=actor.organization_id, kind=kind, role=role, team=team, due_time=due_time
    )
    audit.record(actor, rule, AuditAction.CREATE)
    return rule


@transaction.atomic
def update_rule(
    actor: User, rule: ReportRule, *, kind: str, role: str, team: Team | None, due_time: time, active: bool
) -> ReportRule:
    require_admin(actor)
    fresh = ReportRule.objects.select_for_update().filter(pk=rule.pk, organization_id=actor.organization_id).first()
    if fresh is None:
        raise Http404
    _check_rule(actor, kind, role, team, exclude=fresh)
    before = audit.snapshot(fresh, RULE_FIELDS)
    fresh.kind, fresh.role, fresh.team, fresh.due_time, fresh.active = kind, role, team, due_time, active
    fresh.save(update_fields=RULE_FIELDS)
    audit.record_changes(actor, fresh, before)
    return fresh


@transaction.atomic
def set_rule_active(actor: User, rule: ReportRule, active: bool) -> ReportRule:
    """Deactivate (or reactivate) a rule; an inactive rule requires nothing but keeps its history."""
    require_admin(actor)
    fresh = ReportRule.objects.select_for_update().filter(pk=rule.pk, organization_id=actor.organization_id).first()
    if fresh is None:
        raise Http404
    before = audit.snapshot(fresh, ["active"])
    fresh.active = active
    fresh.save(update_fields=["active"])
    audit.record_changes(actor, fresh, before)
    return fresh
