"""Reads of 日报/周报/月报: who may see which report, submission rules and the manager's team status.

A report is visible to its author (drafts included), and once submitted to the managers and
directors above the author (`people_in_view`) and to admins; to everyone else it does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kam.core.models import Role, User
from kam.core.queries import get_or_404, people_in_view
from kam.core.workcal import is_workday
from kam.planning.models import ReportComment, ReportKind, ReportRead, ReportRule, ReportStatus, WorkReport
from kam.planning.reports import Period, period_of

# --- visibility ---------------------------------------------------------------------------------


def reports_of(user: User) -> QuerySet[WorkReport]:
    """Every report `user` may open: their own, and submitted ones of the people they oversee."""
    others = Q(author__in=people_in_view(user).values("pk"), status=ReportStatus.SUBMITTED)
    return WorkReport.objects.filter(organization_id=user.organization_id).filter(Q(author=user) | others)


def get_report_for_user(user: User, pk: Any) -> WorkReport:
    """One report by id; hidden and missing ones are both 404."""
    return get_or_404(reports_of(user).select_related("author", "author__team"), pk)


def own_report(user: User, kind: str, period: Period) -> WorkReport | None:
    return WorkReport.objects.filter(author=user, kind=kind, period_start=period.start).first()


def _counted(reports: QuerySet[WorkReport]) -> QuerySet[WorkReport]:
    def count_of(model: type[ReportComment] | type[ReportRead]) -> Coalesce:
        rows = model.objects.filter(report=OuterRef("pk")).order_by().values("report").annotate(n=Count("pk"))
        return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), Value(0))

    return reports.annotate(comment_count=count_of(ReportComment), read_count=count_of(ReportRead))


def my_reports(user: User, kind: str = "", day: date | None = None) -> QuerySet[WorkReport]:
    """The user's own reports, newest period first, with comment and read counts."""
    reports = WorkReport.objects.filter(organization_id=user.organization_id, author=user)
    if kind:
        reports = reports.filter(kind=kind)
    if day is not None:
        reports = reports.filter(period_start__lte=day, period_end__gte=day)
    return _counted(reports).select_related("author").order_by("-period_start", "kind", "-pk")


def visible_reports(
    user: User, kind: str = "", author_id: int | None = None, day: date | None = None
) -> QuerySet[WorkReport]:
    """Reports the user may open (the API list), optionally of one kind, author or period."""
    reports = reports_of(user)
    if kind:
        reports = reports.filter(kind=kind)
    if author_id is not None:
        reports = reports.filter(author_id=author_id)
    if day is not None:
        reports = reports.filter(period_start__lte=day, period_end__gte=day)
    return _counted(reports).select_related("author").order_by("-period_start", "author__username", "kind", "-pk")


def reads_of(report: WorkReport) -> QuerySet[ReportRead]:
    return report.reads.select_related("reader").order_by("read_at", "pk")


def comments_of(report: WorkReport) -> QuerySet[ReportComment]:
    return report.comments.select_related("author").order_by("created_at", "pk")


def may_oversee(user: User) -> bool:
    """Managers, directors and admins have a team page; everyone else only their own reports."""
    return user.role == Role.ADMIN or user.supervises


# --- submission rules -----------------------------------------------------------------------------


def rules_for_admin(actor: User) -> QuerySet[ReportRule]:
    return (
        ReportRule.objects.filter(organization_id=actor.organization_id)
        .select_related("team")
        .order_by("kind", "role", "team__path", "pk")
    )


def get_rule_for_admin(actor: User, pk: Any) -> ReportRule:
    return get_or_404(rules_for_admin(actor), pk)


def due_day(kind: str, period: Period, organization_id: int) -> date | None:
    """The day a report of the period is due: the day itself (daily), the last working day of the
    week or month; None when the period has no working day (nothing is due then)."""
    if kind == ReportKind.DAILY:
        return period.start if is_workday(period.start, organization_id) else None
    day = period.end
    while day >= period.start:
        if is_workday(day, organization_id):
            return day
        day -= timedelta(days=1)
    return None


