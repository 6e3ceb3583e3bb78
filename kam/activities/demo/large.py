"""Activities of the large benchmark dataset: ~1.8M follow-ups and ~200k visits over the past year,
plus planned visits, tasks and coordination requests for every rep.

Each customer with a follow-up clock gets follow-ups on working days between its creation (or a
year ago) and its last follow-up, which lands exactly on the stored `last_followup_at` with the
stored `next_followup_at`, so the customers (and the pool rules reading them) stay as they were.
A-tier customers get more, and more of them are visits. Rows are built as tuples — one 96-bit random
number decides a follow-up — and written with `executemany` in one transaction, ids assigned here
so visits can point at their follow-ups without reading anything back.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from tqdm import tqdm

from kam.activities.demo import vocab
from kam.activities.demo.large_extra import write_extras
from kam.activities.demo.large_plan import (
    OFFICE_MINUTES,
    VISIT_MINUTES,
    Clock,
    PlannedCustomer,
    customers_to_follow,
    plan_counts,
)
from kam.activities.demo.month import feedback_text
from kam.activities.models import FollowUp, Visit
from kam.core.models import Organization
from kam.customers.demo.vocab import HEADS

BATCH = 20_000
FEEDBACK_OF_128 = {"call": 64, "wechat": 56, "sms": 10, "email": 30, "visit": 102, "meeting": 96, "event": 64}
NEXT_OF_128 = {"call": 77, "wechat": 64, "sms": 26, "email": 64, "visit": 115, "meeting": 115, "event": 64}
FAR_OF_256 = 20  # about 8 % of check-ins are out of range
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class LargeActivities:
    followups: int
    visits: int
    planned_visits: int
    tasks: int
    requests: int
    seconds: float


def _pools(rng: random.Random) -> dict[str, list[str]]:
    """256 ready-made texts per follow-up kind, 256 feedbacks, 16 next steps (bit-indexed below)."""
    titles = [title for title, _department, _role in HEADS]
    pools: dict[str, list[str]] = {}
    for kind, templates in vocab.CONTENT.items():
        pools[kind] = [
            rng.choice(templates).format(contact=rng.choice(titles), product=rng.choice(vocab.PRODUCTS))
            for _i in range(256)
        ]
    pools["feedback"] = [feedback_text(rng) for _i in range(256)]
    pools["next"] = [vocab.NEXT_STEPS[i % len(vocab.NEXT_STEPS)] for i in range(16)]
    pools["purpose"] = [vocab.VISIT_PURPOSES[i % len(vocab.VISIT_PURPOSES)] for i in range(16)]
    return pools


def _kind_table() -> list[str]:
    weights = vocab.KIND_WEIGHTS
    total = sum(weights.values())
    table = [kind for kind, weight in weights.items() for _i in range(round(weight * 128 / total))]
    return (table + ["call"] * 128)[:128]


def _offsets(rng: random.Random) -> list[tuple[float, float, int]]:
    """256 (north metres, east metres, distance) readings around a customer; FAR_OF_256 of them far."""
    table = []
    for index in range(256):
        metres = rng.uniform(600, 2500) if index < FAR_OF_256 else rng.uniform(15, 320)
        bearing = rng.uniform(0, 2 * math.pi)
        table.append((metres * math.cos(bearing), metres * math.sin(bearing), round(metres)))
    rng.shuffle(table)
    return table


class _Writer:
    """Tuples for one customer's follow-ups and visits; ids are given here."""

    def __init__(
        self, org: Organization, clock: Clock, rng: random.Random, next_followup: int, next_visit: int
    ) -> None:
        self.org_id, self.clock, self.rng = org.pk, clock, rng
        self.radius = org.checkin_radius_m
        self.pools = _pools(rng)
        self.kinds = _kind_table()
        self.offsets = _offsets(rng)
        self.followup_id, self.visit_id = next_followup, next_visit
        self.followups: list[tuple[Any, ...]] = []
        self.visits: list[tuple[Any, ...]] = []

    def customer(self, c: PlannedCustomer) -> None:
        for number in range(c.followups - 1):
            self._one(c, visit=number < c.visits)
        self._last(c)

    def _one(self, c: PlannedCustomer, *, visit: bool) -> None:
        bits = self.rng.getrandbits(96)
        kind = "visit" if visit else self.kinds[bits & 127]
        day = c.lo + (bits >> 44) % c.span
        first, last = VISIT_MINUTES if visit else OFFICE_MINUTES
        minute = first + (bits >> 64) % (last - first)
        occurred = self.clock.text(day, minute)
        feedback = self.pools["feedback"][(bits >> 22) & 255] if (bits >> 15) & 127 < FEEDBACK_OF_128[kind] else ""
        next_step, next_at = "", None
        if (bits >> 30) & 127 < NEXT_OF_128[kind]:
            next_step = self.pools["next"][(bits >> 37) & 15]
            later = day + 1 + ((bits >> 41) & 7)
            if later < len(self.clock.days):
                next_at = self.clock.text(later, 600 if (bits >> 74) & 1 else 870)
        self.followup_id += 1
        created = self.clock.text(day, minute + 5 + ((bits >> 75) & 31))
        content = self.pools[kind][(bits >> 7) & 255]
        self.followups.append(
            (
                self.followup_id,
                self.org_id,
                c.pk,
                c.author_id,
                kind,
                occurred,
                content,
                feedback,
                next_step,
                next_at,
                None,  # opportunity
                created,
                created,
            )
        )
        if visit:
            self._visit(c, bits, day, minute, occurred)

    def _visit(self, c: PlannedCustomer, bits: int, day: int, minute: int, checked_in: str) -> None:
        stay = 30 + (bits >> 80) % 91
        out = self.clock.text(day, minute + stay)
        planned = self.clock.text(day, minute - minute % 30)
        radius = self.radius
        cin = self._position(c, (bits >> 88) & 255)
        cout = self._position(c, ((bits >> 88) + 97) & 255)
        self.visit_id += 1
        self.visits.append(
            (
                self.visit_id,
                self.org_id,
                c.pk,
                c.author_id,
                self.pools["purpose"][(bits >> 84) & 15],
                planned,
                60,
                "done",
                checked_in,
                cin[0],
                cin[1],
                cin[2],
                cin[2] is not None and cin[2] > radius,
                out,
                cout[0],
                cout[1],
                cout[2],
                cout[2] is not None and cout[2] > radius,
                stay,
                self.followup_id,
                planned,
                out,
            )
        )

    def _position(self, c: PlannedCustomer, index: int) -> tuple[float | None, float | None, int | None]:
        if c.latitude is None or c.longitude is None:
            return None, None, None
        north, east, metres = self.offsets[index]
        lat = c.latitude + north / METRES_PER_DEGREE
        lng = c.longitude + east / (METRES_PER_DEGREE * math.cos(math.radians(c.latitude)))
        return round(lat, 6), round(lng, 6), metres

    def _last(self, c: PlannedCustomer) -> None:
        """The follow-up the customer's clock shows: at exactly last_followup_at, with its next time."""
        bits = self.rng.getrandbits(32)
        kind = self.kinds[bits & 127]
        created = min(c.last + timedelta(minutes=10), self.clock.now)
        self.followup_id += 1
        self.followups.append(
            (
                self.followup_id,
                self.org_id,
                c.pk,
                c.author_id,
                kind,
                self.clock.stamp(c.last),
                self.pools[kind][(bits >> 7) & 255],
                self.pools["feedback"][(bits >> 15) & 255] if bits >> 31 else "",
                self.pools["next"][(bits >> 23) & 15] if c.next else "",
                self.clock.stamp(c.next) if c.next else None,
                None,  # opportunity
                self.clock.stamp(created),
                self.clock.stamp(created),
            )
        )


