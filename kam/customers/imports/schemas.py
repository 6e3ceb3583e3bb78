"""Typed shapes of the import-job API (kam/customers/imports/api.py).

Mapping values are the target keys of columns.TARGETS or "ignore"; decisions are skip, merge or
create. Input schemas only type the values: the rules stay with the import's forms and actions.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import BaseModel, JsonValue

from kam.core.api import LocalDateTime
from kam.customers.imports.columns import TARGET_BY_KEY, TARGETS, field_label
from kam.customers.imports.queries import ResultRow
from kam.customers.models.imports import ImportJob, RowDecision

IGNORE_CHOICE = "ignore"  # what the API (and the mapping form) call an ignored column


def _nullable_enum(values: list[str]) -> dict[str, JsonValue]:
    """OpenAPI for `str | None` limited to `values` (an "enum" beside the anyOf would exclude null)."""
    listed: list[JsonValue] = list(values)
    return {"anyOf": [{"type": "string", "enum": listed}, {"type": "null"}]}


MAPPING_VALUES = [t.key for t in TARGETS] + [IGNORE_CHOICE]
DECISION_VALUES = [str(v) for v in RowDecision.values]


class ImportJobBrief(Schema):
    """One upload in the list of the user's imports."""

    id: int
    file_name: str
    status: str
    created_at: LocalDateTime
    finished_at: LocalDateTime | None
    total_rows: int
    created_count: int
    merged_count: int
    skipped_count: int
    contacts_count: int


class ColumnOut(BaseModel):
    index: int = Field(description="0-based position of the column in the file; PUT /mapping names columns by it")
    header: str
    field: str | None = Field(
        description='The target key, "ignore", or null when the header was not recognised and needs a choice',
        json_schema_extra=_nullable_enum(MAPPING_VALUES),
    )
    label: str = Field(description="The target field's name in the user's language; empty when ignored or unset")


class ProgressOut(BaseModel):
    phase: str = Field(description="check (validating rows) or write (importing)")
    done: int
    total: int


class ImportJobOut(BaseModel):
    id: int
    file_name: str
    status: str = Field(description="uploaded, checking, checked, running, done or failed")
    message: str = Field(description="Why the job failed, in the user's language; empty otherwise")
    created_at: LocalDateTime
    started_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    total_rows: int
    processed_rows: int
    created_count: int
    merged_count: int
    skipped_count: int
    contacts_count: int
    progress: ProgressOut | None = Field(description="While checking or running: how far it got; null otherwise")
    stalled: bool = Field(description="Checking or running without progress for long: it may be started again")
    needs_mapping: bool = Field(description="Some columns need a choice (PUT /mapping) before the check")
    unknown_headers: list[str] = Field(description="Headers of the columns that need a choice")
    mapping: list[ColumnOut]
    error_rows: int = Field(description="Rows with errors; an import with errors imports nothing")
    duplicate_rows: int = Field(description="Customers of the file that look like existing ones or earlier rows")
    decisions: dict[str, str] = Field(description="{first row of a customer: skip | merge | create}")


class TargetOut(BaseModel):
    key: str
    header: str = Field(description="The Chinese header the template and the export write")
    label: str


class RowError(BaseModel):
    loc: list[str | int] = Field(description="[row, field]; [row] for a message about the whole row")
    field: str | None = Field(description="The target key of the field (see /imports/targets); null for the row")
    column: str | None = Field(description="The header of the file's column for that field, when there is one")
    msg: str


class RowDuplicate(BaseModel):
    kind: str = Field(description="How it matched: credit_code, name, phone, …")
    score: int
    customer_id: int | None = Field(description="An existing customer; null for an earlier row of the file")
    row: int | None = Field(description="The earlier row of the same file; null for an existing customer")
    name: str = Field(description="The existing customer's name; empty when you may not open it, or for a row")
    holder: str = Field(description="Who holds the existing customer: an owner's name or the public pool")
    visible: bool | None = None
    writable: bool | None = Field(default=None, description="You may change it, so the row can be merged into it")


class RowOut(BaseModel):
    row: int = Field(description="The row number as the spreadsheet shows it (the header is row 1)")
    customer: str
    contact: str
    group: int = Field(description="The first row of this customer in the file; decisions are keyed by it")
    errors: list[RowError]
    duplicates: list[RowDuplicate]
    decision: str | None = Field(description="skip, merge or create, when the import asks about this row")
    choices: list[str] = Field(description="The decisions this row allows")


