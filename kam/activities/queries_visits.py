"""Reads of visits (拜访), scoped like follow-ups: the customer's viewers, the visitor and the
managers above the visitor. Only the visitor checks in and out; the visitor, a manager above
them or an admin may cancel a planned visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from kam.activities.models import Visit, VisitStatus
from kam.activities.queries_followups import Scope, activity_scope, default_scope, oversees
from kam.core.models import User
from kam.core.queries import get_or_404, people_in_view


def visible_visits(user: User) -> QuerySet[Visit]:
    if not user.is_authenticated or user.organization_id is None:
        return Visit.objects.none()
    return Visit.objects.filter(organization_id=user.organization_id, customer__deleted_at__isnull=True).filter(
        activity_scope(user, "owner")
    )


def may_change_visit(user: User, visit: Visit) -> bool:
    """The visitor, a manager or director above them, or an admin (cancel, add photos)."""
    return visit.owner_id == user.pk or oversees(user, visit.owner)


def get_visit_for_user(user: User, pk: Any, write: bool = False) -> Visit:
    """The visit, 404 when missing or hidden, 403 when `write` is asked of someone who may not change it."""
    visit = get_or_404(
        visible_visits(user).select_related(
            "customer", "customer__owner", "owner", "owner__team", "organization", "followup"
        ),
        pk,
    )
    if write and not may_change_visit(user, visit):
        raise PermissionDenied
    return visit


class When:
    UPCOMING = "upcoming"
    PAST = "past"


@dataclass
class VisitFilters:
    scope: str = ""
    when: str = When.UPCOMING
    customer: int | None = None
    status: str = ""


def visit_list(user: User, filters: VisitFilters, now: datetime | None = None) -> QuerySet[Visit]:
    """Upcoming visits (planned for today or later, or under way), soonest first; or past ones
    (everything else: done, cancelled, or planned for an earlier day and never started), latest first."""
    now = now or timezone.now()
    qs = visible_visits(user)
    scope = filters.scope or default_scope(user)
    if scope == Scope.MINE:
        qs = qs.filter(owner_id=user.pk)
    elif scope == Scope.TEAM:
        qs = qs.filter(owner__in=people_in_view(user).values("id"))
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.status:
        qs = qs.filter(status=filters.status)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # A visit under way stays upcoming until checked out, even if it was planned for yesterday.
    upcoming = Q(status=VisitStatus.CHECKED_IN) | Q(status=VisitStatus.PLANNED, planned_at__gte=today)
    if filters.when == When.PAST:
        qs = qs.exclude(upcoming).order_by("-planned_at", "-id")
    else:
        qs = qs.filter(upcoming).order_by("planned_at", "id")
    return qs.select_related("customer", "owner", "followup")
