"""价格情报 pages: the price list with filters, recording a price, and the price history of one
competitor's product (a table by date, an inline SVG chart, min / median / max / latest)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kam.customers.views.helpers import actor_of, apply_errors, next_url, render_page_or_partial
from kam.market.actions import PRICE_FIELDS, create_price_intel
from kam.market.charts import price_chart
from kam.market.forms import PriceFilterForm, PriceIntelForm
from kam.market.queries import (
    get_competitor_for_user,
    may_record_prices,
    price_history,
    price_list,
    products_of,
)

PAGE_SIZE = 50


def history_url(competitor_id: int, product: str) -> str:
    """The price-history page of one competitor's product."""
    return reverse("price-intel-history") + "?" + urlencode({"competitor": str(competitor_id), "product": product})


@login_required
@require_GET
def price_list_page(request: HttpRequest) -> HttpResponse:
    """价格情报: competitors' prices, newest first; a customer is named only to those who may open it."""
    user = actor_of(request)
    form = PriceFilterForm(request.GET, actor=user)
    filters = form.filters()
    page = Paginator(price_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "prices": list(page.object_list),
        "may_record": may_record_prices(user),
    }
    return render_page_or_partial(request, "market/price_list.html", "market/_price_table.html", context)


def _initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in ("competitor", "customer"):
        raw = request.GET.get(name, "")[:20]
        if raw.isdigit():
            initial[name] = raw
    product = request.GET.get("product", "")[:100]
    if product:
        initial["product"] = product
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def price_create(request: HttpRequest) -> HttpResponse:
    """Record a competitor's price (every sales role). ?competitor=, ?product=, ?customer= prefill it."""
    user = actor_of(request)
    if not may_record_prices(user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = PriceIntelForm(request.POST, actor=user)
        if form.is_valid():
            try:
                price = create_price_intel(user, {k: v for k, v in form.cleaned_data.items() if k in PRICE_FIELDS})
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Price recorded."))
                return redirect(next_url(request, history_url(price.competitor_id, price.product)))
        status = 422
    else:
        form = PriceIntelForm(actor=user, initial=_initial(request))
    context = {"form": form, "chosen_customer": form.chosen_customer(), "next": request.GET.get("next", "")}
    return render(request, "market/price_form.html", context, status=status)


@login_required
@require_GET
def price_history_page(request: HttpRequest) -> HttpResponse:
    """The prices of one competitor's product over time (?competitor=<id>&product=<name>); without a
    product, the competitor's products to choose from."""
    user = actor_of(request)
    competitor = get_competitor_for_user(user, request.GET.get("competitor", "")[:20])
    product = request.GET.get("product", "")[:100]
    history = price_history(user, competitor, product)
    title = _("Price history of %(product)s (%(competitor)s)") % {
        "product": history.product,
        "competitor": competitor.name,
    }
    series = [(row.observed_on, row.price) for row in history.rows]
    context = {
        "competitor": competitor,
        "history": history,
        "chart": price_chart(series, title) if history.rows else "",
        "title": title,
        "products": [] if history.rows else products_of(competitor),
        "may_record": may_record_prices(user),
    }
    return render(request, "market/price_history.html", context)
