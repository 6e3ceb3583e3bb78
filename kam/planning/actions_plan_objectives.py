"""Writes to the objectives of an account plan and the actions that serve them. Each one audited.

Owners are colleagues of the organization (an objective can be carried by presales or a manager); the
plan source (account_plan_sources.py) puts their open ones into their next-day plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.planning.actions_account_plans import check_colleague, writable_plan
from kam.planning.models.account_plans import AccountPlan, ObjectiveStatus, PlanAction, PlanObjective

OBJECTIVE_FIELDS = ["title", "owner", "due_date", "status"]
ACTION_FIELDS = ["title", "owner", "due_date"]


def _title(data: dict[str, Any], message: str) -> None:
    if "title" in data:
        data["title"] = " ".join(str(data["title"] or "").split())
        if not data["title"]:
            raise refuse(message, "title")


def _objective_values(plan: AccountPlan, values: Mapping[str, Any], current: PlanObjective | None) -> dict[str, Any]:
    data = {name: values[name] for name in OBJECTIVE_FIELDS if name in values}
    _title(data, _("Enter the objective."))
    if "due_date" in data and data["due_date"] is None:
        raise refuse(_("Enter a due date."), "due_date")
    if "status" in data and data["status"] not in ObjectiveStatus.values:
        raise refuse(_("Choose a status."), "status")
    if "owner" in data:
        if data["owner"] is None:
            raise refuse(_("Choose an active colleague."), "owner")
        check_colleague(plan, data["owner"], "owner", current=current.owner_id if current else None)
    return data


@transaction.atomic
def create_objective(actor: User, plan: AccountPlan, values: Mapping[str, Any]) -> PlanObjective:
    """A new objective (title, owner, due date, status open unless given)."""
    plan = writable_plan(actor, plan)
    data = _objective_values(plan, {"status": ObjectiveStatus.OPEN, **values}, None)
    for name in ("title", "owner", "due_date"):
        if name not in data:
            raise refuse(_("This field is required."), name)
    objective = PlanObjective.objects.create(organization_id=plan.organization_id, plan=plan, **data)
    audit.record(actor, objective, AuditAction.CREATE)
    return objective


@transaction.atomic
def update_objective(actor: User, objective: PlanObjective, values: Mapping[str, Any]) -> PlanObjective:
    """Change the given fields; one audit row per changed field."""
    writable_plan(actor, objective.plan)
    data = _objective_values(objective.plan, values, objective)
    changed = [name for name, value in data.items() if getattr(objective, name) != value]
    if changed:
        before = audit.snapshot(objective, OBJECTIVE_FIELDS)
        for name in changed:
            setattr(objective, name, data[name])
        objective.save(update_fields=changed)
        audit.record_changes(actor, objective, before)
    return objective


@transaction.atomic
def delete_objective(actor: User, objective: PlanObjective) -> None:
    """Remove an objective with its actions."""
    writable_plan(actor, objective.plan)
    audit.record(actor, objective, AuditAction.DELETE, old=audit.in_default_language(objective))
    objective.delete()


# --- actions ----------------------------------------------------------------------------------


def _action_values(plan: AccountPlan, values: Mapping[str, Any], current: PlanAction | None) -> dict[str, Any]:
    data = {name: values[name] for name in ACTION_FIELDS if name in values}
    _title(data, _("Enter the action."))
    if "owner" in data:
        if data["owner"] is None:
            raise refuse(_("Choose an active colleague."), "owner")
        check_colleague(plan, data["owner"], "owner", current=current.owner_id if current else None)
    return data


@transaction.atomic
def create_plan_action(actor: User, objective: PlanObjective, values: Mapping[str, Any]) -> PlanAction:
    """A new step towards `objective` (title, owner, optional due date)."""
    plan = writable_plan(actor, objective.plan)
    data = _action_values(plan, values, None)
    for name in ("title", "owner"):
        if name not in data:
            raise refuse(_("This field is required."), name)
    action = PlanAction.objects.create(organization_id=plan.organization_id, objective=objective, **data)
    audit.record(actor, action, AuditAction.CREATE)
    return action


@transaction.atomic
def update_plan_action(actor: User, action: PlanAction, values: Mapping[str, Any]) -> PlanAction:
    """Change the given fields of an action."""
    plan = writable_plan(actor, action.objective.plan)
    data = _action_values(plan, values, action)
    changed = [name for name, value in data.items() if getattr(action, name) != value]
    if changed:
        before = audit.snapshot(action, ACTION_FIELDS)
        for name in changed:
            setattr(action, name, data[name])
        action.save(update_fields=changed)
        audit.record_changes(actor, action, before)
    return action


@transaction.atomic
def set_action_done(actor: User, action: PlanAction, done: bool, *, now: datetime | None = None) -> PlanAction:
    """Tick an action off (or open it again); repeating the same state changes nothing."""
    writable_plan(actor, action.objective.plan)
    if (action.done_at is not None) == done:
        return action
    before = audit.snapshot(action, ["done_at"])
    action.done_at = timezone.localtime(now or timezone.now()) if done else None
    action.save(update_fields=["done_at"])
    audit.record_changes(actor, action, before)
    return action


@transaction.atomic
def delete_plan_action(actor: User, action: PlanAction) -> None:
    """Remove an action."""
    writable_plan(actor, action.objective.plan)
    audit.record(actor, action, AuditAction.DELETE, old=audit.in_default_language(action))
    action.delete()
