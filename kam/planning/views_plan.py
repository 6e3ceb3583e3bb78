"""The plan page (明日计划) and its htmx edits, and the home page's agenda ticks.

Every POST answers an htmx request with the fragment it changed (the plan editor or the home
agenda) and a plain form post with a redirect back to the page. A refusal shows its message in the
fragment (htmx, status 200 so htmx swaps it in) or on the whole page with status 422.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from kam.core.models import Role, User
from kam.core.queries import people_in_view
from kam.customers.views.helpers import actor_of, apply_errors, error_map, render_page_or_partial, wants_partial
from kam.planning.actions_plan import (
    MAX_DAYS_AHEAD,
    accept_day,
    add_item_to_day,
    move_item,
    refresh_plan,
    set_item_done,
    set_item_dropped,
)
from kam.planning.forms_plan import DoneForm, MoveForm, PlanDayForm, PlanItemForm
from kam.planning.models import PlanItem
from kam.planning.plan import draft_candidates, plan_day_for, today_for
from kam.planning.queries_plan import (
    agenda_for,
    get_item_for_user,
    get_planner_for_user,
    plan_for_day,
    plan_items,
)

PAGE = "planning/plan.html"
EDITOR = "planning/_plan_editor.html"
AGENDA = "planning/_agenda.html"


def plan_url(day: date, owner: User | None = None) -> str:
    query = f"?date={day.isoformat()}"
    if owner is not None:
        query += f"&user={owner.pk}"
    return reverse("plan") + query


def plan_context(
    viewer: User,
    owner: User,
    day: date,
    now: datetime,
    *,
    errors: list[str] | None = None,
    day_form: PlanDayForm | None = None,
    item_form: PlanItemForm | None = None,
) -> dict[str, Any]:
    """What the page and the editor fragment show for `owner`'s plan of `day`, as `viewer` sees it."""
    today = today_for(now)
    plan = plan_for_day(owner, day)
    items = plan_items(plan) if plan is not None else []
    is_own = owner.pk == viewer.pk
    editable = is_own and today <= day <= today + timedelta(days=MAX_DAYS_AHEAD)
    if editable and plan is not None and item_form is None:
        item_form = PlanItemForm(owner=owner)
    supervises = viewer.supervises or viewer.role == Role.ADMIN
    return {
        "owner": owner,
        "is_own": is_own,
        "day": day,
        "today": today,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "plan": plan,
        "active": [item for item in items if not item.dropped],
        "dropped": [item for item in items if item.dropped],
        # Without a plan, what the sources propose; nothing to propose for a day gone by.
        "candidates": draft_candidates(owner, day, now) if plan is None and day >= today else [],
        "editable": editable,
        "errors": errors or [],
        "day_form": day_form or PlanDayForm(initial={"date": day}, today=today),
        "item_form": item_form if editable else None,
        "people": list(people_in_view(viewer).order_by("username")) if supervises else [],
        "owner_query": "" if is_own else f"&user={owner.pk}",
    }


@require_safe
@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    """明日计划: the next working day by default; `?date=` another day, `?user=` a team member's (read-only)."""
    viewer = actor_of(request)
    now = timezone.now()
    user_id = request.GET.get("user", "")
    owner = get_planner_for_user(viewer, user_id) if user_id else viewer
    form = PlanDayForm(request.GET, today=today_for(now))
    day = (form.cleaned_data["date"] if form.is_valid() else None) or plan_day_for(owner, now)
    if not request.GET.get("date"):
        # Nothing asked: show the day chosen in the date box.
        form = PlanDayForm(initial={"date": day}, today=today_for(now))
    context = plan_context(viewer, owner, day, now, day_form=form)
    return render_page_or_partial(request, PAGE, EDITOR, context)


def _messages(exc: ValidationError) -> list[str]:
    return [message for messages in error_map(exc).values() for message in messages]


def _answer(
    request: HttpRequest,
    user: User,
    day: date,
    now: datetime,
    errors: list[str] | None = None,
    item_form: PlanItemForm | None = None,
) -> HttpResponse:
    """The editor fragment (htmx) or a redirect to the page; on a refusal the page with status 422."""
    failed = bool(errors) or (item_form is not None and bool(item_form.errors))
    if not failed and not wants_partial(request):
        return redirect(plan_url(day))
    context = plan_context(user, user, day, now, errors=errors, item_form=item_form)
    if wants_partial(request):
        return render(request, EDITOR, context)
    return render(request, PAGE, context, status=422)


