"""Pages of one deal: create, edit, the deal page, move between stages, close, reopen, history.

The deal page is the header (kam/sales/templates/sales/_deal_overview.html, _deal_stages.html) and
the sections every concept registers (kam.sales.deal_sections). deal-move also serves the board:
an htmx request with card=1 gets an empty 200 with `HX-Trigger: deal-moved`, or a 422 with the
gate failure to show.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core.errors import StaleVersion
from kam.core.models import User
from kam.customers.queries import get_customer_for_user
from kam.customers.views.detail import history_rows
from kam.customers.views.helpers import actor_of, apply_errors, flash_errors, next_url
from kam.sales.actions_deals import (
    close_opportunity,
    create_opportunity,
    move_stage,
    reopen_opportunity,
    update_opportunity,
)
from kam.sales.forms_deals import CloseForm, DealForm, MoveForm, ReopenForm, initial_of
from kam.sales.models import CloseOutcome, Opportunity
from kam.sales.page_deals import detail_context, gate_failure_context
from kam.sales.queries import get_opportunity_for_user

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this deal while you were editing; reload the page to see their changes."
)


def _customer_initial(request: HttpRequest, user: User) -> dict[str, Any]:
    """?customer=<id>: a customer the user may write (404 hidden, 403 read-only); garbage is ignored."""
    raw = request.GET.get("customer", "")[:20]
    if not raw.isdigit():
        return {}
    return {"customer": get_customer_for_user(user, raw, write=True).pk}


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    """新建商机: from a customer (?customer=<id>) or with the customer picker."""
    user = actor_of(request)
    status = 200
    if request.method == "POST":
        form = DealForm(request.POST, actor=user)
        if form.is_valid():
            try:
                deal = create_opportunity(user, form.cleaned_data["customer"], form.values())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Deal created."))
                return redirect("deal-detail", pk=deal.pk)
        status = 422
    else:
        form = DealForm(actor=user, initial=_customer_initial(request, user))
    context = {"form": form, "deal": None, "chosen_customer": form.chosen_customer()}
    return render(request, "sales/deal_form.html", context, status=status)


def _posted_version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")[:12]
    return int(raw) if raw.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a deal's fields with optimistic locking (the version read with the form must still be current)."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    version, status = deal.version, 200
    if request.method == "POST":
        form = DealForm(request.POST, actor=user, deal=deal, initial=initial_of(deal))
        posted = _posted_version(request)
        if posted is None:
            form.add_error(None, STALE_MESSAGE)
            status = 409
        elif form.is_valid():
            try:
                update_opportunity(user, deal, form.values(), expected_version=posted)
            except StaleVersion:
                form.add_error(None, STALE_MESSAGE)
                status = 409
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 422
            else:
                messages.success(request, _("Changes saved."))
                return redirect("deal-detail", pk=deal.pk)
        else:
            status = 422
        version = posted if posted is not None else version
    else:
        form = DealForm(actor=user, deal=deal, initial=initial_of(deal))
    context = {"form": form, "deal": deal, "version": version, "chosen_customer": deal.customer}
    return render(request, "sales/deal_form.html", context, status=status)


@login_required
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal page: header, stages, move/close controls, then every registered section."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk)
    return render(request, "sales/deal_detail.html", detail_context(user, deal))


def _wants_card(request: HttpRequest) -> bool:
    """The board moves a card with htmx and card=1: it wants a bare answer, not a page."""
    card = request.POST.get("card") == "1" or request.GET.get("card") == "1"
    return bool(getattr(request, "htmx", False)) and card


def _move_refused(
    request: HttpRequest, user: User, deal: Opportunity, form: MoveForm, exc: ValidationError, card: bool
) -> HttpResponse:
    target = form.cleaned_data.get("stage") if hasattr(form, "cleaned_data") else None
    failure = gate_failure_context(user, deal, exc, target, next_url(request, ""), card)
    if card:
        return render(request, "sales/_gate_failure.html", {"failure": failure}, status=422)
    return render(request, "sales/deal_detail.html", detail_context(user, deal, failure=failure), status=422)


@login_required
@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move to stage=<id> (override_reason: managers past a failed gate). 422 names what is missing."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    card = _wants_card(request)
    form = MoveForm(request.POST, deal=deal)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        moved = move_stage(user, deal, form.cleaned_data["stage"], override_reason=form.cleaned_data["override_reason"])
    except ValidationError as exc:
        return _move_refused(request, user, deal, form, exc, card)
    if card:
        response = HttpResponse(status=200)
        response["HX-Trigger"] = "deal-moved"
        return response
    if moved.version != deal.version:
        messages.success(request, _("Deal moved to %(stage)s.") % {"stage": moved.stage.name})
    return redirect(next_url(request, reverse("deal-detail", args=[deal.pk])))


@login_required
@require_http_methods(["GET", "POST"])
def deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    """赢单 / 输单 / 无效: one form per outcome (?outcome= picks one), each with its reasons."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    if not deal.is_open:
        messages.info(request, _("This deal is closed already."))
        return redirect("deal-detail", pk=deal.pk)
    status = 200
    chosen = request.POST.get("outcome") if request.method == "POST" else request.GET.get("outcome")
    forms = {outcome: CloseForm(actor=user, outcome=outcome) for outcome in CloseOutcome.values}
    if request.method == "POST":
        outcome = chosen if chosen in CloseOutcome.values else CloseOutcome.WON
        form = CloseForm(request.POST, actor=user, outcome=outcome)
        forms[outcome] = form
        if form.is_valid():
            try:
                close_opportunity(user, deal, outcome, **form.values())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Deal closed."))
                return redirect("deal-detail", pk=deal.pk)
        if "outcome" in form.errors:
            # The outcome is a hidden field: its error must show on top of the form.
            form.add_error(None, form.errors["outcome"])
        status = 422
    context = {"deal": deal, "forms": forms, "chosen": chosen if chosen in CloseOutcome.values else ""}
    return render(request, "sales/deal_close.html", context, status=status)


@login_required
@require_POST
def deal_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a closed deal again, in the stage it closed in or the stage chosen."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    form = ReopenForm(request.POST, deal=deal)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        reopen_opportunity(user, deal, stage=form.cleaned_data.get("stage"))
    except ValidationError as exc:
        # Shown by the page's message list, on the deal page answered with 422.
        flash_errors(request, exc)
        return render(request, "sales/deal_detail.html", detail_context(user, deal), status=422)
    messages.success(request, _("Deal reopened."))
    return redirect("deal-detail", pk=deal.pk)


@login_required
@require_GET
def deal_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every recorded change of one deal: who, when, which field, old → new."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk)
    context = {"deal": deal, "history": history_rows(deal)}
    return render(request, "sales/deal_history.html", context)
