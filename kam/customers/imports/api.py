"""Import jobs over HTTP: upload → (mapping) → check → decisions → run, as on the import pages.

Each handler calls the same action or query as kam/customers/imports/views.py: the same file
limits and messages, the same all-or-nothing import, small files handled within the request and
large ones in the background (202; poll GET /imports/{id} for `progress`). A job is its
importer's own: anyone else gets 404, as for a missing job.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError
from ninja.pagination import paginate

from kam.core.api import FieldProblem, KamLimitOffsetPagination, Problem
from kam.core.api_auth import actor
from kam.customers.imports import actions
from kam.customers.imports.export import TEMPLATE_NAME, XLSX_TYPE, template_file
from kam.customers.imports.forms import MappingForm, UploadForm
from kam.customers.imports.queries import (
    get_import_job_for_user,
    import_job_list,
    result_row_numbers,
    result_rows,
)
from kam.customers.imports.runner import read_progress
from kam.customers.imports.schemas import (
    CheckOut,
    DecisionsIn,
    ImportJobBrief,
    ImportJobOut,
    MappingIn,
    RowPage,
    RowPageQuery,
    TargetOut,
    job_out,
    rows_out,
    targets_out,
)
from kam.customers.models.imports import ImportJob, ImportStatus, RowDecision

router = Router(tags=["imports"])

READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 404: Problem, 422: FieldProblem}
WORKING = (ImportStatus.CHECKING, ImportStatus.RUNNING)
FIRST_PAGE = RowPageQuery()
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK), at most 50,000 rows",
                    }
                },
            }
        }
    },
}


def _out(job: ImportJob) -> dict[str, Any]:
    progress = read_progress(job.pk) if job.status in WORKING else None
    return job_out(job, progress, actions.is_stalled(job))


def _accepted(job: ImportJob, body: dict[str, Any]) -> Status[dict[str, Any]]:
    """200 when the step finished within the request, 202 while it runs in the background."""
    return Status(202 if job.status in WORKING else 200, body)


def _row_page(job: ImportJob, page: RowPageQuery) -> dict[str, Any]:
    numbers = result_row_numbers(job)
    chosen = numbers[page.offset : page.offset + page.limit]
    more = page.offset + page.limit < len(numbers)
    return {
        "items": rows_out(job, result_rows(job, chosen)),
        "count": len(numbers),
        "next_offset": page.offset + page.limit if more else None,
    }


def _field_problems(problems: list[tuple[tuple[str | int, ...], str]]) -> ValidationError:
    """422 in the shape of every other field error: `loc` is the path into the body."""
    return ValidationError([{"loc": ["body", *loc], "msg": msg, "type": "value_error"} for loc, msg in problems])


# --- the list, the template, the fields a column can fill ---------------------------------------


@router.get("/imports", response=list[ImportJobBrief], summary="My uploads, newest first")
@paginate(KamLimitOffsetPagination)
def list_imports(request: HttpRequest) -> QuerySet[ImportJob]:
    return import_job_list(actor(request))


@router.get(
    "/imports/template",
    summary="The .xlsx import template: the Chinese headers and one example row",
    openapi_extra={"responses": {200: {"description": "An .xlsx workbook", "content": {XLSX_TYPE: {}}}}},
)
def import_template(request: HttpRequest) -> FileResponse:
    actor(request)
    return FileResponse(template_file(), as_attachment=True, filename=f"{TEMPLATE_NAME}.xlsx", content_type=XLSX_TYPE)


@router.get("/imports/targets", response=list[TargetOut], summary="The fields a column can be mapped to")
def import_targets(request: HttpRequest) -> list[TargetOut]:
    actor(request)
    return targets_out()


# --- one job ------------------------------------------------------------------------------------


@router.post(
    "/imports",
    response={201: ImportJobOut, 401: Problem, 422: FieldProblem},
    summary="Upload a customer file (.xlsx or .csv)",
    description="Known headers are mapped at once and the check starts (status `checked`, or `checking` for large "
    "files); with unknown headers the job waits for PUT /imports/{id}/mapping (status `uploaded`).",
    openapi_extra={"requestBody": UPLOAD_BODY},
)
def upload_import(request: HttpRequest) -> Status[dict[str, Any]]:
    user = actor(request)
    # The web page's form, so that a missing or empty file gets the same message (at ["body", "file"]).
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise DjangoValidationError(form.errors.as_data())
    upload = form.cleaned_data["file"]
    job = actions.upload_import(user, upload, upload.name or "", upload.size or 0)
    return Status(201, _out(job))


@router.get("/imports/{int:job_id}", response={200: ImportJobOut, **READ}, summary="One upload: status and progress")
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return _out(get_import_job_for_user(actor(request), job_id))


@router.put(
    "/imports/{int:job_id}/mapping",
    response={200: ImportJobOut, 202: ImportJobOut, **WRITE},
    summary="Map columns to fields, then check",
    description='Body `{"mapping": {"1": "contact_name", "3": "ignore"}}`, keyed by column index. The check starts '
    "as on the web page: 200 when it finished, 202 while it runs in the background.",
)
def put_mapping(request: HttpRequest, job_id: int, payload: MappingIn) -> Status[dict[str, Any]]:
    user = actor(request)
    job = get_import_job_for_user(user, job_id)
    form = _mapping_form(job, payload.mapping)
    return _accepted(job, _out(actions.map_columns(user, job, form.mapping())))


def _mapping_form(job: ImportJob, chosen: dict[str, str]) -> MappingForm:
    """The web's MappingForm over every column the body names; its errors at ["body", "mapping", index]."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    data = {}
    for key, value in chosen.items():
        if key.isdigit() and int(key) < len(job.mapping):
            data[f"column_{int(key)}"] = value
        else:
            problems.append((("mapping", key), _("The file has no column %(index)s.") % {"index": key}))
    form = MappingForm(data, job=job, every_column=True)
    if not form.is_valid():
        for name, errors in form.errors.items():
            problems.extend((("mapping", name.removeprefix("column_")), str(msg)) for msg in errors)
    if problems:
        raise _field_problems(problems)
    return form


