"""Pages of the customer import (upload → mapping → dry-run result → import) and the exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from kam.core.models import User
from kam.customers.imports import actions
from kam.customers.imports.columns import field_label
from kam.customers.imports.export import (
    TEMPLATE_NAME,
    XLSX_TYPE,
    csv_chunks,
    export_filename,
    export_rows,
    template_file,
    xlsx_file,
)
from kam.customers.imports.forms import MappingForm, UploadForm
from kam.customers.imports.queries import (
    get_import_job_for_user,
    recent_import_jobs,
    result_row_numbers,
    result_rows,
)
from kam.customers.imports.runner import read_progress
from kam.customers.models.imports import ImportJob, ImportStatus, RowDecision
from kam.customers.views.forms import CustomerFilterForm

ROWS_PER_PAGE = 200


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if user.organization_id is None:
        raise PermissionDenied
    return user


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@login_required
@require_http_methods(["GET", "POST"])
def customer_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = actions.upload_import(user, upload, upload.name or "", upload.size or 0)
        except ValidationError as exc:
            form.add_error("file", _messages(exc))
        else:
            return redirect("customer-import-job", pk=job.pk)
    context = {"form": form, "jobs": recent_import_jobs(user)}
    return render(request, "customers/import_upload.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def customer_import_template(request: HttpRequest) -> FileResponse:
    _user(request)
    filename = f"{TEMPLATE_NAME}.xlsx"
    return FileResponse(template_file(), as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _result_rows(job: ImportJob, page_number: str | None) -> tuple[Any, list[dict[str, Any]]]:
    """The page of rows with errors or duplicates, each with what the table shows."""
    page = Paginator(result_row_numbers(job), ROWS_PER_PAGE).get_page(page_number)
    labels = dict(RowDecision.choices)
    rows = [
        {
            "number": row.number,
            "customer": row.customer,
            "contact": row.contact,
            "group": row.group,
            "errors": [(field_label(f), msgs) for f, msgs in row.errors.items()],
            "matches": row.matches,
            "decision": row.decision,
            "choices": [(value, labels[value]) for value in row.choices],
        }
        for row in result_rows(job, page.object_list)
    ]
    return page, rows


def _post_job(request: HttpRequest, user: User, job: ImportJob) -> HttpResponse | None:
    action = request.POST.get("action", "")
    try:
        if action == "map":
            form = MappingForm(request.POST, job=job)
            if not form.is_valid():
                return None
            actions.map_columns(user, job, form.mapping())
        elif action == "check":
            actions.start_check(user, job)
        elif action == "apply_all":
            actions.apply_to_all(user, job, request.POST.get("apply_all", ""))
            messages.success(request, _("The choice was applied to every row where it is possible."))
        elif action in ("save", "run"):
            chosen = {k.removeprefix("decision-"): str(v) for k, v in request.POST.items() if k.startswith("decision-")}
            actions.decide(user, job, chosen, start=action == "run")
        else:
            return HttpResponseBadRequest()
    except ValidationError as exc:
        for message in _messages(exc):
            messages.error(request, message)
    return redirect("customer-import-job", pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def customer_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    job = get_import_job_for_user(user, pk)
    mapping_form = MappingForm(job=job) if actions.needs_mapping(job) else None
    if request.method == "POST":
        response = _post_job(request, user, job)
        if response is not None:
            return response
        mapping_form = MappingForm(request.POST, job=job)
    working = job.status in (ImportStatus.CHECKING, ImportStatus.RUNNING)
    context: dict[str, Any] = {
        "job": job,
        "progress": read_progress(job.pk) if working else None,
        "working": working,
        "stalled": actions.is_stalled(job),
    }
    if getattr(request, "htmx", False):
        if working and not context["stalled"]:
            return render(request, "customers/_import_progress.html", context)
        return HttpResponseClientRefresh()
    page, rows = _result_rows(job, request.GET.get("page"))
    context.update(
        mapping_form=mapping_form,
        page=page,
        rows=rows,
        columns=[(c["header"], field_label(c["field"]) if c.get("field") else None) for c in job.mapping],
        error_count=len(job.errors),
        decision_choices=RowDecision.choices,
    )
    return render(request, "customers/import_job.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def customer_export(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    kind = request.GET.get("format", "xlsx")
    if kind not in ("xlsx", "csv"):
        return HttpResponseBadRequest(_("Choose the format xlsx or csv."))
    # The list's own filter form: what the list drops as invalid, the export drops too.
    filters = CustomerFilterForm(request.GET, user=user)
    filters.is_valid()
    rows = export_rows(user, filters.filters())
    filename = export_filename(kind)
    if kind == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    return FileResponse(xlsx_file(rows, "客户"), as_attachment=True, filename=filename, content_type=XLSX_TYPE)
