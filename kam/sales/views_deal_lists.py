"""商机列表: the deal table with filters, sortable columns and the user's saved views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kam.core.models import User
from kam.customers.views.helpers import actor_of, flash_errors, flash_form_errors, render_page_or_partial
from kam.sales.actions_views import clean_params, delete_view, save_view
from kam.sales.forms_lists import DealFilterForm, SavedViewForm
from kam.sales.queries import visible_opportunities
from kam.sales.queries_lists import (
    DealFilters,
    deal_ids,
    rows_by_id,
    rows_of,
    saved_views_of,
)

PAGE_SIZE = 50

# Column → (sort key when first clicked, the key that reverses it).
SORTABLE = {"name": ("name", "-name"), "amount": ("-amount", "amount"), "close": ("close", "-close")}


def sort_headers(current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the sort its header link asks for and its aria-sort state."""
    headers = {}
    for column, (first, reverse_key) in SORTABLE.items():
        if current in (first, reverse_key):
            ascending = not current.startswith("-")
            state = "ascending" if ascending else "descending"
            target = reverse_key if current == first else first
        else:
            state, target = "none", first
        headers[column] = {"sort": target, "state": state}
    return headers


def customer_name(user: User, filters: DealFilters) -> str:
    """The name of the customer the table is filtered by, as the user's deals show it."""
    if not filters.customer:
        return ""
    name = visible_opportunities(user).filter(customer_id=filters.customer).values_list("customer__name", flat=True)
    return name.first() or ""


@login_required
@require_GET
def deal_list_page(request: HttpRequest) -> HttpResponse:
    """商机: the deals the user may open, filtered, sorted, 50 a page; htmx filter changes get only the table."""
    user = actor_of(request)
    form = DealFilterForm(request.GET, user=user)
    form.is_valid()
    filters = form.filters()
    page = Paginator(deal_ids(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = clean_params(request.GET.urlencode())
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows_of(rows_by_id(list(page.object_list))),
        "headers": sort_headers(filters.sort),
        "saved_views": list(saved_views_of(user)),
        "view_form": SavedViewForm(initial={"params": query}),
        "query": query,
        "customer_name": customer_name(user, filters),
    }
    return render_page_or_partial(request, "sales/deal_list.html", "sales/_deal_table.html", context)


@login_required
@require_POST
def deal_view_save(request: HttpRequest) -> HttpResponse:
    """Save the table's current filters under a name (the same name replaces that view)."""
    user = actor_of(request)
    form = SavedViewForm(request.POST)
    params = clean_params(str(request.POST.get("params", ""))[:4000])
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back_to_list(params)
    try:
        view = save_view(user, form.cleaned_data["name"], form.cleaned_data["params"])
    except ValidationError as exc:
        flash_errors(request, exc)
        return _back_to_list(params)
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    return _back_to_list(view.params)


@login_required
@require_POST
def deal_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of my saved views."""
    delete_view(actor_of(request), pk)
    messages.success(request, _("Deleted the saved view."))
    return redirect("deal-list")


def _back_to_list(params: str) -> HttpResponse:
    url = reverse("deal-list")
    return redirect(f"{url}?{params}" if params else url)
