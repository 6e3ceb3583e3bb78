"""What happens to account plans when two customers merge (a merge hook of kam.customers.actions.merge).

- Only the duplicate has a plan: the plan moves to the survivor as it is.
- Both have one: the survivor's plan takes the duplicate's team members, key players, objectives (with
  their actions), business units (with their cells) and reviews; a key player or team member the
  survivor's plan has already stays once, a business unit whose name is taken gets a numbered suffix.
  Blank Gold Sheet fields of the survivor's plan take the duplicate's values. The duplicate's plan is
  then deleted. Every step is audited on the survivor's plan.

Runs inside merge_customers' transaction, after the contacts moved to the survivor.
"""

from __future__ import annotations

from django.db.models import F

from kam.core import audit
from kam.core.models import AuditAction, User
from kam.customers.models import Customer
from kam.planning.models.account_plans import AccountPlan, BusinessUnit, WhitespaceCell
from kam.planning.queries_account_plans import PLAN_FIELDS

NAME_MAX = 100


def _free_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)` … the first one not taken, within the column's length."""
    if name not in taken:
        return name
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = name[: NAME_MAX - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _move_business_units(source: AccountPlan, target: AccountPlan) -> None:
    taken = set(target.business_units.values_list("name", flat=True))
    for unit in source.business_units.order_by("position", "pk"):
        name = _free_name(unit.name, taken)
        taken.add(name)
        BusinessUnit.objects.filter(pk=unit.pk).update(plan=target, name=name)
    WhitespaceCell.objects.filter(plan=source).update(plan=target)


def _fill_blanks(actor: User, source: AccountPlan, target: AccountPlan) -> None:
    before = audit.snapshot(target, PLAN_FIELDS)
    filled = [
        name for name in PLAN_FIELDS if getattr(target, name) in (None, "") and getattr(source, name) not in (None, "")
    ]
    for name in filled:
        setattr(target, name, getattr(source, name))
    last = max((day for day in (target.last_reviewed_on, source.last_reviewed_on) if day is not None), default=None)
    target.last_reviewed_on = last
    target.version = F("version") + 1  # type: ignore[assignment]
    target.save(update_fields=[*filled, "last_reviewed_on", "version", "updated_at"])
    target.refresh_from_db(fields=[*PLAN_FIELDS, "version"])
    audit.record_changes(actor, target, before)


def _combine(actor: User, source: AccountPlan, target: AccountPlan) -> None:
    players = set(target.key_players.values_list("contact_id", flat=True))
    source.key_players.exclude(contact_id__in=players).update(plan=target)
    members = set(target.team.values_list("user_id", flat=True))
    source.team.exclude(user_id__in=members).update(plan=target)
    source.objectives.update(plan=target)
    source.reviews.update(plan=target)
    _move_business_units(source, target)
    _fill_blanks(actor, source, target)
    audit.record(actor, target, AuditAction.MERGE, field="merged", old=f"{source.customer.name} (#{source.pk})")
    audit.record(actor, source, AuditAction.MERGE, field="merged_into", new=f"{target.customer.name} (#{target.pk})")
    source.delete()


def merge_account_plans(actor: User, survivor: Customer, duplicate: Customer) -> None:
    """Move the duplicate's plan (or its content) to the survivor; see the module docstring."""
    source = AccountPlan.objects.select_related("customer").filter(customer_id=duplicate.pk).first()
    if source is None:
        return
    target = AccountPlan.objects.select_for_update().filter(customer_id=survivor.pk).first()
    if target is None:
        AccountPlan.objects.filter(pk=source.pk).update(customer=survivor)
        source.customer = survivor
        audit.record(actor, source, AuditAction.MERGE, field="customer", old=duplicate.name, new=survivor.name)
        return
    target.customer = survivor
    _combine(actor, source, target)
