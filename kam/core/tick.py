"""Periodic jobs run by `kam tick` (cron every minute, or the scheduler thread of `kam serve`).

Apps register their jobs in AppConfig.ready(); each job takes `now` and returns how many things it
did, so the command can report and tests can drive a fixed clock. A job must be safe to run every
minute and from two processes at once (claim work with conditional UPDATEs, keep its own "done" marks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

logger = logging.getLogger(__name__)

TickJob = Callable[[datetime], int]

_jobs: dict[str, TickJob] = {}


def register_tick_job(key: str, job: TickJob) -> None:
    _jobs[key] = job


def tick_jobs() -> list[tuple[str, TickJob]]:
    return sorted(_jobs.items())


@dataclass(frozen=True)
class TickResult:
    key: str
    count: int
    error: str = ""


def run_tick_jobs(now: datetime) -> list[TickResult]:
    """Run every registered job once at `now`; a failing job is logged and reported, the others still run."""
    results = []
    for key, job in tick_jobs():
        try:
            results.append(TickResult(key, job(now)))
        except Exception as exc:
            logger.exception("tick job %s failed", key)
            results.append(TickResult(key, 0, f"{type(exc).__name__}: {exc}"))
    return results
