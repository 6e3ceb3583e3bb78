"""Writes to day plans: draft and refresh from the plan sources, reorder, add, drop, accept, tick off.

Only the plan's user changes it (managers read it, see queries_plan.py). A day before today is closed
for changes except ticking items done. Every action takes the acting user and plain values, runs in
one transaction with the plan row locked, and writes an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.customers.queries import visible_customers
from kam.planning.models import DayPlan, PlanItem, PlanStatus
from kam.planning.plan import draft_candidates, today_for
from kam.planning.queries_plan import get_item_for_user, get_plan_for_user
from kam.planning.registry import PlanCandidate

MANUAL = "manual"
MAX_DAYS_AHEAD = 62
MAX_ITEMS = 200
TITLE_MAX = 200
REASON_MAX = 300
MOVES = ("up", "down")


def check_plan_day(day: date, now: datetime) -> None:
    """A plan can be made for today up to about two months ahead."""
    today = today_for(now)
    if day < today:
        raise refuse(_("A past day's plan can no longer be changed."), "date")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise refuse(_("Plans can be made at most %(days)d days ahead.") % {"days": MAX_DAYS_AHEAD}, "date")


def _locked_plan(actor: User, plan: DayPlan, now: datetime, editing: bool = True) -> DayPlan:
    plan = get_plan_for_user(actor, plan.pk, write=True)
    locked = DayPlan.objects.select_for_update().get(pk=plan.pk)
    if editing and locked.day < today_for(now):
        raise refuse(_("A past day's plan can no longer be changed."))
    return locked


def _renumber(items: Sequence[PlanItem]) -> None:
    """Positions 1..n in the given order: the items not dropped first, then the dropped ones."""
    ordered = [item for item in items if not item.dropped] + [item for item in items if item.dropped]
    changed = []
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    PlanItem.objects.bulk_update(changed, ["position"])


def _items(plan: DayPlan) -> list[PlanItem]:
    return list(PlanItem.objects.filter(plan_id=plan.pk).order_by("position", "id"))


# --- draft and refresh ----------------------------------------------------------------------------


def _get_or_create_plan(actor: User, day: date) -> tuple[DayPlan, bool]:
    """The user's plan row for `day`, locked; created when missing (the unique constraint settles races)."""
    try:
        with transaction.atomic():
            plan, created = DayPlan.objects.get_or_create(
                user=actor, day=day, defaults={"organization_id": actor.organization_id}
            )
    except IntegrityError:
        plan, created = DayPlan.objects.get(user=actor, day=day), False
    return DayPlan.objects.select_for_update().get(pk=plan.pk), created


def _apply(item: PlanItem, candidate: PlanCandidate) -> None:
    item.source = candidate.source[:30]
    item.title = candidate.title[:TITLE_MAX]
    item.reason = candidate.reason[:REASON_MAX]
    item.score = candidate.score
    item.customer_id = candidate.customer_id
    item.url = candidate.url[:300]


def _merge_order(kept: list[PlanItem], new: list[PlanItem]) -> list[PlanItem]:
    """The rep's order with the new candidates slotted in by score: each new item goes before the
    first proposed (not manual, not dropped) item that scores lower; the rest go last."""
    queue = sorted(new, key=lambda item: (-item.score, item.source, item.ref))
    merged: list[PlanItem] = []
    for item in kept:
        if item.source != MANUAL and not item.dropped:
            while queue and queue[0].score > item.score:
                merged.append(queue.pop(0))
        merged.append(item)
    return merged + queue


@transaction.atomic
def refresh_plan(actor: User, day: date, now: datetime) -> DayPlan:
    """Draft `actor`'s plan for `day` from the plan sources, or bring an existing one up to date.

    Kept: the rep's manual items, drops, order and ticks. Items whose reason has gone (the task was
    done, the follow-up made) leave unless ticked done; new candidates are slotted in by score.
    """
    check_plan_day(day, now)
    plan, created = _get_or_create_plan(actor, day)
    candidates = [candidate for candidate in draft_candidates(actor, day, now) if candidate.ref]
    items = _items(plan)
    by_ref = {item.ref: item for item in items if item.ref}
    proposed = {candidate.ref for candidate in candidates}
    gone = [item for item in items if item.ref and item.ref not in proposed and item.done_at is None]
    kept = [item for item in items if item not in gone]
    new: list[PlanItem] = []
    for candidate in candidates:
        existing = by_ref.get(candidate.ref)
        if existing is not None:
            _apply(existing, candidate)
        elif len(kept) + len(new) < MAX_ITEMS:
            item = PlanItem(organization_id=plan.organization_id, plan=plan, ref=candidate.ref[:60])
            _apply(item, candidate)
            new.append(item)
    merged = _merge_order(kept, new)
    ordered = [item for item in merged if not item.dropped] + [item for item in merged if item.dropped]
    PlanItem.objects.filter(pk__in=[item.pk for item in gone]).delete()
    for position, item in enumerate(ordered, start=1):
        item.position = position
    PlanItem.objects.bulk_create(new)
    PlanItem.objects.bulk_update(
        [item for item in kept if item.pk], ["source", "title", "reason", "score", "customer", "url", "position"]
    )
    if created:
        audit.record(actor, plan, AuditAction.CREATE)
    else:
        audit.record(actor, plan, AuditAction.UPDATE, field="items", old=str(len(items)), new=str(len(ordered)))
    return plan


# --- the rep's edits ------------------------------------------------------------------------------


