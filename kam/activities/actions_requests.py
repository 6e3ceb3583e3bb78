"""Writes to 协调请求: ask, accept, reject, comment, complete, cancel. Each step audited and told to the other side.

The status machine (anything else is a RequestConflict, answered 409 by the API):

    open ──accept──▶ accepted ──complete──▶ done
      │                 │
      ├──reject─────────┴──reject──▶ rejected      (the person asked; a reason is required)
      └──cancel─────────┴──cancel──▶ cancelled     (the requester)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activities.models import CoordinationRequest, HelpRole, RequestComment, RequestKind, RequestStatus
from kam.activities.notify_tasks import (
    notify_request_answered,
    notify_request_cancelled,
    notify_request_comment,
    notify_request_created,
)
from kam.activities.queries_requests import PENDING, get_request_for_user, is_recipient, role_members
from kam.core import audit, workcal
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.core.queries import colleagues_of
from kam.customers.models import Collaborator, CollaboratorAccess
from kam.customers.queries import customer_access

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_WORKING_DAYS = 60
REASON_MAX = 500
COMMENT_MAX = 4000
TRACKED = ["status", "assignee", "accepted_at", "reject_reason", "result", "completed_at"]


class RequestConflict(Exception):
    """The request is not in a state that allows this step (someone else moved it, or it is finished)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shanghai_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), SHANGHAI).date()


def due_date_for(organization_id: int, working_days: int, today: date) -> date:
    """The due date `working_days` working days after `today` on the organization's calendar."""
    return workcal.add_workdays(today, working_days, organization_id)