def _posted_day(request: HttpRequest, user: User, now: datetime) -> date:
    form = PlanDayForm(request.POST, today=today_for(now))
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data["date"] or plan_day_for(user, now)


def _on_posted_day(request: HttpRequest, act: Callable[[User, date, datetime], object]) -> HttpResponse:
    """Run a whole-plan action on the posted day; a refusal is shown in the editor."""
    user, now = actor_of(request), timezone.now()
    try:
        day = _posted_day(request, user, now)
    except ValidationError as exc:
        return _answer(request, user, plan_day_for(user, now), now, _messages(exc))
    try:
        act(user, day, now)
    except ValidationError as exc:
        return _answer(request, user, day, now, _messages(exc))
    return _answer(request, user, day, now)


@require_POST
@login_required
def plan_refresh(request: HttpRequest) -> HttpResponse:
    """Draft the plan from the sources, or bring it up to date (manual items, drops and order stay)."""
    return _on_posted_day(request, refresh_plan)


@require_POST
@login_required
def plan_accept(request: HttpRequest) -> HttpResponse:
    """Accept the plan of `date`: it becomes that day's agenda on the home page."""
    return _on_posted_day(request, accept_day)


@require_POST
@login_required
def plan_item_add(request: HttpRequest) -> HttpResponse:
    """Add the rep's own item to the plan of `date` (drafting the plan first when there is none)."""
    user, now = actor_of(request), timezone.now()
    try:
        day = _posted_day(request, user, now)
    except ValidationError as exc:
        return _answer(request, user, plan_day_for(user, now), now, _messages(exc))
    form = PlanItemForm(request.POST, owner=user)
    if not form.is_valid():
        return _answer(request, user, day, now, item_form=form)
    try:
        add_item_to_day(user, day, form.cleaned_data["title"], now, customer_id=form.cleaned_data["customer"])
    except ValidationError as exc:
        apply_errors(form, exc)
        return _answer(request, user, day, now, item_form=form)
    return _answer(request, user, day, now)


def _item_edit(request: HttpRequest, pk: int, change: Any) -> HttpResponse:
    """Run `change(user, item, now)` on one of the user's plan items and answer with the editor."""
    user, now = actor_of(request), timezone.now()
    item = get_item_for_user(user, pk, write=True)
    try:
        change(user, item, now)
    except ValidationError as exc:
        return _answer(request, user, item.plan.day, now, _messages(exc))
    return _answer(request, user, item.plan.day, now)


@require_POST
@login_required
def plan_item_move(request: HttpRequest, pk: int) -> HttpResponse:
    form = MoveForm(request.POST)
    direction = form.cleaned_data["direction"] if form.is_valid() else ""
    return _item_edit(request, pk, lambda user, item, now: move_item(user, item, direction, now))


@require_POST
@login_required
def plan_item_drop(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_edit(request, pk, lambda user, item, now: set_item_dropped(user, item, True, now))


@require_POST
@login_required
def plan_item_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_edit(request, pk, lambda user, item, now: set_item_dropped(user, item, False, now))


@require_POST
@login_required
def plan_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick an item done (checkbox `done` present) or not done; `view=agenda` answers with the home agenda."""
    if request.POST.get("view") != "agenda":
        form = DoneForm(request.POST)
        done = bool(form.cleaned_data["done"]) if form.is_valid() else False
        return _item_edit(request, pk, lambda user, item, now: set_item_done(user, item, done, now))
    user, now = actor_of(request), timezone.now()
    item: PlanItem = get_item_for_user(user, pk, write=True)
    form = DoneForm(request.POST)
    errors: list[str] = []
    try:
        set_item_done(user, item, bool(form.cleaned_data["done"]) if form.is_valid() else False, now)
    except ValidationError as exc:
        errors = _messages(exc)
    if not wants_partial(request):
        return redirect("home")
    agenda = agenda_for(user, today_for(now))
    return render(request, AGENDA, {"agenda": agenda, "agenda_errors": errors})
