"""Indexes for substring search over customers' and contacts' `search_text` (docs/benchmarks.md §3–4).

SQLite — for each of customers_customer and customers_contact:

- `<table>_fts`: a contentless FTS5 table (rowid = the row's id) with the trigram tokenizer, holding
  `lower(search_text) || '  '`. `lower()` folds ASCII the way `LIKE` does; the two trailing spaces
  make every occurrence of a one- or two-character needle the start of a trigram.
- `<table>_fts_terms`: an fts5vocab "row" table over it (its distinct trigrams), for needles shorter than a trigram.
- Three triggers keep the index in the same transaction as the row: after INSERT, after DELETE,
  and after an UPDATE that changes `search_text` (or the id). Triggers, not Python calls, because
  `search_text` is also written by `bulk_create` (imports, the large-dataset generator) and
  `QuerySet.update()`, and rows also disappear through cascades and test flushes; a trigger
  follows every path. kam/customers/search_backend.py queries these tables.

  Caution: on SQLite Django rebuilds a table (create, copy, drop, rename) for many later
  AlterField/constraint changes, and dropping the table drops its triggers. A later migration that
  rebuilds either table must run this file's SQLITE_TRIGGERS again (test_search_backend checks
  that the triggers exist after all migrations).

PostgreSQL — `CREATE EXTENSION IF NOT EXISTS pg_trgm` and a GIN `gin_trgm_ops` index on each
`search_text`, which serves the `LIKE '%…%'` of `search_text__contains` unchanged. If the
extension cannot be created (no privilege, not installed), the indexes are skipped and search
keeps working without them. Not written as `GinIndex` in `Meta.indexes`, which SQLite would get too.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

TABLES = ("customers_customer", "customers_contact")
INDEXED = "lower({row}.search_text) || '  '"


def _sqlite_triggers(table: str) -> list[str]:
    fts = f"{table}_fts"
    new, old = INDEXED.format(row="new"), INDEXED.format(row="old")
    insert = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF id, search_text ON {table} "
        f"WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text BEGIN {delete} {insert} END",
    ]


SQLITE_TRIGGERS = [sql for table in TABLES for sql in _sqlite_triggers(table)]


def _sqlite_forwards(schema_editor) -> None:
    for table in TABLES:
        fts = f"{table}_fts"
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5("
            "search_text, content='', columnsize=0, tokenize='trigram case_sensitive 1')"
        )
        schema_editor.execute(f"CREATE VIRTUAL TABLE {fts}_terms USING fts5vocab({fts}, row)")
        indexed = INDEXED.format(row=table)
        schema_editor.execute(f"INSERT INTO {fts}(rowid, search_text) SELECT id, {indexed} FROM {table}")
    for sql in SQLITE_TRIGGERS:
        schema_editor.execute(sql)


def _sqlite_backwards(schema_editor) -> None:
    for table in TABLES:
        fts = f"{table}_fts"
        for event in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {fts}_terms")
        schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


PG_INDEXES = {"customers_customer": "customer_search_trgm_idx", "customers_contact": "contact_search_trgm_idx"}


def _in_savepoint(schema_editor, sql: str) -> bool:
    """Run one statement; on failure roll back to before it (the migration's transaction goes on)."""
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(sql)
    except DatabaseError as exc:
        log.warning("Skipped %r: %s", sql, exc)
        return False
    return True


def _postgresql_forwards(schema_editor) -> None:
    _in_savepoint(schema_editor, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        installed = cursor.fetchone() is not None
    if not installed:
        log.warning("pg_trgm is not available: search_text stays unindexed (search works, slower).")
        return
    for table, name in PG_INDEXES.items():
        _in_savepoint(
            schema_editor, f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _sqlite_forwards(schema_editor)
    elif vendor == "postgresql":
        _postgresql_forwards(schema_editor)


def backwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _sqlite_backwards(schema_editor)
    elif vendor == "postgresql":
        for name in PG_INDEXES.values():
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_import_jobs"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