def check_working_days(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_WORKING_DAYS:
        raise refuse(
            _("Give between 1 and %(max)d working days.") % {"max": MAX_WORKING_DAYS},
            "working_days",
        )
    return value


def _check_target(actor: User, assignee: User | None, role: str) -> None:
    if assignee is not None and role:
        raise refuse(_("Ask either a colleague or a role, not both."), "assignee")
    if assignee is None and not role:
        raise refuse(_("Choose a colleague or a role to ask."), "assignee")
    if role and role not in HelpRole.values:
        raise refuse(_("Choose one of the roles offered."), "role")
    if role and not role_members(actor.organization_id, role).exists():
        raise refuse(_("Nobody in your organization has this role yet; ask a colleague by name."), "role")
    if assignee is not None:
        if assignee.pk == actor.pk:
            raise refuse(_("Ask someone other than yourself."), "assignee")
        if not colleagues_of(actor).filter(pk=assignee.pk).exists():
            raise refuse(_("Choose an active colleague."), "assignee")


@transaction.atomic
def create_request(actor: User, values: Mapping[str, Any], *, today: date | None = None) -> CoordinationRequest:
    """Ask a colleague or a role for help on a customer the actor can open; due in N working days."""
    customer = values.get("customer")
    if customer is None or not customer_access(actor, customer).read:
        raise refuse(_("Choose a customer you can open."), "customer")
    assignee: User | None = values.get("assignee")
    role = str(values.get("role") or "")
    _check_target(actor, assignee, role)
    kind = str(values.get("kind") or "")
    if kind not in RequestKind.values:
        raise refuse(_("Choose what kind of help you need."), "kind")
    subject = " ".join(str(values.get("subject") or "").split())
    if not subject:
        raise refuse(_("Say in a few words what you need."), "subject")
    days = check_working_days(values.get("working_days"))
    assert actor.organization_id is not None
    request = CoordinationRequest.objects.create(
        organization_id=actor.organization_id,
        customer=customer,
        requester=actor,
        assignee=assignee,
        role=role,
        kind=kind,
        subject=subject[:200],
        detail=str(values.get("detail") or ""),
        working_days=days,
        due_date=due_date_for(actor.organization_id, days, today or shanghai_today()),
    )
    audit.record(actor, request, AuditAction.CREATE)
    notify_request_created(actor, request)
    return request


def _locked(actor: User, request: CoordinationRequest) -> CoordinationRequest:
    """The request as the actor may see it (404 otherwise), re-read under a row lock."""
    get_request_for_user(actor, request.pk)
    return (
        CoordinationRequest.objects.select_for_update(of=("self",))
        .select_related("customer", "requester", "assignee")
        .get(pk=request.pk)
    )


def _must_answer(actor: User, request: CoordinationRequest) -> None:
    """Only the person asked (or, while nobody took it, a user of the role) answers a request."""
    if not is_recipient(actor, request):
        raise PermissionDenied


def _finished(request: CoordinationRequest) -> RequestConflict:
    return RequestConflict(
        _("This request is already %(status)s; it cannot change any more.")
        % {"status": request.get_status_display().lower()}
    )


def _save(actor: User, request: CoordinationRequest, before: dict[str, str], fields: list[str]) -> None:
    request.save(update_fields=[*fields, "updated_at"])
    audit.record_changes(actor, request, before)


def _share_read(actor: User, request: CoordinationRequest) -> None:
    """Whoever takes a request must see its customer to help: add them as a read-only collaborator."""
    customer = request.customer
    if customer_access(actor, customer).read:
        return
    Collaborator.objects.get_or_create(
        customer=customer,
        user=actor,
        defaults={"access": CollaboratorAccess.READ, "organization_id": customer.organization_id},
    )
    label = audit.in_default_language(CollaboratorAccess.READ.label)
    audit.record(actor, customer, AuditAction.UPDATE, field="collaborators", new=f"{actor.name}: {label}")


@transaction.atomic
def accept_request(actor: User, request: CoordinationRequest, *, now: datetime | None = None) -> CoordinationRequest:
    """Take a waiting request: the actor becomes its assignee and can open its customer."""
    request = _locked(actor, request)
    _must_answer(actor, request)
    if request.status != RequestStatus.OPEN:
        if request.status == RequestStatus.ACCEPTED:
            raise RequestConflict(_("You have already accepted this request."))
        raise _finished(request)
    before = audit.snapshot(request, TRACKED)
    request.status = RequestStatus.ACCEPTED
    request.assignee = actor
    request.accepted_at = now or timezone.now()
    _save(actor, request, before, ["status", "assignee", "accepted_at"])
    _share_read(actor, request)
    notify_request_answered(actor, request, "request.accepted")
    return request


@transaction.atomic
def reject_request(actor: User, request: CoordinationRequest, reason: str) -> CoordinationRequest:
    """Say no, with a reason the requester reads. The person who answered is kept as the assignee."""
    request = _locked(actor, request)
    _must_answer(actor, request)
    if request.status not in PENDING:
        raise _finished(request)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise refuse(_("Say why you reject the request."), "reason")
    if len(reason) > REASON_MAX:
        raise refuse(_("Keep the reason under %(max)d characters.") % {"max": REASON_MAX}, "reason")
    before = audit.snapshot(request, TRACKED)
    request.status = RequestStatus.REJECTED
    request.reject_reason = reason
    request.assignee = actor
    _save(actor, request, before, ["status", "reject_reason", "assignee"])
    notify_request_answered(actor, request, "request.rejected")
    return request


@transaction.atomic
def complete_request(
    actor: User, request: CoordinationRequest, result: str, *, now: datetime | None = None
) -> CoordinationRequest:
    """Hand back the result of an accepted request (the assignee only)."""
    request = _locked(actor, request)
    if request.assignee_id != actor.pk:
        _must_answer(actor, request)  # the role of an unassigned request: accept first (below)
    if request.status == RequestStatus.OPEN:
        raise RequestConflict(_("Accept the request before completing it."))
    if request.status != RequestStatus.ACCEPTED:
        raise _finished(request)
    result = str(result or "").strip()
    if not result:
        raise refuse(_("Describe the result."), "result")
    before = audit.snapshot(request, TRACKED)
    request.status = RequestStatus.DONE
    request.result = result
    request.completed_at = now or timezone.now()
    _save(actor, request, before, ["status", "result", "completed_at"])
    notify_request_answered(actor, request, "request.done")
    return request


@transaction.atomic
def cancel_request(actor: User, request: CoordinationRequest) -> CoordinationRequest:
    """Withdraw a request that is not finished (the requester only)."""
    request = _locked(actor, request)
    if request.requester_id != actor.pk:
        raise PermissionDenied
    if request.status not in PENDING:
        raise _finished(request)
    before = audit.snapshot(request, TRACKED)
    request.status = RequestStatus.CANCELLED
    _save(actor, request, before, ["status"])
    notify_request_cancelled(actor, request)
    return request


@transaction.atomic
def add_comment(actor: User, request: CoordinationRequest, body: str) -> RequestComment:
    """A message on the request's thread from anyone who can open it; the other side is told."""
    request = get_request_for_user(actor, request.pk)
    body = str(body or "").strip()
    if not body:
        raise refuse(_("Write a comment first."), "body")
    if len(body) > COMMENT_MAX:
        raise refuse(_("Keep a comment under %(max)d characters.") % {"max": COMMENT_MAX}, "body")
    comment = RequestComment.objects.create(
        organization_id=request.organization_id, request=request, author=actor, body=body
    )
    audit.record(actor, comment, AuditAction.CREATE)
    notify_request_comment(actor, request, body)
    return comment
