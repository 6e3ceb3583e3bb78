"""Typed shapes of the account plans API, and how input values reach the shared forms.

Input schemas only type the values: the rules live in kam/planning/forms_account_plans.py and the
actions, which the API runs exactly as the web pages do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Schema
from pydantic import JsonValue

from kam.core.api import DbId, LocalDateTime, UserRef
from kam.planning.models.account_plans import (
    AccountPlan,
    CellStatus,
    KeyPlayerRole,
    ObjectiveStatus,
    RelationshipStage,
    SpendHolder,
)
from kam.planning.queries_account_plans import annotated_share, review_is_stale

# Form and action field names → the names the API speaks (the `_id` of a reference).
API_NAMES = {
    "customer": "customer_id",
    "user": "user_id",
    "contact": "contact_id",
    "owner": "owner_id",
    "competitor": "competitor_id",
    "business_unit": "business_unit_id",
    "product_line": "product_line_id",
}
FORM_NAMES = {api: form for form, api in API_NAMES.items()}


def _codes(values: list[str], blank: bool = False) -> dict[str, JsonValue]:
    codes: list[JsonValue] = ["", *values] if blank else list(values)
    return {"enum": codes}


@contextmanager
def api_field_names() -> Iterator[None]:
    """Refusals name the API's fields (owner_id …), not the form's (owner)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({API_NAMES.get(name, name): errors for name, errors in exc.error_dict.items()}) from exc


