"""The next-day plan (明日计划) over HTTP: read, draft, reorder, add, drop, accept, tick off.

A plan is its user's: they change it; managers, directors and admins above them read it (`user=`);
for anyone else it does not exist (404).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError

from kam.core.api import FieldProblem, Problem
from kam.core.api_auth import actor
from kam.core.errors import refuse
from kam.core.models import User
from kam.planning import actions_plan as actions
from kam.planning.forms_plan import DAY_RANGE
from kam.planning.models import DayPlan, PlanItem
from kam.planning.plan import draft_candidates, plan_day_for, today_for
from kam.planning.queries_plan import (
    get_item_for_user,
    get_planner_for_user,
    plan_for_day,
    plan_items,
)
from kam.planning.registry import PlanCandidate
from kam.planning.schemas_plan import (
    DoneIn,
    MoveIn,
    PlanDayIn,
    PlanItemIn,
    PlanItemOut,
    PlanOut,
    PlanQuery,
    ReorderIn,
)

router = Router(tags=["plan"])

READ = {401: Problem, 404: Problem, 422: FieldProblem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}


def _user_ref(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "name": user.name}


def _item_out(item: PlanItem, position: int) -> dict[str, Any]:
    return {
        "id": item.pk,
        "position": position,
        "source": item.source,
        "ref": item.ref,
        "title": item.title,
        "reason": item.reason,
        "score": item.score,
        "customer_id": item.customer_id,
        "url": item.url,
        "dropped": item.dropped,
        "done_at": item.done_at,
    }


def _candidate_out(candidate: PlanCandidate, position: int) -> dict[str, Any]:
    return {
        "id": None,
        "position": position,
        "source": candidate.source,
        "ref": candidate.ref,
        "title": candidate.title,
        "reason": candidate.reason,
        "score": candidate.score,
        "customer_id": candidate.customer_id,
        "url": candidate.url,
        "dropped": False,
        "done_at": None,
    }


def _plan_out(owner: User, day: date, now: datetime) -> dict[str, Any]:
    """The stored plan in the rep's order (dropped items last), or what the sources propose."""
    plan = plan_for_day(owner, day)
    if plan is None:
        candidates = draft_candidates(owner, day, now) if day >= today_for(now) else []
        items = [_candidate_out(candidate, n) for n, candidate in enumerate(candidates, start=1)]
        return {"id": None, "user": _user_ref(owner), "day": day, "status": "proposed", "accepted_at": None,
                "items": items}  # fmt: skip
    stored = plan_items(plan)
    ordered = [item for item in stored if not item.dropped] + [item for item in stored if item.dropped]
    return {
        "id": plan.pk,
        "user": _user_ref(owner),
        "day": plan.day,
        "status": plan.status,
        "accepted_at": plan.accepted_at,
        "items": [_item_out(item, n) for n, item in enumerate(ordered, start=1)],
    }


def _day(user: User, day: date | None, now: datetime, location: str = "body") -> date:
    """The asked day (default: the user's next working day); more than a year away is a 422."""
    if day is None:
        return plan_day_for(user, now)
    if abs(day - today_for(now)) > DAY_RANGE:
        message = _("Choose a day within a year of today.")
        if location == "query":
            raise NinjaValidationError([{"loc": ["query", "date"], "msg": message, "type": "value_error"}])
        raise refuse(message, "date")
    return day


def _own_plan(user: User, day: date) -> DayPlan:
    plan = plan_for_day(user, day)
    if plan is None:
        raise Http404
    return plan


@router.get("/plan", response={200: PlanOut, **READ}, summary="My plan of a day (or a team member's)")
def get_plan(request: HttpRequest, query: Query[PlanQuery]) -> dict[str, Any]:
    viewer, now = actor(request), timezone.now()
    owner = get_planner_for_user(viewer, query.user) if query.user is not None else viewer
    return _plan_out(owner, _day(owner, query.date, now, "query"), now)


@router.post("/plan/refresh", response={200: PlanOut, **WRITE}, summary="Draft the plan or bring it up to date")
def refresh_plan(request: HttpRequest, payload: PlanDayIn) -> dict[str, Any]:
    user, now = actor(request), timezone.now()
    day = _day(user, payload.date, now)
    actions.refresh_plan(user, day, now)
    return _plan_out(user, day, now)


@router.post("/plan/accept", response={200: PlanOut, **WRITE}, summary="Accept the plan: the day's agenda")
def accept_plan(request: HttpRequest, payload: PlanDayIn) -> dict[str, Any]:
    user, now = actor(request), timezone.now()
    day = _day(user, payload.date, now)
    actions.accept_day(user, day, now)
    return _plan_out(user, day, now)


@router.post("/plan/reorder", response={200: PlanOut, **WRITE}, summary="Set the order of the plan's items")
def reorder_plan(request: HttpRequest, payload: ReorderIn) -> dict[str, Any]:
    user, now = actor(request), timezone.now()
    day = _day(user, payload.date, now)
    actions.reorder_items(user, _own_plan(user, day), payload.item_ids, now)
    return _plan_out(user, day, now)


@router.post("/plan/items", response={201: PlanItemOut, **WRITE}, summary="Add your own item")
def add_item(request: HttpRequest, payload: PlanItemIn) -> Status[dict[str, Any]]:
    user, now = actor(request), timezone.now()
    day = _day(user, payload.date, now)
    item = actions.add_item_to_day(user, day, payload.title, now, customer_id=payload.customer_id)
    return Status(201, _item_out(item, item.position))


@router.post("/plan/items/{int:item_id}/move", response={200: PlanOut, **WRITE}, summary="Move an item up or down")
def move_item(request: HttpRequest, item_id: int, payload: MoveIn) -> dict[str, Any]:
    user, now = actor(request), timezone.now()
    item = actions.move_item(user, get_item_for_user(user, item_id, write=True), payload.direction, now)
    return _plan_out(user, item.plan.day, now)


@router.post("/plan/items/{int:item_id}/drop", response={200: PlanItemOut, **WRITE}, summary="Drop an item")
def drop_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    user, now = actor(request), timezone.now()
    item = actions.set_item_dropped(user, get_item_for_user(user, item_id, write=True), True, now)
    return _item_out(item, item.position)


@router.post(
    "/plan/items/{int:item_id}/restore", response={200: PlanItemOut, **WRITE}, summary="Restore a dropped item"
)
def restore_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    user, now = actor(request), timezone.now()
    item = actions.set_item_dropped(user, get_item_for_user(user, item_id, write=True), False, now)
    return _item_out(item, item.position)


@router.post("/plan/items/{int:item_id}/done", response={200: PlanItemOut, **WRITE}, summary="Tick an item done or not")
def done_item(request: HttpRequest, item_id: int, payload: DoneIn) -> dict[str, Any]:
    user, now = actor(request), timezone.now()
    item = actions.set_item_done(user, get_item_for_user(user, item_id, write=True), payload.done, now)
    return _item_out(item, item.position)
