"""竞争对手 pages: the list with deal counts and our win rate, a profile page, create/edit, deactivate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.customers.views.detail import history_rows
from kam.customers.views.helpers import actor_of, apply_errors, flash_errors, render_page_or_partial
from kam.market.actions import (
    COMPETITOR_FIELDS,
    create_competitor,
    delete_competitor,
    set_competitor_active,
    update_competitor,
)
from kam.market.forms import CompetitorFilterForm, CompetitorForm
from kam.market.models import Competitor
from kam.market.queries import (
    competitor_list,
    get_competitor_for_user,
    is_referenced,
    latest_prices,
    may_edit_competitors,
    may_record_prices,
    products_of,
    recent_deals,
    win_rate_percent,
)
from kam.sales.models import CompetitorStatus

PAGE_SIZE = 50


@dataclass(frozen=True)
class CompetitorRow:
    competitor: Any  # a Competitor annotated with met_count / won_count / lost_count
    win_rate: Decimal | None


def _row(competitor: Any) -> CompetitorRow:
    return CompetitorRow(competitor, win_rate_percent(competitor))


@login_required
@require_GET
def competitor_list_page(request: HttpRequest) -> HttpResponse:
    """竞争对手: every competitor of the organization with the deals we met it in and our win rate against it."""
    user = actor_of(request)
    form = CompetitorFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(competitor_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": [_row(competitor) for competitor in page.object_list],
        "may_edit": may_edit_competitors(user),
        "may_record": may_record_prices(user),
    }
    return render_page_or_partial(request, "market/competitor_list.html", "market/_competitor_table.html", context)


@login_required
@require_GET
def competitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One competitor: its profile, the deals the viewer may open where we met it, its latest prices."""
    user = actor_of(request)
    competitor = get_competitor_for_user(user, pk)
    may_edit = may_edit_competitors(user)
    context = {
        "competitor": competitor,
        "row": _row(competitor),
        "deals": recent_deals(user, competitor),
        "prices": latest_prices(user, competitor),
        "products": products_of(competitor),
        "may_edit": may_edit,
        "may_record": may_record_prices(user),
        "may_delete": may_edit and not is_referenced(competitor),
        "history": history_rows(competitor, limit=50),
        "statuses": CompetitorStatus.choices,
    }
    return render(request, "market/competitor_detail.html", context)


def _values(form: CompetitorForm) -> dict[str, Any]:
    return {name: value for name, value in form.cleaned_data.items() if name in COMPETITOR_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def competitor_create(request: HttpRequest) -> HttpResponse:
    """A new competitor profile (managers, directors, admins)."""
    user = actor_of(request)
    if not may_edit_competitors(user):
        raise PermissionDenied
    form = CompetitorForm(request.POST if request.method == "POST" else None, creating=True)
    if request.method == "POST":
        if form.is_valid():
            try:
                competitor = create_competitor(user, _values(form))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Competitor created."))
                return redirect("competitor-detail", pk=competitor.pk)
        return render(request, "market/competitor_form.html", {"form": form, "competitor": None}, status=422)
    return render(request, "market/competitor_form.html", {"form": form, "competitor": None})


def _initial(competitor: Competitor) -> dict[str, Any]:
    return {name: getattr(competitor, name) for name in COMPETITOR_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def competitor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a competitor's profile (managers, directors, admins)."""
    user = actor_of(request)
    competitor = get_competitor_for_user(user, pk, write=True)
    if request.method == "POST":
        form = CompetitorForm(request.POST, initial=_initial(competitor))
        if form.is_valid():
            try:
                update_competitor(user, competitor, _values(form))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("competitor-detail", pk=competitor.pk)
        return render(request, "market/competitor_form.html", {"form": form, "competitor": competitor}, status=422)
    form = CompetitorForm(initial=_initial(competitor))
    return render(request, "market/competitor_form.html", {"form": form, "competitor": competitor})


@login_required
@require_POST
def competitor_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (active absent or 0) or reactivate (active=1) a competitor."""
    user = actor_of(request)
    competitor = get_competitor_for_user(user, pk, write=True)
    active = request.POST.get("active") in ("1", "on", "true")
    set_competitor_active(user, competitor, active)
    messages.success(request, _("Competitor reactivated.") if active else _("Competitor deactivated."))
    return redirect("competitor-detail", pk=competitor.pk)


@login_required
@require_POST
def competitor_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a competitor nothing refers to; one that deals or prices name stays (deactivate it)."""
    user = actor_of(request)
    competitor = get_competitor_for_user(user, pk, write=True)
    try:
        delete_competitor(user, competitor)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("competitor-detail", pk=competitor.pk)
    messages.success(request, _("Competitor deleted."))
    return redirect(reverse("competitor-list"))
