"""Report pages: my reports, the author's draft → edit → submit page, the read view with read receipts
and the comment thread (htmx), and the manager's team page (who submitted, who is missing)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core.workcal import next_workday
from kam.customers.views.helpers import actor_of, apply_errors, flash_errors, wants_partial
from kam.planning import actions_reports as actions
from kam.planning.forms_reports import MAX_DAY, MIN_DAY, CommentForm, PeriodForm, ReportFilterForm, ReportTextForm
from kam.planning.models import ReportKind, ReportStatus, WorkReport
from kam.planning.queries_reports import (
    comments_of,
    due_of,
    get_report_for_user,
    is_late,
    may_oversee,
    my_reports,
    own_report,
    reads_of,
    team_status,
)
from kam.planning.reports import Period, draft_report, period_of, plan_heading, stat_lines, work_heading

PAGE_SIZE = 30
ACTIONS = ("save", "regenerate", "submit")


def _period_or_404(kind: str, day_text: str) -> tuple[Period, date]:
    try:
        day = date.fromisoformat(day_text)
    except ValueError as exc:
        raise Http404 from exc
    if kind not in ReportKind.values or not MIN_DAY <= day <= MAX_DAY:
        raise Http404
    return period_of(kind, day), day


def edit_url(kind: str, day: date) -> str:
    return reverse("report-edit", kwargs={"kind": kind, "day": day.isoformat()})


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """My reports by kind and period; shortcuts to this period's reports; managers reach the team page."""
    user = actor_of(request)
    form = ReportFilterForm(request.GET)
    form.is_valid()
    kind = form.cleaned_data.get("kind", "")
    day = form.cleaned_data.get("date")
    page = Paginator(my_reports(user, kind, day), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    shortcuts = [
        (label, edit_url(value, period_of(value, today).start))
        for value, label in (
            (ReportKind.DAILY, _("Today's daily report")),
            (ReportKind.WEEKLY, _("This week's report")),
            (ReportKind.MONTHLY, _("This month's report")),
        )
    ]
    context = {
        "form": form,
        "page": page,
        "reports": list(page.object_list),
        "shortcuts": shortcuts,
        "oversees": may_oversee(user),
        "kind": kind,
        "day": day,
    }
    return render(request, "planning/report_list.html", context)


def _edit_page(
    request: HttpRequest, period: Period, report: WorkReport | None, form: ReportTextForm, status: int = 200
) -> HttpResponse:
    user = actor_of(request)
    plan_day = next_workday(period.end, user.organization_id) if period.kind == ReportKind.DAILY else None
    if report is not None:
        work, stats = report.work, report.stats
    else:
        draft = draft_report(user, period.kind, period.start, timezone.now())
        work, stats = draft.work, draft.stats
        if not form.is_bound:
            form = ReportTextForm(initial={"plan": draft.plan})
    form.fields["plan"].label = plan_heading(period.kind, plan_day)
    context = {
        "period": period,
        "kind_label": ReportKind(period.kind).label,
        "report": report,
        "form": form,
        "work": work,
        "stats": stat_lines(stats),
        "work_heading": work_heading(period.kind),
        "previous_url": edit_url(period.kind, period.preceding().start),
        "next_url": edit_url(period.kind, period.following().start),
        "kinds": [
            (value, label, edit_url(value, period_of(value, period.start).start)) for value, label in ReportKind.choices
        ],
        "started": period.start <= timezone.localdate(),
    }
    return render(request, "planning/report_edit.html", context, status=status)


def _initial_of(report: WorkReport | None) -> dict[str, str] | None:
    if report is None:
        return None
    return {"problems": report.problems, "summary": report.summary, "plan": report.plan}


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, kind: str, day: str) -> HttpResponse:
    """The author's report of a period: KAM's draft, their text, save / regenerate / submit."""
    user = actor_of(request)
    period, asked = _period_or_404(kind, day)
    if asked != period.start:
        return redirect(edit_url(kind, period.start))
    report = own_report(user, kind, period)
    if report is not None and report.status == ReportStatus.SUBMITTED:
        return redirect("report-detail", pk=report.pk)
    if request.method != "POST":
        return _edit_page(request, period, report, ReportTextForm(initial=_initial_of(report)))
    form = ReportTextForm(request.POST)
    action = request.POST.get("action", "save")
    if action not in ACTIONS or not form.is_valid():
        return _edit_page(request, period, report, form, status=422)
    now = timezone.now()
    try:
        if action == "submit":
            report = actions.submit(user, kind, period.start, now=now, **form.cleaned_data)
        else:
            report = actions.save_draft(user, kind, period.start, now=now, **form.cleaned_data)
            if action == "regenerate":
                report = actions.regenerate(user, report, now)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _edit_page(request, period, report, form, status=422)
    if action == "submit":
        messages.success(request, _("Report submitted."))
        return redirect("report-detail", pk=report.pk)
    if action == "regenerate":
        messages.success(request, _("Work and numbers drafted again from your records; your text is unchanged."))
    else:
        messages.success(request, _("Draft saved."))
    return redirect(edit_url(kind, period.start))


