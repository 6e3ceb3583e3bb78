"""Distances for visit check-ins: great-circle metres between two points, no map service needed.

Positions come from the browser (navigator.geolocation, WGS-84) and the customer's stored
latitude/longitude. Both are taken to be in the same datum: a point copied from a Chinese map
(GCJ-02) can be a few hundred metres off, which the check-in radius should allow for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

# The mean radius of the earth (IUGG), in metres.
EARTH_RADIUS_M = 6_371_008.8

Degrees = float | Decimal


@dataclass(frozen=True)
class Position:
    """A reading from the browser: degrees, and the accuracy it claims (metres), if any."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: float | None = None


def haversine_m(lat1: Degrees, lng1: Degrees, lat2: Degrees, lng2: Degrees) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lng2) - float(lng1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_to(position: Position | None, latitude: Degrees | None, longitude: Degrees | None) -> int | None:
    """Whole metres from a reading to a stored point; None when either side has no coordinates."""
    if position is None or latitude is None or longitude is None:
        return None
    return round(haversine_m(position.latitude, position.longitude, latitude, longitude))


def out_of_range(position: Position | None, distance_m: int | None, radius_m: int) -> bool:
    """The check-in flag: farther than the radius, or no position at all (the browser gave none).

    A customer without stored coordinates cannot be checked against, so it is not flagged.
    """
    if position is None:
        return True
    return distance_m is not None and distance_m > radius_m
