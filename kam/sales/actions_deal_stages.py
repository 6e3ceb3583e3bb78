"""Moving a deal through its pipeline: stage moves (with stage gates), closing and reopening.

Import these from kam.sales.actions_deals. Each writes a StageChange, the audit rows and bumps the version.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import User
from kam.core.money import MAX_AMOUNT
from kam.customers.actions import mark_won
from kam.customers.models import Customer
from kam.market.models import Competitor
from kam.sales.deal_writes import (
    AUDITED_FIELDS,
    check_stage_of_line,
    is_forward,
    locked_deal,
    record_stage_change,
    save_with_version,
)
from kam.sales.gates import GateFailed, check_gate, describe_all, element_label, scores_of
from kam.sales.models import (
    CloseOutcome,
    CloseReason,
    ForecastCategory,
    MeddpiccElement,
    Opportunity,
    OpportunityStatus,
    Stage,
)
from kam.sales.notify_deals import notify_closed, notify_owner_moved
from kam.sales.queries import may_override_gate

MOVE_FIELDS = ["stage", "stage_entered_at", "probability"]
CLOSE_FIELDS = [
    "status",
    "closed_at",
    "close_reason",
    "won_by",
    "close_notes",
    "price_gap",
    "forecast_category",
    "probability",
    "probability_reason",
    "qualification_snapshot",
]
MAX_PRICE_GAP = MAX_AMOUNT


def _gate_or_override(actor: User, deal: Opportunity, stage: Stage, override_reason: str) -> str:
    """The missing elements ("" when the gate passes); GateFailed unless an allowed override has a reason."""
    shortfalls = check_gate(deal, stage)
    if not shortfalls:
        return ""
    if not override_reason:
        raise GateFailed(shortfalls)
    if not may_override_gate(actor, deal):
        message = _("Only a manager above the deal's owner or an admin may override a stage gate.")
        raise GateFailed(shortfalls, extra={"override_reason": [message]})
    # Stored like audit history: in the default language, whatever the manager browses in.
    with translation.override(settings.LANGUAGE_CODE):
        return describe_all(replace(s, label=element_label(s.element)) for s in shortfalls)


@transaction.atomic
def move_stage(actor: User, deal: Opportunity, stage: Stage, *, override_reason: str = "") -> Opportunity:
    """Move an open deal to another stage of its business line.

    Forward moves check the target's gates; a failure raises GateFailed naming the missing elements,
    unless a manager above the owner (or an admin) gives `override_reason`, which is recorded.
    Backward moves are never gated. The probability follows the stage default unless the rep had
    overridden it with a reason.
    """
    deal = locked_deal(actor, deal)
    if not deal.is_open:
        raise refuse(_("This deal is closed; reopen it before moving it."), "stage")
    stage = check_stage_of_line(deal.business_line_id, stage)
    if stage.pk == deal.stage_id:
        return deal
    override_reason = " ".join((override_reason or "").split())[:300]
    missing = _gate_or_override(actor, deal, stage, override_reason) if is_forward(deal.stage, stage) else ""
    before = audit.snapshot(deal, AUDITED_FIELDS)
    previous = deal.stage
    now = timezone.now()
    deal.stage = stage
    deal.stage_entered_at = now
    if not deal.probability_reason:
        deal.probability = stage.default_probability
    save_with_version(deal, MOVE_FIELDS)
    record_stage_change(
        actor,
        deal,
        from_stage=previous,
        from_status=OpportunityStatus.OPEN,
        at=now,
        gate_override=bool(missing),
        missing=missing,
        override_reason=override_reason if missing else "",
    )
    audit.record_changes(actor, deal, before)
    notify_owner_moved(actor, deal, override_reason if missing else "")
    return deal


def _check_close_input(
    deal: Opportunity, outcome: str, reason: CloseReason | None, won_by: Competitor | None, price_gap: Decimal | None
) -> None:
    if outcome not in CloseOutcome.values:
        raise refuse(_("Choose won, lost or invalid."), "outcome")
    if reason is None or reason.organization_id != deal.organization_id or not reason.active:
        raise refuse(_("Choose a reason from the list."), "reason")
    if reason.outcome != outcome:
        raise refuse(_("This reason belongs to another outcome."), "reason")
    if won_by is not None:
        if outcome != CloseOutcome.LOST:
            raise refuse(_("Only a lost deal has a winning competitor."), "won_by")
        if won_by.organization_id != deal.organization_id:
            raise refuse(_("Choose a competitor from the list."), "won_by")
    if price_gap is not None and abs(price_gap) > MAX_PRICE_GAP:
        raise refuse(_("Enter a price gap in yuan."), "price_gap")


def _snapshot_scores(deal: Opportunity) -> dict[str, int]:
    scores = scores_of(deal)
    return {element: scores.get(element, 0) for element in MeddpiccElement.values}


def _customer_won(actor: User, customer: Customer) -> None:
    """The first won deal makes the customer a 合作中 customer (audited on the customer)."""
    if customer.won_at is not None:
        return
    before = audit.snapshot(customer, ["status", "won_at"])
    mark_won(actor, customer)
    customer.refresh_from_db(fields=["status", "won_at"])
    audit.record_changes(actor, customer, before)


@transaction.atomic
def close_opportunity(
    actor: User,
    deal: Opportunity,
    outcome: str,
    *,
    reason: CloseReason | None,
    won_by: Competitor | None = None,
    notes: str = "",
    price_gap: Decimal | None = None,
) -> Opportunity:
    """赢单 / 输单 / 无效 with a reason code of that outcome; the winning competitor only when lost.

    Keeps the MEDDPICC scores as they were (qualification_snapshot); a win makes the customer 合作中.
    """
    deal = locked_deal(actor, deal)
    if not deal.is_open:
        raise refuse(_("This deal is closed already."), "outcome")
    _check_close_input(deal, outcome, reason, won_by, price_gap)
    before = audit.snapshot(deal, AUDITED_FIELDS)
    now = timezone.now()
    won = outcome == CloseOutcome.WON
    deal.status = outcome
    deal.closed_at = now
    deal.close_reason = reason
    deal.won_by = won_by
    deal.close_notes = (notes or "").strip()
    deal.price_gap = price_gap
    deal.forecast_category = ForecastCategory.CLOSED if won else ForecastCategory.OMITTED
    deal.probability = 100 if won else 0
    deal.probability_reason = ""
    deal.qualification_snapshot = _snapshot_scores(deal)
    save_with_version(deal, CLOSE_FIELDS)
    record_stage_change(actor, deal, from_stage=deal.stage, from_status=OpportunityStatus.OPEN, at=now)
    audit.record_changes(actor, deal, before)
    if won:
        _customer_won(actor, deal.customer)
    notify_closed(actor, deal)
    return deal


@transaction.atomic
def reopen_opportunity(actor: User, deal: Opportunity, *, stage: Stage | None = None) -> Opportunity:
    """Open a closed deal again in `stage` (default: the stage it closed in), clearing the closing data.

    Reopening further than the stage it closed in passes that stage's gate like a forward move.
    """
    deal = locked_deal(actor, deal)
    if deal.is_open:
        raise refuse(_("This deal is open already."), "stage")
    stage = check_stage_of_line(deal.business_line_id, stage or deal.stage)
    if is_forward(deal.stage, stage):
        shortfalls = check_gate(deal, stage)
        if shortfalls:
            raise GateFailed(shortfalls)
    before = audit.snapshot(deal, AUDITED_FIELDS)
    closed_stage, closed_status = deal.stage, deal.status
    now = timezone.now()
    deal.status = OpportunityStatus.OPEN
    deal.closed_at = None
    deal.close_reason = None
    deal.won_by = None
    deal.close_notes = ""
    deal.price_gap = None
    deal.qualification_snapshot = {}
    deal.forecast_category = ForecastCategory.PIPELINE
    deal.probability = stage.default_probability
    deal.probability_reason = ""
    deal.stage = stage
    deal.stage_entered_at = now
    save_with_version(deal, [*CLOSE_FIELDS, "stage", "stage_entered_at"])
    record_stage_change(actor, deal, from_stage=closed_stage, from_status=closed_status, at=now)
    audit.record_changes(actor, deal, before)
    return deal
