"""The deal team on the deal page: add or change a member, set the revenue splits, remove a member.

With htmx each form swaps the team section in place; without it the forms post and come back to the
deal page (or to the standalone team page, which also serves the colleague search without JS).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kam.core.models import User
from kam.customers.choices import colleague_suggestions
from kam.customers.views.helpers import actor_of, apply_errors, error_map, wants_partial
from kam.sales.actions_team import deal_url, no_colleague_message, remove_member, set_member, set_splits
from kam.sales.forms_lists import TeamMemberForm, TeamSplitsForm
from kam.sales.models import Opportunity, OpportunityMember
from kam.sales.queries import get_opportunity_for_user, may_manage_deal_team
from kam.sales.queries_team import colleague_of, member_of
from kam.sales.sections_team import PickerState, team_context


def _picker(request: HttpRequest, user: User, deal: Opportunity, members: list[OpportunityMember]) -> PickerState:
    term = str(request.GET.get("member_q", "")).replace("\x00", "").strip()[:50]
    exclude = tuple(m.user_id for m in members)
    matches = colleague_suggestions(user, term, exclude=exclude) if term else []
    return PickerState(term=term, matches=matches)


def _render_team(request: HttpRequest, deal: Opportunity, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The team section alone for htmx, else the standalone team page."""
    template = "sales/_deal_team.html" if wants_partial(request) else "sales/deal_team_page.html"
    response = render(request, template, {"deal": deal, "section": context}, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _done(request: HttpRequest, deal: Opportunity, user: User, message: str) -> HttpResponse:
    if wants_partial(request):
        return _render_team(request, deal, team_context(deal, user))
    messages.success(request, message)
    url = deal_url(deal)
    return redirect(f"{url}#deal-team" if url else reverse("deal-team", args=[deal.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def deal_team(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the team (and, with ?member_q=, colleagues to add); POST: add or change a member, or the splits."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk)
    if request.method == "GET":
        context = team_context(deal, user)
        if "member_q" in request.GET:
            if not context["can_manage"]:
                raise PermissionDenied
            context["picker"] = _picker(request, user, deal, context["members"])
            if wants_partial(request):
                response = render(request, "sales/_team_matches.html", {"picker": context["picker"]})
                patch_vary_headers(response, ("HX-Request",))
                return response
        return _render_team(request, deal, context)
    if not may_manage_deal_team(user, deal):
        raise PermissionDenied
    if "splits" in request.POST:
        return _post_splits(request, deal, user)
    return _post_member(request, deal, user)


def _post_member(request: HttpRequest, deal: Opportunity, user: User) -> HttpResponse:
    form = TeamMemberForm(request.POST)
    if form.is_valid():
        colleague = colleague_of(user, form.cleaned_data["user"])
        if colleague is None:
            form.add_error("user", no_colleague_message())
        else:
            try:
                set_member(
                    user,
                    deal,
                    colleague,
                    role=form.cleaned_data["role"],
                    access=form.cleaned_data["access"],
                    split_percent=form.cleaned_data["split_percent"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return _done(request, deal, user, _("Saved %(name)s on the deal team.") % {"name": colleague.name})
    context = team_context(deal, user)
    context["member_form"] = form
    return _render_team(request, deal, context, status=422)


def _post_splits(request: HttpRequest, deal: Opportunity, user: User) -> HttpResponse:
    context = team_context(deal, user)
    form = TeamSplitsForm(request.POST, members=context["members"])
    if form.is_valid():
        try:
            set_splits(user, deal, form.splits())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, deal, user, _("Saved the revenue splits."))
    context["splits_form"] = form
    return _render_team(request, deal, context, status=422)


@login_required
@require_POST
def deal_team_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Take a member off the deal team; their split goes back to the owner."""
    user = actor_of(request)
    deal = get_opportunity_for_user(user, pk)
    if not may_manage_deal_team(user, deal):
        raise PermissionDenied
    member = member_of(deal, member_pk)
    try:
        remove_member(user, deal, member.user)
    except ValidationError as exc:
        context = team_context(deal, user)
        context["errors"] = [str(m) for msgs in error_map(exc).values() for m in msgs]
        return _render_team(request, deal, context, status=422)
    return _done(request, deal, user, _("Removed %(name)s from the deal team.") % {"name": member.user.name})
