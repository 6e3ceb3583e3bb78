"""Fast substring search over `search_text`, with exactly the results of a plain `contains`.

`search_q` (queries.py) asks for rows whose `search_text` contains a needle. That answer is always
the `search_text__contains` test itself; this module only adds a clause that narrows the rows the
database has to test, so an index can serve it (docs/benchmarks.md, "Why the misses miss" §3–4):

- **SQLite**: one contentless FTS5 table per model, `customers_customer_fts` and
  `customers_contact_fts` (rowid = the row's id), trigram tokenizer, holding
  `lower(search_text) || '  '`, and an `fts5vocab` "row" table of each one's trigrams
  (`…_fts_terms`). A needle of three or more characters is an FTS5 phrase (`MATCH '"tlxx"'`). A
  shorter one (图龙, `hw`, 华) matches the rows holding any trigram that starts with it: the
  vocabulary lists those trigrams, OR-ed into one `MATCH`, and the two trailing spaces make every
  occurrence of a one- or two-character needle the start of some trigram. Both give a superset of
  the true matches (ASCII case is folded by `lower()` in the index and by `LIKE` in the test; every
  other character must be equal in both), and the `contains` test then keeps exactly the true ones.
  Single letters and digits get no clause: they are in nearly every row.
- **PostgreSQL**: a pg_trgm GIN index on each `search_text` serves the `LIKE '%…%'` of `contains`
  directly (Django's `search_text::text` cast is a no-op the planner drops), so no clause is added.
  Without the extension the search still works, unindexed.
- Other databases: the plain `contains`.

The FTS5 tables are kept by SQL triggers defined in migration 0004_search_index, not by Python
calls: `search_text` is written by `save()` in the actions, by `bulk_create` in imports and the
large-dataset generator, by `QuerySet.update()`, and rows disappear through cascades and test
flushes. Triggers follow every one of those paths, so no caller can forget to sync, and the index
changes in the same transaction as the row. Soft-deleted rows stay indexed; the visibility querysets
(`visible_customers`, `visible_contacts`) already leave them out, and a restore needs no re-index.
A purge (a real DELETE) removes the row from the index through the delete trigger.

Whether a search gets the clause at all is the caller's choice (`search_q(..., user=...)` in
queries.py): starting from the index pays for users who see thousands of customers, not for a rep.
"""

from __future__ import annotations

from django.core.exceptions import FullResultSet
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup, Q
from django.db.models.expressions import Col
from django.db.models.sql.compiler import SQLCompiler

# base table → its FTS5 table; the vocabulary table is the FTS5 table's name + "_terms".
FTS_TABLES = {"customers_customer": "customers_customer_fts", "customers_contact": "customers_contact_fts"}
# What the triggers index for a row, in SQL (the migration spells out the same expression).
INDEXED_TEXT_SQL = "lower({col}) || '  '"
# Shorter needles are answered from the vocabulary table, longer ones by an FTS5 phrase query.
TRIGRAM = 3
SQL_Params = tuple[str, tuple[str | int, ...]]


def _next_prefix(needle: str) -> str | None:
    """The smallest string greater than every string that starts with `needle` (UTF-8 byte order)."""
    code = ord(needle[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:
        code = 0xE000  # surrogates cannot be encoded; UTF-8 order skips them
    if code > 0x10FFFF:
        return None
    return needle[:-1] + chr(code)


def _indexable(needle: str) -> bool:
    """Needles the FTS5 clause can answer as a superset; others are tested on every row."""
    if not needle or "\x00" in needle:
        return False
    if len(needle) == 1 and needle.isascii():
        # A single letter or digit is in nearly every row: reading its trigrams costs more than the
        # scan (docs/benchmarks.md: `a` 232 ms against 69 ms); a single Chinese character gains.
        return False
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in needle):
        return False
    return len(needle) >= TRIGRAM or _next_prefix(needle) is not None


def fts_phrase(needle: str) -> str:
    """An FTS5 string literal: matches the needle's trigrams in a row, nothing read as syntax."""
    return '"' + needle.replace('"', '""') + '"'


class IndexedCandidates(Lookup):
    """`<pk> IN (rows the index says may contain one of the needles)`, or no clause at all.

    Used as a filter expression beside the `contains` test, never instead of it.
    """

    lookup_name = "kam_indexed_candidates"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> SQL_Params:
        raise FullResultSet  # PostgreSQL: the pg_trgm GIN index serves `contains` itself

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> SQL_Params:
        column = self.lhs
        needles: tuple[str, ...] = self.rhs
        if not isinstance(column, Col) or not needles or not all(_indexable(n) for n in needles):
            raise FullResultSet
        model = column.target.model
        table = FTS_TABLES.get(model._meta.db_table)
        if table is None:
            raise FullResultSet
        pk_sql, pk_params = compiler.compile(Col(column.alias, model._meta.pk))
        quoted = connection.ops.quote_name(table)
        selects: list[str] = []
        params: list[str | int] = []
        long = [n for n in needles if len(n) >= TRIGRAM]
        if long:
            selects.append(f"SELECT rowid FROM {quoted} WHERE {quoted} MATCH %s")  # noqa: S608 - constant names
            params.append(" OR ".join(fts_phrase(n) for n in long))
        terms = connection.ops.quote_name(table + "_terms")
        for needle in (n for n in needles if len(n) < TRIGRAM):
            # Every trigram that starts with the needle, OR-ed into one FTS5 query ('""' matches nothing).
            any_term = """coalesce(group_concat('"' || replace(term, '"', '""') || '"', ' OR '), '""')"""
            selects.append(
                f"SELECT rowid FROM {quoted} WHERE {quoted} MATCH "  # noqa: S608 - constant names
                f"(SELECT {any_term} FROM {terms} WHERE term >= %s AND term < %s)"
            )
            upper = _next_prefix(needle)
            assert upper is not None  # _indexable
            params += [needle, upper]
        return f"{pk_sql} IN ({' UNION ALL '.join(selects)})", (*pk_params, *params)


def substring_q(field: str, needles: list[str], *, indexed: bool = True) -> Q:
    """Rows whose `field` (a `search_text`, maybe through a relation) contains one of the needles.

    `indexed` adds the FTS5 clause on SQLite. It pays when the other filters leave many rows; when
    they leave few (a rep's scope), SQLite would still start from the index and do more work.
    """
    exact = Q()
    for needle in needles:
        exact |= Q(**{f"{field}__contains": needle})
    if not indexed or not needles or not all(needles):
        return exact  # "" is in every row: nothing to narrow
    return Q(IndexedCandidates(F(field), tuple(needles))) & exact


def rebuild_search_index() -> None:
    """Refill the SQLite FTS5 tables from the rows (after restoring a file whose index is suspect)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for base, fts in FTS_TABLES.items():
            indexed = INDEXED_TEXT_SQL.format(col="search_text")
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES('delete-all')")  # noqa: S608 - constant names
            cursor.execute(f"INSERT INTO {fts}(rowid, search_text) SELECT id, {indexed} FROM {base}")  # noqa: S608
