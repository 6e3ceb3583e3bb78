"""Reads of the sales settings for the admin console: everything of one organization, with the
counts that decide what may be deleted. Another organization's rows answer 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from kam.core.models import User
from kam.core.queries import get_or_404
from kam.sales.models import BusinessLine, CloseOutcome, CloseReason, ProductLine, Stage, StageGate
from kam.sales.setup import ensure_default_pipeline


@dataclass(frozen=True)
class ReasonGroup:
    outcome: str
    label: str
    reasons: list[CloseReason]


@dataclass(frozen=True)
class SalesSettings:
    lines: list[BusinessLine]  # each with .stages (in order), each stage with .gates
    reason_groups: list[ReasonGroup]
    products: list[ProductLine]


def sales_settings(user: User) -> SalesSettings:
    """Every business line (active or not) with its stages and gates, the reason lists per
    outcome and the product lines: five queries whatever the size. Creates the starting
    configuration when the organization has none."""
    ensure_default_pipeline(user.organization)
    stages = Stage.objects.order_by("position", "id").prefetch_related(
        Prefetch("gates", queryset=StageGate.objects.order_by("element"))
    )
    lines = list(
        BusinessLine.objects.filter(organization_id=user.organization_id)
        .order_by("position", "id")
        .prefetch_related(Prefetch("stages", queryset=stages))
    )
    reasons = list(CloseReason.objects.filter(organization_id=user.organization_id).order_by("position", "id"))
    groups = [
        ReasonGroup(outcome, str(label), [r for r in reasons if r.outcome == outcome])
        for outcome, label in CloseOutcome.choices
    ]
    products = list(ProductLine.objects.filter(organization_id=user.organization_id).order_by("position", "id"))
    return SalesSettings(lines, groups, products)


def get_line_for_admin(user: User, pk: Any) -> BusinessLine:
    return get_or_404(BusinessLine.objects.filter(organization_id=user.organization_id), pk)


def get_stage_for_admin(user: User, pk: Any) -> Stage:
    return get_or_404(Stage.objects.filter(organization_id=user.organization_id).select_related("business_line"), pk)


def get_gate_for_admin(user: User, pk: Any) -> StageGate:
    return get_or_404(StageGate.objects.filter(organization_id=user.organization_id).select_related("stage"), pk)


def get_reason_for_admin(user: User, pk: Any) -> CloseReason:
    return get_or_404(CloseReason.objects.filter(organization_id=user.organization_id), pk)


def get_product_for_admin(user: User, pk: Any) -> ProductLine:
    return get_or_404(ProductLine.objects.filter(organization_id=user.organization_id), pk)


def line_siblings(user: User) -> QuerySet[BusinessLine]:
    return BusinessLine.objects.filter(organization_id=user.organization_id)


def stage_siblings(stage: Stage) -> QuerySet[Stage]:
    return Stage.objects.filter(business_line_id=stage.business_line_id)


def reason_siblings(reason: CloseReason) -> QuerySet[CloseReason]:
    return CloseReason.objects.filter(organization_id=reason.organization_id, outcome=reason.outcome)


def product_siblings(user: User) -> QuerySet[ProductLine]:
    return ProductLine.objects.filter(organization_id=user.organization_id)