def form_values(form_class: type[forms.Form], values: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
    """API values through a page form: the cleaned values, or its errors as a ValidationError (422)."""
    data = {FORM_NAMES.get(name, name): ("" if value is None else value) for name, value in values.items()}
    form = form_class(data=data, **kwargs)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


def sent_names(sent: Mapping[str, Any]) -> set[str]:
    """The form names of the fields a PATCH sent."""
    return {FORM_NAMES.get(name, name) for name in sent}


# --- references -------------------------------------------------------------------------------


class IdName(Schema):
    id: int
    name: str


class CustomerRef(Schema):
    id: int
    name: str
    tier: str


class ContactRef(Schema):
    id: int
    name: str
    title: str
    attitude: str = Field(description="From the relationship map: support / neutral / oppose")


# --- plan parts -------------------------------------------------------------------------------


class TeamMemberOut(Schema):
    id: int
    user: UserRef
    responsibility: str


class TeamMemberIn(Schema):
    user_id: DbId
    responsibility: str = ""


class TeamMemberPatch(Schema):
    responsibility: str


class KeyPlayerOut(Schema):
    id: int
    contact: ContactRef
    role: str = Field(json_schema_extra=_codes(KeyPlayerRole.values))
    notes: str


class KeyPlayerIn(Schema):
    contact_id: DbId = Field(description="A contact of the plan's customer")
    role: str = Field(json_schema_extra=_codes(KeyPlayerRole.values))
    notes: str = ""


class KeyPlayerPatch(Schema):
    role: str | None = Field(None, json_schema_extra=_codes(KeyPlayerRole.values))
    notes: str | None = None


class ActionOut(Schema):
    id: int
    objective_id: int
    title: str
    owner: UserRef
    due_date: date | None
    done: bool
    done_at: LocalDateTime | None


class ActionIn(Schema):
    title: str
    owner_id: DbId = Field(description="An active colleague")
    due_date: date | None = None


class ActionPatch(Schema):
    """Only the fields sent are changed; `done` ticks the action off or opens it again."""

    title: str | None = None
    owner_id: DbId | None = None
    due_date: date | None = None
    done: bool | None = None


class ObjectiveOut(Schema):
    id: int
    title: str
    owner: UserRef
    due_date: date
    status: str = Field(json_schema_extra=_codes(ObjectiveStatus.values))
    overdue: bool = Field(description="Open and past its due date (Beijing time)")
    actions: list[ActionOut]


class ObjectiveIn(Schema):
    title: str
    owner_id: DbId = Field(description="An active colleague")
    due_date: date
    status: str = Field(str(ObjectiveStatus.OPEN), json_schema_extra=_codes(ObjectiveStatus.values))


class ObjectivePatch(Schema):
    title: str | None = None
    owner_id: DbId | None = None
    due_date: date | None = None
    status: str | None = Field(None, json_schema_extra=_codes(ObjectiveStatus.values))


class BusinessUnitOut(Schema):
    id: int
    name: str
    position: int


class BusinessUnitIn(Schema):
    name: str
    position: int | None = Field(None, ge=0, le=32767, description="Order in the grid (default: last)")


class BusinessUnitPatch(Schema):
    name: str | None = None
    position: int | None = Field(None, ge=0, le=32767)


class ReviewOut(Schema):
    id: int
    reviewer: UserRef
    reviewed_on: date
    comments: str
    created_at: LocalDateTime


class ReviewIn(Schema):
    reviewed_on: date = Field(description="Not in the future (Beijing time)")
    comments: str


# --- the plan ---------------------------------------------------------------------------------


class PlanFieldsIn(Schema):
    """The Gold Sheet fields of a plan."""

    trends: str = ""
    strengths: str = ""
    vulnerabilities: str = ""
    relationship_stage: str = Field(
        str(RelationshipStage.EXPLORATORY), json_schema_extra=_codes(RelationshipStage.values)
    )
    revenue_goal_3y: Decimal | None = Field(None, description="Yuan, 2 decimal places")
    share_of_wallet_goal: Decimal | None = Field(None, description="Percent, 0–100")


class PlanIn(PlanFieldsIn):
    customer_id: DbId = Field(description="A customer with an owner that you may write")


class PlanPatch(Schema):
    """Only the fields sent are changed; send null to clear a goal."""

    trends: str | None = None
    strengths: str | None = None
    vulnerabilities: str | None = None
    relationship_stage: str | None = Field(None, json_schema_extra=_codes(RelationshipStage.values))
    revenue_goal_3y: Decimal | None = None
    share_of_wallet_goal: Decimal | None = None


class PlanRowOut(Schema):
    """A row of the plan list."""

    id: int
    customer: CustomerRef
    owner: UserRef
    relationship_stage: str
    open_objectives: int
    overdue_objectives: int
    last_reviewed_on: date | None
    review_due: bool = Field(description="Never reviewed, or not for more than 90 days")
    share_of_wallet: Decimal | None = Field(description="Percent, 2 places; null when no category spend")

    @staticmethod
    def resolve_review_due(obj: AccountPlan) -> bool:
        return review_is_stale(obj.last_reviewed_on, timezone.localdate())

    @staticmethod
    def resolve_share_of_wallet(obj: AccountPlan) -> Decimal | None:
        return annotated_share(obj)


class PlanOut(Schema):
    id: int
    version: int
    customer: CustomerRef
    owner: UserRef
    trends: str
    strengths: str
    vulnerabilities: str
    relationship_stage: str = Field(json_schema_extra=_codes(RelationshipStage.values))
    revenue_goal_3y: Decimal | None
    share_of_wallet_goal: Decimal | None
    share_of_wallet: Decimal | None = Field(description="Now, from the whitespace grid")
    last_reviewed_on: date | None
    created_at: LocalDateTime
    updated_at: LocalDateTime
    team: list[TeamMemberOut]
    key_players: list[KeyPlayerOut]
    objectives: list[ObjectiveOut]
    business_units: list[BusinessUnitOut]
    reviews: list[ReviewOut]


class PlanFilterQuery(Schema):
    owner_id: DbId | None = None
    team_id: DbId | None = None
    stage: str = Field("", json_schema_extra=_codes(RelationshipStage.values, blank=True))


# --- whitespace -------------------------------------------------------------------------------


class CellIn(Schema):
    status: str = Field(str(CellStatus.GAP), json_schema_extra=_codes(CellStatus.values))
    annual_spend: Decimal | None = Field(None, ge=0, description="Yuan a year, 2 decimal places")
    holder: str = Field("", json_schema_extra=_codes(SpendHolder.values, blank=True))
    competitor_id: DbId | None = Field(None, description="Exactly when holder is competitor")
    notes: str = ""


class CellOut(Schema):
    business_unit_id: int
    product_line_id: int
    recorded: bool = Field(description="false: nothing recorded yet (shown as a gap)")
    status: str = Field(json_schema_extra=_codes(CellStatus.values))
    annual_spend: Decimal | None
    holder: str
    competitor: IdName | None
    notes: str


class SpendOut(Schema):
    our_spend: Decimal
    category_spend: Decimal
    share_of_wallet: Decimal | None


class GridRowOut(SpendOut):
    business_unit: BusinessUnitOut
    cells: list[CellOut]


class GridColumnOut(SpendOut):
    product_line: IdName


class CompetitorSpendOut(Schema):
    competitor: IdName
    spend: Decimal


class WhitespaceOut(SpendOut):
    """Share of wallet = our spend ÷ category spend (cells not "not eligible"), in %, 2 places."""

    rows: list[GridRowOut]
    columns: list[GridColumnOut]
    unspent: Decimal
    competitors: list[CompetitorSpendOut]
