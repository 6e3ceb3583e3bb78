"""The in-process scheduler of `kam serve`: a daemon thread that runs the tick jobs every minute.

One `kam serve` process is the small deployment (the demo, one office); there the thread replaces cron.
Deployments with several workers run `kam tick` from cron (or a systemd timer) every minute instead and
start the server with `--no-scheduler`. The jobs are safe to overlap, so a forgotten flag costs only work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from django.db import connections
from django.utils import timezone

from kam.core.tick import TickResult, run_tick_jobs

logger = logging.getLogger(__name__)

TICK_SECONDS = 60.0


class TickScheduler:
    """Runs `run_tick_jobs` every `interval` seconds on a daemon thread until `stop()`."""

    def __init__(self, interval: float = TICK_SECONDS, clock: Callable[[], datetime] = timezone.now) -> None:
        self.interval = interval
        self._clock = clock
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="kam-tick", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopped.wait(self.interval):
            self.run_once()

    def run_once(self) -> list[TickResult]:
        """One round of jobs; never raises, and closes this thread's database connections afterwards."""
        try:
            return run_tick_jobs(self._clock())
        except Exception:
            logger.exception("the tick scheduler round failed")
            return []
        finally:
            try:
                # A connection left open by a sleeping thread would hold SQLite locks and PostgreSQL slots.
                connections.close_all()
            except Exception:
                logger.exception("the tick scheduler could not close its database connections")
