"""Reads of 待办 (tasks), scoped to whose work the user oversees (DESIGN.md §3).

A task belongs to its owner: it is visible to them, to the managers and directors above them
(`people_in_view`) and to admins, never to a customer's collaborators. Everyone who may see a task
may change it (a manager keeps the team's to-dos in order). Missing and hidden tasks answer 404.

The two functions at the bottom (`open_tasks_due`, `overdue_tasks`) serve the plan, the calendar
and the briefing for many people at once; they take user ids, not a viewer, and do no access check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from kam.activities.models import Task
from kam.core.models import Role, User
from kam.core.queries import get_or_404, people_in_view


def oversees_others(user: User) -> bool:
    """Managers, directors and admins: they see (and may assign) work of other people."""
    return user.role == Role.ADMIN or user.supervises


def visible_tasks(user: User) -> QuerySet[Task]:
    """The tasks `user` may open: their own, those of people below them, all of the org for admins."""
    if not user.is_authenticated or user.organization_id is None:
        return Task.objects.none()
    base = Task.objects.filter(organization_id=user.organization_id)
    if user.role == Role.ADMIN:
        return base
    if user.supervises:
        return base.filter(owner_id__in=people_in_view(user).values("id"))
    return base.filter(owner_id=user.pk)


def get_task_for_user(user: User, pk: Any) -> Task:
    """One task `user` may open (and change), or 404."""
    return get_or_404(visible_tasks(user).select_related("owner", "created_by", "customer", "contact"), pk)


def assignable_people(user: User) -> QuerySet[User]:
    """Whom `user` may give a task to: themselves, and active people in their view (managers, admins)."""
    people = people_in_view(user).filter(is_active=True) if oversees_others(user) else User.objects.filter(pk=user.pk)
    return people.select_related("team").order_by("username")


# --- the list ----------------------------------------------------------------------------------


class TaskScope:
    MINE = "mine"
    TEAM = "team"


@dataclass
class TaskFilters:
    """The task list's filters. Days are Shanghai days; `due_to` includes its whole day."""

    done: bool = False
    scope: str = TaskScope.MINE
    owner: int | None = None
    customer: int | None = None
    priority: str = ""
    due_from: date | None = None
    due_to: date | None = None


def start_of_day(day: date) -> datetime:
    """Midnight of a Shanghai day, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def task_list(user: User, filters: TaskFilters) -> QuerySet[Task]:
    """Tasks for the list page and GET /tasks: open ones by due time (no due time last), done ones newest first."""
    qs = visible_tasks(user)
    if filters.scope != TaskScope.TEAM or not oversees_others(user):
        qs = qs.filter(owner_id=user.pk)
    elif filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.due_from:
        qs = qs.filter(due_at__gte=start_of_day(filters.due_from))
    if filters.due_to:
        qs = qs.filter(due_at__lt=start_of_day(filters.due_to + timedelta(days=1)))
    qs = qs.select_related("owner", "created_by", "customer", "contact")
    if filters.done:
        return qs.filter(done_at__isnull=False).order_by("-done_at", "-id")
    return qs.filter(done_at__isnull=True).order_by(F("due_at").asc(nulls_last=True), "id")


def is_overdue(task: Task, now: datetime) -> bool:
    return task.done_at is None and task.due_at is not None and task.due_at < now


# --- for other modules (plan, calendar, briefing) -----------------------------------------------


def open_tasks_due(user_ids: Iterable[int], until: datetime) -> QuerySet[Task]:
    """Open tasks of these owners due before `until` (exclusive), overdue ones included, by due time.

    One query over the index (owner, done_at, due_at); customer, contact and owner are joined in.
    Tasks without a due time are not "due" and are left out.
    """
    return (
        Task.objects.filter(owner_id__in=list(user_ids), done_at__isnull=True, due_at__lt=until)
        .select_related("owner", "customer", "contact")
        .order_by("due_at", "id")
    )


def overdue_tasks(user_ids: Iterable[int], now: datetime) -> QuerySet[Task]:
    """Open tasks of these owners whose due time has passed at `now`, oldest first."""
    return open_tasks_due(user_ids, now)
