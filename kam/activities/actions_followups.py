"""Writes of follow-ups (跟进记录) and their attachments.

Saving a follow-up moves its customer's clocks in the same transaction: `last_followup_at` (the
clock the public pool reads: the latest follow-up time, never moved back by a backdated one) and
`next_followup_at` (the next time the latest follow-up planned). Deleting the latest one, or moving
it earlier, recomputes both from the follow-ups that remain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activities import attachments
from kam.activities.models import Attachment, FollowUp, FollowUpKind, Visit, VisitStatus
from kam.activities.queries_followups import get_customer_for_logging, get_followup_for_user
from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.customers.models import Contact, Customer

if TYPE_CHECKING:
    from kam.sales.models import Opportunity

FOLLOWUP_FIELDS = ["kind", "occurred_at", "content", "feedback", "next_step", "next_followup_at"]
AUDITED_FIELDS = [*FOLLOWUP_FIELDS, "contacts", "opportunity"]
# `update_followup(..., opportunity=KEEP)` leaves the deal link as it is.
KEEP: Any = object()
# Phones and laptops disagree about the time by a little; a follow-up "in the future" by more is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=10)
CONTENT_MAX = 5000
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _check(data: Mapping[str, Any], now: datetime) -> None:
    """The business rules every follow-up meets, with the field that breaks them."""
    if data["kind"] not in FollowUpKind.values:
        raise refuse(_("Choose a follow-up type."), "kind")
    occurred_at: datetime | None = data["occurred_at"]
    if occurred_at is None:
        raise refuse(_("Enter when it happened."), "occurred_at")
    if occurred_at.year < EARLIEST_YEAR:
        raise refuse(_("Choose a time after the year 2000."), "occurred_at")
    if occurred_at > now + FUTURE_TOLERANCE:
        raise refuse(_("A follow-up cannot be in the future; plan a visit or a task instead."), "occurred_at")
    if not str(data["content"]).strip():
        raise refuse(_("Describe what was discussed."), "content")
    if len(str(data["content"])) > CONTENT_MAX or len(str(data["feedback"])) > CONTENT_MAX:
        field = "content" if len(str(data["content"])) > CONTENT_MAX else "feedback"
        raise refuse(_("At most %(max)d characters.") % {"max": CONTENT_MAX}, field)
    if len(str(data["next_step"])) > 200:
        raise refuse(_("At most %(max)d characters.") % {"max": 200}, "next_step")
    next_at: datetime | None = data["next_followup_at"]
    if next_at is not None:
        if next_at.year > LATEST_YEAR:
            raise refuse(_("Choose a time before the year 2100."), "next_followup_at")
        if next_at <= occurred_at:
            raise refuse(_("The next follow-up must be after this one."), "next_followup_at")


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in FOLLOWUP_FIELDS}
    for name in ("content", "feedback", "next_step"):
        values[name] = str(values[name] or "").strip()
    return values


def _check_contacts(customer: Customer, contacts: Iterable[Contact]) -> list[Contact]:
    chosen = list(contacts)
    if any(contact.customer_id != customer.pk or contact.is_deleted for contact in chosen):
        raise refuse(_("Choose contacts of this customer."), "contacts")
    return chosen


def _check_opportunity(actor: User, customer: Customer, deal: Opportunity | None, current_id: int | None) -> None:
    """A follow-up may name an open deal of its own customer that the author may open.

    The deal it already names stays allowed after that deal closed, so editing an old follow-up
    does not force the link off.
    """
    if deal is None or (current_id is not None and deal.pk == current_id):
        return
    from kam.sales.queries import opportunity_access

    if (
        deal.organization_id != customer.organization_id
        or deal.customer_id != customer.pk
        or not deal.is_open
        or not opportunity_access(actor, deal).read
    ):
        raise refuse(_("Choose an open deal of this customer."), "opportunity")


def _touch_deal(followup: FollowUp) -> None:
    """The deal's last activity moves forward to this follow-up (stale deals read it)."""
    if followup.opportunity_id is None:
        return
    from kam.sales.actions_deals import touch_activity

    touch_activity(followup.opportunity_id, followup.occurred_at)


# --- the customer's clocks ----------------------------------------------------------------------


