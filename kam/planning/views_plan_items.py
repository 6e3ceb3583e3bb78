"""The small forms of the plan page: our team, key players, objectives and their actions.

Each POST runs one action and returns to its section of the plan page (a refusal is shown as a message
there); ticking an action off answers htmx with the action's row. Objectives and actions also have an
edit page of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kam.customers.views.helpers import actor_of, apply_errors, wants_partial
from kam.planning import actions_account_plans as plans
from kam.planning import actions_plan_objectives as objectives
from kam.planning.forms_account_plans import ActionForm, KeyPlayerForm, ObjectiveForm, TeamMemberForm
from kam.planning.models.account_plans import AccountPlan, PlanAction, PlanObjective
from kam.planning.queries_account_plans import (
    get_key_player,
    get_objective,
    get_plan_action,
    get_plan_for_user,
    get_team_member,
)
from kam.planning.views_account_plans import action_row, invalid, redirect_to_section, refused

TEAM, PLAYERS, OBJECTIVES = "plan-team", "plan-players", "plan-objectives"


def _writable(request: HttpRequest, pk: int) -> tuple[Any, AccountPlan]:
    user = actor_of(request)
    return user, get_plan_for_user(user, pk, write=True)


def _submit(
    request: HttpRequest, plan: AccountPlan, anchor: str, form: Any, write: Callable[[dict[str, Any]], object]
) -> HttpResponse:
    """Validate `form`, run `write` with its data and return to `anchor` of the plan page, where an
    invalid form or a refused action is shown as a message."""
    if not form.is_valid():
        return invalid(request, plan, anchor, form)
    try:
        write(form.cleaned_data)
    except ValidationError as exc:
        return refused(request, plan, anchor, exc)
    return redirect_to_section(plan, anchor)


def _item_page(
    request: HttpRequest,
    plan: AccountPlan,
    item: PlanObjective | PlanAction,
    form_class: type[ObjectiveForm] | type[ActionForm],
    initial: dict[str, Any],
    update: Callable[[dict[str, Any]], object],
) -> HttpResponse:
    """The own page of an objective or an action: its fields as a form; saving returns to its row."""
    user = actor_of(request)
    kind = "objective" if isinstance(item, PlanObjective) else "action"
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, actor=user, current=item.owner_id, initial=initial)
        if form.is_valid():
            try:
                update(form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect_to_section(plan, f"{kind}-{item.pk}")
        status = 422
    else:
        form = form_class(actor=user, current=item.owner_id, initial=initial)
    context = {"plan": plan, "form": form, "item": item, "kind": kind}
    return render(request, "planning/account_plan_item.html", context, status=status)


# --- our team ---------------------------------------------------------------------------------


@login_required
@require_POST
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, plan = _writable(request, pk)
    form = TeamMemberForm(request.POST, actor=user)
    return _submit(
        request, plan, TEAM, form, lambda data: plans.add_team_member(user, plan, data["user"], data["responsibility"])
    )


@login_required
@require_POST
def team_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user, plan = _writable(request, pk)
    plans.remove_team_member(user, get_team_member(plan, member_pk))
    return redirect_to_section(plan, TEAM)


# --- key players ------------------------------------------------------------------------------


@login_required
@require_POST
def player_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, plan = _writable(request, pk)
    form = KeyPlayerForm(request.POST, plan=plan)
    return _submit(
        request,
        plan,
        PLAYERS,
        form,
        lambda data: plans.add_key_player(user, plan, data["contact"], data["role"], data["notes"]),
    )


@login_required
@require_POST
def player_edit(request: HttpRequest, pk: int, player_pk: int) -> HttpResponse:
    """Change a key player's role and notes (the contact stays)."""
    user, plan = _writable(request, pk)
    player = get_key_player(plan, player_pk)
    form = KeyPlayerForm({**request.POST.dict(), "contact": player.contact_id}, plan=plan)
    return _submit(request, plan, PLAYERS, form, lambda data: plans.update_key_player(user, player, data))


@login_required
@require_POST
def player_remove(request: HttpRequest, pk: int, player_pk: int) -> HttpResponse:
    user, plan = _writable(request, pk)
    plans.remove_key_player(user, get_key_player(plan, player_pk))
    return redirect_to_section(plan, PLAYERS)


# --- objectives -------------------------------------------------------------------------------


@login_required
@require_POST
def objective_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, plan = _writable(request, pk)
    form = ObjectiveForm(request.POST, actor=user)
    return _submit(request, plan, OBJECTIVES, form, lambda data: objectives.create_objective(user, plan, data))


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    """An objective's own page: its fields as a form (title, owner, due date, status)."""
    user, plan = _writable(request, pk)
    objective = get_objective(plan, objective_pk)
    initial = {
        "title": objective.title,
        "owner": objective.owner_id,
        "due_date": objective.due_date,
        "status": objective.status,
    }
    return _item_page(
        request,
        plan,
        objective,
        ObjectiveForm,
        initial,
        lambda data: objectives.update_objective(user, objective, data),
    )


@login_required
@require_POST
def objective_delete(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    user, plan = _writable(request, pk)
    objectives.delete_objective(user, get_objective(plan, objective_pk))
    messages.success(request, _("Objective deleted."))
    return redirect_to_section(plan, OBJECTIVES)


# --- actions ----------------------------------------------------------------------------------


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    user, plan = _writable(request, pk)
    objective = get_objective(plan, objective_pk)
    form = ActionForm(request.POST, actor=user)
    return _submit(
        request,
        plan,
        f"objective-{objective.pk}",
        form,
        lambda data: objectives.create_plan_action(user, objective, data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """An action's own page: title, owner, due date."""
    user, plan = _writable(request, pk)
    action = get_plan_action(plan, action_pk)
    initial = {"title": action.title, "owner": action.owner_id, "due_date": action.due_date}
    return _item_page(
        request, plan, action, ActionForm, initial, lambda data: objectives.update_plan_action(user, action, data)
    )


@login_required
@require_POST
def action_toggle(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Tick an action off (done=1) or open it again; htmx gets the action's row back."""
    user, plan = _writable(request, pk)
    action = get_plan_action(plan, action_pk)
    action = objectives.set_action_done(user, action, request.POST.get("done") in ("1", "on", "true"))
    if wants_partial(request):
        context = {"row": action_row(action, plans.shanghai_today()), "plan": plan, "can_write": True}
        return render(request, "planning/_account_plan_action.html", context)
    return redirect_to_section(plan, f"action-{action.pk}")


@login_required
@require_POST
def action_delete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user, plan = _writable(request, pk)
    action = get_plan_action(plan, action_pk)
    objectives.delete_plan_action(user, action)
    return redirect_to_section(plan, f"objective-{action.objective_id}")
