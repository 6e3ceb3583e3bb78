"""The benchmark's rep's-day operations: who they run for, their targets, and "not available" when missing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kam.bench import day_operations as day_ops
from kam.bench.timing import Operation, measure, table
from kam.conftest import OrgWorld

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 2, 30, tzinfo=UTC)


def test_missing_briefing_and_plan_functions_are_reported_not_failed(
    world: OrgWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(day_ops, "_function", lambda module, name: None)

    found = day_ops.day_operations(world.owner, NOW)

    assert found.operations == []
    assert found.unavailable == [
        "briefing: kam.planning.briefing.briefing_for does not exist yet",
        "next-day plans: kam.planning.plan.draft_candidates does not exist yet",
    ]


def test_day_operations_run_for_the_reps_managers_with_their_targets(world: OrgWorld) -> None:
    found = day_ops.day_operations(world.owner, NOW)

    assert [(op.name, op.target_ms, op.repeat) for op in found.operations] == [
        ("briefing — 大区 manager (3 people)", 100.0, None),
        ("next-day plan — rep owner", 100.0, None),
        ("next-day plans — all 3 reps", 10_000.0, 3),
    ]
    for operation in found.operations:
        operation.run()


def test_dataset_clock_comes_from_the_manifest() -> None:
    assert day_ops.clock_of({"clock": "2026-11-18T10:30:00+08:00"}) == NOW
    assert day_ops.clock_of({"built_at": "2026-11-18T02:30:00+00:00"}) == NOW


def test_an_operation_runs_at_most_its_own_repeat_and_is_judged_by_its_own_target() -> None:
    result = measure(Operation("slow loop", lambda: None, target_ms=0.0, repeat=2), repeat=50)

    assert len(result.times) == len(result.raw_times) == 2
    assert not result.meets_target
    assert table([result])[-1].endswith("| 0 | ≤ 0 ms: MISSED |")