def _next_time(customer: Customer, followup: FollowUp, replaced_next: datetime | None) -> datetime | None:
    """The customer's next follow-up once `followup` is its latest one.

    The follow-up's own next time wins. Without one, a next time the customer already had stays
    when it lies on a later (Shanghai) day than this follow-up and did not come from this same
    follow-up before: a follow-up made on the planned day is the planned follow-up, done early.
    """
    if followup.next_followup_at is not None:
        return followup.next_followup_at
    current = customer.next_followup_at
    if (
        current is not None
        and timezone.localdate(current) > timezone.localdate(followup.occurred_at)
        and current != replaced_next
    ):
        return current
    return None


def _latest(customer_id: int) -> FollowUp | None:
    return FollowUp.objects.filter(customer_id=customer_id).order_by("-occurred_at", "-id").first()


def _save_clocks(actor: User, customer: Customer, last: datetime | None, next_at: datetime | None) -> None:
    before = audit.snapshot(customer, ["next_followup_at"])
    if customer.last_followup_at == last and customer.next_followup_at == next_at:
        return
    fields = ["last_followup_at", "next_followup_at", "updated_at"]
    if customer.next_followup_at != next_at:
        # next_followup_at is an editable field of the customer: its version moves, the change is audited.
        customer.version = F("version") + 1  # type: ignore[assignment]
        fields.append("version")
    customer.last_followup_at, customer.next_followup_at = last, next_at
    customer.save(update_fields=fields)
    if "version" in fields:
        customer.refresh_from_db(fields=["version"])
    audit.record_changes(actor, customer, before)


def _lock_customer(customer_id: int) -> Customer:
    return Customer.objects.select_for_update(of=("self",)).get(pk=customer_id)


def _advance(actor: User, followup: FollowUp, previous: tuple[datetime, datetime | None] | None = None) -> None:
    """After a create or update: a follow-up at or after the customer's last one becomes the latest.

    `previous` is (occurred_at, next_followup_at) before an update; the latest follow-up moved
    earlier means another may now be the latest, so both clocks are recomputed.
    """
    customer = _lock_customer(followup.customer_id)
    last = customer.last_followup_at
    if previous is not None and last is not None and previous[0] >= last and followup.occurred_at < previous[0]:
        _recompute(actor, customer, dropped_next=previous[1])
    elif last is None or followup.occurred_at >= last:
        replaced = previous[1] if previous is not None else None
        _save_clocks(actor, customer, followup.occurred_at, _next_time(customer, followup, replaced))


def _recompute(actor: User, customer: Customer, dropped_next: datetime | None) -> None:
    latest = _latest(customer.pk)
    if latest is None:
        next_at = None if customer.next_followup_at == dropped_next else customer.next_followup_at
        _save_clocks(actor, customer, None, next_at)
        return
    _save_clocks(actor, customer, latest.occurred_at, _next_time(customer, latest, dropped_next))


# --- follow-ups ---------------------------------------------------------------------------------


