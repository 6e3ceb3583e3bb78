"""日报/周报/月报 over HTTP: my reports, one report (with read receipt), the draft of a period, save,
submit, regenerate, withdraw, comments, and the manager's team status."""

import datetime as dt
from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kam.core.api import DbId, FieldProblem, KamLimitOffsetPagination, Problem
from kam.core.api_auth import actor
from kam.core.errors import refuse
from kam.planning import actions_reports as actions
from kam.planning.forms_reports import MAX_DAY, MIN_DAY
from kam.planning.models import ReportComment, ReportRead, WorkReport
from kam.planning.queries_reports import comments_of, get_report_for_user, reads_of, team_status, visible_reports
from kam.planning.reports import draft_report
from kam.planning.schemas_reports import (
    CommentIn,
    CommentOut,
    DraftOut,
    Kind,
    ReadOut,
    ReportListItem,
    ReportOut,
    ReportTextIn,
    TeamStatusOut,
)

router = Router(tags=["reports"])

READ = {401: Problem, 404: Problem, 422: FieldProblem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}


def _checked(day: date, field: str = "date") -> date:
    if not MIN_DAY <= day <= MAX_DAY:
        raise refuse(_("Choose a date between 2000 and 2100."), field)
    return day


class ReportFilters(Schema):
    kind: Kind | None = None
    author_id: DbId | None = None
    date: dt.date | None = None


class PeriodQuery(Schema):
    kind: Kind = "daily"
    date: dt.date | None = None


@router.get("/reports", response=list[ReportListItem], summary="Reports I may open, newest period first")
@paginate(KamLimitOffsetPagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> QuerySet[WorkReport]:
    day = _checked(filters.date) if filters.date is not None else None
    return visible_reports(actor(request), filters.kind or "", filters.author_id, day)


@router.get("/reports/draft", response={200: DraftOut, **READ}, summary="KAM's draft of my report of a period")
def get_draft(request: HttpRequest, period: Query[PeriodQuery]) -> DraftOut:
    day = _checked(period.date) if period.date is not None else timezone.localdate()
    return DraftOut.from_draft(draft_report(actor(request), period.kind, day, timezone.now()))


@router.get(
    "/reports/team",
    response={200: TeamStatusOut, 403: Problem, **READ},
    summary="Managers: who submitted the period's report, who is missing, who is not due yet",
)
def get_team_status(request: HttpRequest, period: Query[PeriodQuery]) -> TeamStatusOut:
    day = _checked(period.date) if period.date is not None else timezone.localdate()
    return TeamStatusOut.from_status(team_status(actor(request), period.kind, day, timezone.now()))


@router.get("/reports/{int:report_id}", response={200: ReportOut, **READ}, summary="One report (records my read)")
def get_report(request: HttpRequest, report_id: int) -> WorkReport:
    user = actor(request)
    report = get_report_for_user(user, report_id)
    actions.mark_read(user, report)
    return report


@router.get("/reports/{int:report_id}/reads", response={200: list[ReadOut], **READ}, summary="Read receipts")
def list_reads(request: HttpRequest, report_id: int) -> list[ReportRead]:
    report = get_report_for_user(actor(request), report_id)
    return [read for read in reads_of(report) if read.reader_id != report.author_id]


@router.post(
    "/reports/{int:report_id}/regenerate",
    response={200: ReportOut, **WRITE},
    summary="Draft the work and numbers of my draft again; my text stays",
)
def regenerate_report(request: HttpRequest, report_id: int) -> WorkReport:
    user = actor(request)
    return actions.regenerate(user, get_report_for_user(user, report_id), timezone.now())


@router.post(
    "/reports/{int:report_id}/withdraw",
    response={200: ReportOut, **WRITE},
    summary="Take my submitted report back to a draft (until someone has read it)",
)
def withdraw_report(request: HttpRequest, report_id: int) -> WorkReport:
    user = actor(request)
    return actions.withdraw(user, get_report_for_user(user, report_id))


@router.get("/reports/{int:report_id}/comments", response={200: list[CommentOut], **READ}, summary="The comments")
def list_comments(request: HttpRequest, report_id: int) -> list[ReportComment]:
    return list(comments_of(get_report_for_user(actor(request), report_id)))


@router.post(
    "/reports/{int:report_id}/comments",
    response={201: CommentOut, **WRITE},
    summary="Comment on a submitted report (its author, or a manager above them)",
)
def add_comment(request: HttpRequest, report_id: int, payload: CommentIn) -> Status[ReportComment]:
    user = actor(request)
    return Status(201, actions.add_comment(user, get_report_for_user(user, report_id), payload.body))


# The kind/day routes come last: their pattern would also match /reports/<id>/<word>.
@router.put(
    "/reports/{kind}/{day}",
    response={200: ReportOut, **WRITE},
    summary="Save my draft of the period containing `day` (created with KAM's draft when missing)",
)
def save_report(request: HttpRequest, kind: Kind, day: date, payload: ReportTextIn) -> WorkReport:
    text = payload.model_dump(exclude_unset=True)
    return actions.save_draft(actor(request), kind, _checked(day, "day"), now=timezone.now(), **text)


@router.post(
    "/reports/{kind}/{day}/submit",
    response={200: ReportOut, **WRITE},
    summary="Submit my report of the period (work and numbers are drafted and frozen now)",
)
def submit_report(request: HttpRequest, kind: Kind, day: date, payload: ReportTextIn) -> WorkReport:
    text = payload.model_dump(exclude_unset=True)
    return actions.submit(actor(request), kind, _checked(day, "day"), now=timezone.now(), **text)
