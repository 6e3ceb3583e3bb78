"""Reads of follow-ups and their attachments, scoped to what the user may open (DESIGN.md §3).

A follow-up is visible to whoever can see its customer, and also to its author and the managers
above the author (their own work, e.g. a presales colleague's notes on another region's customer).
It is changed by its author (while they can still see the customer), a manager or director above
the author, or an admin.

Who may log one: anyone who can read an owned customer, so a read-only collaborator (presales
visiting with the rep) records what they did; editing the customer itself stays write-only. A
public-pool customer needs write access (pool admins): others claim it first, so working a
customer without holding it does not get round the claim rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kam.activities.models import Attachment, FollowUp, Visit
from kam.core.models import Role, User
from kam.core.queries import get_or_404, people_in_view
from kam.customers.models import Customer
from kam.customers.queries import customer_access, get_customer_for_user, visible_customers


class Scope:
    MINE = "mine"
    TEAM = "team"
    ALL = "all"


def default_scope(user: User) -> str:
    """Managers, directors and admins start with their team's records, everyone else with their own."""
    return Scope.TEAM if user.supervises or user.role == Role.ADMIN else Scope.MINE


def can_log(user: User, customer: Customer) -> bool:
    """Whether `user` may log a follow-up or plan a visit on a customer they have loaded."""
    access = customer_access(user, customer)
    return access.write or (access.read and customer.owner_id is not None)


def get_customer_for_logging(user: User, pk: Any) -> Customer:
    """The customer to log on: 404 when hidden, 403 when the user may only look at it."""
    customer = get_customer_for_user(user, pk)
    if not can_log(user, customer):
        raise PermissionDenied
    return customer


def oversees(user: User, person: User) -> bool:
    """An admin of the same organization, or a manager/director whose subtree holds `person`'s team."""
    if user.organization_id != person.organization_id:
        return False
    if user.role == Role.ADMIN:
        return True
    return (
        user.supervises and person.team is not None and person.team.path.startswith(user.team.path)  # type: ignore[union-attr]
    )


def activity_scope(user: User, person_field: str) -> Q:
    """Rows about a customer `user` can see, or done by someone whose work `user` oversees."""
    people = Q(**{f"{person_field}_id": user.pk})
    if user.supervises or user.role == Role.ADMIN:
        people = Q(**{f"{person_field}__in": people_in_view(user).values("id")})
    return Q(customer__in=visible_customers(user).values("id")) | people


# --- follow-ups ---------------------------------------------------------------------------------


def visible_followups(user: User) -> QuerySet[FollowUp]:
    if not user.is_authenticated or user.organization_id is None:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(organization_id=user.organization_id, customer__deleted_at__isnull=True).filter(
        activity_scope(user, "author")
    )


def may_change_followup(user: User, followup: FollowUp) -> bool:
    """The author (while the customer stays visible to them), a manager above the author, or an admin."""
    if followup.author_id == user.pk:
        return customer_access(user, followup.customer).read
    return oversees(user, followup.author)


def get_followup_for_user(user: User, pk: Any, write: bool = False) -> FollowUp:
    """The follow-up, 404 when missing or hidden, 403 when `write` is asked of someone who may not change it."""
    followup = get_or_404(
        visible_followups(user).select_related("customer", "customer__owner", "author", "author__team", "opportunity"),
        pk,
    )
    if write and not may_change_followup(user, followup):
        raise PermissionDenied
    return followup


@dataclass
class FollowUpFilters:
    scope: str = ""
    customer: int | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def day_start(day: date) -> datetime:
    """Midnight of a Shanghai day, as an aware time."""
    return timezone.make_aware(datetime.combine(day, time.min))


def followup_list(user: User, filters: FollowUpFilters) -> QuerySet[FollowUp]:
    """Follow-ups the user may see, newest first; `scope` mine / team / all (everything visible)."""
    qs = visible_followups(user)
    scope = filters.scope or default_scope(user)
    if scope == Scope.MINE:
        qs = qs.filter(author_id=user.pk)
    elif scope == Scope.TEAM:
        qs = qs.filter(author__in=people_in_view(user).values("id"))
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.date_from:
        qs = qs.filter(occurred_at__gte=day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(occurred_at__lt=day_start(filters.date_to + timedelta(days=1)))
    return (
        qs.select_related("customer", "author")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-occurred_at", "-id")
    )


def visit_recorded_by(followup: FollowUp) -> Visit | None:
    """The visit this follow-up is the record of, if any."""
    return Visit.objects.filter(followup=followup).first()


def contacts_met(followup: FollowUp) -> list[Any]:
    return list(followup.contacts.order_by("name"))


def attachments_of(followup: FollowUp | None = None, visit: Visit | None = None) -> QuerySet[Attachment]:
    if followup is not None:
        return Attachment.objects.filter(followup=followup).order_by("created_at", "id")
    return Attachment.objects.filter(visit=visit).order_by("created_at", "id")


# --- attachments --------------------------------------------------------------------------------


def get_attachment_for_user(user: User, pk: Any) -> Attachment:
    """An attachment whose parent (follow-up or visit) the user may open; 404 otherwise."""
    from kam.activities.queries_visits import visible_visits

    if not user.is_authenticated or user.organization_id is None:
        raise Http404
    attachments = Attachment.objects.filter(organization_id=user.organization_id).filter(
        Q(followup__in=visible_followups(user).values("id")) | Q(visit__in=visible_visits(user).values("id"))
    )
    return get_or_404(attachments.select_related("followup", "visit"), pk)
