"""管理 → 销售设置: close reasons per outcome and product lines (create, edit, deactivate, reorder).

Same access and flow as kam.sales.views_admin; there is no delete: closed deals and whitespace
cells keep pointing at these rows, so they are deactivated instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kam.core.views_admin import actor_of, admin_required
from kam.sales import actions_config as actions
from kam.sales import queries_config as queries
from kam.sales.forms_config import CloseReasonCreateForm, CloseReasonForm, ProductLineForm, initial_of
from kam.sales.models import CloseReason, ProductLine
from kam.sales.views_admin import moved, overview_page, run


def _item_page(
    request: HttpRequest, item: CloseReason | ProductLine, form: BaseForm, title: str, status: int = 200
) -> HttpResponse:
    return render(request, "sales/admin_sales_item.html", {"item": item, "form": form, "title": title}, status=status)


@admin_required
@require_POST
def admin_sales_reason_create(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    form = CloseReasonCreateForm(request.POST, prefix="reason")
    reason = run(
        form, lambda: actions.create_close_reason(user, form.cleaned_data["outcome"], form.cleaned_data["label"])
    )
    if reason is None:
        return overview_page(request, 422, reason_form=form)
    messages.success(request, _("Reason %(label)s added.") % {"label": reason.label})
    return redirect("admin-sales")


@admin_required
@require_http_methods(["GET", "POST"])
def admin_sales_reason_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Relabel or deactivate a close reason."""
    user = actor_of(request)
    reason = queries.get_reason_for_admin(user, pk)
    title = _("Close reason: %(outcome)s") % {"outcome": reason.get_outcome_display()}
    if request.method != "POST":
        return _item_page(request, reason, CloseReasonForm(initial=initial_of(reason, CloseReasonForm)), title)
    form = CloseReasonForm(request.POST)
    if run(form, lambda: actions.update_close_reason(user, reason, form.cleaned_data)) is None:
        reason.refresh_from_db()
        return _item_page(request, reason, form, title, 422)
    messages.success(request, _("Changes saved."))
    return redirect("admin-sales")


@admin_required
@require_POST
def admin_sales_reason_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    reason = queries.get_reason_for_admin(user, pk)
    moved(request, lambda direction: actions.move(user, reason, queries.reason_siblings(reason), direction))
    return redirect("admin-sales")


@admin_required
@require_POST
def admin_sales_product_create(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    form = ProductLineForm(request.POST, prefix="product")
    product = run(form, lambda: actions.create_product_line(user, form.cleaned_data["name"]))
    if product is None:
        return overview_page(request, 422, product_form=form)
    messages.success(request, _("Product line %(name)s added.") % {"name": product.name})
    return redirect("admin-sales")


@admin_required
@require_http_methods(["GET", "POST"])
def admin_sales_product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename or deactivate a product line."""
    user = actor_of(request)
    product = queries.get_product_for_admin(user, pk)
    title = _("Product line")
    if request.method != "POST":
        return _item_page(request, product, ProductLineForm(initial=initial_of(product, ProductLineForm)), title)
    form = ProductLineForm(request.POST)
    if run(form, lambda: actions.update_product_line(user, product, form.cleaned_data)) is None:
        product.refresh_from_db()
        return _item_page(request, product, form, title, 422)
    messages.success(request, _("Changes saved."))
    return redirect("admin-sales")


@admin_required
@require_POST
def admin_sales_product_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    product = queries.get_product_for_admin(user, pk)
    moved(request, lambda direction: actions.move(user, product, queries.product_siblings(user), direction))
    return redirect("admin-sales")
