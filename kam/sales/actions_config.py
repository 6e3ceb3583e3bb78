"""Writes of the sales settings (管理 → 销售设置): business lines, stages, stage gates, close
reasons, product lines. Administrators only; every write leaves audit rows in its transaction.

Rules kept here (the forms check the same for friendly messages, these are the guarantee):
- exactly one default business line, and it stays active;
- a default 赢单率 within 0–100; a gate's minimum score 1 or 2;
- an active line keeps at least one active stage;
- a stage that deals use (their current stage or their history) is deactivated, never deleted;
- names unique where the tables say so (refused on the field, not as a database error).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.admin_actions import require_admin
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.sales.models import (
    BusinessLine,
    CloseReason,
    MeddpiccElement,
    Opportunity,
    ProductLine,
    Stage,
    StageChange,
    StageGate,
)

LINE_FIELDS = ("name", "active")
STAGE_FIELDS = ("name", "default_probability", "exit_criteria", "active")
REASON_FIELDS = ("label", "active")
PRODUCT_FIELDS = ("name", "active")

_M = TypeVar("_M", bound=models.Model)


def _changed(obj: models.Model, data: dict[str, Any], fields: Sequence[str]) -> list[str]:
    return [name for name in fields if name in data and getattr(obj, name) != data[name]]


def _save(actor: User, obj: models.Model, data: dict[str, Any], fields: Sequence[str]) -> list[str]:
    """Set the changed fields, save them alone, one audit row per field."""
    changed = _changed(obj, data, fields)
    if changed:
        before = audit.snapshot(obj, changed)
        for name in changed:
            setattr(obj, name, data[name])
        obj.save(update_fields=changed)
        audit.record_changes(actor, obj, before)
    return changed


def _unique(qs: models.QuerySet[Any], exclude_pk: int | None, field: str, message: str) -> None:
    if qs.exclude(pk=exclude_pk).exists():
        raise refuse(message, field)


def _next_position(qs: models.QuerySet[Any]) -> int:
    top = qs.aggregate(top=models.Max("position"))["top"]
    return (top or 0) + 1


# --- business lines --------------------------------------------------------------------------


def _check_line_name(actor: User, name: str, pk: int | None = None) -> None:
    same = BusinessLine.objects.filter(organization_id=actor.organization_id, name=name)
    _unique(same, pk, "name", _("A business line with this name exists already."))


@transaction.atomic
def create_business_line(actor: User, name: str) -> BusinessLine:
    """A new, active business line at the end; the organization's first becomes the default."""
    require_admin(actor)
    _check_line_name(actor, name)
    lines = BusinessLine.objects.filter(organization_id=actor.organization_id)
    line = BusinessLine.objects.create(
        organization_id=actor.organization_id,
        name=name,
        position=_next_position(lines),
        is_default=not lines.filter(is_default=True).exists(),
    )
    audit.record(actor, line, AuditAction.CREATE)
    return line


@transaction.atomic
def update_business_line(actor: User, line: BusinessLine, data: dict[str, Any]) -> BusinessLine:
    """Rename or (de)activate a line; the default line cannot be deactivated."""
    require_admin(actor)
    if "name" in data:
        _check_line_name(actor, data["name"], line.pk)
    if data.get("active") is False and line.is_default:
        raise refuse(_("The default business line stays active: make another line the default first."), "active")
    _save(actor, line, data, LINE_FIELDS)
    return line


@transaction.atomic
def make_default_line(actor: User, line: BusinessLine) -> BusinessLine:
    """Make `line` the one default business line (new deals take it); it must be active."""
    require_admin(actor)
    if not line.active:
        raise refuse(_("Activate the business line before making it the default."), "is_default")
    previous = BusinessLine.objects.select_for_update().filter(organization_id=actor.organization_id, is_default=True)
    for old in previous.exclude(pk=line.pk):
        # Unset first: the partial unique constraint allows one default at any moment.
        _save(actor, old, {"is_default": False}, ("is_default",))
    _save(actor, line, {"is_default": True}, ("is_default",))
    return line


# --- stages ----------------------------------------------------------------------------------


def _check_stage(actor: User, line: BusinessLine, data: dict[str, Any], pk: int | None = None) -> None:
    probability = data.get("default_probability")
    if probability is not None and not 0 <= probability <= 100:
        raise refuse(_("A win probability lies between 0 and 100."), "default_probability")
    if "name" in data:
        same = Stage.objects.filter(business_line=line, name=data["name"])
        _unique(same, pk, "name", _("This business line has a stage with this name already."))


@transaction.atomic
def create_stage(actor: User, line: BusinessLine, data: dict[str, Any]) -> Stage:
    """A new stage at the end of the line's pipeline."""
    require_admin(actor)
    _check_stage(actor, line, data)
    stage = Stage.objects.create(
        organization_id=actor.organization_id,
        business_line=line,
        name=data["name"],
        position=_next_position(Stage.objects.filter(business_line=line)),
        default_probability=data["default_probability"],
        exit_criteria=data.get("exit_criteria") or "",
        active=data.get("active", True),
    )
    audit.record(actor, stage, AuditAction.CREATE)
    return stage


@transaction.atomic
def update_stage(actor: User, stage: Stage, data: dict[str, Any]) -> Stage:
    """Change a stage; deactivating the last active stage of an active line is refused."""
    require_admin(actor)
    _check_stage(actor, stage.business_line, data, stage.pk)
    if data.get("active") is False and stage.active and stage.business_line.active:
        others = Stage.objects.filter(business_line_id=stage.business_line_id, active=True).exclude(pk=stage.pk)
        if not others.exists():
            raise refuse(_("An active business line needs at least one active stage."), "active")
    _save(actor, stage, data, STAGE_FIELDS)
    return stage