@router.post(
    "/imports/{int:job_id}/check",
    response={200: CheckOut, 202: CheckOut, **WRITE},
    summary="Dry run: every check of the import, nothing written",
    description="`result` is the first page of GET /imports/{id}/rows: per row its errors (field paths) and its "
    "possible duplicates with who holds them. Large files are checked in the background (202, `result` null).",
)
def check_import(request: HttpRequest, job_id: int) -> Status[dict[str, Any]]:
    user = actor(request)
    job = actions.start_check(user, get_import_job_for_user(user, job_id))
    result = None if job.status in WORKING else _row_page(job, FIRST_PAGE)
    return _accepted(job, {**_out(job), "result": result})


@router.get("/imports/{int:job_id}/rows", response={200: RowPage, **READ}, summary="The dry run's rows, a page")
def import_rows(request: HttpRequest, job_id: int, page: Query[RowPageQuery]) -> dict[str, Any]:
    return _row_page(get_import_job_for_user(actor(request), job_id), page)


@router.put(
    "/imports/{int:job_id}/decisions",
    response={200: ImportJobOut, **WRITE},
    summary="Skip, merge or create the customers the check asks about",
    description='Body `{"all": "skip", "rows": {"4": "create"}}`: `all` first, then the rows named.',
)
def put_decisions(request: HttpRequest, job_id: int, payload: DecisionsIn) -> dict[str, Any]:
    user = actor(request)
    job = get_import_job_for_user(user, job_id)
    problems: list[tuple[tuple[str | int, ...], str]] = [
        (("rows", row), msg) for row, msg in actions.decision_problems(job, payload.rows).items()
    ]
    if payload.all is not None and payload.all not in RowDecision.values:
        problems.insert(0, (("all",), _("Choose skip, merge or create.")))
    if problems:
        raise _field_problems(problems)
    return _out(actions.choose(user, job, payload.rows, payload.all))


@router.post(
    "/imports/{int:job_id}/run",
    response={200: ImportJobOut, 202: ImportJobOut, **WRITE},
    summary="Import: every customer or, when any row fails, none",
    description="200 with status `done`, or `failed` (nothing written; the rows say why); 202 while a large file "
    "is imported in the background.",
)
def run_import(request: HttpRequest, job_id: int) -> Status[dict[str, Any]]:
    user = actor(request)
    job = actions.start_import(user, get_import_job_for_user(user, job_id))
    return _accepted(job, _out(job))
