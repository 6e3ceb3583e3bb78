"""Running an import job: the dry run (check) and the import itself (run), with progress.

The run writes inside ONE transaction.atomic: the file lands whole or not at all.

Why progress is not kept in the job row: other connections only see committed rows, and the
import may not commit before its last row (that would end the all-or-nothing transaction).
A second connection cannot write the progress either: SQLite has one writer at a time and
the import holds that lock (BEGIN IMMEDIATE), so the progress write would wait for the whole
import (and fail after the 20 s busy timeout). So progress goes to the Django cache under the
job id, every PROGRESS_EVERY (500) rows — LocMem within the server process that runs the
import thread, Redis (KAM_REDIS_URL) when several processes serve the pages — and the job
row is updated once, after the transaction. On PostgreSQL the same design holds; it needs no
second connection.

Also because of that lock, the slow part — validating every row through the forms — runs
before the transaction (and the import reuses the dry run's result, see snapshot.py): only
matching against the database and writing happen while other users' writes wait.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.models import User
from kam.customers.imports import snapshot
from kam.customers.imports.matching import DatabaseIndex, MatchInfo, describe_matches
from kam.customers.imports.plan import Errors, Prepared, Progress, add_error, prepare, recheck_owners
from kam.customers.imports.reader import ImportFileError, Table, read_table
from kam.customers.imports.writer import Counts, ImportRejected, Plan, Writer, default_decision, resolve
from kam.customers.models.imports import ImportJob, ImportStatus, RowDecision

logger = logging.getLogger(__name__)

PROGRESS_TIMEOUT = 3600
# Files up to this many rows are checked and imported within the request; larger ones in a thread.
INLINE_ROWS = 1000


def progress_key(job_id: int) -> str:
    return f"kam:import-progress:{job_id}"


def read_progress(job_id: int) -> dict[str, Any] | None:
    value: dict[str, Any] | None = cache.get(progress_key(job_id))
    return value


def cache_progress(job_id: int, then: Progress | None = None) -> Progress:
    """A progress callback that other processes and connections can read (see the module docstring)."""

    def report(phase: str, done: int, total: int) -> None:
        cache.set(progress_key(job_id), {"phase": phase, "done": done, "total": total}, PROGRESS_TIMEOUT)
        if then is not None:
            then(phase, done, total)

    return report


def job_table(job: ImportJob) -> Table:
    with job.file.open("rb") as fh:
        return read_table(fh, job.file_name, job.file.size)


def job_mapping(job: ImportJob) -> list[str]:
    return [str(column.get("field") or "") for column in job.mapping]


def match_database(prepared: Prepared, actor: User) -> tuple[DatabaseIndex, dict[int, list[MatchInfo]]]:
    """Duplicates of every valid customer of the file among the organization's customers."""
    assert actor.organization_id is not None
    index = DatabaseIndex(actor.organization_id)
    for group in prepared.groups:
        group.db_matches = index.match(group.name, str(group.data.get("credit_code") or ""), group.phones())
    found = describe_matches(actor, {g.first_row: g.db_matches for g in prepared.groups if g.db_matches})
    return index, found


def _json_errors(errors: Errors) -> dict[str, dict[str, list[str]]]:
    return {str(row): {k: list(dict.fromkeys(v)) for k, v in fields.items()} for row, fields in sorted(errors.items())}


def _row_info(prepared: Prepared, rows: set[int]) -> dict[str, dict[str, Any]]:
    info: dict[str, dict[str, Any]] = {}
    for group in prepared.groups:
        contacts = dict(group.contact_values)
        for row in group.rows:
            if row in rows:
                contact = contacts.get(row, {}).get("contact_name", "")
                info[str(row)] = {"customer": group.name, "contact": contact, "group": group.first_row}
    return info


def check(
    table: Table,
    mapping: list[str],
    actor: User,
    decisions: dict[int, str],
    on_duplicate: str = RowDecision.SKIP,
    progress: Progress | None = None,
) -> tuple[Prepared, dict[int, list[MatchInfo]], Plan]:
    """The dry run: every check of the import, nothing written."""
    prepared = prepare(table, mapping, actor, progress)
    index, matches = match_database(prepared, actor)
    plan = resolve(prepared, actor, decisions, on_duplicate, matches, index)
    for row, fields in prepared.errors.items():
        for key, messages in fields.items():
            add_error(plan.errors, row, key, messages)
    return prepared, matches, plan


