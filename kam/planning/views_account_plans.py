"""大客户规划 pages: the list (with A-tier customers still missing a plan), create, the plan page, edit, review.

Our team, key players, objectives and actions: views_plan_items.py; the whitespace grid: views_whitespace.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core.errors import StaleVersion
from kam.core.models import User
from kam.core.queries import colleagues_of
from kam.customers.queries import get_customer_for_user
from kam.customers.views.detail import history_rows
from kam.customers.views.helpers import actor_of, apply_errors, flash_errors, flash_form_errors, render_page_or_partial
from kam.planning.actions_account_plans import add_review, create_plan, shanghai_today, update_plan
from kam.planning.forms_account_plans import (
    PlanFilterForm,
    PlanForm,
    ReviewForm,
    plan_initial,
)
from kam.planning.models.account_plans import (
    AccountPlan,
    KeyPlayerRole,
    ObjectiveStatus,
    PlanAction,
    PlanObjective,
    RelationshipStage,
)
from kam.planning.queries_account_plans import (
    PLAN_FIELDS,
    annotated_share,
    get_plan_for_user,
    key_accounts_without_plan,
    plan_access,
    plan_contacts,
    plan_key_players,
    plan_list,
    plan_objectives,
    plan_of_customer,
    plan_reviews,
    plan_team,
    review_is_stale,
)
from kam.planning.whitespace import build_grid

PAGE_SIZE = 50
MISSING_SHOWN = 20


@dataclass
class PlanRow:
    plan: AccountPlan
    share: Any
    review_stale: bool


@login_required
@require_GET
def account_plan_list(request: HttpRequest) -> HttpResponse:
    """The plans I may see (filters owner/team/stage) and the A-tier customers of my scope without one."""
    user = actor_of(request)
    today = shanghai_today()
    form = PlanFilterForm(request.GET, actor=user)
    page = Paginator(plan_list(user, form.filters(), today), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        PlanRow(plan, annotated_share(plan), review_is_stale(plan.last_reviewed_on, today)) for plan in page.object_list
    ]
    missing = key_accounts_without_plan(user)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "missing": list(missing[:MISSING_SHOWN]),
        "missing_count": missing.count(),
    }
    return render_page_or_partial(
        request, "planning/account_plan_list.html", "planning/_account_plan_table.html", context
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_plan_create(request: HttpRequest) -> HttpResponse:
    """A new plan for `?customer=` (a customer I may write); without one, the key accounts still missing a plan."""
    user = actor_of(request)
    raw = (request.POST.get("customer") or request.GET.get("customer") or "")[:20]
    if not raw:
        missing = list(key_accounts_without_plan(user)[:PAGE_SIZE])
        return render(request, "planning/account_plan_pick.html", {"missing": missing})
    customer = get_customer_for_user(user, raw, write=True)
    existing = plan_of_customer(customer)
    if existing is not None and request.method == "GET":
        messages.info(request, _("This customer has an account plan already."))
        return redirect("account-plan-detail", pk=existing.pk)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                plan = create_plan(user, customer, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Account plan created."))
                return redirect("account-plan-detail", pk=plan.pk)
        status = 422
    else:
        form = PlanForm()
    context: dict[str, Any] = {"form": form, "customer": customer, "plan": None}
    return render(request, "planning/account_plan_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the Gold Sheet fields; a save over someone else's newer change is refused, not lost."""
    user = actor_of(request)
    plan = get_plan_for_user(user, pk, write=True)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, initial=plan_initial(plan))
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in PLAN_FIELDS}
            try:
                update_plan(user, plan, values, expected_version=form.cleaned_data.get("version"))
            except StaleVersion:
                form.add_error(None, _("Someone else changed this plan since you opened it. Reload it and try again."))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("account-plan-detail", pk=plan.pk)
        status = 422
    else:
        form = PlanForm(initial=plan_initial(plan))
    context = {"form": form, "customer": plan.customer, "plan": plan, "history": history_rows(plan, limit=50)}
    return render(request, "planning/account_plan_form.html", context, status=status)


