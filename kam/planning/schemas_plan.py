"""Typed shapes of the plan API (明日计划)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from kam.core.api import DbId, LocalDateTime, UserRef

PLAN_STATUS_DOC = (
    "proposed: no plan was made for the day yet, the items are what the sources propose (no ids); "
    "draft: made, not accepted; accepted: the day's agenda"
)


class PlanItemOut(Schema):
    id: int | None = Field(description="null for a proposed item that is not stored yet")
    position: int
    source: str = Field(description='the plan source ("followup_due", "cadence", ...); "manual" for your own')
    ref: str = Field(description='the record it is about ("customer:12", "task:7"); empty for your own')
    title: str
    reason: str
    score: float
    customer_id: int | None
    url: str
    dropped: bool
    done_at: LocalDateTime | None


class PlanOut(Schema):
    id: int | None
    user: UserRef
    day: dt.date
    status: Literal["proposed", "draft", "accepted"] = Field(description=PLAN_STATUS_DOC)
    accepted_at: LocalDateTime | None
    items: list[PlanItemOut]


class PlanQuery(Schema):
    date: dt.date | None = Field(None, description="the plan's day; default: the next working day")
    user: DbId | None = Field(None, description="a team member's plan (managers, directors, admins)")


class PlanDayIn(Schema):
    date: dt.date | None = Field(None, description="the plan's day; default: the next working day")


class PlanItemIn(PlanDayIn):
    title: str
    customer_id: DbId | None = None


class ReorderIn(PlanDayIn):
    item_ids: list[DbId] = Field(
        max_length=200, description="items of the plan, not dropped, in the new order; the rest follow"
    )


class MoveIn(Schema):
    direction: Literal["up", "down"]


class DoneIn(Schema):
    done: bool = True
