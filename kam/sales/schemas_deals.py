"""Typed shapes of the deal API and how its input reaches the shared forms (kam/sales/forms_deals.py).

Input schemas only type the values; the rules live in the forms and actions, which the API runs
exactly as the pages do. Money leaves the API as a decimal string in 元 ("880000.00").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import JsonValue

from kam.core.api import DbId, FieldError, LocalDateTime, UserRef
from kam.core.models import User
from kam.sales.actions_deals import OPEN_FORECASTS
from kam.sales.forms_deals import CloseForm, DealForm, ReopenForm
from kam.sales.models import (
    CloseOutcome,
    DealSource,
    ForecastCategory,
    MeddpiccElement,
    Opportunity,
    OpportunityStatus,
)

# Form and action field names → the names the API speaks.
API_NAMES = {
    "customer": "customer_id",
    "business_line": "business_line_id",
    "stage": "stage_id",
    "owner": "owner_id",
    "reason": "reason_id",
    "won_by": "won_by_id",
}
FORM_NAMES = {api: form for form, api in API_NAMES.items()}
OPEN_FORECAST_CODES = [str(category.value) for category in OPEN_FORECASTS]


def _codes(values: list[str], blank: bool = False) -> dict[str, JsonValue]:
    codes: list[JsonValue] = ["", *values] if blank else list(values)
    return {"enum": codes}


@contextmanager
def api_field_names() -> Iterator[None]:
    """Refusals name the API's fields (stage_id …), not the form's (stage)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = ValidationError({API_NAMES.get(name, name): errors for name, errors in exc.error_dict.items()})
        if hasattr(exc, "shortfalls"):
            renamed.shortfalls = exc.shortfalls  # type: ignore[attr-defined]
        raise renamed from exc


def form_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """API values as form data: references by id under the form's name, None as empty."""
    return {FORM_NAMES.get(name, name): "" if value is None else value for name, value in values.items()}


class IdName(Schema):
    id: int
    name: str


class StageRef(Schema):
    id: int
    name: str
    position: int
    default_probability: int


class CloseReasonRef(Schema):
    id: int
    label: str
    outcome: str


class DealOut(Schema):
    id: int
    customer: IdName
    name: str
    amount: Decimal = Field(description="元, two places")
    expected_close_date: date
    business_line: IdName
    stage: StageRef
    stage_entered_at: LocalDateTime
    probability: int
    probability_reason: str
    forecast_category: str = Field(json_schema_extra=_codes(ForecastCategory.values))
    source: str = Field(json_schema_extra=_codes(DealSource.values, blank=True))
    products_of_interest: str
    objective: str
    owner: UserRef
    next_step: str
    next_step_date: date | None
    status: str = Field(json_schema_extra=_codes(OpportunityStatus.values))
    closed_at: LocalDateTime | None
    close_reason: CloseReasonRef | None
    won_by: IdName | None
    close_notes: str
    price_gap: Decimal | None
    qualification_snapshot: dict[str, int] = Field(description="MEDDPICC scores when the deal was closed")
    last_activity_at: LocalDateTime
    needs_changed_at: LocalDateTime | None
    created_at: LocalDateTime
    updated_at: LocalDateTime
    version: int = Field(description="Also sent as the ETag; send it back in If-Match to PATCH")


class DealIn(Schema):
    customer_id: DbId = Field(description="An owned customer you may edit")
    name: str
    amount: Decimal = Field(description="元, 0 or more, two places")
    expected_close_date: date
    business_line_id: DbId | None = Field(None, description="Default: the organization's default line")
    stage_id: DbId | None = Field(None, description="Default: the line's first stage; a gated stage is refused")
    probability: int | None = Field(None, description="Default: the stage's; another value needs a reason")
    probability_reason: str = ""
    forecast_category: str = Field("pipeline", json_schema_extra=_codes(OPEN_FORECAST_CODES))
    source: str = Field("", json_schema_extra=_codes(DealSource.values, blank=True))
    products_of_interest: str = ""
    objective: str = ""
    next_step: str = ""
    next_step_date: date | None = None
    owner_id: DbId | None = Field(None, description="Default: you")