class RowPage(BaseModel):
    items: list[RowOut]
    count: int
    next_offset: int | None = Field(description="The offset of the next page; null on the last page")


class CheckOut(ImportJobOut):
    result: RowPage | None = Field(
        description="The first page of the dry run's rows (as GET /rows); null while checking in the background"
    )


class RowPageQuery(Schema):
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


class MappingIn(Schema):
    mapping: dict[str, str] = Field(
        description='{column index: target key or "ignore"}; every column the import did not recognise needs an '
        "answer, recognised columns keep their field unless named",
        json_schema_extra={"additionalProperties": {"type": "string", "enum": MAPPING_VALUES}},  # type: ignore[dict-item]
    )


class DecisionsIn(Schema):
    rows: dict[str, str] = Field(
        default_factory=dict,
        description="{row: skip | merge | create}, for the rows the check asks about (their `decision` is set)",
        json_schema_extra={"additionalProperties": {"type": "string", "enum": DECISION_VALUES}},  # type: ignore[dict-item]
    )
    all: str | None = Field(
        default=None,
        description='One decision for every row asked about, applied before `rows` ("merge" only where possible)',
        json_schema_extra=_nullable_enum(DECISION_VALUES),
    )


# --- jobs → output shapes -------------------------------------------------------------------------


def _column(index: int, column: dict[str, Any]) -> ColumnOut:
    field = column.get("field")
    if field == "":
        return ColumnOut(index=index, header=column["header"], field=IGNORE_CHOICE, label="")
    label = str(TARGET_BY_KEY[field].label) if field in TARGET_BY_KEY else ""
    return ColumnOut(index=index, header=column["header"], field=field, label=label)


def job_out(job: ImportJob, progress: dict[str, Any] | None, stalled: bool) -> dict[str, Any]:
    """The fields of ImportJobOut for a job and its progress (read from the cache by the caller)."""
    mapping = [_column(i, c) for i, c in enumerate(job.mapping)]
    return {
        **{name: getattr(job, name) for name in ImportJobBrief.model_fields},
        "message": job.message,
        "started_at": job.started_at,
        "processed_rows": job.processed_rows,
        "progress": progress,
        "stalled": stalled,
        "needs_mapping": any(c.field is None for c in mapping),
        "unknown_headers": [c.header for c in mapping if c.field is None],
        "mapping": mapping,
        "error_rows": len(job.errors),
        "duplicate_rows": len(job.duplicates),
        "decisions": dict(job.decisions),
    }


def _row_error(row: int, field: str, message: str, columns: dict[str, str]) -> RowError:
    if field == "__all__":
        return RowError(loc=[row], field=None, column=None, msg=message)
    return RowError(loc=[row, field], field=field, column=columns.get(field), msg=message)


def _duplicate(match: dict[str, Any]) -> RowDuplicate:
    if "row" in match:  # an earlier row of the same file
        return RowDuplicate(kind=match["kind"], score=match["score"], customer_id=None, row=int(match["row"]),
                            name="", holder="")  # fmt: skip
    return RowDuplicate(
        kind=match["kind"],
        score=match["score"],
        customer_id=match.get("customer_id"),
        row=None,
        name=match.get("name", ""),
        holder=match.get("holder", ""),
        visible=match.get("visible"),
        writable=match.get("writable"),
    )


def rows_out(job: ImportJob, rows: list[ResultRow]) -> list[RowOut]:
    """Result rows with each error's field path and column header, and each duplicate's holder."""
    columns = {str(c["field"]): str(c["header"]) for c in job.mapping if c.get("field")}
    return [
        RowOut(
            row=row.number,
            customer=row.customer,
            contact=row.contact,
            group=row.group,
            errors=[_row_error(row.number, f, m, columns) for f, messages in row.errors.items() for m in messages],
            duplicates=[_duplicate(m) for m in row.matches],
            decision=row.decision,
            choices=row.choices,
        )
        for row in rows
    ]


def targets_out() -> list[TargetOut]:
    return [TargetOut(key=t.key, header=t.header, label=field_label(t.key)) for t in TARGETS]
