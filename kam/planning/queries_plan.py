"""Reads of day plans: a user's own plans, and their team's for managers, directors and admins.

A plan belongs to one user. The user may change it; the people above them (`people_in_view`) and
admins may read it; for everyone else it does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from kam.core.models import User
from kam.core.queries import get_or_404, people_in_view
from kam.planning.models import DayPlan, PlanItem, PlanStatus


def plans_of(viewer: User) -> QuerySet[DayPlan]:
    """The plans `viewer` may read: their own and those of the people they oversee."""
    return DayPlan.objects.filter(organization_id=viewer.organization_id, user__in=people_in_view(viewer))


def get_planner_for_user(viewer: User, user_id: Any) -> User:
    """A person whose plans `viewer` may read (themselves included); anyone else is 404."""
    return get_or_404(people_in_view(viewer), user_id)


def get_plan_for_user(viewer: User, pk: Any, write: bool = False) -> DayPlan:
    """One plan; 404 when hidden or missing, 403 when `write` is asked by someone other than its user."""
    plan = get_or_404(plans_of(viewer).select_related("user"), pk)
    if write and plan.user_id != viewer.pk:
        raise PermissionDenied
    return plan


def get_item_for_user(viewer: User, pk: Any, write: bool = False) -> PlanItem:
    """One plan item, under the same rule as its plan."""
    item = get_or_404(
        PlanItem.objects.filter(
            organization_id=viewer.organization_id, plan__user__in=people_in_view(viewer)
        ).select_related("plan", "plan__user"),
        pk,
    )
    if write and item.plan.user_id != viewer.pk:
        raise PermissionDenied
    return item


def plan_for_day(owner: User, day: date) -> DayPlan | None:
    """`owner`'s plan of `day`, if one was made. The caller has checked that the viewer may read it."""
    return DayPlan.objects.filter(user_id=owner.pk, day=day).select_related("user").first()


def plan_items(plan: DayPlan) -> list[PlanItem]:
    """All items of a plan in the rep's order (dropped ones included), with their customers. One query."""
    return list(PlanItem.objects.filter(plan_id=plan.pk).select_related("customer").order_by("position", "id"))


@dataclass(frozen=True)
class Agenda:
    """The home page's view of the plans: today's (the agenda once accepted) and the next one made."""

    today: date
    plan: DayPlan | None
    items: list[PlanItem]  # today's items not dropped, when today's plan is accepted
    next_plan: DayPlan | None  # the nearest plan after today, if the user made one

    @property
    def accepted(self) -> bool:
        return self.plan is not None and self.plan.status == PlanStatus.ACCEPTED

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done_at is not None)


def agenda_for(user: User, today: date) -> Agenda:
    """Today's plan with its items (only when accepted) and the next plan after today. Two queries at most.

    The working calendar is not consulted, so the home page costs the same on every request.
    """
    plans = list(DayPlan.objects.filter(user_id=user.pk, day__gte=today).order_by("day")[:2])
    plan = plans[0] if plans and plans[0].day == today else None
    later = [other for other in plans if other.day > today]
    items: list[PlanItem] = []
    if plan is not None and plan.status == PlanStatus.ACCEPTED:
        items = [item for item in plan_items(plan) if not item.dropped]
    return Agenda(today=today, plan=plan, items=items, next_plan=later[0] if later else None)
