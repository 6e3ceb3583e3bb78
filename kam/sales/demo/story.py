"""A deal's past as the generators see it: when it entered each stage, when it closed, and its amounts.

Shared by the demo and the large dataset. Times fall in office hours (09:00–18:30 Shanghai) of working
days, strictly increasing, never after `now` and never before the deal's earliest possible moment (its
customer came to its owner then).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from kam.activities.demo.days import WorkDays, at, local_day

# Days a deal spends in each stage of the default line before it moves on (初步接触 … 合同).
STAGE_DAYS = ((5, 30), (10, 45), (10, 40), (7, 30), (5, 25))
OFFICE = (9 * 60, 18 * 60 + 30)
WAN = Decimal(10_000)


@dataclass
class DealPath:
    """entered[i]: when the deal entered stage i of its line; it sits in (or closed from) the last one."""

    entered: list[datetime]
    closed_at: datetime | None = None

    @property
    def created_at(self) -> datetime:
        return self.entered[0]

    @property
    def stage_index(self) -> int:
        return len(self.entered) - 1

    @property
    def stage_entered_at(self) -> datetime:
        return self.entered[-1]

    @property
    def last_moment(self) -> datetime:
        return self.closed_at or self.entered[-1]


class Office:
    """Office-hours moments on working days, for one organization."""

    def __init__(self, days: WorkDays, rng: random.Random) -> None:
        self.days, self.rng = days, rng

    def moment(self, day: date) -> datetime:
        """A random office-hours moment of `day` (or of the working day before it when it is a day off)."""
        if not self.days.is_workday(day):
            day = self.days.after(day, -1)
        return at(day, self.rng.randint(*OFFICE))

    def snap(self, moment: datetime) -> datetime:
        """`moment` when it falls in office hours of a working day, else an office moment no later than it."""
        day = local_day(moment)
        minutes = (moment - at(day, 0)).total_seconds() / 60
        if self.days.is_workday(day) and OFFICE[0] <= minutes <= OFFICE[1]:
            return moment
        if minutes < OFFICE[0] or not self.days.is_workday(day):
            day = self.days.after(day, -1)
        snapped = at(day, self.rng.randint(*OFFICE))
        return min(snapped, moment)


def _durations(rng: random.Random, stages: range) -> list[float]:
    return [rng.uniform(*STAGE_DAYS[i % len(STAGE_DAYS)]) for i in stages]


def path_back(
    rng: random.Random, office: Office, stage_index: int, last_entered: datetime, earliest: datetime
) -> list[datetime]:
    """Stage entries 0…stage_index ending at `last_entered`, going back by the stages' usual durations.

    When the customer's history is too short for the usual durations, they shrink to fit after `earliest`.
    """
    days = _durations(rng, range(stage_index))
    room = (last_entered - earliest).total_seconds() / 86_400
    total = sum(days)
    if total > room * 0.95:
        days = [d * room * 0.95 / total for d in days] if total else days
    entered = [last_entered]
    for spent in reversed(days):
        entered.append(entered[-1] - timedelta(days=spent))
    entered.reverse()
    snapped = [office.snap(moment) for moment in entered]
    snapped[-1] = last_entered
    for i in range(len(snapped) - 2, -1, -1):  # keep them strictly increasing after snapping
        if snapped[i] >= snapped[i + 1]:
            snapped[i] = snapped[i + 1] - timedelta(minutes=rng.randint(20, 120))
    if snapped[0] < earliest:
        snapped[0] = min(earliest, snapped[1] - timedelta(minutes=10)) if len(snapped) > 1 else earliest
    return snapped


def round_amount(wan: float) -> Decimal:
    """Amounts people quote: 5万 steps below 100万, 10万 below 300万, 20万 above."""
    step = 5 if wan < 100 else 10 if wan < 300 else 20
    return Decimal(max(step, round(wan / step) * step)) * WAN


def amount_in(rng: random.Random, low: int, high: int, scale: float = 1.0) -> Decimal:
    """A round amount between `low` and `high` 万元 (skewed to the low end), times `scale`, at least 20万."""
    wan = low + (high - low) * rng.random() ** 1.6
    return max(round_amount(wan * scale), Decimal(20) * WAN)
