"""Schemas of the win/loss analysis API: the same numbers as the page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema


class WinLossFilterQuery(Schema):
    """Query parameters; validated by WinLossFilterForm so the page and the API agree."""

    period: str | None = Field(
        None, max_length=20, description="this_quarter, last_quarter, this_year, last_12_months, custom"
    )
    start: str | None = Field(None, max_length=20, description="YYYY-MM-DD, with period=custom")
    end: str | None = Field(None, max_length=20, description="YYYY-MM-DD, inclusive, with period=custom")
    team: str | None = Field(None, max_length=20, description="team id: that team and the teams below it")
    business_line: str | None = Field(None, max_length=20, description="business line id")


class TotalsOut(Schema):
    won: int
    lost: int
    invalid: int
    win_rate: Decimal | None = Field(description="won ÷ (won + lost) in percent; null when nothing was decided")
    won_amount: Decimal
    average_won_amount: Decimal | None
    average_won_cycle_days: Decimal | None
    average_lost_cycle_days: Decimal | None


class CompetitorOut(Schema):
    id: int
    name: str
    won: int = Field(description="decided deals it was in that we won")
    lost: int = Field(description="decided deals it was in that we lost")
    win_rate: Decimal | None
    lost_to: int = Field(description="lost deals it was named as winner of")


class ReasonOut(Schema):
    id: int | None
    label: str
    counts: list[int] = Field(description="lost deals per month, in the order of `months`")
    total: int


class LossReasonsOut(Schema):
    months: list[str] = Field(description="YYYY-MM, Asia/Shanghai")
    reasons: list[ReasonOut]


class StepOut(Schema):
    stage_id: int
    stage: str
    reached: int
    advanced: int = Field(description="reached the next stage, or won for the last stage")
    rate: Decimal | None


class ConversionOut(Schema):
    business_line_id: int
    business_line: str
    deals: int = Field(description="deals created in the period")
    won: int
    steps: list[StepOut]


class TeamRowOut(Schema):
    kind: str = Field(description="team, direct (owned in the chosen team itself), rep or none")
    id: int | None
    label: str
    won: int
    lost: int
    invalid: int
    win_rate: Decimal | None
    won_amount: Decimal
    average_won_cycle_days: Decimal | None


class ByTeamOut(Schema):
    team_id: int | None = Field(description="the team whose children (or reps) the rows are")
    per_rep: bool
    rows: list[TeamRowOut]


class WinLossOut(Schema):
    start: date
    end: date
    team_id: int | None
    business_line_id: int | None
    totals: TotalsOut
    competitors: list[CompetitorOut]
    loss_reasons: LossReasonsOut
    conversion: list[ConversionOut]
    by_team: ByTeamOut
