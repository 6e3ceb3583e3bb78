"""Builders of deals for tests of every sales concept (not a test module itself).

`make_deal` writes the rows directly (Opportunity + the owner's OpportunityMember + the first
StageChange), the way `create_opportunity` leaves them, so tests do not depend on the deal actions
and can build closed deals, past dates or many rows quickly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kam.core.models import User
from kam.customers.actions import create_customer
from kam.customers.models import Customer
from kam.sales.models import (
    BusinessLine,
    MemberAccess,
    Opportunity,
    OpportunityMember,
    OpportunityStatus,
    Stage,
    StageChange,
    TeamRole,
)
from kam.sales.setup import ensure_default_pipeline


def make_customer(owner: User, name: str, **fields: Any) -> Customer:
    """A customer owned by `owner`, created through the real action (duplicates confirmed)."""
    return create_customer(owner, {"name": name, **fields}, owner=owner, confirm_duplicates=True)


def default_line(organization: Any) -> BusinessLine:
    """The organization's default business line, creating the default pipeline when it has none."""
    return ensure_default_pipeline(organization)


def stages_of(line: BusinessLine) -> list[Stage]:
    """The line's stages in pipeline order."""
    return list(Stage.objects.filter(business_line=line).order_by("position", "id"))


def stage_at(organization: Any, position: int) -> Stage:
    """The default line's stage at `position` (1 = first)."""
    return stages_of(default_line(organization))[position - 1]


def make_deal(
    user: User,
    customer: Customer,
    stage: Stage | None = None,
    amount: Decimal | int | str = Decimal("100000"),
    status: str = OpportunityStatus.OPEN,
    *,
    name: str | None = None,
    members: tuple[tuple[User, str], ...] = (),
    **fields: Any,
) -> Opportunity:
    """A deal owned by `user` on `customer`, in `stage` (default: the first stage of the default line).

    `members` adds deal-team rows as (user, access) with role "sales" and 0 % split; the owner's row
    (role owner, write, 100 %) is always written. Closed statuses get `closed_at` (now unless given).
    Any other Opportunity field may be passed in `fields` (probability defaults to the stage's).
    """
    org = user.organization
    if stage is None:
        stage = stages_of(default_line(org))[0]
    now = timezone.now()
    closed_at = fields.pop("closed_at", None)
    if status != OpportunityStatus.OPEN and closed_at is None:
        closed_at = now
    values: dict[str, Any] = {
        "expected_close_date": timezone.localdate() + timedelta(days=30),
        "probability": stage.default_probability,
        "stage_entered_at": now,
        "last_activity_at": now,
        "created_by": user,
    }
    values.update(fields)
    deal = Opportunity.objects.create(
        organization_id=user.organization_id,
        customer=customer,
        name=name or f"{customer.name}项目",
        amount=Decimal(str(amount)),
        business_line_id=stage.business_line_id,
        stage=stage,
        owner=user,
        status=status,
        closed_at=closed_at,
        **values,
    )
    OpportunityMember.objects.create(
        organization_id=deal.organization_id,
        opportunity=deal,
        user=user,
        role=TeamRole.OWNER,
        access=MemberAccess.WRITE,
        split_percent=Decimal("100"),
    )
    for member, access in members:
        add_member(deal, member, access=access)
    StageChange.objects.create(
        organization_id=deal.organization_id,
        opportunity=deal,
        from_stage=None,
        to_stage=stage,
        to_status=OpportunityStatus.OPEN,
        at=values["stage_entered_at"],
        actor=user,
    )
    return deal


def add_member(
    deal: Opportunity,
    user: User,
    *,
    access: str = MemberAccess.READ,
    role: str = TeamRole.SALES,
    split_percent: Decimal | int = 0,
) -> OpportunityMember:
    """A deal-team row written directly (no split-sum check, no notification)."""
    return OpportunityMember.objects.create(
        organization_id=deal.organization_id,
        opportunity=deal,
        user=user,
        role=role,
        access=access,
        split_percent=Decimal(split_percent),
    )


def aware(year: int, month: int, day: int, hour: int = 9) -> datetime:
    """An aware moment on the Asia/Shanghai wall clock (for stage_entered_at, closed_at …)."""
    return datetime(year, month, day, hour, tzinfo=timezone.get_default_timezone())


def deals_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of the sales app plus audit and notifications, to compare before and after a refusal."""
    from django.apps import apps

    from kam.core.models import AuditEntry, Notification

    models = [*apps.get_app_config("sales").get_models(), AuditEntry, Notification]
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in models}
