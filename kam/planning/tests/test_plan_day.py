"""Which day a plan is for: the next working day after today in Shanghai (issue 3 §5)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.models import HolidayOverride
from kam.planning.plan import plan_day_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday → Tuesday.
        (datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI), date(2026, 12, 1)),
        # Friday → Monday.
        (datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI), date(2026, 11, 30)),
        # Saturday and Sunday → Monday.
        (datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), date(2026, 11, 30)),
        (datetime(2026, 11, 29, 23, 59, tzinfo=SHANGHAI), date(2026, 11, 30)),
        # Before National Day (Oct 1–7, 2026) → the day after it.
        (datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI), date(2026, 10, 8)),
        # Friday before the make-up Saturday Oct 10 → that Saturday.
        (datetime(2026, 10, 9, 18, 0, tzinfo=SHANGHAI), date(2026, 10, 10)),
        # Before Sunday Sep 20, a make-up workday: Saturday → Sunday.
        (datetime(2026, 9, 19, 9, 0, tzinfo=SHANGHAI), date(2026, 9, 20)),
    ],
)
def test_plan_is_for_the_next_working_day(world: OrgWorld, now: datetime, expected: date) -> None:
    assert plan_day_for(world.owner, now) == expected


def test_today_is_the_shanghai_day(world: OrgWorld) -> None:
    # Thursday 20:00 UTC is already Friday 04:00 in Shanghai: the plan is for Monday, not Friday;
    # Thursday 15:00 UTC is still Thursday 23:00 in Shanghai: the plan is for Friday.
    assert plan_day_for(world.owner, datetime(2026, 11, 26, 20, 0, tzinfo=UTC)) == date(2026, 11, 30)
    assert plan_day_for(world.owner, datetime(2026, 11, 26, 15, 0, tzinfo=UTC)) == date(2026, 11, 27)


def test_the_organizations_own_days_off_count(world: OrgWorld) -> None:
    HolidayOverride.objects.create(organization=world.org, day=date(2026, 12, 1), is_workday=False, name="司庆")
    workcal.forget_overrides(world.org.pk)
    try:
        assert plan_day_for(world.owner, datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)) == date(2026, 12, 2)
        # Another organization keeps its Tuesday.
        assert plan_day_for(world.outsider, datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)) == date(2026, 12, 1)
    finally:
        workcal.forget_overrides(world.org.pk)