def _insert_sql(model: type[models.Model]) -> str:
    meta = model._meta
    columns = [str(f.column) for f in meta.concrete_fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    # Table and column names come from the model, quoted; the values are parameters.
    return f"INSERT INTO {quote(str(meta.db_table))} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608


def _flush(writer: _Writer, force: bool = False) -> None:
    if len(writer.followups) < BATCH and not force:
        return
    with connection.cursor() as cursor:
        cursor.executemany(_insert_sql(FollowUp), writer.followups)
        if writer.visits:
            cursor.executemany(_insert_sql(Visit), writer.visits)
    writer.followups, writer.visits = [], []


@contextmanager
def _indexes_rebuilt(*model_classes: type[models.Model]) -> Iterator[None]:
    """SQLite: drop the tables' indexes for the load and create them again after it (a sort each,
    several times faster than keeping six B-trees in order over two million random inserts)."""
    if connection.vendor != "sqlite":
        yield
        return
    tables = [str(model._meta.db_table) for model in model_classes]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",  # noqa: S608
            tables,
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


def _max_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0)


def _progress(items: list[PlannedCustomer], progress: bool) -> Iterator[PlannedCustomer]:
    bar = tqdm(items, unit="customers", disable=not progress, desc="activities", smoothing=0.1)
    yield from bar


def build_large_activities(
    org: Organization,
    now: datetime,
    seed: int,
    *,
    followups: int,
    visits: int,
    tasks_per_rep: int,
    requests_per_rep: int,
    progress: bool = False,
) -> LargeActivities:
    """Write the year of activities of `org` (the large dataset); `followups` includes the visits' ones."""
    started = time.perf_counter()
    rng = random.Random(seed * 104_729 + 7)
    clock = Clock(org, now)
    customers = customers_to_follow(org, clock)
    plan_counts(customers, max(followups, len(customers)), visits)
    with transaction.atomic():
        writer = _Writer(org, clock, rng, _max_id(FollowUp), _max_id(Visit))
        first_followup = writer.followup_id
        first_visit = writer.visit_id
        with _indexes_rebuilt(FollowUp, Visit):
            for customer in _progress(customers, progress):
                writer.customer(customer)
                _flush(writer)
            _flush(writer, force=True)
        if connection.vendor != "sqlite":
            # Rows above were written with explicit ids: move PostgreSQL's sequences past them before
            # the extras (planned visits, tasks) take ids from the sequences.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [FollowUp, Visit]):
                    cursor.execute(sql)
        extras = write_extras(org, now, rng, tasks_per_rep=tasks_per_rep, requests_per_rep=requests_per_rep)
    return LargeActivities(
        followups=writer.followup_id - first_followup,
        visits=writer.visit_id - first_visit,
        planned_visits=extras.planned_visits,
        tasks=extras.tasks,
        requests=extras.requests,
        seconds=time.perf_counter() - started,
    )
