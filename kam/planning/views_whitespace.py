"""The whitespace grid on the plan page: business units (rows) and cells, edited in place with htmx.

A cell is a link to its own form page (the fallback without JavaScript and on small screens); with htmx
the click swaps the form into the cell, and saving answers with the whole grid, since every total and
the share of wallet move with one cell.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core.queries import get_or_404
from kam.customers.views.helpers import actor_of, apply_errors, wants_partial
from kam.planning import actions_whitespace as whitespace_actions
from kam.planning.forms_account_plans import BusinessUnitForm, CellForm
from kam.planning.models.account_plans import AccountPlan, BusinessUnit, WhitespaceCell
from kam.planning.queries_account_plans import get_business_unit, get_plan_for_user, plan_access
from kam.planning.views_account_plans import invalid, redirect_to_section, refused
from kam.planning.whitespace import build_grid
from kam.sales.models import ProductLine

GRID = "plan-whitespace"
GRID_PARTIAL = "planning/_whitespace.html"


def grid_context(user: Any, plan: AccountPlan) -> dict[str, Any]:
    return {"plan": plan, "grid": build_grid(plan), "access": plan_access(user, plan)}


@login_required
@require_GET
def whitespace_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid alone (htmx: cancel an edit in place); anyone who may read the plan."""
    user = actor_of(request)
    plan = get_plan_for_user(user, pk)
    if not wants_partial(request):
        return redirect_to_section(plan, GRID)
    return render(request, GRID_PARTIAL, grid_context(user, plan))


def _cell_of(plan: AccountPlan, unit_pk: int, line_pk: int) -> tuple[BusinessUnit, ProductLine, WhitespaceCell | None]:
    unit = get_business_unit(plan, unit_pk)
    line = get_or_404(ProductLine.objects.filter(organization_id=plan.organization_id, active=True), line_pk)
    cell = WhitespaceCell.objects.filter(business_unit_id=unit.pk, product_line_id=line.pk).first()
    return unit, line, cell


def _cell_initial(cell: WhitespaceCell | None) -> dict[str, Any]:
    if cell is None:
        return {}
    return {
        "status": cell.status,
        "annual_spend": cell.annual_spend,
        "holder": cell.holder,
        "competitor": cell.competitor_id,
        "notes": cell.notes,
    }


@login_required
@require_http_methods(["GET", "POST"])
def whitespace_cell(request: HttpRequest, pk: int, unit_pk: int, line_pk: int) -> HttpResponse:
    """One cell: its form in place (htmx) or on its own page; saving answers with the grid (htmx)."""
    user = actor_of(request)
    plan = get_plan_for_user(user, pk, write=True)
    unit, line, cell = _cell_of(plan, unit_pk, line_pk)
    current = cell.competitor_id if cell is not None else None
    status = 200
    if request.method == "POST":
        form = CellForm(request.POST, actor=user, current=current, initial=_cell_initial(cell))
        if form.is_valid():
            try:
                whitespace_actions.set_cell(user, plan, unit, line, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if wants_partial(request):
                    return render(request, GRID_PARTIAL, grid_context(user, plan))
                return redirect_to_section(plan, GRID)
        status = 422
    else:
        form = CellForm(actor=user, current=current, initial=_cell_initial(cell))
    context = {"plan": plan, "unit": unit, "line": line, "cell": cell, "form": form}
    if wants_partial(request):
        response = render(request, "planning/_whitespace_cell_form.html", context)
        if status != 200:
            # htmx swaps only successful answers: put the refused form back into its cell.
            response["HX-Retarget"] = f"#cell-{unit.pk}-{line.pk}"
            response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "planning/account_plan_cell.html", context, status=status)


# --- business units ---------------------------------------------------------------------------


@login_required
@require_POST
def unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    plan = get_plan_for_user(user, pk, write=True)
    form = BusinessUnitForm(request.POST)
    if not form.is_valid():
        return invalid(request, plan, GRID, form)
    try:
        whitespace_actions.create_business_unit(user, plan, form.cleaned_data["name"], form.cleaned_data["position"])
    except ValidationError as exc:
        return refused(request, plan, GRID, exc)
    return redirect_to_section(plan, GRID)


@login_required
@require_POST
def unit_edit(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """Rename a business unit or change its place in the grid."""
    user = actor_of(request)
    plan = get_plan_for_user(user, pk, write=True)
    unit = get_business_unit(plan, unit_pk)
    form = BusinessUnitForm(request.POST)
    if not form.is_valid():
        return invalid(request, plan, GRID, form)
    try:
        whitespace_actions.update_business_unit(user, unit, form.cleaned_data)
    except ValidationError as exc:
        return refused(request, plan, GRID, exc)
    return redirect_to_section(plan, GRID)


@login_required
@require_POST
def unit_delete(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    user = actor_of(request)
    plan = get_plan_for_user(user, pk, write=True)
    whitespace_actions.delete_business_unit(user, get_business_unit(plan, unit_pk))
    return redirect_to_section(plan, GRID)
