"""China's working calendar: the one answer to "is this a working day?" for every rule in KAM.

Three layers, the later one winning:
1. Monday–Friday.
2. The State Council's yearly schedule (statutory holidays and 调休 make-up workdays), read from
   `chinesecalendar` and, for a year it does not know, from `holidays.China` (`compare_sources`
   reports where the two disagree; chinesecalendar wins). A year neither knows (2027 as of
   November 2026) stays Monday–Friday, and `calendar_warning` tells the organization's admins.
3. The organization's own `HolidayOverride` rows (company days off, extra workdays, or a new
   year's schedule entered before the packages know it).

Speed: the statutory years are computed once per process; the overrides are cached per
organization per process and re-validated against a version token in Django's cache at most every
`RECHECK_SECONDS`. `kam.core.actions_holidays` calls `forget_overrides` on every change, so the
same process sees a change at once and other processes within seconds. Tests that write override
rows directly must call `forget_overrides(organization_id)` (or `clear_caches()`) themselves.

Days are Shanghai days (`timezone.localdate`). "N working days after" counts whole days.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.core.models import HolidayOverride
from kam.core.workcal_sources import (
    HOLIDAY_NAMES,
    Disagreement,
    Source,
    SourceComparison,
    StatutoryYear,
    compare_sources,
    holiday_name,
    known_year,
    statutory_workday,
    statutory_year,
)

__all__ = [
    "HOLIDAY_NAMES",
    "CalendarWarning",
    "DayInfo",
    "DayKind",
    "Disagreement",
    "Source",
    "SourceComparison",
    "StatutoryYear",
    "add_workdays",
    "calendar_warning",
    "calendar_warnings",
    "clear_caches",
    "compare_sources",
    "day_info",
    "days_info",
    "forget_overrides",
    "holiday_name",
    "is_workday",
    "known_year",
    "next_workday",
    "overrides_of",
    "previous_workday",
    "statutory_days",
    "statutory_workday",
    "statutory_year",
    "warning_years",
    "workdays_between",
]

# How long a process trusts its copy of an organization's overrides before asking the shared cache.
RECHECK_SECONDS = 2.0
# The next year's schedule is published each November; from then on admins are warned about it too.
NEXT_YEAR_WARNING_MONTH = 11
# No real rule walks further than this many days to find a working day; past it the data is absurd.
MAX_SCAN_DAYS = 3660


class DayKind(StrEnum):
    WORKDAY = "workday"  # an ordinary working day
    WEEKEND = "weekend"  # an ordinary Saturday or Sunday
    HOLIDAY = "holiday"  # a statutory holiday or a company day off
    MAKEUP = "makeup"  # 调休: a Saturday or Sunday that is worked


KIND_LABELS: dict[DayKind, Promise] = {
    DayKind.WORKDAY: _("Working day"),
    DayKind.WEEKEND: _("Weekend"),
    DayKind.HOLIDAY: _("Day off"),
    DayKind.MAKEUP: _("Make-up workday"),
}


@dataclass(frozen=True)
class Override:
    is_workday: bool
    name: str


@dataclass(frozen=True)
class DayInfo:
    """What one day is for one organization, as the calendar pages and the API show it."""

    day: date
    is_workday: bool
    kind: DayKind
    name: str  # the holiday a day off or make-up day belongs to, or the override's name; else ""
    overridden: bool
    known: bool  # False: the year's statutory schedule is unknown (Monday–Friday fallback)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


# --- the organization's overrides ----------------------------------------------------------------


@dataclass
class _CachedOverrides:
    version: str
    checked_at: float
    days: dict[date, Override]


_overrides_cache: dict[int, _CachedOverrides] = {}


def _version_key(organization_id: int) -> str:
    return f"kam:workcal:overrides:{organization_id}"


def _current_version(organization_id: int) -> str:
    key = _version_key(organization_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key) or ""
    return str(version)


def _load_overrides(organization_id: int) -> dict[date, Override]:
    rows = HolidayOverride.objects.filter(organization_id=organization_id).values_list("day", "is_workday", "name")
    return {day: Override(is_workday, name) for day, is_workday, name in rows}


def overrides_of(organization_id: int) -> dict[date, Override]:
    """The organization's overrides by day, from this process's cache when it is still current."""
    now = time.monotonic()
    cached = _overrides_cache.get(organization_id)
    if cached is not None and now - cached.checked_at < RECHECK_SECONDS:
        return cached.days
    version = _current_version(organization_id)
    if cached is not None and cached.version == version:
        cached.checked_at = now
        return cached.days
    days = _load_overrides(organization_id)
    _overrides_cache[organization_id] = _CachedOverrides(version, now, days)
    return days


def forget_overrides(organization_id: int) -> None:
    """Drop every process's copy of this organization's overrides (call after any change to them)."""
    cache.set(_version_key(organization_id), uuid.uuid4().hex, None)
    _overrides_cache.pop(organization_id, None)


def clear_caches() -> None:
    """Forget every cached override set in this process (tests call it between cases)."""
    _overrides_cache.clear()


# --- the public answers ----------------------------------------------------------------------


def is_workday(day: date, organization_id: int) -> bool:
    """Whether `day` is a working day for the organization."""
    override = overrides_of(organization_id).get(day)
    if override is not None:
        return override.is_workday
    return statutory_workday(day)


def _step(day: date, direction: int, overrides: dict[date, Override]) -> date:
    for _i in range(MAX_SCAN_DAYS):
        day += timedelta(days=direction)
        override = overrides.get(day)
        if override.is_workday if override is not None else statutory_workday(day):
            return day
    raise ValueError(f"no working day within {MAX_SCAN_DAYS} days of {day}")


def next_workday(day: date, organization_id: int) -> date:
    """The first working day strictly after `day`."""
    return _step(day, 1, overrides_of(organization_id))


def previous_workday(day: date, organization_id: int) -> date:
    """The last working day strictly before `day`."""
    return _step(day, -1, overrides_of(organization_id))


def add_workdays(day: date, n: int, organization_id: int) -> date:
    """The n-th working day after `day` (n < 0: before it). n = 0: `day` if it is a working day, else the next."""
    overrides = overrides_of(organization_id)
    if n == 0:
        override = overrides.get(day)
        working = override.is_workday if override is not None else statutory_workday(day)
        return day if working else _step(day, 1, overrides)
    direction = 1 if n > 0 else -1
    for _i in range(abs(n)):
        day = _step(day, direction, overrides)
    return day


def _weekdays_in(start: date, end: date) -> int:
    """Monday–Friday days in [start, end]."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    first = start.weekday()
    count += sum(1 for offset in range(rest) if (first + offset) % 7 < 5)
    return count


