"""Reads of import jobs: a job is its importer's own; anyone else gets 404, as for a missing one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kam.core.models import User
from kam.core.queries import get_or_404
from kam.customers.models.imports import ImportJob, RowDecision

# The columns a list of jobs shows; the large JSON columns stay in the database.
JOB_LIST_FIELDS = (
    "id", "file_name", "status", "created_at", "finished_at", "total_rows", "created_count", "merged_count",
    "skipped_count", "contacts_count",
)  # fmt: skip


def import_jobs_of(user: User) -> QuerySet[ImportJob]:
    if not user.is_authenticated or user.organization_id is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by_id=user.pk, organization_id=user.organization_id)


def import_job_list(user: User) -> QuerySet[ImportJob]:
    """The user's uploads, newest first, without the large JSON columns."""
    return import_jobs_of(user).only(*JOB_LIST_FIELDS).order_by("-created_at", "-id")


def recent_import_jobs(user: User, limit: int = 10) -> list[ImportJob]:
    """The user's latest uploads for the import page."""
    return list(import_job_list(user)[:limit])


def get_import_job_for_user(user: User, pk: Any) -> ImportJob:
    return get_or_404(import_jobs_of(user).select_related("created_by", "created_by__organization"), pk)


# --- the dry run's result, row by row (read from the job's JSON columns: no further queries) ----


def mergeable_rows(job: ImportJob) -> set[str]:
    """Rows whose customer can be merged: into a database match the user may change, or a row above."""
    return {row for row, matches in job.duplicates.items() if any(m.get("writable") or "row" in m for m in matches)}


def row_choices(job: ImportJob, row: str, mergeable: set[str]) -> list[str]:
    """The decisions a row of the result table offers ("merge" only where it is possible)."""
    return [str(value) for value in RowDecision.values if value != RowDecision.MERGE or row in mergeable]


@dataclass(frozen=True)
class ResultRow:
    """One row of the result table: its customer, errors by field, duplicates and the decision asked."""

    number: int
    customer: str
    contact: str
    group: int  # the first row of its customer in the file; decisions are keyed by it
    errors: dict[str, list[str]]
    matches: list[dict[str, Any]]
    decision: str | None
    choices: list[str]


def result_row_numbers(job: ImportJob) -> list[int]:
    """The rows the result table shows: those with errors or duplicates, and the rows of their customers."""
    return sorted({int(r) for r in job.errors} | {int(r) for r in job.duplicates} | {int(r) for r in job.row_info})


def result_rows(job: ImportJob, numbers: Iterable[int]) -> list[ResultRow]:
    """The given rows of the result table (one page of result_row_numbers)."""
    mergeable = mergeable_rows(job)
    rows = []
    for number in numbers:
        key = str(number)
        info = job.row_info.get(key, {})
        decision = job.decisions.get(key)
        rows.append(
            ResultRow(
                number=number,
                customer=str(info.get("customer", "")),
                contact=str(info.get("contact", "")),
                group=int(info.get("group", number)),
                errors={field: list(messages) for field, messages in job.errors.get(key, {}).items()},
                matches=list(job.duplicates.get(key, [])),
                decision=decision,
                choices=row_choices(job, key, mergeable) if decision is not None else [],
            )
        )
    return rows
