"""`kam tick`: run every periodic job once (cron it every minute, or let `kam serve` do it).

Jobs are registered with `kam.core.tick.register_tick_job` (group-robot retries and the daily digest
from kam.core; later modules add theirs). `--now 2026-12-01T08:00` runs them at a given time (naive
times are Shanghai time). The exit status is 1 when a job failed; the other jobs still ran.

Public-pool recycling is not a tick job: it stays `kam recycle`, run once a night from cron. Tick jobs
run every minute and keep their own durable "done" marks; recycling has none (it is idempotent but scans
every rule), and moving customers out of reps' hands is something operators schedule deliberately.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kam.core.tick import run_tick_jobs


def parse_now(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise CommandError(f"--now must be an ISO 8601 time such as 2026-12-01T08:00, got {raw!r}") from exc
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Command(BaseCommand):
    help = "Run the periodic jobs once: group-robot retries, the daily digest and what other modules register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", default=None, help="run as if at this ISO 8601 time (for testing)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now() if options["now"] is None else parse_now(options["now"])
        results = run_tick_jobs(now)
        for result in results:
            if result.error:
                self.stderr.write(f"{result.key}: failed: {result.error}")
            else:
                self.stdout.write(f"{result.key}: {result.count}")
        failed = [result.key for result in results if result.error]
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