@transaction.atomic
def move_item(actor: User, item: PlanItem, direction: str, now: datetime) -> PlanItem:
    """Move an item one place up or down among the items not dropped."""
    if direction not in MOVES:
        raise refuse(_("Move an item up or down."), "direction")
    item = get_item_for_user(actor, item.pk, write=True)
    plan = _locked_plan(actor, item.plan, now)
    items = _items(plan)
    active = [other for other in items if not other.dropped]
    index = next((i for i, other in enumerate(active) if other.pk == item.pk), None)
    if index is None:
        raise refuse(_("Restore the item before moving it."))
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(active):
        active[index], active[target] = active[target], active[index]
        _renumber(active + [other for other in items if other.dropped])
        audit.record(actor, plan, AuditAction.UPDATE, field="items", old=item.title, new=direction)
    return next(other for other in items if other.pk == item.pk)


@transaction.atomic
def reorder_items(actor: User, plan: DayPlan, item_ids: Sequence[int], now: datetime) -> DayPlan:
    """Put the listed items first, in that order; the other items keep their order after them."""
    plan = _locked_plan(actor, plan, now)
    items = _items(plan)
    active = {item.pk: item for item in items if not item.dropped}
    if len(set(item_ids)) != len(item_ids):
        raise refuse(_("Each item may be listed once."), "item_ids")
    if any(pk not in active for pk in item_ids):
        raise refuse(_("List only items of this plan that are not dropped."), "item_ids")
    listed = [active[pk] for pk in item_ids]
    rest = [item for item in items if item.pk not in set(item_ids)]
    _renumber(listed + rest)
    audit.record(actor, plan, AuditAction.UPDATE, field="items", new=",".join(str(pk) for pk in item_ids)[:200])
    return plan


@transaction.atomic
def add_item(actor: User, plan: DayPlan, title: str, now: datetime, customer_id: int | None = None) -> PlanItem:
    """The rep's own item, placed last; it stays through every refresh."""
    plan = _locked_plan(actor, plan, now)
    title = title.strip()
    if not title:
        raise refuse(_("Enter what you plan to do."), "title")
    if len(title) > TITLE_MAX:
        raise refuse(_("Keep it under %(count)d characters.") % {"count": TITLE_MAX}, "title")
    if customer_id is not None and not visible_customers(actor).filter(pk=customer_id).exists():
        raise refuse(_("Choose a customer you can see."), "customer_id")
    items = _items(plan)
    if len(items) >= MAX_ITEMS:
        raise refuse(_("A plan holds at most %(count)d items.") % {"count": MAX_ITEMS})
    item = PlanItem(
        organization_id=plan.organization_id, plan=plan, source=MANUAL, title=title, customer_id=customer_id
    )
    item.save()
    _renumber([*items, item])
    audit.record(actor, item, AuditAction.CREATE)
    return item


@transaction.atomic
def set_item_dropped(actor: User, item: PlanItem, dropped: bool, now: datetime) -> PlanItem:
    """Drop an item from the plan (it stays dropped through refreshes), or restore it to the end."""
    item = get_item_for_user(actor, item.pk, write=True)
    plan = _locked_plan(actor, item.plan, now)
    items = _items(plan)
    item = next(other for other in items if other.pk == item.pk)
    if item.dropped == dropped:
        return item
    before = audit.snapshot(item, ["dropped"])
    item.dropped = dropped
    item.save(update_fields=["dropped"])
    rest = [other for other in items if other.pk != item.pk]
    # A restored item comes back last; a dropped one joins the dropped at the end.
    _renumber([*rest, item])
    audit.record_changes(actor, item, before)
    return item


@transaction.atomic
def accept_plan(actor: User, plan: DayPlan, now: datetime) -> DayPlan:
    """Accept the plan: it becomes the agenda of its day on the home page."""
    plan = _locked_plan(actor, plan, now)
    if plan.status == PlanStatus.ACCEPTED:
        return plan
    if not PlanItem.objects.filter(plan_id=plan.pk, dropped=False).exists():
        raise refuse(_("Add at least one item before accepting the plan."))
    before = audit.snapshot(plan, ["status"])
    plan.status = PlanStatus.ACCEPTED
    plan.accepted_at = now
    plan.save(update_fields=["status", "accepted_at"])
    audit.record_changes(actor, plan, before)
    return plan


@transaction.atomic
def set_item_done(actor: User, item: PlanItem, done: bool, now: datetime) -> PlanItem:
    """Tick an agenda item done (or not done again); allowed on past days too."""
    item = get_item_for_user(actor, item.pk, write=True)
    _locked_plan(actor, item.plan, now, editing=False)
    item = PlanItem.objects.get(pk=item.pk)
    if (item.done_at is not None) == done:
        return item
    if done and item.dropped:
        raise refuse(_("Restore the item before ticking it off."))
    item.done_at = now if done else None
    item.save(update_fields=["done_at"])
    audit.record(actor, item, AuditAction.UPDATE, field="done_at", new=now.isoformat() if done else "")
    return item


# --- by day: what the page and the API post ---------------------------------------------------------


@transaction.atomic
def accept_day(actor: User, day: date, now: datetime) -> DayPlan:
    """Accept `actor`'s plan of `day`, drafting it first when there is none; a refusal leaves no draft."""
    plan = DayPlan.objects.filter(user_id=actor.pk, day=day).first() or refresh_plan(actor, day, now)
    return accept_plan(actor, plan, now)


@transaction.atomic
def add_item_to_day(actor: User, day: date, title: str, now: datetime, customer_id: int | None = None) -> PlanItem:
    """Add the rep's own item to their plan of `day`, drafting it first when there is none."""
    check_plan_day(day, now)
    plan = DayPlan.objects.filter(user_id=actor.pk, day=day).first() or refresh_plan(actor, day, now)
    return add_item(actor, plan, title, now, customer_id=customer_id)