def stage_in_use(stage: Stage) -> bool:
    """Deals sit in the stage or passed through it (their history keeps pointing at it)."""
    return (
        Opportunity.objects.filter(stage_id=stage.pk).exists()
        or StageChange.objects.filter(models.Q(to_stage_id=stage.pk) | models.Q(from_stage_id=stage.pk)).exists()
    )


@transaction.atomic
def delete_stage(actor: User, stage: Stage) -> None:
    """Delete a stage no deal ever used (with its gates); a used stage is refused: deactivate it."""
    require_admin(actor)
    if stage_in_use(stage):
        raise refuse(_("Deals use this stage, so it cannot be deleted. Deactivate it instead."), "stage")
    if stage.active and stage.business_line.active:
        others = Stage.objects.filter(business_line_id=stage.business_line_id, active=True).exclude(pk=stage.pk)
        if not others.exists():
            raise refuse(_("An active business line needs at least one active stage."), "stage")
    for gate in StageGate.objects.filter(stage=stage):
        audit.record(actor, gate, AuditAction.PURGE)
    audit.record(actor, stage, AuditAction.PURGE)
    stage.delete()


# --- stage gates -----------------------------------------------------------------------------


@transaction.atomic
def set_gate(actor: User, stage: Stage, element: str, min_score: int) -> StageGate:
    """Require `element` ≥ `min_score` (1 or 2) to enter `stage`; an existing gate of the element changes."""
    require_admin(actor)
    if element not in MeddpiccElement.values:
        raise refuse(_("Choose a MEDDPICC element."), "element")
    if min_score not in (1, 2):
        raise refuse(_("The minimum score is 1 (identified) or 2 (validated)."), "min_score")
    gate = StageGate.objects.filter(stage=stage, element=element).first()
    if gate is None:
        gate = StageGate.objects.create(
            organization_id=actor.organization_id, stage=stage, element=element, min_score=min_score
        )
        audit.record(actor, gate, AuditAction.CREATE)
    else:
        _save(actor, gate, {"min_score": min_score}, ("min_score",))
    return gate


@transaction.atomic
def delete_gate(actor: User, gate: StageGate) -> None:
    """Remove a gate: deals enter the stage without that check from now on."""
    require_admin(actor)
    audit.record(actor, gate, AuditAction.PURGE)
    gate.delete()


# --- close reasons and product lines ---------------------------------------------------------


@transaction.atomic
def create_close_reason(actor: User, outcome: str, label: str) -> CloseReason:
    """A new reason code at the end of one outcome's list."""
    require_admin(actor)
    same = CloseReason.objects.filter(organization_id=actor.organization_id, outcome=outcome)
    _unique(same.filter(label=label), None, "label", _("This outcome has this reason already."))
    reason = CloseReason.objects.create(
        organization_id=actor.organization_id, outcome=outcome, label=label, position=_next_position(same)
    )
    audit.record(actor, reason, AuditAction.CREATE)
    return reason


@transaction.atomic
def update_close_reason(actor: User, reason: CloseReason, data: dict[str, Any]) -> CloseReason:
    """Relabel or (de)activate a reason; closed deals keep the reason they were given."""
    require_admin(actor)
    if "label" in data:
        same = CloseReason.objects.filter(
            organization_id=actor.organization_id, outcome=reason.outcome, label=data["label"]
        )
        _unique(same, reason.pk, "label", _("This outcome has this reason already."))
    _save(actor, reason, data, REASON_FIELDS)
    return reason


@transaction.atomic
def create_product_line(actor: User, name: str) -> ProductLine:
    """A new product line at the end (a new column of the whitespace grids)."""
    require_admin(actor)
    lines = ProductLine.objects.filter(organization_id=actor.organization_id)
    _unique(lines.filter(name=name), None, "name", _("A product line with this name exists already."))
    product = ProductLine.objects.create(
        organization_id=actor.organization_id, name=name, position=_next_position(lines)
    )
    audit.record(actor, product, AuditAction.CREATE)
    return product


@transaction.atomic
def update_product_line(actor: User, product: ProductLine, data: dict[str, Any]) -> ProductLine:
    """Rename or (de)activate a product line."""
    require_admin(actor)
    if "name" in data:
        same = ProductLine.objects.filter(organization_id=actor.organization_id, name=data["name"])
        _unique(same, product.pk, "name", _("A product line with this name exists already."))
    _save(actor, product, data, PRODUCT_FIELDS)
    return product


# --- order -----------------------------------------------------------------------------------


@transaction.atomic
def move(actor: User, obj: _M, siblings: models.QuerySet[_M], direction: str) -> _M:
    """Swap `obj` with its neighbour among `siblings` ("up" or "down"); positions are renumbered
    1…n in the current order first, so equal old positions still move predictably."""
    require_admin(actor)
    if direction not in ("up", "down"):
        raise refuse(_("Move up or down."), "direction")
    ordered = list(siblings.select_for_update().order_by("position", "id"))
    index = next(i for i, item in enumerate(ordered) if item.pk == obj.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if getattr(item, "position") != position:  # noqa: B009 - generic over the ordered models
            _save(actor, item, {"position": position}, ("position",))
    return next(item for item in ordered if item.pk == obj.pk)