class DealPatch(Schema):
    """Only the fields sent are changed. Stages move with POST /deals/{id}/stage."""

    name: str | None = None
    amount: Decimal | None = None
    expected_close_date: date | None = None
    probability: int | None = Field(None, description="null: back to the stage's default")
    probability_reason: str | None = None
    forecast_category: str | None = Field(
        None, json_schema_extra=_codes(["pipeline", "best_case", "commit", "omitted"])
    )
    source: str | None = Field(None, json_schema_extra=_codes(DealSource.values, blank=True))
    products_of_interest: str | None = None
    objective: str | None = None
    next_step: str | None = None
    next_step_date: date | None = None
    owner_id: DbId | None = None


class StageMoveIn(Schema):
    stage_id: DbId
    override_reason: str = Field("", description="Managers above the owner and admins: move past a failed gate")


class CloseIn(Schema):
    outcome: str = Field(json_schema_extra=_codes(CloseOutcome.values))
    reason_id: DbId = Field(description="An active close reason of that outcome (GET /sales/stages lists them)")
    won_by_id: DbId | None = Field(None, description="Lost only: the competitor that won")
    notes: str = ""
    price_gap: Decimal | None = Field(None, description="Lost: our price minus the winner's, in 元")


class ReopenIn(Schema):
    stage_id: DbId | None = Field(None, description="Default: the stage the deal closed in")


class ShortfallOut(Schema):
    element: str = Field(json_schema_extra=_codes(MeddpiccElement.values))
    label: str
    required: int
    actual: int


class GateProblem(Schema):
    """422 of a stage move: the field errors, and the missing elements when a gate refused it."""

    detail: list[FieldError]
    shortfalls: list[ShortfallOut]


class StageSpanOut(Schema):
    stage: StageRef
    entered_at: LocalDateTime
    left_at: LocalDateTime | None
    seconds: int
    days: Decimal = Field(description="The stay in days, one place")
    moved_by: UserRef | None
    gate_override: bool
    missing: str
    override_reason: str
    closed_as: str = Field(description="won/lost/invalid when the deal was closed in this stay; else empty")

    @staticmethod
    def resolve_seconds(obj: Any) -> int:
        return int(obj.duration.total_seconds())


class GateOut(Schema):
    element: str = Field(json_schema_extra=_codes(MeddpiccElement.values))
    min_score: int


class StageOut(StageRef):
    exit_criteria: str
    active: bool
    gates: list[GateOut]

    @staticmethod
    def resolve_gates(obj: Any) -> list[Any]:
        return list(obj.gates.all())


class BusinessLineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[StageOut]
    close_reasons: list[CloseReasonRef] = Field(description="The organization's active reasons (same for all lines)")

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return list(obj.stages.all())


def _stored(deal: Opportunity) -> dict[str, Any]:
    names = ["name", "amount", "expected_close_date", "probability", "probability_reason", "forecast_category"]
    names += ["source", "products_of_interest", "objective", "next_step", "next_step_date"]
    stored = {name: getattr(deal, name) for name in names}
    stored["owner_id"] = deal.owner_id
    return stored


def deal_form(actor: User, sent: Mapping[str, Any], deal: Opportunity | None = None) -> DealForm:
    """DealForm bound to API values; for a PATCH the stored values fill in what was not sent."""
    merged = {**(_stored(deal) if deal is not None else {}), **sent}
    return DealForm(data=form_data(merged), actor=actor, deal=deal)


def sent_values(form: DealForm, sent: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values of the fields a PATCH sent, under the action's names."""
    names = {FORM_NAMES.get(name, name) for name in sent}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def close_form(actor: User, payload: CloseIn) -> CloseForm:
    data = form_data(payload.model_dump())
    return CloseForm(data=data, actor=actor, outcome=payload.outcome, only_outcome_fields=False)


def reopen_form(deal: Opportunity, payload: ReopenIn) -> ReopenForm:
    return ReopenForm(data=form_data(payload.model_dump()), deal=deal)