def due_moment(day: date | None, rule: ReportRule | None) -> datetime | None:
    if day is None or rule is None:
        return None
    return datetime.combine(day, rule.due_time, tzinfo=timezone.get_current_timezone())


def rule_for(person: User, rules: list[ReportRule]) -> ReportRule | None:
    """The rule that binds `person`: of their role, for a team above them or for everyone; the most
    specific team wins, then the earliest due time."""
    path = person.team.path if person.team is not None else None
    matching = [
        rule
        for rule in rules
        if rule.active
        and rule.role == person.role
        and (rule.team is None or (path is not None and path.startswith(rule.team.path)))
    ]
    matching.sort(key=lambda rule: (-len(rule.team.path) if rule.team else 0, rule.due_time, rule.pk))
    return matching[0] if matching else None


def active_rules(organization_id: int, kind: str) -> list[ReportRule]:
    return list(
        ReportRule.objects.filter(organization_id=organization_id, kind=kind, active=True).select_related("team")
    )


def due_of(report: WorkReport) -> datetime | None:
    """When the report was due for its author under the rules (None: not required)."""
    period = period_of(report.kind, report.period_start)
    rule = rule_for(report.author, active_rules(report.organization_id, report.kind))
    if rule is None:
        return None
    return due_moment(due_day(report.kind, period, report.organization_id), rule)


def is_late(report: WorkReport, due: datetime | None) -> bool:
    return due is not None and report.submitted_at is not None and report.submitted_at > due


# --- the manager's team page --------------------------------------------------------------------


class RowStatus:
    SUBMITTED = "submitted"
    MISSING = "missing"
    PENDING = "pending"


@dataclass
class TeamRow:
    person: User
    status: str
    due: datetime | None
    report: WorkReport | None = None
    late: bool = False
    readers: list[ReportRead] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return self.due is not None


@dataclass
class TeamStatus:
    kind: str
    period: Period
    due_day: date | None
    rows: list[TeamRow]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def required(self) -> int:
        return sum(1 for row in self.rows if row.required)

    @property
    def submitted(self) -> int:
        return self.count(RowStatus.SUBMITTED)

    @property
    def late(self) -> int:
        return sum(1 for row in self.rows if row.late)

    @property
    def missing(self) -> int:
        return self.count(RowStatus.MISSING)

    @property
    def pending(self) -> int:
        return self.count(RowStatus.PENDING)


def _row(person: User, due: datetime | None, report: WorkReport | None, now: datetime) -> TeamRow:
    if report is not None:
        readers = [read for read in report.reads.all() if read.reader_id != person.pk]
        return TeamRow(person, RowStatus.SUBMITTED, due, report, is_late(report, due), readers)
    status = RowStatus.MISSING if due is not None and now > due else RowStatus.PENDING
    return TeamRow(person, status, due)


def team_status(viewer: User, kind: str, day: date, now: datetime) -> TeamStatus:
    """For each person the viewer oversees whom a rule requires (or who submitted anyway): submitted
    (when, late or on time, read by whom), missing (past the due time) or not yet due."""
    if not may_oversee(viewer):
        raise PermissionDenied
    period = period_of(kind, day)
    org = viewer.organization_id
    when = due_day(kind, period, org)
    rules = active_rules(org, kind)
    people = list(
        people_in_view(viewer).filter(is_active=True).select_related("team").order_by("team__path", "username")
    )
    reads = Prefetch("reads", queryset=ReportRead.objects.select_related("reader").order_by("read_at", "pk"))
    submitted = {
        report.author_id: report
        for report in WorkReport.objects.filter(
            organization_id=org,
            kind=kind,
            period_start=period.start,
            status=ReportStatus.SUBMITTED,
            author__in=people_in_view(viewer).values("pk"),
        ).prefetch_related(reads)
    }
    rows = []
    for person in people:
        due = due_moment(when, rule_for(person, rules))
        report = submitted.get(person.pk)
        if due is None and report is None:
            continue
        rows.append(_row(person, due, report, now))
    order = {RowStatus.MISSING: 0, RowStatus.PENDING: 1, RowStatus.SUBMITTED: 2}
    rows.sort(key=lambda row: order[row.status])
    return TeamStatus(kind, period, when, rows)
