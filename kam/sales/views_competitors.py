"""Pages of a deal's competitors: add, change status/notes, remove. The deal page shows the list
(kam/sales/sections_competitors.py); these forms post back to it, htmx swaps the section in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kam.customers.views.helpers import actor_of, apply_errors, wants_partial
from kam.sales.actions_competitors import add_deal_competitor, remove_deal_competitor, update_deal_competitor
from kam.sales.forms_competitors import DealCompetitorForm
from kam.sales.models import DealCompetitor, Opportunity
from kam.sales.queries import get_opportunity_for_user, opportunity_access
from kam.sales.queries_competitors import get_deal_competitor_for_user
from kam.sales.sections_competitors import TEMPLATE, competitors_section

FORM_TEMPLATE = "sales/deal_competitor_form.html"


def _deal_page(deal: Opportunity) -> str:
    return reverse("deal-detail", args=[deal.pk]) + "#deal-competitors"


def _section(request: HttpRequest, deal_pk: int) -> HttpResponse:
    """The competitors section again, for htmx to swap in after a change."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, deal_pk)
    return render(request, TEMPLATE, {"section": competitors_section(deal, user, opportunity_access(user, deal))})


def _done(request: HttpRequest, deal: Opportunity, message: str) -> HttpResponse:
    if wants_partial(request):
        return _section(request, deal.pk)
    messages.success(request, message)
    return redirect(_deal_page(deal))


def _form_page(
    request: HttpRequest, deal: Opportunity, form: DealCompetitorForm, row: DealCompetitor | None, status: int
) -> HttpResponse:
    no_choices = row is None and not form.offered.exists()
    context: dict[str, Any] = {
        "deal": deal,
        "form": form,
        "row": row,
        "deal_url": _deal_page(deal),
        "no_choices": no_choices,
    }
    return render(request, FORM_TEMPLATE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def deal_competitor_add(request: HttpRequest, pk: int) -> HttpResponse:
    """List a competitor of the master in this deal (writers of the deal only)."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    if request.method != "POST":
        return _form_page(request, deal, DealCompetitorForm(actor=user, deal=deal), None, 200)
    form = DealCompetitorForm(request.POST, actor=user, deal=deal)
    if form.is_valid():
        values = {"status": form.cleaned_data["status"], "notes": form.cleaned_data["notes"]}
        try:
            add_deal_competitor(user, deal, form.cleaned_data["competitor"], values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, deal, _("Competitor added to the deal."))
    return _form_page(request, deal, form, None, 422)


@login_required
@require_http_methods(["GET", "POST"])
def deal_competitor_edit(request: HttpRequest, pk: int, cpk: int) -> HttpResponse:
    """Change a competitor's status in the deal or the notes about it."""
    user = actor_of(request)
    deal, row = get_deal_competitor_for_user(user, pk, cpk, write=True)
    initial = {"status": row.status, "notes": row.notes}
    if request.method != "POST":
        return _form_page(request, deal, DealCompetitorForm(actor=user, editing=True, initial=initial), row, 200)
    form = DealCompetitorForm(request.POST, actor=user, editing=True, initial=initial)
    if form.is_valid():
        try:
            update_deal_competitor(user, row, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, deal, _("Changes saved."))
    return _form_page(request, deal, form, row, 422)


@login_required
@require_POST
def deal_competitor_delete(request: HttpRequest, pk: int, cpk: int) -> HttpResponse:
    """Take a competitor off the deal."""
    user = actor_of(request)
    deal, row = get_deal_competitor_for_user(user, pk, cpk, write=True)
    remove_deal_competitor(user, row)
    return _done(request, deal, _("Competitor removed from the deal."))