def duplicates_json(prepared: Prepared, matches: dict[int, list[MatchInfo]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for group in prepared.groups:
        entries = [m.as_json() for m in matches.get(group.first_row, [])]
        entries += [{"row": row, "kind": kind, "score": score} for row, (kind, score) in group.file_matches.items()]
        if entries:
            found[str(group.first_row)] = entries
    return found


def check_job(job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """Dry-run the job's file and store each row's errors and duplicates and the default decisions."""
    actor = job.created_by
    report = cache_progress(job.pk, progress)
    try:
        prepared, matches, plan = check(job_table(job), job_mapping(job), actor, {}, progress=report)
    except Exception as exc:
        if not isinstance(exc, ImportFileError):
            logger.exception("checking import job %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = str(exc) if isinstance(exc, ImportFileError) else _("The check stopped on an unexpected error.")
        job.save(update_fields=["status", "message"])
        return job
    finally:
        cache.delete(progress_key(job.pk))
    try:
        snapshot.save(job, prepared)
    except OSError:  # the snapshot only saves time; the import validates again without it
        logger.warning("import job %s: could not store the checked rows", job.pk, exc_info=True)
    job.errors = _json_errors(plan.errors)
    job.duplicates = duplicates_json(prepared, matches)
    previous = job.decisions  # "check again" keeps what the user chose for rows still asked about
    job.decisions = {
        str(g.first_row): previous.get(str(g.first_row)) or default_decision(g, RowDecision.SKIP)
        for g in prepared.groups
        if g.db_matches or g.file_matches or any(r in plan.errors for r in g.rows)
    }
    job.row_info = _row_info(prepared, {int(r) for r in job.errors} | {int(r) for r in job.duplicates})
    job.total_rows = prepared.total_rows
    job.status = ImportStatus.CHECKED
    job.message = ""
    job.save(update_fields=["errors", "duplicates", "decisions", "row_info", "total_rows", "status", "message"])
    return job


def run(
    table: Table,
    mapping: list[str],
    actor: User,
    decisions: dict[int, str],
    on_duplicate: str = RowDecision.SKIP,
    progress: Progress | None = None,
) -> Counts:
    """Validate and import the table; ImportRejected (nothing written) when any row fails."""
    return run_prepared(prepare(table, mapping, actor, progress), actor, decisions, on_duplicate, progress)


def run_prepared(
    prepared: Prepared,
    actor: User,
    decisions: dict[int, str],
    on_duplicate: str = RowDecision.SKIP,
    progress: Progress | None = None,
) -> Counts:
    """Import validated customers in ONE transaction: all of them, or (on any failing row) none."""
    with transaction.atomic():
        index, matches = match_database(prepared, actor)
        plan = resolve(prepared, actor, decisions, on_duplicate, matches, index)
        if plan.errors:
            raise ImportRejected(plan.errors)
        return Writer(actor, progress).write(plan)


def _prepared_for_run(job: ImportJob, report: Progress) -> Prepared:
    """The dry run's validated customers when they still fit the file, else a fresh validation."""
    prepared = snapshot.load(job)
    if prepared is None:
        return prepare(job_table(job), job_mapping(job), job.created_by, report)
    recheck_owners(prepared, job.created_by)
    report("check", prepared.total_rows, prepared.total_rows)
    return prepared


def _ask_about(
    job: ImportJob, prepared: Prepared, rows: set[int], decisions: dict[int, str], on_duplicate: str
) -> None:
    """Put the customers of failing rows into the result table, so that the user can skip them."""
    groups = {g.first_row: g for g in prepared.groups}
    for row in rows:
        first = prepared.row_group.get(row, row)
        if first in groups:
            job.decisions.setdefault(str(first), decisions.get(first) or default_decision(groups[first], on_duplicate))
    job.row_info = {**job.row_info, **_row_info(prepared, rows)}


def run_job(job: ImportJob, on_duplicate: str = RowDecision.SKIP, progress: Progress | None = None) -> ImportJob:
    """Import the job's file with its decisions; the job ends done or failed (with nothing written)."""
    report = cache_progress(job.pk, progress)
    job.status, job.started_at, job.message = ImportStatus.RUNNING, timezone.now(), ""
    job.save(update_fields=["status", "started_at", "message"])
    decisions = {int(row): value for row, value in job.decisions.items()}
    prepared: Prepared | None = None
    try:
        prepared = _prepared_for_run(job, report)
        counts = run_prepared(prepared, job.created_by, decisions, on_duplicate, report)
    except ImportRejected as exc:
        job.status, job.errors = ImportStatus.FAILED, _json_errors(exc.errors)
        job.message = _("Nothing was imported: %(count)d rows have errors.") % {"count": len(exc.errors)}
        if prepared is not None:
            _ask_about(job, prepared, set(exc.errors), decisions, on_duplicate)
    except ImportFileError as exc:
        job.status, job.message = ImportStatus.FAILED, str(exc)
    except IntegrityError:
        logger.warning("import job %s hit a unique constraint", job.pk, exc_info=True)
        job.status = ImportStatus.FAILED
        job.message = _("Someone saved one of these customers meanwhile; nothing was imported. Check the file again.")
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = _("The import stopped on an unexpected error; nothing was imported.")
    else:
        snapshot.discard(job)
        job.status, job.errors = ImportStatus.DONE, {}
        job.created_count, job.merged_count = counts.created, counts.merged
        job.skipped_count, job.contacts_count = counts.skipped, counts.contacts
        job.processed_rows = job.total_rows
    job.finished_at = timezone.now()
    job.save()
    cache.delete(progress_key(job.pk))
    if job.status == ImportStatus.DONE and (job.created_count or job.contacts_count):
        refresh_planner_statistics(job)
    return job


def refresh_planner_statistics(job: ImportJob) -> None:
    """ANALYZE after the import has committed: with statistics from before thousands of new rows the
    planner picks the wrong indexes (kam/core/management/commands/optimize_db.py). About 0.1 s; a
    failure only costs speed, so the finished import is not affected."""
    try:
        call_command("optimize_db", verbosity=0)
    except Exception:
        logger.warning("import job %s: refreshing the planner statistics failed", job.pk, exc_info=True)


def _background(work: Callable[[], object], name: str) -> None:
    def target() -> None:
        try:
            work()
        finally:
            connections.close_all()  # this thread's own connections

    threading.Thread(target=target, name=name, daemon=True).start()


def launch(job: ImportJob, step: Callable[[ImportJob], ImportJob]) -> None:
    """Run a step now for small files, else in a background thread that the job page polls.

    The thread starts once the caller's transaction (if any) has committed, so that it sees the job.
    """
    if job.total_rows <= INLINE_ROWS:
        step(job)
        return
    job_id = job.pk

    def work() -> None:
        step(ImportJob.objects.select_related("created_by", "created_by__organization").get(pk=job_id))

    transaction.on_commit(lambda: _background(work, f"kam-import-{job_id}"))
