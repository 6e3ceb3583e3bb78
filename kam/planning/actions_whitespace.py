"""Writes to the whitespace grid of an account plan: business units (its rows) and cells. Each one audited.

A cell's status and the holder of its spend must agree; the rules, refused as field errors:

- holder "competitor" exactly when a competitor is named (the database checks it too);
- an owned cell's spend goes to us (a blank holder is read as us);
- spend goes to us only in an owned cell;
- a not-eligible cell buys from no one (holder unspent or blank), so it never adds to our revenue.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.core.money import MAX_AMOUNT
from kam.market.models import Competitor
from kam.planning.actions_account_plans import writable_plan
from kam.planning.models.account_plans import AccountPlan, BusinessUnit, CellStatus, SpendHolder, WhitespaceCell
from kam.sales.models import ProductLine

CELL_FIELDS = ["status", "annual_spend", "holder", "competitor", "notes"]
MAX_SPEND = MAX_AMOUNT
MAX_POSITION = 32767


# --- business units ---------------------------------------------------------------------------


def _unit_name(plan: AccountPlan, name: str, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise refuse(_("Enter the business unit's name."), "name")
    clashes = plan.business_units.filter(name=name)
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    if clashes.exists():
        raise refuse(_("This plan has a business unit of this name already."), "name")
    return name


def _position(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_POSITION:
        raise refuse(_("Enter a whole number from 0 to 32767."), "position")
    return value


@transaction.atomic
def create_business_unit(actor: User, plan: AccountPlan, name: str, position: int | None = None) -> BusinessUnit:
    """A new row of the grid (事业部, 子公司, 工厂); placed last unless a position is given."""
    plan = writable_plan(actor, plan)
    name = _unit_name(plan, name)
    if position is None:
        last = plan.business_units.aggregate(last=Max("position"))["last"]
        position = min((last or 0) + 1, MAX_POSITION) if last is not None else 0
    unit = BusinessUnit.objects.create(
        organization_id=plan.organization_id, plan=plan, name=name, position=_position(position)
    )
    audit.record(actor, unit, AuditAction.CREATE)
    return unit


@transaction.atomic
def update_business_unit(actor: User, unit: BusinessUnit, values: Mapping[str, Any]) -> BusinessUnit:
    """Rename or move a business unit (values: name, position)."""
    plan = writable_plan(actor, unit.plan)
    data: dict[str, Any] = {}
    if "name" in values:
        data["name"] = _unit_name(plan, values["name"], exclude=unit.pk)
    if values.get("position") is not None:
        data["position"] = _position(values["position"])
    changed = [name for name, value in data.items() if getattr(unit, name) != value]
    if changed:
        before = audit.snapshot(unit, ["name", "position"])
        for name in changed:
            setattr(unit, name, data[name])
        unit.save(update_fields=changed)
        audit.record_changes(actor, unit, before)
    return unit


@transaction.atomic
def delete_business_unit(actor: User, unit: BusinessUnit) -> None:
    """Remove a row of the grid with its cells."""
    writable_plan(actor, unit.plan)
    audit.record(actor, unit, AuditAction.DELETE, old=audit.in_default_language(unit))
    unit.delete()


# --- cells ------------------------------------------------------------------------------------


def _cell_values(plan: AccountPlan, values: Mapping[str, Any]) -> dict[str, Any]:
    """The cell's values checked against each other (see the module docstring)."""
    status = values.get("status") or CellStatus.GAP
    if status not in CellStatus.values:
        raise refuse(_("Choose a status."), "status")
    spend = values.get("annual_spend")
    if spend is not None and not (isinstance(spend, Decimal) and spend.is_finite() and 0 <= spend <= MAX_SPEND):
        raise refuse(_("Enter an amount of 0 or more."), "annual_spend")
    holder = values.get("holder") or ""
    if holder and holder not in SpendHolder.values:
        raise refuse(_("Choose who gets the spend."), "holder")
    competitor: Competitor | None = values.get("competitor")
    if competitor is not None and competitor.organization_id != plan.organization_id:
        raise refuse(_("Choose a competitor from the competitor list."), "competitor")
    if holder == SpendHolder.COMPETITOR and competitor is None:
        raise refuse(_("Name the competitor who gets this spend."), "competitor")
    if holder != SpendHolder.COMPETITOR and competitor is not None:
        raise refuse(_("Name a competitor only when the spend goes to a competitor."), "competitor")
    if status == CellStatus.OWNED:
        if holder not in ("", SpendHolder.US):
            raise refuse(_("The spend of an owned cell goes to us."), "holder")
        holder = SpendHolder.US
    elif holder == SpendHolder.US:
        raise refuse(_("Spend goes to us only in an owned cell."), "holder")
    if status == CellStatus.NOT_ELIGIBLE and holder == SpendHolder.COMPETITOR:
        raise refuse(_("A business unit that is not eligible buys this line from no one."), "holder")
    notes = " ".join(str(values.get("notes") or "").split())[:200]
    return {"status": status, "annual_spend": spend, "holder": holder, "competitor": competitor, "notes": notes}


@transaction.atomic
def set_cell(
    actor: User, plan: AccountPlan, unit: BusinessUnit, line: ProductLine, values: Mapping[str, Any]
) -> WhitespaceCell:
    """Record where we stand in one business unit × product line; audited per field."""
    plan = writable_plan(actor, plan)
    if unit.plan_id != plan.pk:
        raise refuse(_("Choose a business unit of this plan."), "business_unit")
    if line.organization_id != plan.organization_id or not line.active:
        raise refuse(_("Choose an active product line."), "product_line")
    data = _cell_values(plan, values)
    cell = (
        WhitespaceCell.objects.select_for_update(of=("self",))
        .select_related("competitor")
        .filter(business_unit_id=unit.pk, product_line_id=line.pk)
        .first()
    )
    if cell is None:
        cell = WhitespaceCell.objects.create(
            organization_id=plan.organization_id, plan=plan, business_unit=unit, product_line=line, **data
        )
        audit.record(actor, cell, AuditAction.CREATE)
        return cell
    changed = [name for name, value in data.items() if getattr(cell, name) != value]
    if changed:
        before = audit.snapshot(cell, CELL_FIELDS)
        for name in changed:
            setattr(cell, name, data[name])
        cell.save(update_fields=changed)
        audit.record_changes(actor, cell, before)
    return cell
