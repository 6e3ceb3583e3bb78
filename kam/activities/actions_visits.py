"""Writes of visits (拜访): plan, check in, check out, cancel, photos.

Check-in and check-out store the browser's position (or none, when the phone gave none: then the
visit is flagged), the distance to the customer's stored point and whether it lies beyond the
organization's check-in radius. The visit ends in a follow-up record written after check-out
(kam.activities.actions_followups.create_followup with `visit=`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.activities import attachments
from kam.activities.geo import Position, distance_to, out_of_range
from kam.activities.models import Attachment, Visit, VisitStatus
from kam.activities.queries_followups import get_customer_for_logging
from kam.activities.queries_visits import get_visit_for_user
from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.customers.models import Customer
from kam.customers.queries import customer_access

MIN_MINUTES, MAX_MINUTES = 5, 12 * 60
CHECK_IN_FIELDS = ["status", "check_in_at", "check_in_distance_m", "check_in_out_of_range"]
CHECK_OUT_FIELDS = ["status", "check_out_at", "check_out_distance_m", "check_out_out_of_range", "stay_minutes"]
SIX_PLACES = Decimal("0.000001")


def _check_plan(planned_at: datetime | None, planned_minutes: Any, purpose: str) -> None:
    if planned_at is None:
        raise refuse(_("Enter when the visit is planned."), "planned_at")
    if not 2000 <= planned_at.year <= 2100:
        raise refuse(_("Choose a date between 2000 and 2100."), "planned_at")
    if not isinstance(planned_minutes, int) or not MIN_MINUTES <= planned_minutes <= MAX_MINUTES:
        raise refuse(
            _("A visit lasts between %(min)d and %(max)d minutes.") % {"min": MIN_MINUTES, "max": MAX_MINUTES},
            "planned_minutes",
        )
    if len(purpose) > 200:
        raise refuse(_("At most %(max)d characters.") % {"max": 200}, "purpose")


@transaction.atomic
def plan_visit(
    actor: User, customer: Customer, planned_at: datetime | None, planned_minutes: int = 60, purpose: str = ""
) -> Visit:
    """Put a visit of the actor on the calendar; anyone who may log a follow-up on the customer may plan one."""
    customer = get_customer_for_logging(actor, customer.pk)
    purpose = (purpose or "").strip()
    _check_plan(planned_at, planned_minutes, purpose)
    assert planned_at is not None
    visit = Visit.objects.create(
        organization_id=customer.organization_id,
        customer=customer,
        owner=actor,
        planned_at=planned_at,
        planned_minutes=planned_minutes,
        purpose=purpose,
    )
    audit.record(actor, visit, AuditAction.CREATE)
    return visit


@transaction.atomic
def cancel_visit(actor: User, visit: Visit) -> Visit:
    """Cancel a visit not started yet (the visitor, a manager above them, or an admin)."""
    visit = get_visit_for_user(actor, visit.pk, write=True)
    visit = _locked(visit)
    if visit.status != VisitStatus.PLANNED:
        raise refuse(_("Only a planned visit that has not started can be cancelled."), "status")
    before = audit.snapshot(visit, ["status"])
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status", "updated_at"])
    audit.record_changes(actor, visit, before)
    return visit


def _locked(visit: Visit) -> Visit:
    """The visit row locked for this transaction, with what the checks read already loaded."""
    locked = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("customer", "organization", "owner")
        .get(pk=visit.pk)
    )
    return locked


def _visitor_only(actor: User, visit: Visit) -> Visit:
    visit = get_visit_for_user(actor, visit.pk)
    if visit.owner_id != actor.pk or not customer_access(actor, visit.customer).read:
        raise PermissionDenied
    return _locked(visit)


def _rounded(position: Position | None) -> Position | None:
    if position is None:
        return None
    for value, low, high, field in (
        (position.latitude, -90, 90, "latitude"),
        (position.longitude, -180, 180, "longitude"),
    ):
        if not value.is_finite() or not low <= value <= high:
            raise refuse(_("Enter a value between %(low)d and %(high)d.") % {"low": low, "high": high}, field)
    accuracy = position.accuracy_m
    if accuracy is not None and not 0 <= accuracy <= 100_000:
        raise refuse(_("Enter a value between %(low)d and %(high)d.") % {"low": 0, "high": 100_000}, "accuracy_m")
    return Position(position.latitude.quantize(SIX_PLACES), position.longitude.quantize(SIX_PLACES), accuracy)


def _where(visit: Visit, position: Position | None) -> tuple[int | None, bool]:
    distance = distance_to(position, visit.customer.latitude, visit.customer.longitude)
    return distance, out_of_range(position, distance, visit.organization.checkin_radius_m)


def _record_position(actor: User, visit: Visit, field: str, position: Position | None) -> None:
    if position is None:
        text = audit.in_default_language(gettext_lazy("no position"))
    else:
        text = f"{position.latitude}, {position.longitude}"
        if position.accuracy_m is not None:
            text += f" (±{round(position.accuracy_m)} m)"
    audit.record(actor, visit, AuditAction.UPDATE, field=field, new=text)


@transaction.atomic
def check_in(actor: User, visit: Visit, position: Position | None, now: datetime | None = None) -> Visit:
    """签到: only the visitor, only once, on a planned visit."""
    position = _rounded(position)
    visit = _visitor_only(actor, visit)
    if visit.status != VisitStatus.PLANNED:
        raise refuse(_("This visit is not waiting for a check-in."), "status")
    before = audit.snapshot(visit, CHECK_IN_FIELDS)
    distance, flagged = _where(visit, position)
    visit.status = VisitStatus.CHECKED_IN
    visit.check_in_at = now or timezone.now()
    visit.check_in_latitude = position.latitude if position else None
    visit.check_in_longitude = position.longitude if position else None
    visit.check_in_distance_m = distance
    visit.check_in_out_of_range = flagged
    visit.save(update_fields=[*CHECK_IN_FIELDS, "check_in_latitude", "check_in_longitude", "updated_at"])
    audit.record_changes(actor, visit, before)
    _record_position(actor, visit, "check_in_position", position)
    return visit


@transaction.atomic
def check_out(actor: User, visit: Visit, position: Position | None, now: datetime | None = None) -> Visit:
    """签退: only the visitor, after checking in; stores the stay in whole minutes."""
    position = _rounded(position)
    visit = _visitor_only(actor, visit)
    if visit.status != VisitStatus.CHECKED_IN or visit.check_in_at is None:
        raise refuse(_("Check in before checking out."), "status")
    before = audit.snapshot(visit, CHECK_OUT_FIELDS)
    distance, flagged = _where(visit, position)
    moment = now or timezone.now()
    visit.status = VisitStatus.DONE
    visit.check_out_at = moment
    visit.check_out_latitude = position.latitude if position else None
    visit.check_out_longitude = position.longitude if position else None
    visit.check_out_distance_m = distance
    visit.check_out_out_of_range = flagged
    visit.stay_minutes = max(0, round((moment - visit.check_in_at).total_seconds() / 60))
    visit.save(update_fields=[*CHECK_OUT_FIELDS, "check_out_latitude", "check_out_longitude", "updated_at"])
    audit.record_changes(actor, visit, before)
    _record_position(actor, visit, "check_out_position", position)
    return visit


@transaction.atomic
def add_visit_photos(actor: User, visit: Visit, uploads: Sequence[UploadedFile[bytes]]) -> list[Attachment]:
    """Photos (or files) of a visit, by whoever may change it; at most 9 in all."""
    visit = get_visit_for_user(actor, visit.pk, write=True)
    visit = _locked(visit)
    checked = attachments.check_uploads(uploads, existing=Attachment.objects.filter(visit=visit).count())
    return attachments.store(actor, checked, visit=visit)
