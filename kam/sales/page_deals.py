"""What the deal page shows: the header facts, the stage chevrons, the next gate, the controls the
viewer may use, and the registered sections. A fixed number of queries whatever the deal holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from kam.core.models import User
from kam.core.money import format_yuan
from kam.customers.queries import customer_access
from kam.customers.views.helpers import error_map
from kam.sales.deal_sections import render_sections
from kam.sales.forms_deals import CloseForm, MoveForm, ReopenForm
from kam.sales.gates import GateShortfall, gate_status
from kam.sales.models import CloseOutcome, Opportunity, Stage
from kam.sales.queries import may_override_gate, opportunity_access
from kam.sales.queries_deals import stages_of


@dataclass(frozen=True)
class StageStep:
    """One chevron: a stage of the deal's line and where the deal stands to it (done/current/todo)."""

    stage: Stage
    state: str


def stage_steps(deal: Opportunity, stages: list[Stage]) -> list[StageStep]:
    current = (deal.stage.position, deal.stage_id)
    steps = []
    for stage in stages:
        key = (stage.position, stage.pk)
        state = "done" if key < current else "todo"
        if stage.pk == deal.stage_id:
            state = "current" if deal.is_open else deal.status
        steps.append(StageStep(stage, state))
    return steps


@dataclass(frozen=True)
class GateFailure:
    """A refused move as the page shows it: what is missing, the other messages, and the override form."""

    deal: Opportunity
    target: Stage | None
    shortfalls: list[GateShortfall]
    messages: list[str]
    can_override: bool
    next: str
    card: bool


def gate_failure_context(
    user: User, deal: Opportunity, exc: ValidationError, target: Stage | None, next_path: str, card: bool
) -> GateFailure:
    shortfalls: list[GateShortfall] = list(getattr(exc, "shortfalls", []))
    errors = error_map(exc)
    texts = [message for field, msgs in errors.items() if not (shortfalls and field == "stage") for message in msgs]
    return GateFailure(
        deal=deal,
        target=target,
        shortfalls=shortfalls,
        messages=texts,
        can_override=bool(shortfalls) and target is not None and may_override_gate(user, deal),
        next=next_path,
        card=card,
    )


def detail_context(user: User, deal: Opportunity, *, failure: GateFailure | None = None) -> dict[str, Any]:
    """Everything deal_detail.html needs; `failure` after a refused move."""
    access = opportunity_access(user, deal)
    stages = stages_of(deal.business_line_id, include=deal.stage_id)
    writable = access.write
    context: dict[str, Any] = {
        "deal": deal,
        "access": access,
        "amount": format_yuan(deal.amount),
        "steps": stage_steps(deal, stages),
        "gate": gate_status(deal, stages),
        "customer_link": customer_access(user, deal.customer).read,
        "failure": failure,
        "sections": render_sections(deal, user, access),
    }
    if writable and deal.is_open:
        context["move_form"] = MoveForm(deal=deal, initial={"stage": None})
        context["move_stages"] = [s for s in stages if s.active and s.pk != deal.stage_id]
        context["can_override"] = may_override_gate(user, deal)
        context["close_forms"] = [CloseForm(actor=user, outcome=outcome) for outcome in CloseOutcome.values]
    if writable and not deal.is_open:
        context["reopen_form"] = ReopenForm(deal=deal)
        context["reopen_stages"] = [s for s in stages if s.active]
    return context
