"""Typed shapes of a deal's competitor rows over the API."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import JsonValue

from kam.core.api import DbId, LocalDateTime
from kam.market.models import PricePositioning
from kam.sales.models import CompetitorStatus, DealCompetitor, OpportunityStatus

STATUS_CODES: dict[str, JsonValue] = {"enum": list(CompetitorStatus.values)}


class CompetitorRef(Schema):
    id: int
    name: str
    price_positioning: str = Field(json_schema_extra={"enum": ["", *PricePositioning.values]})
    active: bool


class DealCompetitorOut(Schema):
    id: int
    competitor: CompetitorRef
    status: str = Field(json_schema_extra=STATUS_CODES)
    shown_status: str = Field(
        json_schema_extra=STATUS_CODES, description="`won` when the deal was lost to this competitor, else `status`"
    )
    notes: str
    created_at: LocalDateTime

    @staticmethod
    def resolve_shown_status(obj: DealCompetitor) -> str:
        deal: Any = obj.opportunity
        if deal.status == OpportunityStatus.LOST and deal.won_by_id == obj.competitor_id:
            return str(CompetitorStatus.WON)
        return obj.status


class DealCompetitorIn(Schema):
    competitor_id: DbId = Field(description="An active competitor of your organization, not yet in the deal")
    status: str = Field(str(CompetitorStatus.SHORTLISTED), json_schema_extra=STATUS_CODES)
    notes: str = ""


class DealCompetitorPatch(Schema):
    """Only the fields sent are changed."""

    status: str | None = Field(None, json_schema_extra=STATUS_CODES)
    notes: str | None = None
