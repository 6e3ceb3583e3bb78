"""Working days and Shanghai wall-clock times for generated activities."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from kam.core.workcal import is_workday


class WorkDays:
    """The working days of one organization (statutory holidays, 调休, overrides), asked once per day."""

    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self._known: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = is_workday(day, self.organization_id)
        return known

    def after(self, day: date, count: int = 1) -> date:
        """The `count`-th working day strictly after `day` (strictly before for a negative count)."""
        step = 1 if count >= 0 else -1
        left = abs(count)
        while left:
            day += timedelta(days=step)
            if self.is_workday(day):
                left -= 1
        return day

    def on_or_after(self, day: date) -> date:
        return day if self.is_workday(day) else self.after(day)

    def between(self, first: date, last: date) -> list[date]:
        """Working days from `first` to `last`, both included."""
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [day for day in days if self.is_workday(day)]


def zone() -> tzinfo:
    return timezone.get_default_timezone()


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, zone()).date()


def at(day: date, minutes: int) -> datetime:
    """The aware moment `minutes` after Shanghai midnight of `day`."""
    return datetime.combine(day, time.min, tzinfo=zone()) + timedelta(minutes=minutes)
