"""Needs pages of a deal: the editor (a new version per save), one more requirement row (htmx), the history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kam.core.errors import StaleVersion
from kam.core.models import User
from kam.customers.views.helpers import actor_of
from kam.sales.actions_needs import save_needs
from kam.sales.forms_needs import (
    MAX_ROW_INDEX,
    NeedsForm,
    RequirementRowForm,
    RowsResult,
    apply_item_errors,
    rows_for_version,
    rows_from_post,
)
from kam.sales.models import NeedsVersion, Opportunity
from kam.sales.queries import get_opportunity_for_user, opportunity_access
from kam.sales.queries_needs import current_needs, history_page


def deal_url(deal: Opportunity) -> str:
    """The deal page, or "" while the deal pages are not installed."""
    try:
        return reverse("deal-detail", args=[deal.pk])
    except NoReverseMatch:
        return ""


def _initial(version: NeedsVersion | None) -> dict[str, Any]:
    if version is None:
        return {"base_version": 0}
    names = ("pain", "budget_min", "budget_max", "timeline", "decision_criteria", "solution_notes")
    return {**{name: getattr(version, name) for name in names}, "base_version": version.number}


def _form_context(
    deal: Opportunity, form: NeedsForm, rows: list[RequirementRowForm], current: NeedsVersion | None
) -> dict[str, Any]:
    next_index = max((row.index for row in rows), default=-1) + 1
    return {
        "deal": deal,
        "deal_url": deal_url(deal),
        "form": form,
        "rows": rows,
        "current": current,
        "next_index": next_index,
        "row_errors": any(row.errors for row in rows),
    }


def _save(user: User, deal: Opportunity, form: NeedsForm, result: RowsResult) -> NeedsVersion | None:
    """Run the action; its refusals (or a stale base) land on the form and the rows."""
    try:
        return save_needs(
            user,
            deal,
            form.values(),
            result.items,
            reason=form.cleaned_data.get("reason") or "",
            base_version=form.cleaned_data.get("base_version") or 0,
        )
    except StaleVersion as exc:
        form.add_error(
            None,
            _("Someone else saved V%(number)d while you were editing. Check the history, then save again.")
            % {"number": exc.current},
        )
        # The next save is based on what is there now; the message told the user to look first.
        data = form.data.copy()  # type: ignore[attr-defined]
        data["base_version"] = str(exc.current)
        form.data = data
    except ValidationError as exc:
        apply_item_errors(form, result, exc)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def needs_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """需求分析: the whole needs as a form; saving makes the next version (a reason from V2 on)."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    current = current_needs(deal)
    base = current.number if current is not None else 0
    if request.method != "POST":
        form = NeedsForm(initial=_initial(current), base=base)
        return render(request, "sales/needs_form.html", _form_context(deal, form, rows_for_version(current), current))
    form = NeedsForm(request.POST, base=base)
    rows = rows_from_post(request.POST) or rows_for_version(None)
    result = RowsResult(rows)
    if form.is_valid() and result.valid:
        version = _save(user, deal, form, result)
        if version is not None:
            messages.success(request, _("Needs saved as V%(number)d.") % {"number": version.number})
            return redirect(deal_url(deal) or reverse("deal-needs-history", args=[deal.pk]))
    elif not result.valid:
        form.add_error(None, _("Check the marked requirements."))
    return render(request, "sales/needs_form.html", _form_context(deal, form, rows, current), status=422)


@login_required
@require_GET
def needs_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One more blank requirement row (htmx "add row"), numbered ?index=, with the next add button."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk, write=True)
    raw = request.GET.get("index", "")[:6]
    if not raw.isdigit() or int(raw) > MAX_ROW_INDEX:
        raise Http404
    index = int(raw)
    context = {"deal": deal, "row": RequirementRowForm(index=index), "next_index": index + 1}
    return render(request, "sales/_needs_row_added.html", context)


@login_required
@require_GET
def needs_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of the needs, newest first, with who, when, why and what changed (20 a page)."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk)
    raw = request.GET.get("before", "")[:10]
    below = int(raw) if raw.isdigit() and 1 <= int(raw) < 2**31 else None
    changes, next_below = history_page(deal, below=below)
    context = {
        "deal": deal,
        "deal_url": deal_url(deal),
        "changes": changes,
        "next_below": next_below,
        "paged": below is not None,
        "can_edit": opportunity_access(user, deal).write,
    }
    return render(request, "sales/needs_history.html", context)
