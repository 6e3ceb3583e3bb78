"""Timing an operation through Django beside the raw SQL it sends, on the same connection, in the same run."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

TARGET_P95_MS = 50.0
# Transaction control is replayed by wrapping the statements in the same atomic block instead.
_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any
    many: bool


@dataclass
class Operation:
    name: str
    run: Callable[[], object]
    note: str = ""
    # Writes: each run (and each raw replay) happens in a transaction that is rolled back.
    rolled_back: bool = False
    target_ms: float = TARGET_P95_MS
    # Runs at most this many times (slow operations such as every rep's plan), with one warm-up run.
    repeat: int | None = None


@dataclass
class Result:
    operation: Operation
    times: list[float]
    raw_times: list[float]
    statements: list[Statement] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.times)

    @property
    def raw_p50(self) -> float:
        return statistics.median(self.raw_times)

    @property
    def raw_p95(self) -> float:
        return percentile(self.raw_times, 95)

    @property
    def ratio(self) -> float:
        return self.p50 / self.raw_p50 if self.raw_p50 else math.inf

    @property
    def meets_target(self) -> bool:
        return self.p95 <= self.operation.target_ms


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


@contextmanager
def captured() -> Iterator[list[Statement]]:
    """Every statement the ORM sends while the block runs, with its parameters."""
    statements: list[Statement] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(Statement(sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield statements


@contextmanager
def _maybe_rolled_back(rolled_back: bool) -> Iterator[None]:
    if not rolled_back:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _once(operation: Operation) -> float:
    started = time.perf_counter()
    with _maybe_rolled_back(operation.rolled_back):
        operation.run()
    return (time.perf_counter() - started) * 1000


def _replay(statements: list[Statement], rolled_back: bool) -> float:
    started = time.perf_counter()
    with _maybe_rolled_back(rolled_back), connection.cursor() as cursor:
        for statement in statements:
            if statement.many:
                cursor.executemany(statement.sql, statement.params)
            else:
                cursor.execute(statement.sql, statement.params)
                if cursor.description is not None:
                    cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def measure(operation: Operation, repeat: int, warmup: int = 3) -> Result:
    """Run the operation `repeat` times, then replay its SQL `repeat` times with a plain cursor."""
    if operation.repeat is not None:
        repeat, warmup = min(repeat, operation.repeat), 1
    for _index in range(warmup):
        _once(operation)
    with captured() as statements, _maybe_rolled_back(operation.rolled_back):
        operation.run()
    replayable = [s for s in statements if not s.sql.lstrip().upper().startswith(_CONTROL)]
    times, raw_times = [], []
    for _index in range(repeat):  # interleaved, so both see the same machine load
        times.append(_once(operation))
        raw_times.append(_replay(replayable, operation.rolled_back))
    return Result(operation, times, raw_times, replayable)


def explain(statements: list[Statement]) -> list[tuple[str, float, list[str]]]:
    """Each read statement with its own raw time (median of 5, ms) and its query plan."""
    plans = []
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        for statement in statements:
            if statement.many or not statement.sql.lstrip().upper().startswith("SELECT"):
                continue
            took = statistics.median(_replay([statement], rolled_back=False) for _index in range(5))
            cursor.execute(prefix + statement.sql, statement.params)
            plans.append((statement.sql, took, [" ".join(str(c) for c in row) for row in cursor.fetchall()]))
    return plans


def table(results: list[Result]) -> list[str]:
    """The results as a Markdown table (readable in a terminal too)."""
    lines = [
        "| operation | p50 ms | p95 ms | mean ms | raw SQL p50 | raw p95 | ratio | queries | target p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        verdict = f"≤ {r.operation.target_ms:g} ms: {'ok' if r.meets_target else 'MISSED'}"
        lines.append(
            f"| {r.operation.name} | {r.p50:.1f} | {r.p95:.1f} | {r.mean:.1f} | {r.raw_p50:.1f} | {r.raw_p95:.1f} "
            f"| {r.ratio:.1f}× | {len(r.statements)} | {verdict} |"
        )
    return lines
