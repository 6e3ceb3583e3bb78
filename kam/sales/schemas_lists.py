"""Schemas of the deal list, board, deal team and saved views API (kam/sales/api_deal_lists.py)."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from kam.core.api import DbId, LocalDateTime, UserRef
from kam.sales.forms_lists import MONEY_MAX
from kam.sales.queries_lists import SORTS, STATUS_FILTERS, DealFilters

MAX_PAGE = 10**6

StatusFilter = Literal["open", "won", "lost", "invalid", "closed", "all"]
SortKey = Literal["close", "-close", "amount", "-amount", "updated", "name", "-name"]
# The literals above spell out these tuples for the type checker; keep them in step.
assert set(StatusFilter.__args__) == set(STATUS_FILTERS)  # type: ignore[attr-defined]  # noqa: S101
assert set(SortKey.__args__) == set(SORTS)  # type: ignore[attr-defined]  # noqa: S101


class DealFilterQuery(Schema):
    """Every field of queries_lists.DealFilters, as query parameters."""

    q: str = Field("", max_length=100, description="Part of the deal's or the customer's name (or pinyin)")
    owner: DbId | None = None
    team: DbId | None = Field(None, description="Owners in this team or below")
    business_line: DbId | None = None
    stage: DbId | None = None
    status: StatusFilter = Field("open", description="open, won, lost, invalid, closed (any closed) or all")
    forecast_category: Literal["", "pipeline", "best_case", "commit", "closed", "omitted"] = ""
    close_from: date | None = Field(None, description="Expected close date on or after")
    close_to: date | None = Field(None, description="Expected close date on or before")
    amount_min: Decimal | None = Field(None, ge=0, le=MONEY_MAX, max_digits=18, decimal_places=2)
    amount_max: Decimal | None = Field(None, ge=0, le=MONEY_MAX, max_digits=18, decimal_places=2)
    customer: DbId | None = None
    sort: SortKey = "close"

    def to_filters(self) -> DealFilters:
        return DealFilters(**{f.name: getattr(self, f.name) for f in dataclass_fields(DealFilters)})


class DealPageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=200)


class NamedRef(Schema):
    id: int
    name: str


class DealRowOut(Schema):
    id: int
    name: str
    customer: NamedRef
    stage: NamedRef
    status: str
    amount: Decimal
    probability: int
    weighted_amount: Decimal
    expected_close_date: date
    overdue: bool = Field(description="Open and the expected close date has passed")
    days_in_stage: int
    owner: UserRef
    next_step: str
    next_step_date: date | None
    updated_at: LocalDateTime


class DealPage(Schema):
    items: list[DealRowOut]
    count: int
    page: int
    pages: int


class BoardStageOut(Schema):
    id: int
    name: str
    position: int
    default_probability: int


class BoardColumnOut(Schema):
    stage: BoardStageOut
    count: int
    amount: Decimal
    weighted_amount: Decimal
    cards: list[DealRowOut] = Field(description="The first 50 deals by expected close date")


class BoardOut(Schema):
    business_line: NamedRef
    count: int
    amount: Decimal
    weighted_amount: Decimal
    columns: list[BoardColumnOut]


class BoardQuery(DealFilterQuery):
    """The board takes the table's filters except status (the board shows open deals only)."""


class MemberOut(Schema):
    id: int
    user: UserRef
    role: str
    access: str
    split_percent: Decimal


class TeamOut(Schema):
    members: list[MemberOut]
    split_total: Decimal
    may_manage: bool


class MemberIn(Schema):
    role: Literal["owner", "sales", "presales", "service", "sponsor", "other"] = "sales"
    access: Literal["read", "write"] = "read"
    split_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)


class SplitIn(Schema):
    user_id: DbId
    split_percent: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)


class SplitsIn(Schema):
    splits: list[SplitIn] = Field(max_length=200)


class SavedViewIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    params: str = Field("", max_length=4000, description="The deal table's query string, e.g. status=open&owner=3")


class SavedViewOut(Schema):
    id: int
    name: str
    params: str
    created_at: LocalDateTime
