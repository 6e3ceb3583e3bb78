"""China's working calendar (kam.core.workcal): 2026 exactly, the unknown-year fallback, overrides, caching."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import chinese_calendar
import holidays
import pytest
from django.core.cache import cache
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core import workcal, workcal_sources
from kam.core.actions_holidays import add_holiday_override, delete_holiday_override, update_holiday_override
from kam.core.models import HolidayOverride


@pytest.fixture(autouse=True)
def _fresh_workcal_cache() -> Iterator[None]:
    """Override sets cached by another test (rolled back since) must not leak in, nor ours out."""
    workcal.clear_caches()
    yield
    workcal.clear_caches()


def d(text: str) -> date:
    return date.fromisoformat(text)


def dates(*texts: str) -> list[date]:
    return [d(text) for text in texts]


# The State Council's 2026 schedule (国办发明电〔2025〕7号), as in shared/CHINA.md.
DAYS_OFF_2026 = dates(
    "2026-01-01", "2026-01-02", "2026-01-03",
    "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21",
    "2026-02-22", "2026-02-23",
    "2026-04-04", "2026-04-05", "2026-04-06",
    "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
    "2026-06-19", "2026-06-20", "2026-06-21",
    "2026-09-25", "2026-09-26", "2026-09-27",
    "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
)  # fmt: skip
MAKEUP_2026 = dates("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")


def test_the_2026_statutory_holidays_and_make_up_days_are_exact(db: None) -> None:
    schedule = workcal.statutory_year(2026)
    assert schedule.source == workcal.Source.CHINESECALENDAR
    assert sorted(schedule.days_off) == DAYS_OFF_2026
    assert sorted(schedule.makeup_days) == MAKEUP_2026
    # Weekdays lost to holidays in 2026, and weekend days worked instead.
    year = [d("2026-01-01") + timedelta(days=i) for i in range(365)]
    assert [day for day in year if day.weekday() < 5 and not workcal.is_workday(day, 1)] == dates(
        "2026-01-01", "2026-01-02",
        "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23",
        "2026-04-06",
        "2026-05-01", "2026-05-04", "2026-05-05",
        "2026-06-19",
        "2026-09-25",
        "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07",
    )  # fmt: skip
    assert [day for day in year if day.weekday() >= 5 and workcal.is_workday(day, 1)] == MAKEUP_2026
    assert sum(workcal.is_workday(day, 1) for day in year) == 248


def test_days_carry_the_holiday_they_belong_to(db: None) -> None:
    with translation.override("en"):
        infos = {info.day: info for info in workcal.days_info(d("2026-09-19"), d("2026-10-11"), 1)}
        assert (infos[d("2026-09-20")].kind, infos[d("2026-09-20")].name) == (workcal.DayKind.MAKEUP, "National Day")
        assert (infos[d("2026-09-25")].kind, infos[d("2026-09-25")].name) == (
            workcal.DayKind.HOLIDAY,
            "Mid-autumn Festival",
        )
        assert (infos[d("2026-10-03")].kind, infos[d("2026-10-03")].name) == (workcal.DayKind.HOLIDAY, "National Day")
        assert (infos[d("2026-10-08")].kind, infos[d("2026-10-08")].name) == (workcal.DayKind.WORKDAY, "")
        assert (infos[d("2026-10-11")].kind, infos[d("2026-10-11")].is_workday) == (workcal.DayKind.WEEKEND, False)
        assert infos[d("2026-10-10")].kind_label == "Make-up workday"
        assert all(info.known and not info.overridden for info in infos.values())
    with translation.override("zh-hans"):
        assert workcal.day_info(d("2026-10-01"), 1).name == "国庆节"
        assert workcal.day_info(d("2026-02-14"), 1).name == "春节"


def test_the_two_packages_agree_on_2026_and_differ_on_one_day_of_2005() -> None:
    assert workcal.compare_sources(2026) == workcal.SourceComparison(2026, True, True, ())
    assert workcal.compare_sources(2005).disagreements == (
        workcal.Disagreement(d("2005-12-31"), chinesecalendar_workday=False, holidays_workday=True),
    )


def test_the_holidays_package_alone_gives_the_same_2026_schedule() -> None:
    """The second source, used for years chinesecalendar lacks, reads 2026 the same way (names included)."""
    from_holidays = workcal_sources._from_holidays_package(2026)
    primary = workcal.statutory_year(2026)
    assert from_holidays.makeup_days == primary.makeup_days
    assert {day: primary.days_off[day] for day in from_holidays.days_off} == from_holidays.days_off


def test_neither_package_knows_2027() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-01-04"))
    assert not [day for day in holidays.China(years=2027).weekend_workdays if day.year == 2027]
    assert workcal.known_year(2026) is True
    assert workcal.known_year(2027) is False
    assert workcal.compare_sources(2027) == workcal.SourceComparison(2027, False, False, ())


def test_an_unknown_year_falls_back_to_monday_to_friday(world: OrgWorld) -> None:
    org = world.org.pk
    # 2027-01-01 is a Friday and New Year's Day, but nobody has told KAM yet.
    week = [d("2026-12-28") + timedelta(days=i) for i in range(14)]
    assert [workcal.is_workday(day, org) for day in week] == [True] * 5 + [False] * 2 + [True] * 5 + [False] * 2
    info = workcal.day_info(d("2027-01-01"), org)
    assert (info.is_workday, info.kind, info.known) == (True, workcal.DayKind.WORKDAY, False)
    assert workcal.add_workdays(d("2027-09-30"), 1, org) == d("2027-10-01")
    assert workcal.statutory_days(2027) == []


def test_admins_are_warned_about_an_unknown_year_until_they_enter_it(world: OrgWorld) -> None:
    org = world.org.pk
    assert workcal.calendar_warning(org, 2026) is None
    with translation.override("en"):
        assert workcal.calendar_warning(org, 2027) == (
            "KAM does not know China's statutory holidays and make-up workdays for 2027, so it counts Monday "
            "to Friday as working days in that year. Enter the year's holidays and make-up workdays as holiday "
            "overrides."
        )
    assert workcal.warning_years(d("2026-06-30")) == [2026]
    assert workcal.warning_years(d("2026-11-27")) == [2026, 2027]
    assert [w.year for w in workcal.calendar_warnings(org, workcal.warning_years(d("2026-11-27")))] == [2027]
    add_holiday_override(world.admin, day=d("2027-01-01"), is_workday=False, name="元旦")
    assert workcal.calendar_warning(org, 2027) is None
    assert workcal.calendar_warning(world.outsider.organization_id, 2027) is not None


def test_an_override_makes_a_working_day_a_day_off(world: OrgWorld) -> None:
    org = world.org.pk
    add_holiday_override(world.admin, day=d("2026-10-08"), is_workday=False, name="公司假日")
    add_holiday_override(world.admin, day=d("2026-10-10"), is_workday=False, name="")  # a 调休 Saturday
    assert workcal.is_workday(d("2026-10-08"), org) is False
    assert workcal.is_workday(d("2026-10-10"), org) is False
    with translation.override("en"):
        info = workcal.day_info(d("2026-10-10"), org)
    assert (info.kind, info.overridden) == (workcal.DayKind.HOLIDAY, True)
    assert info.name == "National Day"  # an unnamed override keeps the statutory name
    assert workcal.day_info(d("2026-10-08"), org).name == "公司假日"
    # Another organization keeps the statutory calendar.
    assert workcal.is_workday(d("2026-10-08"), world.outsider.organization_id) is True
    assert workcal.add_workdays(d("2026-09-30"), 1, org) == d("2026-10-09")


def test_an_override_makes_a_day_off_a_working_day(world: OrgWorld) -> None:
    org = world.org.pk
    add_holiday_override(world.admin, day=d("2026-10-05"), is_workday=True, name="项目上线值班")
    add_holiday_override(world.admin, day=d("2026-10-03"), is_workday=True)
    assert workcal.is_workday(d("2026-10-05"), org) is True
    assert workcal.is_workday(d("2026-10-03"), org) is True
    assert workcal.day_info(d("2026-10-03"), org).kind == workcal.DayKind.MAKEUP  # a worked Saturday
    assert workcal.day_info(d("2026-10-05"), org).kind == workcal.DayKind.WORKDAY
    assert workcal.next_workday(d("2026-09-30"), org) == d("2026-10-03")
    assert workcal.is_workday(d("2026-10-05"), world.outsider.organization_id) is False


def test_changing_and_deleting_an_override_takes_effect_at_once(world: OrgWorld) -> None:
    org = world.org.pk
    override = add_holiday_override(world.admin, day=d("2026-12-31"), is_workday=False, name="年会")
    assert workcal.is_workday(d("2026-12-31"), org) is False
    update_holiday_override(world.admin, override, day=d("2026-12-30"), is_workday=False, name="年会")
    assert (workcal.is_workday(d("2026-12-31"), org), workcal.is_workday(d("2026-12-30"), org)) == (True, False)
    delete_holiday_override(world.admin, HolidayOverride.objects.get(pk=override.pk))
    assert workcal.is_workday(d("2026-12-30"), org) is True


def test_add_workdays_across_the_national_day_week(db: None) -> None:
    assert workcal.add_workdays(d("2026-09-30"), 1, 1) == d("2026-10-08")
    assert workcal.add_workdays(d("2026-09-30"), 3, 1) == d("2026-10-10")  # Saturday, a 调休 workday
    assert workcal.add_workdays(d("2026-10-01"), 0, 1) == d("2026-10-08")
    assert workcal.add_workdays(d("2026-09-30"), 0, 1) == d("2026-09-30")
    assert workcal.add_workdays(d("2026-10-08"), -1, 1) == d("2026-09-30")
    assert workcal.next_workday(d("2026-09-30"), 1) == d("2026-10-08")
    assert workcal.previous_workday(d("2026-10-08"), 1) == d("2026-09-30")
    assert workcal.workdays_between(d("2026-09-30"), d("2026-10-10"), 1) == 3
    assert workcal.workdays_between(d("2026-10-10"), d("2026-09-30"), 1) == -3


def test_add_workdays_across_a_make_up_sunday(db: None) -> None:
    # Friday 2026-09-18 → Saturday off → Sunday 2026-09-20 is worked (调休 for National Day).
    assert workcal.add_workdays(d("2026-09-18"), 1, 1) == d("2026-09-20")
    assert workcal.add_workdays(d("2026-09-18"), 2, 1) == d("2026-09-21")
    assert workcal.previous_workday(d("2026-09-21"), 1) == d("2026-09-20")
    # New Year: 1–3 January off, Sunday the 4th worked.
    assert workcal.add_workdays(d("2025-12-31"), 1, 1) == d("2026-01-04")
    assert workcal.add_workdays(d("2026-01-02"), 0, 1) == d("2026-01-04")


def test_workdays_between_counts_what_add_workdays_steps(world: OrgWorld) -> None:
    org = world.org.pk
    add_holiday_override(world.admin, day=d("2026-12-31"), is_workday=False, name="年会")
    add_holiday_override(world.admin, day=d("2027-02-06"), is_workday=True, name="调休")  # a Saturday
    start = d("2026-09-01")
    for offset in range(0, 200, 7):
        day = start + timedelta(days=offset)
        for n in (0, 1, 2, 5, 9, 23):
            target = workcal.add_workdays(day, n, org)
            brute = sum(workcal.is_workday(day + timedelta(days=i), org) for i in range(1, (target - day).days + 1))
            assert workcal.workdays_between(day, target, org) == brute
            if workcal.is_workday(day, org):
                assert brute == n


def test_overrides_are_read_once_per_process(world: OrgWorld, django_assert_num_queries: object) -> None:
    org = world.org.pk
    add_holiday_override(world.admin, day=d("2026-12-31"), is_workday=False, name="年会")
    workcal.is_workday(d("2026-12-31"), org)
    with django_assert_num_queries(0):  # type: ignore[operator]
        for i in range(500):
            workcal.is_workday(d("2026-01-01") + timedelta(days=i), org)
        workcal.add_workdays(d("2026-01-01"), 200, org)
        workcal.workdays_between(d("2026-01-01"), d("2027-12-31"), org)


def test_another_process_change_is_seen_after_the_recheck_interval(
    world: OrgWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = world.org.pk
    clock = [1000.0]
    monkeypatch.setattr(workcal.time, "monotonic", lambda: clock[0])
    assert workcal.is_workday(d("2026-12-31"), org) is True
    # Another process adds an override: the row and a new version in the shared cache, not our memory.
    HolidayOverride.objects.create(organization=world.org, day=d("2026-12-31"), is_workday=False)
    cache.set(workcal._version_key(org), "changed elsewhere", None)
    assert workcal.is_workday(d("2026-12-31"), org) is True  # still trusted within the interval
    clock[0] += workcal.RECHECK_SECONDS + 0.1
    assert workcal.is_workday(d("2026-12-31"), org) is False
