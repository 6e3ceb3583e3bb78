"""The statutory side of China's working calendar: the two packages, read and compared.

`statutory_year(year)` is the State Council's schedule of one year as KAM knows it (chinesecalendar
first, then holidays.China, else the Monday–Friday fallback); `compare_sources(year)` says where the
two packages disagree. Both are pure functions of the installed packages, cached per process.
`kam.core.workcal` adds the organizations' overrides and answers the questions the rest of KAM asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import chinese_calendar
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from holidays import HolidayBase
from holidays.countries.china import China

# chinesecalendar's holiday names (English) → the names people read.
HOLIDAY_NAMES: dict[str, Promise] = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Victory Day (70th anniversary)"),
}
# holidays.China's English names → chinesecalendar's, so both sources speak one vocabulary.
_HOLIDAYS_PACKAGE_NAMES = {
    "New Year's Day": "New Year's Day",
    "Chinese New Year's Eve": "Spring Festival",
    "Chinese New Year (Spring Festival)": "Spring Festival",
    "Chinese New Year (Spring Festival) Extended Holiday": "Spring Festival",
    "Tomb-Sweeping Day": "Tomb-sweeping Day",
    "Labor Day": "Labour Day",
    "Dragon Boat Festival": "Dragon Boat Festival",
    "Mid-Autumn Festival": "Mid-autumn Festival",
    "National Day": "National Day",
}
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


class Source(StrEnum):
    CHINESECALENDAR = "chinesecalendar"
    HOLIDAYS = "holidays"
    FALLBACK = "fallback"  # neither package knows the year: Monday–Friday


@dataclass(frozen=True)
class StatutoryYear:
    """One year of the State Council's schedule; names are chinesecalendar's English keys."""

    year: int
    source: Source
    days_off: dict[date, str] = field(default_factory=dict)
    makeup_days: dict[date, str] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return self.source != Source.FALLBACK


def holiday_name(key: str) -> str:
    """The readable name of a chinesecalendar holiday key (unknown keys as they are)."""
    name = HOLIDAY_NAMES.get(key)
    return str(name) if name is not None else key


# --- the statutory schedule ------------------------------------------------------------------


def _chinesecalendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


def _from_chinesecalendar(year: int) -> StatutoryYear:
    days_off = {day: name for day, name in chinese_calendar.holidays.items() if day.year == year}
    makeup = {day: name for day, name in chinese_calendar.workdays.items() if day.year == year}
    return StatutoryYear(year, Source.CHINESECALENDAR, days_off, makeup)


def _holidays_package(year: int) -> HolidayBase:
    return China(years=year, language="en_US")  # type: ignore[no-untyped-call]


def _holidays_package_knows(year: int) -> bool:
    """holidays.China computes any year by rule; only a year with official 调休 entries is known."""
    return any(day.year == year for day in _holidays_package(year).weekend_workdays)


def _nearest_name(day: date, named: dict[date, str]) -> str:
    if not named:
        return ""
    nearest = min(named, key=lambda other: (abs((other - day).days), other))
    return named[nearest]


def _from_holidays_package(year: int) -> StatutoryYear:
    calendar = _holidays_package(year)
    named: dict[date, str] = {}
    substituted: dict[date, date] = {}  # day off → the make-up workday it was swapped with
    for day, label in calendar.items():
        match = _SUBSTITUTED.search(label)
        if match:
            month, dom, yr = (int(part) for part in match.groups())
            substituted[day] = date(yr, month, dom)
            continue
        base = label.removesuffix(" (observed)")
        named[day] = _HOLIDAYS_PACKAGE_NAMES.get(base, base)
    days_off = dict(named)
    for day in substituted:
        days_off[day] = _nearest_name(day, named)
    makeup: dict[date, str] = {}
    for workday in sorted(d for d in calendar.weekend_workdays if d.year == year):
        swapped = [off for off, source in substituted.items() if source == workday]
        makeup[workday] = days_off[swapped[0]] if swapped else _nearest_name(workday, named)
    return StatutoryYear(year, Source.HOLIDAYS, days_off, makeup)


@lru_cache(maxsize=256)
def statutory_year(year: int) -> StatutoryYear:
    """The statutory schedule of `year`: chinesecalendar first, then holidays.China, else Monday–Friday."""
    if _chinesecalendar_knows(year):
        return _from_chinesecalendar(year)
    if _holidays_package_knows(year):
        return _from_holidays_package(year)
    return StatutoryYear(year, Source.FALLBACK)


def known_year(year: int) -> bool:
    """Whether either package knows the statutory holidays and make-up workdays of `year`."""
    return statutory_year(year).known


def statutory_workday(day: date) -> bool:
    """Whether `day` is a working day by the statutory schedule alone (no organization's overrides)."""
    schedule = statutory_year(day.year)
    if day in schedule.makeup_days:
        return True
    if day in schedule.days_off:
        return False
    return day.weekday() < 5


# --- the two sources compared ------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """A day whose working status the two packages answer differently (chinesecalendar wins)."""

    day: date
    chinesecalendar_workday: bool
    holidays_workday: bool


@dataclass(frozen=True)
class SourceComparison:
    year: int
    chinesecalendar_known: bool
    holidays_known: bool
    disagreements: tuple[Disagreement, ...]

    @property
    def compared(self) -> bool:
        return self.chinesecalendar_known and self.holidays_known


def _days_of_year(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@lru_cache(maxsize=64)
def compare_sources(year: int) -> SourceComparison:
    """Every day of `year` on which chinesecalendar and holidays.China disagree about working or not."""
    cc_known = _chinesecalendar_knows(year)
    hp_known = _holidays_package_knows(year)
    disagreements: list[Disagreement] = []
    if cc_known and hp_known:
        calendar = _holidays_package(year)
        makeup = set(calendar.weekend_workdays)
        for day in _days_of_year(year):
            by_cc = bool(chinese_calendar.is_workday(day))
            by_hp = day in makeup or (day.weekday() < 5 and day not in calendar)
            if by_cc != by_hp:
                disagreements.append(Disagreement(day, by_cc, by_hp))
    return SourceComparison(year, cc_known, hp_known, tuple(disagreements))
