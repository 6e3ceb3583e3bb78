"""`kam optimize_db`: give the query planner fresh statistics (ANALYZE).

Without statistics SQLite guesses that an equality on an index's first column is selective, so
every scoped list of one organization walks the whole organization (docs/benchmarks.md §1). Run
it after `kam demo`, after large imports, and nightly; it is safe while the application runs.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

# `PRAGMA optimize` checks every table (0x10000), not only those this connection used, from 3.46 on;
# before that it would find nothing to do on a fresh connection, so a plain ANALYZE runs instead.
SQLITE_OPTIMIZE_ALL_TABLES = (3, 46, 0)


def sqlite_statement(version: tuple[int, ...], full: bool) -> str:
    """What to run on SQLite `version`: `PRAGMA optimize` where it covers every table, else ANALYZE."""
    if full or version < SQLITE_OPTIMIZE_ALL_TABLES:
        return "ANALYZE"
    return "PRAGMA optimize=0x10002"


class Command(BaseCommand):
    help = "Refresh the query planner statistics: SQLite PRAGMA optimize (or ANALYZE), PostgreSQL ANALYZE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")
        parser.add_argument(
            "--full", action="store_true", help="SQLite: a full ANALYZE even where PRAGMA optimize is available."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor == "sqlite":
            statement = sqlite_statement(sqlite3.sqlite_version_info, options["full"])
        elif connection.vendor == "postgresql":
            statement = "ANALYZE"
        else:
            self.stderr.write(f"optimize_db: nothing to do on {connection.vendor}.")
            return
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(statement)
        if options["verbosity"] >= 1:
            self.stdout.write(f"{statement}: {time.perf_counter() - started:.1f} s")
