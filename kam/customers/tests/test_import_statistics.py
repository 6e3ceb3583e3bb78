"""After an import lands, the planner statistics are refreshed (optimize_db), outside the import's transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from kam.conftest import OrgWorld
from kam.customers.actions import create_customer
from kam.customers.imports import runner
from kam.customers.imports.actions import create_import_job, start_check, start_import
from kam.customers.models.imports import ImportJob, ImportStatus
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    NAMES,
    _import_settings,
    five_rows,
    upload,
)


def checked_job(world: OrgWorld, bad_row: int | None = None) -> ImportJob:
    file = upload(five_rows(bad_row))
    return start_check(world.owner, create_import_job(world.owner, file, file.name or "", file.size or 0))


@pytest.fixture
def optimize_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any], bool]]:
    """Each call_command of the runner, with whether a transaction of the import was still open."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any], bool]] = []
    outer = connection.in_atomic_block  # the test's own transaction

    def record(*args: Any, **kwargs: Any) -> None:
        calls.append((args, kwargs, len(connection.atomic_blocks) > (1 if outer else 0)))

    monkeypatch.setattr(runner, "call_command", record)
    return calls


def test_a_successful_import_refreshes_the_statistics_after_committing(world: OrgWorld, optimize_calls: Any) -> None:
    job = start_import(world.owner, checked_job(world))
    assert job.status == ImportStatus.DONE
    assert optimize_calls == [(("optimize_db",), {"verbosity": 0}, False)]


def test_a_failed_import_does_not(world: OrgWorld, optimize_calls: Any) -> None:
    job = start_import(world.owner, checked_job(world, bad_row=3))
    assert job.status == ImportStatus.FAILED
    assert optimize_calls == []


def test_an_import_that_writes_nothing_does_not(world: OrgWorld, optimize_calls: Any) -> None:
    for name in NAMES:  # every row is a duplicate, skipped by default
        create_customer(world.owner, {"name": name}, confirm_duplicates=True)
    job = checked_job(world)
    assert set(job.decisions.values()) == {"skip"}
    job = start_import(world.owner, job)
    assert (job.status, job.created_count, job.skipped_count) == (ImportStatus.DONE, 0, 5)
    assert optimize_calls == []


def test_a_failing_refresh_leaves_the_import_done(world: OrgWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(runner, "call_command", broken)
    job = start_import(world.owner, checked_job(world))
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 5)


def test_the_real_command_leaves_statistics_for_the_new_rows(world: OrgWorld) -> None:
    start_import(world.owner, checked_job(world))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'customers_customer'")
            assert cursor.fetchone()[0] > 0
