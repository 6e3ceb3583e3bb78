"""Haversine distances and the check-in flag (kam/activities/geo.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kam.activities.geo import Position, distance_to, haversine_m, out_of_range
from kam.activities.tests.fixtures_followups import BEIJING_WEST, TIANANMEN


def test_tiananmen_to_beijing_west_station_is_6625_metres() -> None:
    assert round(haversine_m(*TIANANMEN, *BEIJING_WEST)) == 6625


def test_distance_is_symmetric() -> None:
    assert haversine_m(*TIANANMEN, *BEIJING_WEST) == pytest.approx(haversine_m(*BEIJING_WEST, *TIANANMEN))


def test_one_degree_of_longitude_on_the_equator() -> None:
    assert round(haversine_m(0, 0, 0, 1)) == 111195


def test_beijing_to_shanghai_peoples_square_is_about_1068_km() -> None:
    assert round(haversine_m(*TIANANMEN, Decimal("31.230416"), Decimal("121.473701")) / 1000) == 1068


def test_same_point_is_zero_and_antipodes_are_half_the_circumference() -> None:
    assert haversine_m(*TIANANMEN, *TIANANMEN) == 0
    assert round(haversine_m(0, 0, 0, 180)) == 20015114  # π × 6,371,008.8 m


def test_distance_to_needs_both_points() -> None:
    here = Position(*BEIJING_WEST)
    assert distance_to(here, *TIANANMEN) == 6625
    assert distance_to(None, *TIANANMEN) is None
    assert distance_to(here, None, None) is None


@pytest.mark.parametrize(
    ("position", "distance", "flagged"),
    [
        (Position(*TIANANMEN), 0, False),
        (Position(*TIANANMEN), 500, False),
        (Position(*TIANANMEN), 501, True),
        (Position(*TIANANMEN), None, False),  # the customer has no coordinates: nothing to check
        (None, None, True),  # no position from the phone: flagged
    ],
)
def test_out_of_range_flag(position: Position | None, distance: int | None, flagged: bool) -> None:
    assert out_of_range(position, distance, 500) is flagged
