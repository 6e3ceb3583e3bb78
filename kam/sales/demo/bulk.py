"""Tuple-level bulk writing for the large dataset: named columns, ids given by the generator,
`executemany` in batches, and on SQLite the tables' indexes dropped for the load and built after it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

FLUSH_ROWS = 20_000


class Table:
    """Rows of one model as tuples in the order of `fields`; `add` gives the next id when `id` is first."""

    def __init__(self, model: type[models.Model], fields: list[str]) -> None:
        self.model = model
        meta = model._meta
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(meta.get_field(name).column)) for name in fields)  # type: ignore[union-attr]
        marks = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model, quoted; the values are parameters.
        self.sql = f"INSERT INTO {quote(str(meta.db_table))} ({columns}) VALUES ({marks})"  # noqa: S608
        self.with_id = fields[0] == "id"
        top = model._default_manager.aggregate(top=models.Max("pk"))["top"] if self.with_id else 0
        self.last_id = int(top or 0)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, *values: Any) -> int:
        """Queue a row (without its id when the table numbers its rows); returns the id.

        The caller flushes, parents before children: SQLite checks a deferred foreign key by scanning
        the child tables for every parent row inserted while a child row still lacks its parent.
        """
        if self.with_id:
            self.last_id += 1
            self.rows.append((self.last_id, *values))
        else:
            self.rows.append(values)
        return self.last_id

    @property
    def full(self) -> bool:
        return len(self.rows) >= FLUSH_ROWS

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []


def _sqlite_stamp(moment: datetime | None) -> Any:
    return None if moment is None else str(moment.astimezone(UTC).replace(tzinfo=None))


def _plain(moment: datetime | None) -> Any:
    return moment


def stamper() -> Callable[[datetime | None], Any]:
    """Datetimes in the stored form of the database (SQLite: naive UTC text, as Django writes them);
    chosen once, since this runs a million times."""
    return _sqlite_stamp if connection.vendor == "sqlite" else _plain


def stamp(moment: datetime | None) -> Any:
    return stamper()(moment)


def json_writer(model: type[models.Model], name: str) -> Callable[[object], Any]:
    """A JSONField value as the database takes it (SQLite: the JSON text)."""
    if connection.vendor == "sqlite":
        return lambda value: json.dumps(value, ensure_ascii=False)
    field = model._meta.get_field(name)
    return lambda value: field.get_db_prep_save(value, connection)  # type: ignore[union-attr]


def day(value: date | None) -> Any:
    """A date as the database takes it (both take ISO text; SQLite stores exactly that)."""
    return None if value is None else value.isoformat()


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """PostgreSQL: move the id sequences past the ids given here, before anything else takes ids."""
    if connection.vendor == "sqlite":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(model_classes)):
            cursor.execute(sql)


@contextmanager
def indexes_rebuilt(*model_classes: type[models.Model]) -> Iterator[None]:
    """SQLite: drop the tables' indexes for the load and create them again after it (one sort each,
    several times faster than keeping every B-tree in order over hundreds of thousands of inserts)."""
    if connection.vendor != "sqlite":
        yield
        return
    tables = [str(model._meta.db_table) for model in model_classes]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
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