# --- the plan page ----------------------------------------------------------------------------


@dataclass
class ActionRow:
    action: PlanAction
    overdue: bool


@dataclass
class ObjectiveRow:
    objective: PlanObjective
    overdue: bool
    actions: list[ActionRow]


def objective_rows(plan: AccountPlan, today: date) -> list[ObjectiveRow]:
    rows = []
    for objective in plan_objectives(plan):
        is_open = objective.status == ObjectiveStatus.OPEN
        actions = [
            ActionRow(
                action, is_open and action.done_at is None and action.due_date is not None and action.due_date < today
            )
            for action in objective.actions.all()
        ]
        rows.append(ObjectiveRow(objective, is_open and objective.due_date < today, actions))
    return rows


def action_row(action: PlanAction, today: date) -> ActionRow:
    is_open = action.objective.status == ObjectiveStatus.OPEN and action.done_at is None
    return ActionRow(action, is_open and action.due_date is not None and action.due_date < today)


def detail_context(user: User, plan: AccountPlan, **extra: Any) -> dict[str, Any]:
    """Everything the plan page shows; a fixed number of queries whatever the plan holds."""
    today = shanghai_today()
    access = plan_access(user, plan)
    players = list(plan_key_players(plan))
    grid = build_grid(plan)
    context: dict[str, Any] = {
        "plan": plan,
        "customer": plan.customer,
        "access": access,
        "today": today,
        "team": list(plan_team(plan)),
        "players": players,
        "objectives": objective_rows(plan, today),
        "grid": grid,
        "share_now": grid.share,
        "reviews": list(plan_reviews(plan)),
        "review_stale": review_is_stale(plan.last_reviewed_on, today),
        "stages": RelationshipStage.choices,
        "stage_index": RelationshipStage.values.index(plan.relationship_stage),
        "roles": KeyPlayerRole.choices,
        "statuses": ObjectiveStatus.choices,
    }
    if access.write:
        taken = {player.contact_id for player in players}
        context["colleagues"] = list(colleagues_of(user))
        context["contacts"] = [contact for contact in plan_contacts(plan) if contact.pk not in taken]
    if access.review:
        context["review_form"] = extra.pop("review_form", None) or ReviewForm(initial={"reviewed_on": today})
    context.update(extra)
    return context


@login_required
@require_GET
def account_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan: Gold Sheet, our team, key players, goals vs now, objectives and actions, grid, reviews."""
    user = actor_of(request)
    plan = get_plan_for_user(user, pk)
    return render(request, "planning/account_plan_detail.html", detail_context(user, plan))


@login_required
@require_POST
def account_plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager above the owner (or an admin) records a review; the owner is notified."""
    user = actor_of(request)
    plan = get_plan_for_user(user, pk, review=True)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            add_review(user, plan, form.cleaned_data["reviewed_on"], form.cleaned_data["comments"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Review recorded; the plan owner has been notified."))
            return redirect(reverse("account-plan-detail", args=[plan.pk]) + "#plan-reviews")
    return render(
        request, "planning/account_plan_detail.html", detail_context(user, plan, review_form=form), status=422
    )


def redirect_to_section(plan: AccountPlan, section: str) -> HttpResponse:
    return redirect(reverse("account-plan-detail", args=[plan.pk]) + f"#{section}")


def refused(request: HttpRequest, plan: AccountPlan, section: str, exc: ValidationError) -> HttpResponse:
    """A refusal of a small form on the plan page: shown as a message above the page."""
    flash_errors(request, exc)
    return redirect_to_section(plan, section)


def invalid(request: HttpRequest, plan: AccountPlan, section: str, form: Any) -> HttpResponse:
    flash_form_errors(request, form)
    return redirect_to_section(plan, section)