def _comments_context(report: WorkReport, form: CommentForm | None = None) -> dict[str, Any]:
    return {"report": report, "comments": list(comments_of(report)), "comment_form": form or CommentForm()}


def _detail_page(
    request: HttpRequest, report: WorkReport, form: CommentForm | None = None, status: int = 200
) -> HttpResponse:
    user = actor_of(request)
    reads = [read for read in reads_of(report) if read.reader_id != report.author_id]
    due = due_of(report) if report.status == ReportStatus.SUBMITTED else None
    context = {
        **_comments_context(report, form),
        "period": period_of(report.kind, report.period_start),
        "work_heading": work_heading(report.kind),
        "stats": stat_lines(report.stats),
        "reads": reads,
        "due": due,
        "late": is_late(report, due),
        "is_author": report.author_id == user.pk,
        "can_withdraw": report.author_id == user.pk and report.status == ReportStatus.SUBMITTED and not reads,
        "edit_url": edit_url(report.kind, report.period_start),
    }
    return render(request, "planning/report_detail.html", context, status=status)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The read view. Opening someone else's submitted report records the read receipt (once)."""
    user = actor_of(request)
    report = get_report_for_user(user, pk)
    actions.mark_read(user, report)
    return _detail_page(request, report)


@login_required
@require_http_methods(["GET", "POST"])
def report_comments(request: HttpRequest, pk: int) -> HttpResponse:
    """The comment thread (htmx partial); POST adds a comment by the author or a reader above them."""
    user = actor_of(request)
    report = get_report_for_user(user, pk)
    if request.method != "POST":
        return render(request, "planning/_report_comments.html", _comments_context(report))
    form = CommentForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            actions.add_comment(user, report, form.cleaned_data["body"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            status = 200
            form = CommentForm()
    if wants_partial(request):
        return render(request, "planning/_report_comments.html", _comments_context(report, form), status=status)
    if status != 200:
        return _detail_page(request, report, form, status=status)
    messages.success(request, _("Comment added."))
    return redirect("report-detail", pk=report.pk)


@login_required
@require_POST
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    report = get_report_for_user(user, pk)
    try:
        report = actions.withdraw(user, report)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("report-detail", pk=report.pk)
    messages.success(request, _("Report withdrawn; it is a draft again."))
    return redirect(edit_url(report.kind, report.period_start))


@login_required
@require_GET
def report_team(request: HttpRequest) -> HttpResponse:
    """Managers: who of the team submitted the period's report, who is missing, who is not due yet."""
    user = actor_of(request)
    form = PeriodForm(request.GET)
    kind, day = form.values()
    status = team_status(user, kind, day, timezone.now())
    context = {
        "form": form,
        "status": status,
        "kind_label": ReportKind(kind).label,
        "previous": status.period.preceding().start.isoformat(),
        "next": status.period.following().start.isoformat(),
    }
    return render(request, "planning/report_team.html", context)