def workdays_between(start: date, end: date, organization_id: int) -> int:
    """Working days d with start < d <= end (negative when end is before start).

    So `workdays_between(d, add_workdays(d, n, org), org) == n` for a working day d and n >= 0,
    and an item due on `end` is `workdays_between(due, today)` working days overdue on `today`.
    """
    if end < start:
        return -workdays_between(end, start, organization_id)
    first, last = start + timedelta(days=1), end
    count = _weekdays_in(first, last)
    # Correct the Monday–Friday count by the statutory schedule of every year in the range...
    special: dict[date, bool] = {}
    for year in range(first.year, last.year + 1):
        schedule = statutory_year(year)
        special.update({day: False for day in schedule.days_off if first <= day <= last})
        special.update({day: True for day in schedule.makeup_days if first <= day <= last})
    # ...and by the organization's overrides, which win.
    for day, override in overrides_of(organization_id).items():
        if first <= day <= last:
            special[day] = override.is_workday
    for day, working in special.items():
        count += int(working) - int(day.weekday() < 5)
    return count


def day_info(day: date, organization_id: int) -> DayInfo:
    """The working status of one day with the name of its holiday, make-up day or override."""
    return _day_info(day, statutory_year(day.year), overrides_of(organization_id).get(day))


def _day_info(day: date, schedule: StatutoryYear, override: Override | None) -> DayInfo:
    weekend = day.weekday() >= 5
    if override is not None:
        if override.is_workday:
            kind = DayKind.MAKEUP if weekend else DayKind.WORKDAY
        else:
            kind = DayKind.HOLIDAY
        name = override.name or _statutory_name(day, schedule)
        return DayInfo(day, override.is_workday, kind, name, True, schedule.known)
    if day in schedule.makeup_days:
        return DayInfo(day, True, DayKind.MAKEUP, holiday_name(schedule.makeup_days[day]), False, schedule.known)
    if day in schedule.days_off:
        return DayInfo(day, False, DayKind.HOLIDAY, holiday_name(schedule.days_off[day]), False, schedule.known)
    if weekend:
        return DayInfo(day, False, DayKind.WEEKEND, "", False, schedule.known)
    return DayInfo(day, True, DayKind.WORKDAY, "", False, schedule.known)


def _statutory_name(day: date, schedule: StatutoryYear) -> str:
    key = schedule.days_off.get(day) or schedule.makeup_days.get(day)
    return holiday_name(key) if key else ""


def days_info(start: date, end: date, organization_id: int) -> list[DayInfo]:
    """DayInfo of every day in [start, end]."""
    overrides = overrides_of(organization_id)
    result = []
    day = start
    while day <= end:
        result.append(_day_info(day, statutory_year(day.year), overrides.get(day)))
        day += timedelta(days=1)
    return result


def statutory_days(year: int) -> list[DayInfo]:
    """The statutory holidays and make-up workdays of `year` (without any organization's overrides)."""
    schedule = statutory_year(year)
    return [_day_info(day, schedule, None) for day in sorted({*schedule.days_off, *schedule.makeup_days})]


# --- what the admins must be told ------------------------------------------------------------


def calendar_warning(organization_id: int, year: int) -> str | None:
    """A warning for admins when `year`'s schedule is unknown and they have entered no override for it."""
    if known_year(year):
        return None
    if any(day.year == year for day in overrides_of(organization_id)):
        return None
    return gettext(
        "KAM does not know China's statutory holidays and make-up workdays for %(year)s, so it counts "
        "Monday to Friday as working days in that year. Enter the year's holidays and make-up workdays "
        "as holiday overrides."
    ) % {"year": year}


def warning_years(today: date) -> list[int]:
    """The years admins must be able to rely on now: this one, and the next one from November."""
    years = [today.year]
    if today.month >= NEXT_YEAR_WARNING_MONTH:
        years.append(today.year + 1)
    return years


@dataclass(frozen=True)
class CalendarWarning:
    year: int
    message: str


def calendar_warnings(organization_id: int, years: list[int]) -> list[CalendarWarning]:
    """The warnings of the given years (the admin home passes `warning_years(today)`)."""
    warnings = ((year, calendar_warning(organization_id, year)) for year in sorted(set(years)))
    return [CalendarWarning(year, message) for year, message in warnings if message]
