"""Reads of 协调请求 (coordination requests) and who may do what with one.

Who sees a request: the requester, the assignee, every active user of the role asked while nobody
has taken it yet, managers and directors above the requester or the assignee (`people_in_view`),
and admins. Anyone else gets 404, as for a request that does not exist.

`pending_requests_due` and `overdue_requests` at the bottom serve the plan and the briefing for many
people at once; they take user ids, not a viewer, and do no access check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from kam.activities.models import CoordinationRequest, HelpRole, RequestComment, RequestStatus
from kam.core.models import Role, User
from kam.core.queries import get_or_404, people_in_view

PENDING = (RequestStatus.OPEN, RequestStatus.ACCEPTED)
FINISHED = (RequestStatus.REJECTED, RequestStatus.DONE, RequestStatus.CANCELLED)


def help_role_of(user: User) -> str:
    """The HelpRole code `user` answers for ("" for reps, managers, admins)."""
    return user.role if user.role in HelpRole.values else ""


def _role_q(user: User) -> Q:
    role = help_role_of(user)
    return Q(assignee__isnull=True, role=role) if role else Q(pk__in=[])


def visible_requests(user: User) -> QuerySet[CoordinationRequest]:
    """The requests `user` may open."""
    if not user.is_authenticated or user.organization_id is None:
        return CoordinationRequest.objects.none()
    base = CoordinationRequest.objects.filter(organization_id=user.organization_id)
    if user.role == Role.ADMIN:
        return base
    visible = Q(requester_id=user.pk) | Q(assignee_id=user.pk) | _role_q(user)
    if user.supervises:
        people = people_in_view(user).values("id")
        visible |= Q(requester_id__in=people) | Q(assignee_id__in=people)
    return base.filter(visible)


def get_request_for_user(user: User, pk: Any) -> CoordinationRequest:
    """One request `user` may open, or 404."""
    queryset = visible_requests(user).select_related("customer", "requester", "assignee")
    return get_or_404(queryset, pk)


# --- who may do what ----------------------------------------------------------------------------


def is_recipient(user: User, request: CoordinationRequest) -> bool:
    """The person asked, or (while nobody took it) anyone with the role asked."""
    if request.assignee_id is not None:
        return request.assignee_id == user.pk
    return bool(request.role) and request.role == help_role_of(user)


@dataclass(frozen=True)
class RequestPermissions:
    accept: bool
    reject: bool
    complete: bool
    cancel: bool
    comment: bool


def permissions(user: User, request: CoordinationRequest) -> RequestPermissions:
    """The buttons `user` gets on a request they can already see."""
    status = request.status
    recipient = is_recipient(user, request)
    return RequestPermissions(
        accept=recipient and status == RequestStatus.OPEN,
        reject=recipient and status in PENDING,
        complete=request.assignee_id == user.pk and status == RequestStatus.ACCEPTED,
        cancel=request.requester_id == user.pk and status in PENDING,
        comment=True,
    )


def is_overdue(request: CoordinationRequest, today: date) -> bool:
    return request.status in PENDING and request.due_date < today


# --- the list -----------------------------------------------------------------------------------


class RequestTab:
    MINE = "mine"  # 我发起的
    TODO = "todo"  # 待我处理
    TEAM = "team"  # 团队的 (managers, directors, admins)


class RequestState:
    PENDING = "pending"
    FINISHED = "finished"
    ALL = "all"


def may_see_team(user: User) -> bool:
    return user.role == Role.ADMIN or user.supervises


def request_list(user: User, tab: str, state: str = RequestState.PENDING) -> QuerySet[CoordinationRequest]:
    """One tab of the request list: pending ones by due date, finished ones newest first."""
    qs = visible_requests(user)
    if tab == RequestTab.TODO:
        # Unassigned role requests are "mine to handle" only while they wait for someone to take them.
        role = help_role_of(user)
        todo = Q(assignee_id=user.pk)
        if role:
            todo |= Q(assignee__isnull=True, role=role, status=RequestStatus.OPEN)
        qs = qs.filter(todo)
    elif tab != RequestTab.TEAM or not may_see_team(user):
        qs = qs.filter(requester_id=user.pk)
    qs = qs.select_related("customer", "requester", "assignee")
    if state == RequestState.FINISHED:
        return qs.filter(status__in=FINISHED).order_by("-updated_at", "-id")
    if state == RequestState.ALL:
        return qs.order_by("-created_at", "-id")
    return qs.filter(status__in=PENDING).order_by("due_date", "id")


def comments_of(request: CoordinationRequest) -> QuerySet[RequestComment]:
    return RequestComment.objects.filter(request_id=request.pk).select_related("author").order_by("created_at", "id")


def role_members(organization_id: int, role: str) -> QuerySet[User]:
    """Active users who answer for `role`: they are told of new requests to their role."""
    return User.objects.filter(organization_id=organization_id, role=role, is_active=True).order_by("username")


# --- for other modules (plan, briefing) ---------------------------------------------------------


def _involving(user_ids: Iterable[int]) -> Q:
    ids = list(user_ids)
    # Each branch matches an index (organization, requester|assignee, status); the organization
    # comes from the people themselves so callers need not pass it.
    orgs = User.objects.filter(pk__in=ids).values("organization_id")
    pending = list(PENDING)
    return Q(organization_id__in=orgs, requester_id__in=ids, status__in=pending) | Q(
        organization_id__in=orgs, assignee_id__in=ids, status__in=pending
    )


def pending_requests_due(user_ids: Iterable[int], until: date) -> QuerySet[CoordinationRequest]:
    """Pending requests these people asked or took, due on or before `until` (inclusive), by due date."""
    return (
        CoordinationRequest.objects.filter(_involving(user_ids), due_date__lte=until)
        .select_related("customer", "requester", "assignee")
        .order_by("due_date", "id")
    )


def overdue_requests(user_ids: Iterable[int], today: date) -> QuerySet[CoordinationRequest]:
    """Pending requests these people asked or took whose due date is before `today`, oldest first."""
    return (
        CoordinationRequest.objects.filter(_involving(user_ids), due_date__lt=today)
        .select_related("customer", "requester", "assignee")
        .order_by("due_date", "id")
    )
