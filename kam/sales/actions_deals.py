"""Writes to one deal (商机): create, change, move between stages, close, reopen, touch.

Every write runs in one transaction with its audit rows; moves and closings also write a StageChange.
Stage moves, closing and reopening live in actions_deal_stages and are re-exported here, so callers
import every deal action from this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.core.money import MAX_AMOUNT
from kam.customers.models import Customer
from kam.customers.queries import customer_access
from kam.sales.actions_deal_stages import close_opportunity, move_stage, reopen_opportunity
from kam.sales.deal_writes import (
    AUDITED_FIELDS,
    check_stage_of_line,
    locked_deal,
    probability_for,
    record_stage_change,
    save_with_version,
)
from kam.sales.gates import GateFailed, gates_of, shortfalls_for
from kam.sales.models import (
    BusinessLine,
    DealSource,
    ForecastCategory,
    MemberAccess,
    Opportunity,
    OpportunityMember,
    Stage,
    TeamRole,
)
from kam.sales.notify_deals import notify_owner_assigned
from kam.sales.queries import may_manage_deal_team
from kam.sales.queries_deals import possible_owners
from kam.sales.setup import ensure_default_pipeline

__all__ = [
    "DEAL_FIELDS",
    "close_opportunity",
    "create_opportunity",
    "move_stage",
    "reopen_opportunity",
    "touch_activity",
    "update_opportunity",
]

# What create/update accept; stage moves and closing have their own actions.
DEAL_FIELDS = [
    "name",
    "amount",
    "expected_close_date",
    "business_line",
    "stage",
    "probability",
    "probability_reason",
    "forecast_category",
    "source",
    "products_of_interest",
    "objective",
    "next_step",
    "next_step_date",
    "owner",
]
TEXT_LIMITS = {"name": 200, "products_of_interest": 300, "objective": 300, "next_step": 200}
# "Closed" follows from closing; an open deal is forecast in one of these (omitted: left out).
OPEN_FORECASTS = [
    ForecastCategory.PIPELINE,
    ForecastCategory.BEST_CASE,
    ForecastCategory.COMMIT,
    ForecastCategory.OMITTED,
]


def _text(data: dict[str, Any], name: str) -> None:
    value = " ".join(str(data[name] or "").split())
    if len(value) > TEXT_LIMITS[name]:
        raise refuse(_("At most %(limit)d characters.") % {"limit": TEXT_LIMITS[name]}, name)
    data[name] = value


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """The known fields of `values`, checked one by one (the rules the API and the pages share)."""
    data = {name: values[name] for name in DEAL_FIELDS if name in values}
    for name in TEXT_LIMITS:
        if name in data:
            _text(data, name)
    if "name" in data and not data["name"]:
        raise refuse(_("Enter the deal's name."), "name")
    if "amount" in data:
        amount = data["amount"] if data["amount"] is not None else Decimal(0)
        if not isinstance(amount, Decimal | int) or amount < 0:
            raise refuse(_("Enter an amount of 0 or more yuan."), "amount")
        if amount > MAX_AMOUNT:
            raise refuse(_("Enter at most %(max)s yuan.") % {"max": f"{MAX_AMOUNT:,}"}, "amount")
        data["amount"] = Decimal(amount)
    for name in ("expected_close_date", "next_step_date"):
        day = data.get(name)
        if day is not None and (not isinstance(day, date) or not 2000 <= day.year <= 2100):
            raise refuse(_("Choose a date between 2000 and 2100."), name)
    if "expected_close_date" in data and data["expected_close_date"] is None:
        raise refuse(_("Enter the expected close date."), "expected_close_date")
    if data.get("forecast_category") not in (None, *OPEN_FORECASTS):
        raise refuse(_("Choose pipeline, best case, commit or omitted."), "forecast_category")
    if data.get("source") not in (None, "", *DealSource.values):
        raise refuse(_("Choose a source from the list."), "source")
    return data


def _check_owner(actor: User, customer: Customer, owner: User) -> None:
    if not possible_owners(actor, customer).filter(pk=owner.pk).exists():
        raise refuse(
            _("Choose the customer's owner, a write collaborator, yourself or a manager above the owner."), "owner"
        )


def _check_customer(actor: User, customer: Customer) -> None:
    if customer.organization_id != actor.organization_id or customer.is_deleted:
        raise refuse(_("Choose a customer you can edit."), "customer")
    if customer.owner_id is None:
        raise refuse(_("Claim this customer from the pool before opening a deal for it."), "customer")
    if not customer_access(actor, customer).write:
        raise refuse(_("Choose a customer you can edit."), "customer")


def _line_and_stage(actor: User, data: dict[str, Any]) -> tuple[BusinessLine, Stage]:
    """The business line (default: the organization's default) and its stage (default: its first)."""
    default = ensure_default_pipeline(actor.organization)
    line = data.get("business_line") or default
    if line.organization_id != actor.organization_id or not line.active:
        raise refuse(_("Choose an active business line."), "business_line")
    stage = data.get("stage")
    if stage is None:
        stage = Stage.objects.filter(business_line=line, active=True).order_by("position", "id").first()
        if stage is None:
            raise refuse(_("This business line has no active stage; ask an admin to add one."), "business_line")
    return line, check_stage_of_line(line.pk, stage)


@transaction.atomic
def create_opportunity(actor: User, customer: Customer, data: Mapping[str, Any]) -> Opportunity:
    """A new open deal of `customer`, with the owner's deal-team row (owner, write, 100 %) and its first
    StageChange. Defaults: the default business line, its first active stage, the stage's probability,
    the actor as owner. A new deal may not start in a gated stage (it has no qualification yet)."""
    values = _clean(data)
    if not values.get("name"):
        raise refuse(_("Enter the deal's name."), "name")
    if values.get("expected_close_date") is None:
        raise refuse(_("Enter the expected close date."), "expected_close_date")
    _check_customer(actor, customer)
    line, stage = _line_and_stage(actor, values)
    shortfalls = shortfalls_for(gates_of(stage), {})
    if shortfalls:
        raise GateFailed(shortfalls)
    owner = values.get("owner") or actor
    _check_owner(actor, customer, owner)
    probability, reason = probability_for(stage, values.get("probability"), values.get("probability_reason", ""))
    now = timezone.now()
    deal = Opportunity.objects.create(
        organization_id=customer.organization_id,
        customer=customer,
        name=values["name"],
        amount=values.get("amount", Decimal(0)),
        expected_close_date=values["expected_close_date"],
        business_line=line,
        stage=stage,
        stage_entered_at=now,
        probability=probability,
        probability_reason=reason,
        forecast_category=values.get("forecast_category") or ForecastCategory.PIPELINE,
        source=values.get("source") or "",
        products_of_interest=values.get("products_of_interest", ""),
        objective=values.get("objective", ""),
        owner=owner,
        next_step=values.get("next_step", ""),
        next_step_date=values.get("next_step_date"),
        last_activity_at=now,
        created_by=actor,
    )
    OpportunityMember.objects.create(
        organization_id=deal.organization_id,
        opportunity=deal,
        user=owner,
        role=TeamRole.OWNER,
        access=MemberAccess.WRITE,
        split_percent=Decimal(100),
    )
    record_stage_change(actor, deal, from_stage=None, from_status="", at=now)
    audit.record(actor, deal, AuditAction.CREATE)
    notify_owner_assigned(actor, deal)
    return deal


def _move_owner_row(deal: Opportunity, new_owner: User) -> None:
    """The owner's deal-team row follows the owner; a row the new owner had merges into it (splits add up)."""
    row = OpportunityMember.objects.select_for_update().filter(opportunity=deal, role=TeamRole.OWNER).first()
    existing = OpportunityMember.objects.filter(opportunity=deal, user=new_owner).exclude(role=TeamRole.OWNER).first()
    extra = Decimal(0)
    if existing is not None:
        extra = existing.split_percent
        existing.delete()
    if row is None:
        OpportunityMember.objects.create(
            organization_id=deal.organization_id,
            opportunity=deal,
            user=new_owner,
            role=TeamRole.OWNER,
            access=MemberAccess.WRITE,
            split_percent=min(extra, Decimal(100)) or Decimal(100),
        )
        return
    row.user = new_owner
    row.access = MemberAccess.WRITE
    row.split_percent = min(row.split_percent + extra, Decimal(100))
    row.save(update_fields=["user", "access", "split_percent"])


def _apply_probability(deal: Opportunity, values: dict[str, Any], changed: list[str]) -> None:
    if "probability" not in values and "probability_reason" not in values:
        return
    if not deal.is_open:
        if values.get("probability", deal.probability) != deal.probability:
            raise refuse(_("A closed deal keeps the probability of its outcome; reopen it first."), "probability")
        return
    probability = values.get("probability", deal.probability)
    reason = values.get("probability_reason", deal.probability_reason)
    deal.probability, deal.probability_reason = probability_for(deal.stage, probability, reason)
    changed += ["probability", "probability_reason"]


@transaction.atomic
def update_opportunity(
    actor: User, deal: Opportunity, data: Mapping[str, Any], *, expected_version: int | None = None
) -> Opportunity:
    """Change some fields of a deal (one audit row per changed field, version bumped).

    The stage changes only through move_stage, the business line not at all; a new owner takes
    over the owner's deal-team row.
    """
    deal = locked_deal(actor, deal, expected_version)
    values = _clean(data)
    if "stage" in values and values["stage"] != deal.stage:
        raise refuse(_("Move the deal to another stage with the stage control."), "stage")
    if "business_line" in values and values["business_line"] != deal.business_line:
        raise refuse(_("A deal stays in its business line; close it and open a new one instead."), "business_line")
    if not deal.is_open and values.get("forecast_category") not in (None, deal.forecast_category):
        raise refuse(_("A closed deal keeps the forecast category of its outcome."), "forecast_category")
    before = audit.snapshot(deal, AUDITED_FIELDS)
    changed: list[str] = []
    new_owner = values.pop("owner", None)
    if new_owner is not None and new_owner != deal.owner:
        if not may_manage_deal_team(actor, deal):
            raise refuse(
                _("Only the deal's owner, the managers above them or an admin may hand the deal over."), "owner"
            )
        _check_owner(actor, deal.customer, new_owner)
        _move_owner_row(deal, new_owner)
        deal.owner = new_owner
        changed.append("owner")
    _apply_probability(deal, values, changed)
    for name in ("name", "amount", "expected_close_date", "forecast_category", "source", "products_of_interest"):
        if name in values and values[name] is not None and getattr(deal, name) != values[name]:
            setattr(deal, name, values[name])
            changed.append(name)
    for name in ("objective", "next_step", "next_step_date"):
        if name in values and getattr(deal, name) != values[name]:
            setattr(deal, name, values[name])
            changed.append(name)
    if not changed:
        return deal
    save_with_version(deal, changed)
    audit.record_changes(actor, deal, before)
    if "owner" in changed:
        notify_owner_assigned(actor, deal)
    return deal


def touch_activity(deal_id: int, at: datetime) -> None:
    """A follow-up about the deal happened at `at`: move `last_activity_at` forward (never back)."""
    Opportunity.objects.filter(pk=deal_id, last_activity_at__lt=at).update(last_activity_at=at)
