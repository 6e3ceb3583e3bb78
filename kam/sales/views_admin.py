"""管理 → 销售设置: the admin console pages of business lines, stages and their gates.

Administrators only, like the rest of /admin/ (kam.core.views_admin.admin_required: anonymous →
login, everyone else 403); another organization's rows answer 404. Each POST validates a form,
calls one action of kam.sales.actions_config, and redirects with a message; a refusal re-renders
the page with the error on its field (422). Close reasons and product lines: views_admin_lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core.views_admin import actor_of, admin_required, apply_errors, flash_errors
from kam.sales import actions_config as actions
from kam.sales import queries_config as queries
from kam.sales.forms_config import (
    BusinessLineForm,
    CloseReasonCreateForm,
    GateForm,
    MoveForm,
    ProductLineForm,
    StageForm,
    initial_of,
)
from kam.sales.models import BusinessLine, Stage

T = TypeVar("T")


def run(form: BaseForm, action: Callable[[], T]) -> T | None:
    """Call the action when the form is valid; a refusal goes onto the form. None when it failed."""
    if not form.is_valid():
        return None
    try:
        return action()
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def moved(request: HttpRequest, action: Callable[[str], object]) -> None:
    """Run a move up/down; a bad direction or a refusal becomes a message."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Move up or down."))
        return
    try:
        action(form.cleaned_data["direction"])
    except ValidationError as exc:
        flash_errors(request, exc)


# --- overview and business lines -------------------------------------------------------------


def overview_page(request: HttpRequest, status: int = 200, **forms: BaseForm) -> HttpResponse:
    context = {
        "settings": queries.sales_settings(actor_of(request)),
        "line_form": forms.get("line_form") or BusinessLineForm(prefix="line"),
        "reason_form": forms.get("reason_form") or CloseReasonCreateForm(prefix="reason"),
        "product_form": forms.get("product_form") or ProductLineForm(prefix="product"),
    }
    return render(request, "sales/admin_sales.html", context, status=status)


@admin_required
@require_GET
def admin_sales(request: HttpRequest) -> HttpResponse:
    """The sales settings at a glance: lines with their stages and gates, reasons, product lines."""
    return overview_page(request)


@admin_required
@require_POST
def admin_sales_line_create(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    form = BusinessLineForm(request.POST, prefix="line")
    line = run(form, lambda: actions.create_business_line(user, form.cleaned_data["name"]))
    if line is None:
        return overview_page(request, 422, line_form=form)
    messages.success(request, _("Business line %(name)s created.") % {"name": line.name})
    return redirect("admin-sales-line-edit", pk=line.pk)


def _line_page(request: HttpRequest, line: BusinessLine, status: int = 200, **forms: BaseForm) -> HttpResponse:
    stages = list(Stage.objects.filter(business_line=line).order_by("position", "id").prefetch_related("gates"))
    context = {
        "line": line,
        "stages": stages,
        "form": forms.get("form") or BusinessLineForm(initial=initial_of(line, BusinessLineForm)),
        "stage_form": forms.get("stage_form") or StageForm(prefix="stage"),
    }
    return render(request, "sales/admin_sales_line.html", context, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_sales_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A business line: its name and status, its stages in order, a form for a new stage."""
    user = actor_of(request)
    line = queries.get_line_for_admin(user, pk)
    if request.method != "POST":
        return _line_page(request, line)
    form = BusinessLineForm(request.POST)
    if run(form, lambda: actions.update_business_line(user, line, form.cleaned_data)) is None:
        line.refresh_from_db()
        return _line_page(request, line, 422, form=form)
    messages.success(request, _("Changes saved."))
    return redirect("admin-sales-line-edit", pk=line.pk)


@admin_required
@require_POST
def admin_sales_line_default(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    line = queries.get_line_for_admin(user, pk)
    try:
        actions.make_default_line(user, line)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s is now the default business line.") % {"name": line.name})
    return redirect("admin-sales")


@admin_required
@require_POST
def admin_sales_line_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    line = queries.get_line_for_admin(user, pk)
    moved(request, lambda direction: actions.move(user, line, queries.line_siblings(user), direction))
    return redirect("admin-sales")


# --- stages and gates ------------------------------------------------------------------------


@admin_required
@require_POST
def admin_sales_stage_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    line = queries.get_line_for_admin(user, pk)
    form = StageForm(request.POST, prefix="stage")
    stage = run(form, lambda: actions.create_stage(user, line, form.cleaned_data))
    if stage is None:
        return _line_page(request, line, 422, stage_form=form)
    messages.success(request, _("Stage %(name)s added.") % {"name": stage.name})
    return redirect("admin-sales-line-edit", pk=line.pk)


def _stage_page(request: HttpRequest, stage: Stage, status: int = 200, **forms: BaseForm) -> HttpResponse:
    context = {
        "stage": stage,
        "line": stage.business_line,
        "gates": list(stage.gates.order_by("element")),
        "form": forms.get("form") or StageForm(initial=initial_of(stage, StageForm)),
        "gate_form": forms.get("gate_form") or GateForm(prefix="gate"),
    }
    return render(request, "sales/admin_sales_stage.html", context, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_sales_stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A stage: name, default 赢单率, exit criteria, active; its gates and a form for one more."""
    user = actor_of(request)
    stage = queries.get_stage_for_admin(user, pk)
    if request.method != "POST":
        return _stage_page(request, stage)
    form = StageForm(request.POST)
    if run(form, lambda: actions.update_stage(user, stage, form.cleaned_data)) is None:
        stage.refresh_from_db()
        return _stage_page(request, stage, 422, form=form)
    messages.success(request, _("Changes saved."))
    return redirect("admin-sales-stage-edit", pk=stage.pk)


@admin_required
@require_POST
def admin_sales_stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    stage = queries.get_stage_for_admin(user, pk)
    moved(request, lambda direction: actions.move(user, stage, queries.stage_siblings(stage), direction))
    return redirect("admin-sales-line-edit", pk=stage.business_line_id)


@admin_required
@require_POST
def admin_sales_stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a stage no deal ever used; otherwise the refusal says to deactivate it."""
    user = actor_of(request)
    stage = queries.get_stage_for_admin(user, pk)
    try:
        actions.delete_stage(user, stage)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("admin-sales-stage-edit", pk=stage.pk)
    messages.success(request, _("Stage %(name)s deleted.") % {"name": stage.name})
    return redirect("admin-sales-line-edit", pk=stage.business_line_id)


@admin_required
@require_POST
def admin_sales_gate_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a gate to the stage, or change the minimum score of the element's gate."""
    user = actor_of(request)
    stage = queries.get_stage_for_admin(user, pk)
    form = GateForm(request.POST, prefix="gate")
    gate = run(
        form, lambda: actions.set_gate(user, stage, form.cleaned_data["element"], form.cleaned_data["min_score"])
    )
    if gate is None:
        return _stage_page(request, stage, 422, gate_form=form)
    messages.success(request, _("Gate saved."))
    return redirect("admin-sales-stage-edit", pk=stage.pk)


@admin_required
@require_POST
def admin_sales_gate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    gate = queries.get_gate_for_admin(user, pk)
    actions.delete_gate(user, gate)
    messages.success(request, _("Gate removed."))
    return redirect("admin-sales-stage-edit", pk=gate.stage_id)
