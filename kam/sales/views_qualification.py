"""Pages of a deal's qualification: add/edit/remove buying influences, the MEDDPICC form, the coverage map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.customers.views.helpers import actor_of, apply_errors, flash_errors
from kam.sales.actions_qualification import add_influence, remove_influence, set_scores, update_influence
from kam.sales.forms_qualification import InfluenceForm, MeddpiccForm
from kam.sales.models import Opportunity
from kam.sales.queries import get_opportunity_for_user
from kam.sales.queries_qualification import (
    MAX_TOTAL,
    UNMET_DAYS,
    deal_coverage,
    economic_buyer_of,
    element_scores,
    get_influence_for_user,
    total_of,
)


def _deal_anchor(deal: Opportunity, section: str) -> str:
    return f"{reverse('deal-detail', args=[deal.pk])}#deal-{section}"


def _influence_page(
    request: HttpRequest, deal: Opportunity, form: InfluenceForm, influence: Any, status: int
) -> HttpResponse:
    context = {"deal": deal, "form": form, "influence": influence}
    return render(request, "sales/influence_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def influence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Name a contact of the deal's customer as a buying influence."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    if request.method != "POST":
        return _influence_page(request, deal, InfluenceForm(deal=deal), None, 200)
    form = InfluenceForm(request.POST, deal=deal)
    if form.is_valid():
        try:
            influence = add_influence(user, deal, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the buying influences.") % {"name": influence.contact.name})
            return redirect(_deal_anchor(deal, "influences"))
    return _influence_page(request, deal, form, None, 422)


@login_required
@require_http_methods(["GET", "POST"])
def influence_edit(request: HttpRequest, pk: int, ipk: int) -> HttpResponse:
    """Change one buying influence of the deal."""
    user = actor_of(request)
    deal, influence = get_influence_for_user(user, pk, ipk, write=True)
    initial = InfluenceForm.initial_of(influence)
    if request.method != "POST":
        return _influence_page(request, deal, InfluenceForm(deal=deal, initial=initial), influence, 200)
    form = InfluenceForm(request.POST, deal=deal, initial=initial)
    if form.is_valid():
        try:
            update_influence(user, deal, influence, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_deal_anchor(deal, "influences"))
    return _influence_page(request, deal, form, influence, 422)


@login_required
@require_POST
def influence_delete(request: HttpRequest, pk: int, ipk: int) -> HttpResponse:
    """Take a person off the deal's buying influences."""
    user = actor_of(request)
    deal, influence = get_influence_for_user(user, pk, ipk, write=True)
    try:
        remove_influence(user, deal, influence)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s removed from the buying influences.") % {"name": influence.contact.name})
    return redirect(_deal_anchor(deal, "influences"))


@login_required
@require_http_methods(["GET", "POST"])
def meddpicc_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """All eight MEDDPICC elements of the deal in one form."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    scores = element_scores(deal)
    buyer = economic_buyer_of(deal)
    initial = MeddpiccForm.initial_of(scores, buyer.contact if buyer and not buyer.contact.is_deleted else None)
    status = 200
    if request.method == "POST":
        form = MeddpiccForm(request.POST, deal=deal, initial=initial)
        if form.is_valid():
            try:
                set_scores(user, deal, form.scores())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("MEDDPICC saved."))
                return redirect(_deal_anchor(deal, "meddpicc"))
        status = 422
    else:
        form = MeddpiccForm(deal=deal, initial=initial)
    context = {"deal": deal, "form": form, "total": total_of(scores), "max_total": MAX_TOTAL}
    return render(request, "sales/meddpicc_form.html", context, status=status)


@login_required
@require_GET
def coverage_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's relationship map with this deal's people marked; only the deal's people for
    a deal-team member who may not open the customer."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk)
    coverage = deal_coverage(user, deal)
    context = {
        "deal": deal,
        "coverage": coverage,
        "contact_links": coverage.full_map,
        "unmet_days": UNMET_DAYS,
    }
    return render(request, "sales/deal_coverage.html", context)
