"""Typed shapes of the competitor and price-intelligence API, and how input reaches the shared forms.

Input schemas only type the values; the rules live in kam/market/forms.py and kam/market/actions.py,
which the API runs exactly as the pages do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import JsonValue, field_validator

from kam.core.api import DbId, LocalDateTime, UserRef
from kam.core.models import User
from kam.market.forms import CompetitorForm, PriceIntelForm
from kam.market.models import Competitor, PriceConfidence, PriceIntel, PricePositioning
from kam.market.queries import PriceFilters, win_rate_percent

# Form and action field names → the names the API speaks (the `_id` of a reference).
API_NAMES = {"competitor": "competitor_id", "customer": "customer_id"}
FORM_NAMES = {api: form for form, api in API_NAMES.items()}


def _codes(values: list[str], blank: bool = False) -> dict[str, JsonValue]:
    codes: list[JsonValue] = ["", *values] if blank else list(values)
    return {"enum": codes}


@contextmanager
def api_field_names() -> Iterator[None]:
    """Refusals name the API's fields (competitor_id …), not the form's (competitor)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({API_NAMES.get(name, name): errors for name, errors in exc.error_dict.items()}) from exc


def form_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """API values as form data: references under the form's name, None as empty, booleans as checkboxes."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[FORM_NAMES.get(name, name)] = "on"
            continue
        data[FORM_NAMES.get(name, name)] = "" if value is None else value
    return data


def sent_values(cleaned: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values of the fields sent, under the form's (and the action's) names."""
    names = {FORM_NAMES.get(name, name) for name in sent}
    return {name: value for name, value in cleaned.items() if name in names}


# --- competitors --------------------------------------------------------------------------------


class CompetitorOut(Schema):
    id: int
    name: str
    products: str
    price_positioning: str = Field(json_schema_extra=_codes(PricePositioning.values, blank=True))
    strengths: str
    weaknesses: str
    tactics: str = Field(description="Typical tactics")
    notes: str
    active: bool
    deals_met: int = Field(description="Deals of the organization it was present in (or won against us)")
    deals_won: int = Field(description="Of those, deals we won")
    deals_lost: int = Field(description="Of those, deals we lost")
    win_rate: Decimal | None = Field(description="Our win rate against it in %: won ÷ (won + lost); null when none")
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_deals_met(obj: Any) -> int:
        return int(obj.met_count)

    @staticmethod
    def resolve_deals_won(obj: Any) -> int:
        return int(obj.won_count)

    @staticmethod
    def resolve_deals_lost(obj: Any) -> int:
        return int(obj.lost_count)

    @staticmethod
    def resolve_win_rate(obj: Any) -> Decimal | None:
        return win_rate_percent(obj)


class CompetitorIn(Schema):
    name: str
    products: str = ""
    price_positioning: str = Field("", json_schema_extra=_codes(PricePositioning.values, blank=True))
    strengths: str = ""
    weaknesses: str = ""
    tactics: str = ""
    notes: str = ""


class CompetitorPatch(Schema):
    """Only the fields sent are changed; `active: false` deactivates the competitor."""

    name: str | None = None
    products: str | None = None
    price_positioning: str | None = Field(None, json_schema_extra=_codes(PricePositioning.values, blank=True))
    strengths: str | None = None
    weaknesses: str | None = None
    tactics: str | None = None
    notes: str | None = None
    active: bool | None = None


class CompetitorFilterQuery(Schema):
    q: str = Field("", max_length=100, description="Name contains")
    state: Literal["active", "inactive", "all"] = "active"


def competitor_form(sent: Mapping[str, Any], instance: Competitor | None = None) -> CompetitorForm:
    """CompetitorForm bound to API values; for a PATCH the stored values fill in what was not sent."""
    stored = {name: getattr(instance, name) for name in CompetitorForm.base_fields} if instance is not None else {}
    merged = {**stored, **sent}
    return CompetitorForm(data=form_data(merged), creating=instance is None)


# --- price intelligence -------------------------------------------------------------------------


class IdName(Schema):
    id: int
    name: str


class PriceOut(Schema):
    id: int
    competitor: IdName
    product: str
    price: Decimal = Field(description="Yuan, two places")
    unit: str
    observed_on: date
    customer: IdName | None = Field(description="Only when you may open the customer; otherwise null")
    source: str
    confidence: str = Field(json_schema_extra=_codes(PriceConfidence.values))
    notes: str
    author: UserRef
    created_at: LocalDateTime

    @staticmethod
    def resolve_customer(obj: PriceIntel) -> dict[str, Any] | None:
        shown = getattr(obj, "shown_customer_id", None)
        if shown is None:
            return None
        return {"id": shown, "name": getattr(obj, "shown_customer_name", "")}


class PriceIn(Schema):
    competitor_id: DbId
    product: str
    price: Decimal = Field(description="Yuan, not negative, two places at most")
    unit: str = ""
    observed_on: date = Field(description="When the price was seen; not in the future")
    customer_id: DbId | None = Field(None, description="A customer you may open (optional)")
    source: str = ""
    confidence: str = Field(str(PriceConfidence.MEDIUM), json_schema_extra=_codes(PriceConfidence.values))
    notes: str = ""


def _day_in_range(value: date | None) -> date | None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValueError("choose a date between 2000 and 2100")
    return value


class PriceFilterQuery(Schema):
    competitor: DbId | None = None
    product: str = Field("", max_length=100, description="Product contains")
    date_from: date | None = Field(None, description="Seen on or after this day")
    date_to: date | None = Field(None, description="Seen on or before this day")
    confidence: Literal["", "high", "medium", "low"] = ""
    industry: str = Field("", max_length=4, description="GB/T 4754 code of the customer's industry (letter: section)")

    _check_from = field_validator("date_from")(_day_in_range)
    _check_to = field_validator("date_to")(_day_in_range)

    def to_filters(self) -> PriceFilters:
        return PriceFilters(
            competitor=self.competitor,
            product=self.product.strip(),
            date_from=self.date_from,
            date_to=self.date_to,
            confidence=self.confidence,
            industry=self.industry.strip().upper(),
        )


def price_form(actor: User, sent: Mapping[str, Any]) -> PriceIntelForm:
    values = dict(sent)
    if isinstance(values.get("price"), Decimal):
        values["price"] = format(values["price"], "f")
    return PriceIntelForm(data=form_data(values), actor=actor)


class HistoryQuery(Schema):
    competitor: DbId
    product: str = Field(max_length=100)


class PriceStatsOut(Schema):
    count: int
    minimum: Decimal
    median: Decimal
    maximum: Decimal
    latest: Decimal
    latest_on: date


class HistoryOut(Schema):
    competitor: IdName
    product: str
    rows: list[PriceOut] = Field(description="Oldest first")
    stats: PriceStatsOut | None = Field(description="null when no price is recorded")
