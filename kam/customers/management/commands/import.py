"""`kam import customers FILE`: the import of the web page, from the command line.

The file is checked like on the page; duplicates get --on-duplicate (skip by default). The
import lands whole or not at all: when any row fails, the errors are printed, nothing is
imported and the command exits with status 1. --dry-run checks only and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kam.core.models import Role, User
from kam.customers.imports import actions
from kam.customers.imports.columns import IGNORE, auto_mapping, field_label
from kam.customers.imports.plan import Errors
from kam.customers.imports.reader import ImportFileError, read_path
from kam.customers.imports.runner import check, run_job
from kam.customers.models.imports import ImportStatus, RowDecision


class TqdmProgress:
    """One tqdm bar per phase (checking, writing) on stderr."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.bar: tqdm[Any] | None = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            label = {"check": "checking", "write": "writing"}.get(phase, phase)
            self.bar = tqdm(total=total, desc=label, unit="rows", file=self.stream)
        assert self.bar is not None
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def find_user(username: str | None) -> User:
    if username:
        user = User.objects.filter(username=username, is_active=True).select_related("organization").first()
        if user is None or user.organization_id is None:
            raise CommandError(f"no active user {username!r} in an organization")
        return user
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True, organization__isnull=False)[:2])
    if len(admins) != 1:
        raise CommandError("give --user USERNAME: the customers are imported as that user")
    return admins[0]


def errors_table(errors: Errors | dict[str, dict[str, list[str]]]) -> list[str]:
    lines = [f"{'row':>6}  {'field':<24}  message"]
    by_row = {int(row): fields for row, fields in errors.items()}
    for row in sorted(by_row):
        for key, messages in by_row[row].items():
            for message in messages:
                lines.append(f"{row:>6}  {field_label(key) or '-':<24}  {message}")
    return lines


class Command(BaseCommand):
    help = "Import customers with their contacts from an .xlsx or .csv file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["customers"])
        parser.add_argument("file")
        parser.add_argument("--user", help="import as this user (default: the only admin)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--on-duplicate", choices=RowDecision.values, default=RowDecision.SKIP)
        parser.add_argument("--ignore-unknown-columns", action="store_true", help="ignore unrecognised headers")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            table = read_path(path)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        mapping = self._mapping(table.headers, options["ignore_unknown_columns"])
        progress = TqdmProgress(self.stderr._out)
        try:
            if options["dry_run"]:
                self._dry_run(table, mapping, user, options["on_duplicate"], progress)
            else:
                self._import(path, mapping, user, options["on_duplicate"], progress)
        finally:
            progress.close()

    def _mapping(self, headers: list[str], ignore_unknown: bool) -> list[str]:
        fields = auto_mapping(headers)
        unknown = [h for h, f in zip(headers, fields, strict=True) if f is None]
        if unknown and not ignore_unknown:
            raise CommandError(
                "unrecognised columns: " + ", ".join(unknown) + " (rename them or use --ignore-unknown-columns)"
            )
        return [f or IGNORE for f in fields]

    def _dry_run(self, table: Any, mapping: list[str], user: User, on_duplicate: str, progress: Any) -> None:
        prepared, matches, plan = check(table, mapping, user, {}, on_duplicate, progress)
        progress.close()
        creates = sum(1 for kind, _g, _pk in plan.steps if kind == RowDecision.CREATE)
        merges = len(plan.steps) - creates
        with_duplicates = sum(1 for g in prepared.groups if g.db_matches or g.file_matches)
        self.stdout.write(
            f"dry run: {prepared.total_rows} rows, {len(prepared.groups)} customers; "
            f"{with_duplicates} with possible duplicates; would create {creates}, merge {merges}, skip {plan.skipped}"
        )
        if plan.errors:
            self.stdout.write("\n".join(errors_table(plan.errors)))
            raise CommandError(f"{len(plan.errors)} rows have errors; nothing would be imported")

    def _import(self, path: Path, mapping: list[str], user: User, on_duplicate: str, progress: Any) -> None:
        try:
            with path.open("rb") as fh:
                job = actions.create_import_job(user, fh, path.name, path.stat().st_size)
            job = actions.set_mapping(user, job, mapping)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        job = run_job(job, on_duplicate, progress)
        progress.close()
        if job.status != ImportStatus.DONE:
            if job.errors:
                self.stdout.write("\n".join(errors_table(job.errors)))
            raise CommandError(f"import job {job.pk}: {job.message}")
        self.stdout.write(
            f"import job {job.pk}: created {job.created_count}, merged {job.merged_count}, "
            f"skipped {job.skipped_count} customers; added {job.contacts_count} contacts"
        )
