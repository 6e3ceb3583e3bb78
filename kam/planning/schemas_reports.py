"""Typed shapes of the reports API (日报/周报/月报, comments, read receipts, the team status)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

from kam.core.api import LocalDateTime, UserRef
from kam.planning.models import WorkReport
from kam.planning.queries_reports import TeamRow, TeamStatus
from kam.planning.reports import ReportDraft, stat_lines

Kind = Literal["daily", "weekly", "monthly"]


class WorkItemOut(Schema):
    kind: str = Field(description="the record type as shown (拜访, 电话 …)")
    time: str = Field(description="Shanghai wall clock: HH:MM (daily) or MM-DD HH:MM")
    text: str


class WorkGroupOut(Schema):
    customer_id: int | None
    customer: str
    items: list[WorkItemOut]


class StatOut(Schema):
    key: str
    label: str
    count: int


class PlanLineOut(Schema):
    title: str
    reason: str


class DraftOut(Schema):
    """What KAM proposes for the period; nothing is stored."""

    kind: str
    period_start: date
    period_end: date
    work: list[WorkGroupOut]
    stats: list[StatOut]
    plan: str
    plan_day: date | None = Field(description="the working day (daily) or first day of the next period the plan is for")
    plan_items: list[PlanLineOut]

    @staticmethod
    def from_draft(draft: ReportDraft) -> DraftOut:
        return DraftOut(
            kind=draft.period.kind,
            period_start=draft.period.start,
            period_end=draft.period.end,
            work=[WorkGroupOut.model_validate(group) for group in draft.work],
            stats=[StatOut(key=s.key, label=s.label, count=s.count) for s in draft.stat_lines],
            plan=draft.plan,
            plan_day=draft.plan_day,
            plan_items=[PlanLineOut(title=line.title, reason=line.reason) for line in draft.plan_lines],
        )


class ReportListItem(Schema):
    id: int
    kind: str
    period_start: date
    period_end: date
    author: UserRef
    status: str
    submitted_at: LocalDateTime | None
    read_count: int
    comment_count: int


class ReadOut(Schema):
    reader: UserRef
    read_at: LocalDateTime


class ReportOut(Schema):
    id: int
    kind: str
    period_start: date
    period_end: date
    author: UserRef
    status: str
    work: list[WorkGroupOut]
    stats: list[StatOut]
    problems: str
    summary: str
    plan: str
    submitted_at: LocalDateTime | None
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_stats(obj: WorkReport) -> list[dict[str, object]]:
        return [{"key": s.key, "label": s.label, "count": s.count} for s in stat_lines(obj.stats)]


class ReportTextIn(Schema):
    """The author's text; a field left out keeps its value."""

    problems: str | None = Field(None, max_length=5000, description="遇到的问题")
    summary: str | None = Field(None, max_length=5000)
    plan: str | None = Field(None, max_length=5000)


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=2000)


class CommentOut(Schema):
    id: int
    author: UserRef
    body: str
    created_at: LocalDateTime


class TeamRowOut(Schema):
    user: UserRef
    team: str | None
    status: Literal["submitted", "missing", "pending"]
    required: bool
    due: LocalDateTime | None
    report_id: int | None
    submitted_at: LocalDateTime | None
    late: bool
    read_by: list[UserRef]

    @staticmethod
    def from_row(row: TeamRow) -> TeamRowOut:
        person = row.person
        return TeamRowOut(
            user=UserRef(id=person.pk, username=person.username, name=person.name),
            team=person.team.name if person.team is not None else None,
            status=row.status,  # type: ignore[arg-type]
            required=row.required,
            due=row.due,
            report_id=row.report.pk if row.report is not None else None,
            submitted_at=row.report.submitted_at if row.report is not None else None,
            late=row.late,
            read_by=[UserRef(id=r.reader.pk, username=r.reader.username, name=r.reader.name) for r in row.readers],
        )


class TeamStatusOut(Schema):
    kind: str
    period_start: date
    period_end: date
    due_day: date | None = Field(description="null: the period has no working day, nothing is due")
    required: int
    submitted: int
    late: int
    missing: int
    pending: int
    rows: list[TeamRowOut]

    @staticmethod
    def from_status(status: TeamStatus) -> TeamStatusOut:
        return TeamStatusOut(
            kind=status.kind,
            period_start=status.period.start,
            period_end=status.period.end,
            due_day=status.due_day,
            required=status.required,
            submitted=status.submitted,
            late=status.late,
            missing=status.missing,
            pending=status.pending,
            rows=[TeamRowOut.from_row(row) for row in status.rows],
        )