@transaction.atomic
def create_followup(
    actor: User,
    customer: Customer,
    data: Mapping[str, Any],
    *,
    contacts: Iterable[Contact] = (),
    uploads: Sequence[UploadedFile[bytes]] = (),
    visit: Visit | None = None,
    opportunity: Opportunity | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """Log a follow-up on a customer the actor may log on; with `visit`, it is that visit's record.

    `opportunity`: the deal it was about (an open deal of this customer); its last activity moves forward.
    """
    now = now or timezone.now()
    customer = get_customer_for_logging(actor, customer.pk)
    values = _clean(data)
    if visit is not None:
        visit = _visit_for_record(actor, visit, customer)
        values["kind"] = FollowUpKind.VISIT
    _check(values, now)
    chosen = _check_contacts(customer, contacts)
    _check_opportunity(actor, customer, opportunity, None)
    checked = attachments.check_uploads(uploads)
    followup = FollowUp.objects.create(
        organization_id=customer.organization_id, customer=customer, author=actor, opportunity=opportunity, **values
    )
    followup.contacts.set(chosen)
    audit.record(actor, followup, AuditAction.CREATE)
    if visit is not None:
        visit.followup = followup
        visit.save(update_fields=["followup", "updated_at"])
        audit.record(actor, visit, AuditAction.UPDATE, field="followup", new=audit.in_default_language(followup))
    _advance(actor, followup)
    _touch_deal(followup)
    attachments.store(actor, checked, followup=followup)
    return followup


def _visit_for_record(actor: User, visit: Visit, customer: Customer) -> Visit:
    """The visit a new follow-up records: the actor's own, checked out, without a record yet."""
    visit = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    if visit.owner_id != actor.pk or visit.customer_id != customer.pk:
        raise refuse(_("Only the visitor records this visit."), "visit")
    if visit.status != VisitStatus.DONE:
        raise refuse(_("Check out of the visit first."), "visit")
    if visit.followup_id is not None:
        raise refuse(_("This visit already has its follow-up record."), "visit")
    return visit


@transaction.atomic
def update_followup(
    actor: User,
    followup: FollowUp,
    data: Mapping[str, Any],
    *,
    contacts: Iterable[Contact] | None = None,
    opportunity: Opportunity | None = KEEP,
    now: datetime | None = None,
) -> FollowUp:
    """Change some fields (those in `data`; contacts and the deal when given); one audit row per changed field."""
    now = now or timezone.now()
    followup = get_followup_for_user(actor, followup.pk, write=True)
    FollowUp.objects.select_for_update(of=("self",)).filter(pk=followup.pk).first()
    before = audit.snapshot(followup, AUDITED_FIELDS)
    previous = (followup.occurred_at, followup.next_followup_at)
    merged = {name: data.get(name, getattr(followup, name)) for name in FOLLOWUP_FIELDS}
    values = _clean(merged)
    if hasattr(followup, "visit") and followup.visit is not None:
        values["kind"] = FollowUpKind.VISIT  # the record of a visit stays a visit
    _check(values, now)
    changed = [name for name in FOLLOWUP_FIELDS if getattr(followup, name) != values[name]]
    for name in changed:
        setattr(followup, name, values[name])
    if opportunity is not KEEP:
        _check_opportunity(actor, followup.customer, opportunity, followup.opportunity_id)
        if followup.opportunity_id != (opportunity.pk if opportunity is not None else None):
            followup.opportunity = opportunity
            changed.append("opportunity")
    followup.save(update_fields=[*changed, "updated_at"])
    if contacts is not None:
        followup.contacts.set(_check_contacts(followup.customer, contacts))
    audit.record_changes(actor, followup, before)
    if {"occurred_at", "next_followup_at"} & set(changed):
        _advance(actor, followup, previous)
    if {"occurred_at", "opportunity"} & set(changed):
        _touch_deal(followup)
    return followup


@transaction.atomic
def delete_followup(actor: User, followup: FollowUp) -> None:
    """Delete a follow-up and its attachments; the customer's clocks fall back to the latest one left."""
    followup = get_followup_for_user(actor, followup.pk, write=True)
    customer = _lock_customer(followup.customer_id)
    files = list(Attachment.objects.filter(followup=followup).values_list("file", flat=True))
    dropped = (followup.occurred_at, followup.next_followup_at)
    audit.record(actor, followup, AuditAction.PURGE, field="content", old=audit.in_default_language(followup.content))
    followup.delete()
    if customer.last_followup_at is not None and dropped[0] >= customer.last_followup_at:
        _recompute(actor, customer, dropped_next=dropped[1])
    attachments.delete_files_on_commit(files)


@transaction.atomic
def add_attachments(actor: User, followup: FollowUp, uploads: Sequence[UploadedFile[bytes]]) -> list[Attachment]:
    """Add photos or files to a follow-up the actor may change (at most 9 in all)."""
    followup = get_followup_for_user(actor, followup.pk, write=True)
    FollowUp.objects.select_for_update(of=("self",)).filter(pk=followup.pk).first()
    checked = attachments.check_uploads(uploads, existing=Attachment.objects.filter(followup=followup).count())
    return attachments.store(actor, checked, followup=followup)


@transaction.atomic
def delete_attachment(actor: User, attachment: Attachment) -> None:
    """Remove one attachment; the parent's change permission decides."""
    from kam.activities.queries_visits import get_visit_for_user

    parent: FollowUp | Visit
    if attachment.followup_id is not None:
        parent = get_followup_for_user(actor, attachment.followup_id, write=True)
    else:
        parent = get_visit_for_user(actor, attachment.visit_id, write=True)
    audit.record(actor, parent, AuditAction.UPDATE, field="attachments", old=attachment.name)
    name = str(attachment.file.name)
    attachment.delete()
    attachments.delete_files_on_commit([name])
