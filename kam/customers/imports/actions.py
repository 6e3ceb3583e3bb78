"""Writes to import jobs: upload, column mapping, decisions, and starting the check or the import.

Status changes use a conditional UPDATE, so a double click cannot start the same job twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.errors import refuse
from kam.core.models import User
from kam.customers.imports.columns import IGNORE, TARGET_BY_KEY, auto_mapping
from kam.customers.imports.queries import mergeable_rows
from kam.customers.imports.reader import ImportFileError, read_table
from kam.customers.imports.runner import check_job, launch, read_progress, run_job
from kam.customers.models.imports import ImportJob, ImportStatus, RowDecision

STALLED_AFTER = timedelta(minutes=15)
EDITABLE = (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED)


def is_stalled(job: ImportJob) -> bool:
    """A check or run whose worker is gone (server restarted): no progress for a long time."""
    if job.status not in (ImportStatus.CHECKING, ImportStatus.RUNNING) or read_progress(job.pk) is not None:
        return False
    return timezone.now() - (job.started_at or job.created_at) > STALLED_AFTER


def create_import_job(actor: User, fh: IO[bytes], name: str, size: int) -> ImportJob:
    """Store an uploaded file after checking its type, size and header; map the headers it knows."""
    if actor.organization_id is None:
        raise refuse(_("Only members of an organization can import customers."))
    try:
        table = read_table(fh, name, size)
    except ImportFileError as exc:
        raise refuse(str(exc), "file") from exc
    fh.seek(0)
    fields = auto_mapping(table.headers)
    job = ImportJob(
        organization_id=actor.organization_id,
        created_by=actor,
        file_name=Path(name).name[:200],
        total_rows=len(table.rows),
        mapping=[{"header": h, "field": f} for h, f in zip(table.headers, fields, strict=True)],
    )
    # A random stored name: the user's file name is kept in file_name, never used as a path.
    job.file.save(f"{uuid.uuid4().hex}{Path(name).suffix.lower()}", File(fh), save=False)
    job.save()
    return job


def needs_mapping(job: ImportJob) -> bool:
    return any(column.get("field") is None for column in job.mapping)


def set_mapping(actor: User, job: ImportJob, fields: list[str]) -> ImportJob:
    """Save the user's choice for every column (a target key or IGNORE)."""
    if job.created_by_id != actor.pk or job.status not in EDITABLE:
        raise refuse(_("This import can no longer be changed."))
    if len(fields) != len(job.mapping) or any(f != IGNORE and f not in TARGET_BY_KEY for f in fields):
        raise refuse(_("Choose a field or “ignore” for every column."), "mapping")
    chosen = [f for f in fields if f != IGNORE]
    twice = sorted({f for f in chosen if chosen.count(f) > 1})
    if twice:
        labels = "、".join(str(TARGET_BY_KEY[f].label) for f in twice)
        raise refuse(_("Several columns are mapped to: %(fields)s.") % {"fields": labels}, "mapping")
    if "name" not in chosen:
        raise refuse(_("Map one column to the customer name."), "mapping")
    job.mapping = [{"header": c["header"], "field": f} for c, f in zip(job.mapping, fields, strict=True)]
    job.status = ImportStatus.UPLOADED
    job.save(update_fields=["mapping", "status"])
    return job


def set_decisions(actor: User, job: ImportJob, decisions: dict[str, str]) -> ImportJob:
    """Record skip / merge / create for customers of the file that the result table asks about."""
    if job.created_by_id != actor.pk or job.status not in (ImportStatus.CHECKED, ImportStatus.FAILED):
        raise refuse(_("This import can no longer be changed."))
    valid = set(RowDecision.values)
    changed = {row: value for row, value in decisions.items() if row in job.decisions and value in valid}
    job.decisions = {**job.decisions, **changed}
    job.save(update_fields=["decisions"])
    return job


def _every_row(job: ImportJob, decision: str) -> dict[str, str]:
    if decision not in RowDecision.values:
        raise refuse(_("Choose skip, merge or create."), "decision")
    rows = mergeable_rows(job) & set(job.decisions) if decision == RowDecision.MERGE else set(job.decisions)
    return dict.fromkeys(rows, decision)


def apply_to_all(actor: User, job: ImportJob, decision: str) -> ImportJob:
    """One decision for every customer the result table asks about ("merge" only where possible)."""
    return set_decisions(actor, job, _every_row(job, decision))


def decision_problems(job: ImportJob, decisions: Mapping[str, str]) -> dict[str, str]:
    """Why some of these {row: decision} cannot be taken, by row (empty when all can).

    The result page only offers what is possible; an API client can send anything, and is told.
    """
    mergeable = mergeable_rows(job)
    problems: dict[str, str] = {}
    for row, value in decisions.items():
        if row not in job.decisions:
            problems[row] = _("The check asks for no decision on this row.")
        elif value not in RowDecision.values:
            problems[row] = _("Choose skip, merge or create.")
        elif value == RowDecision.MERGE and row not in mergeable:
            problems[row] = _("This customer cannot be merged: there is no existing customer you may change.")
    return problems


def _claim(job: ImportJob, allowed: tuple[str, ...], status: str) -> bool:
    claimed = ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(status=status)
    if not claimed and is_stalled(job):
        claimed = ImportJob.objects.filter(pk=job.pk, status=job.status).update(status=status)
    if claimed:
        job.status = status
    return bool(claimed)


def start_check(actor: User, job: ImportJob) -> ImportJob:
    """Start the dry run (now for small files, in the background for large ones)."""
    if job.created_by_id != actor.pk:
        raise refuse(_("This import can no longer be changed."))
    if needs_mapping(job):
        raise refuse(_("Choose a field or “ignore” for every column."), "mapping")
    if not _claim(job, EDITABLE, ImportStatus.CHECKING):
        raise refuse(_("This import is already being checked or imported."))
    launch(job, check_job)
    return job


def start_import(actor: User, job: ImportJob) -> ImportJob:
    """Start the import of a checked job with its decisions; it lands whole or not at all."""
    if job.created_by_id != actor.pk:
        raise refuse(_("This import can no longer be changed."))
    if job.status == ImportStatus.FAILED and job.started_at is None:
        raise refuse(_("This file could not be read; upload it again."))
    if not _claim(job, (ImportStatus.CHECKED, ImportStatus.FAILED), ImportStatus.RUNNING):
        raise refuse(_("This import is already running or done."))
    launch(job, run_job)
    return job


# --- one call per page action (the views call exactly one of these) ----------------------------


def upload_import(actor: User, fh: IO[bytes], name: str, size: int) -> ImportJob:
    """Store the upload and, when every header is known, start its check at once."""
    job = create_import_job(actor, fh, name, size)
    return job if needs_mapping(job) else start_check(actor, job)


def map_columns(actor: User, job: ImportJob, fields: list[str]) -> ImportJob:
    """Save the mapping step's answers and start the check."""
    return start_check(actor, set_mapping(actor, job, fields))


def choose(actor: User, job: ImportJob, decisions: dict[str, str], every: str | None = None) -> ImportJob:
    """The API's decisions: one choice for every row (as apply_to_all), then the rows named, in one save."""
    chosen = _every_row(job, every) if every is not None else {}
    return set_decisions(actor, job, {**chosen, **decisions})


def decide(actor: User, job: ImportJob, decisions: dict[str, str], *, start: bool) -> ImportJob:
    """Save the result table's decisions and, for "import", start the import."""
    if decisions:
        job = set_decisions(actor, job, decisions)
    return start_import(actor, job) if start else job
