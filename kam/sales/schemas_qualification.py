"""API shapes of a deal's qualification: buying influences, MEDDPICC scores and red flags."""

from __future__ import annotations

from typing import Any

from django.db import models
from ninja import Field, Schema
from pydantic import ConfigDict, JsonValue

from kam.core.api import DbId, LocalDateTime
from kam.sales.models import BuyingInfluence, InfluenceDegree, InfluenceRole, ResponseMode
from kam.sales.queries_qualification import ElementScore
from kam.sales.redflags import RedFlag


def _codes(choices: type[models.TextChoices], blank: bool = False) -> dict[str, JsonValue]:
    """Document the stored codes in OpenAPI; the action checks them (and words the message)."""
    values: list[JsonValue] = [str(value) for value in choices.values]
    return {"enum": ["", *values] if blank else values}


class ContactRef(Schema):
    id: int
    name: str
    title: str


class InfluenceIn(Schema):
    contact_id: DbId = Field(description="A contact of the deal's customer")
    role: str = Field(json_schema_extra=_codes(InfluenceRole), description="One economic buyer per deal")
    influence: str = Field(str(InfluenceDegree.MEDIUM), json_schema_extra=_codes(InfluenceDegree))
    response_mode: str = Field("", json_schema_extra=_codes(ResponseMode, blank=True))
    rating: int = Field(0, description="How strongly this person supports us, −5 to +5")
    personal_win: str = ""
    business_result: str = ""
    notes: str = ""

    def values(self) -> dict[str, Any]:
        data = self.model_dump()
        data["contact"] = data.pop("contact_id")
        return data


class InfluencePatch(Schema):
    contact_id: DbId | None = None
    role: str | None = Field(None, json_schema_extra=_codes(InfluenceRole))
    influence: str | None = Field(None, json_schema_extra=_codes(InfluenceDegree))
    response_mode: str | None = Field(None, json_schema_extra=_codes(ResponseMode, blank=True))
    rating: int | None = None
    personal_win: str | None = None
    business_result: str | None = None
    notes: str | None = None

    def values(self) -> dict[str, Any]:
        """The fields the client sent (null means "leave as is")."""
        data = {name: value for name, value in self.model_dump(exclude_unset=True).items() if value is not None}
        if "contact_id" in data:
            data["contact"] = data.pop("contact_id")
        return data


class InfluenceOut(Schema):
    id: int
    contact: ContactRef
    role: str
    role_label: str
    influence: str
    response_mode: str
    rating: int
    personal_win: str
    business_result: str
    notes: str
    added_at: LocalDateTime

    @staticmethod
    def resolve_role_label(obj: BuyingInfluence) -> str:
        return str(obj.get_role_display())


class ElementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(description="0 unknown, 1 identified, 2 validated with the buyer")
    evidence: str = Field("", description="Required for a score of 1 or 2")
    contact_id: DbId | None = Field(None, description="Economic buyer and champion only: a contact of the customer")


class MeddpiccIn(Schema):
    """The elements to set; an element left out keeps its score."""

    model_config = ConfigDict(extra="forbid")

    metrics: ElementIn | None = None
    economic_buyer: ElementIn | None = None
    decision_criteria: ElementIn | None = None
    decision_process: ElementIn | None = None
    paper_process: ElementIn | None = None
    identified_pain: ElementIn | None = None
    champion: ElementIn | None = None
    competition: ElementIn | None = None

    def scores(self) -> dict[str, tuple[int, str, int | None]]:
        sent = {name: getattr(self, name) for name in type(self).model_fields}
        return {name: (item.score, item.evidence, item.contact_id) for name, item in sent.items() if item is not None}


class ElementOut(Schema):
    element: str
    label: str
    score: int
    evidence: str
    contact: ContactRef | None

    @staticmethod
    def resolve_contact(obj: ElementScore) -> Any:
        return obj.contact


class RedFlagOut(Schema):
    code: str
    message: str
    contact_id: int | None

    @staticmethod
    def resolve_contact_id(obj: RedFlag) -> int | None:
        return obj.contact.pk if obj.contact is not None else None


class MeddpiccOut(Schema):
    elements: list[ElementOut]
    total: int = Field(description="Sum of the eight scores, 0–16")
    max_total: int
    red_flags: list[RedFlagOut]
