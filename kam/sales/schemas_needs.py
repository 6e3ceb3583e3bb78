"""Typed shapes of the needs API (需求分析 and its versions). The business rules stay in
kam.sales.actions_needs, whose refusals come back as 422 with the field path (items.2.description)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from kam.core.api import LocalDateTime, UserRef
from kam.sales.actions_needs import DESCRIPTION_MAX, MAX_ITEMS, REASON_MAX, TEXT_MAX, TIMELINE_MAX
from kam.sales.models import NeedsVersion
from kam.sales.queries_needs import fit_summary

Priority = Literal["high", "medium", "low"]
NecessityCode = Literal["must", "nice"]
FitCode = Literal["met", "partly", "not_met", "workaround"]


class RequirementOut(Schema):
    key: int = Field(description="The same requirement across versions keeps its key")
    position: int
    description: str
    priority: str
    necessity: str
    fit: str


class FitOut(Schema):
    must_met: int = Field(description="Must-haves we fully meet")
    must_total: int


class NeedsVersionOut(Schema):
    number: int
    pain: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    timeline: str
    decision_criteria: str
    solution_notes: str
    reason: str
    author: UserRef
    created_at: LocalDateTime
    items: list[RequirementOut]
    fit: FitOut

    @staticmethod
    def resolve_items(obj: NeedsVersion) -> list[Any]:
        return list(obj.items.all())

    @staticmethod
    def resolve_fit(obj: NeedsVersion) -> dict[str, int]:
        summary = fit_summary(obj)
        return {"must_met": summary.must_met, "must_total": summary.must_total}


class NeedsCurrentOut(Schema):
    deal_id: int
    current_version: int = Field(description="0 before the first analysis; send it back as base_version")
    needs: NeedsVersionOut | None


class VersionSummaryOut(Schema):
    number: int
    reason: str
    author: UserRef
    created_at: LocalDateTime


class RequirementIn(Schema):
    key: int | None = Field(None, ge=1, le=2**31 - 1, description="Omit for a new requirement")
    description: str = Field(max_length=DESCRIPTION_MAX)
    priority: Priority = "medium"
    necessity: NecessityCode = "must"
    fit: FitCode = "met"


class NeedsIn(Schema):
    """The whole needs: requirements left out are removed in the new version."""

    base_version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The version you started from (0: none yet); or send If-Match"
    )
    pain: str = Field("", max_length=TEXT_MAX)
    budget_min: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    budget_max: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    timeline: str = Field("", max_length=TIMELINE_MAX)
    decision_criteria: str = Field("", max_length=TEXT_MAX)
    solution_notes: str = Field("", max_length=TEXT_MAX)
    reason: str = Field("", max_length=REASON_MAX, description="Required from V2 on: why the needs changed")
    items: list[RequirementIn] = Field(default_factory=list, max_length=MAX_ITEMS)


class TextPieceOut(Schema):
    kind: Literal["same", "added", "removed"]
    text: str


class FieldChangeOut(Schema):
    field: str
    label: str
    old: str
    new: str
    pieces: list[TextPieceOut]


class AttributeChangeOut(Schema):
    attribute: str
    label: str
    old: str
    new: str


class RequirementChangeOut(Schema):
    key: int
    kind: Literal["added", "removed", "changed"]
    description: str
    changes: list[AttributeChangeOut]
    pieces: list[TextPieceOut]


class NeedsDiffOut(Schema):
    from_version: int
    to_version: int
    fields: list[FieldChangeOut]
    requirements: list[RequirementChangeOut]


class DiffQuery(Schema):
    from_version: int = Field(alias="from", ge=1, le=2**31 - 1)
    to_version: int = Field(alias="to", ge=1, le=2**31 - 1)
