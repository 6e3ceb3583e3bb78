"""Which customers of the large dataset get activities, how many, and on which working days.

Customers with a follow-up clock and someone who held them get follow-ups between their creation (or a
year ago) and the day of their last follow-up; the totals are split by tier and span, exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection

from kam.activities.demo.days import WorkDays, local_day, zone
from kam.core.models import Organization
from kam.customers.models import Customer, OwnershipChange, OwnershipKind

YEAR_DAYS = 365
TIER_WEIGHT = {"A": 3.0, "B": 2.0, "C": 1.0}
VISIT_WEIGHT = {"A": 3.0, "B": 1.5, "C": 0.7}
OFFICE_MINUTES = (540, 1110)  # 09:00–18:30, Shanghai wall clock
VISIT_MINUTES = (570, 930)  # check-ins 09:30–15:30


@dataclass
class PlannedCustomer:
    pk: int
    author_id: int
    tier: str
    latitude: float | None
    longitude: float | None
    last: datetime
    next: datetime | None
    lo: int  # first working-day index it may be followed up on
    hi: int  # last working-day index strictly before the day of its last follow-up
    followups: int = 1
    visits: int = 0

    @property
    def span(self) -> int:
        return max(0, self.hi - self.lo + 1)


class Clock:
    """Working days of the past year as text, in the stored format of the database."""

    def __init__(self, org: Organization, now: datetime) -> None:
        self.now = now
        days = WorkDays(org.pk)
        today = local_day(now)
        self.days: list[date] = days.between(today - timedelta(days=YEAR_DAYS), today + timedelta(days=21))
        self.index = {day: i for i, day in enumerate(self.days)}
        self.day_text = [day.isoformat() for day in self.days]
        # Office hours of a Shanghai day (UTC+8) fall on the same UTC date, so a stored moment is the
        # day's text and a UTC wall-clock time: no datetime arithmetic per row.
        offset = zone().utcoffset(now)
        shift = int(offset.total_seconds() // 60) if offset is not None else 0
        if not (0 <= OFFICE_MINUTES[0] - shift and OFFICE_MINUTES[1] + 200 - shift < 24 * 60):
            raise ValueError("the large generator needs office hours on one UTC date (e.g. Asia/Shanghai)")
        utc = [m - shift for m in range(24 * 60)]
        suffix = "" if connection.vendor == "sqlite" else "+00:00"
        self.minute_text = [f"{m // 60:02d}:{m % 60:02d}:00{suffix}" for m in utc]

    def text(self, day: int, minute: int) -> str:
        """The stored form of `minute` past Shanghai midnight of working day number `day`."""
        return f"{self.day_text[day]} {self.minute_text[minute]}"

    def stamp(self, moment: datetime) -> object:
        return connection.ops.adapt_datetimefield_value(moment)


def customers_to_follow(org: Organization, clock: Clock) -> list[PlannedCustomer]:
    """Customers with a follow-up clock and someone who held them: the owner, or who gave them back."""
    given_back = dict(
        OwnershipChange.objects.filter(organization=org, kind__in=[OwnershipKind.RECYCLE, OwnershipKind.RETURN])
        .exclude(from_user=None)
        .order_by("at", "pk")
        .values_list("customer_id", "from_user_id")
    )
    year_ago = clock.now - timedelta(days=YEAR_DAYS)
    first_index = {d: i for i, d in enumerate(clock.days)}
    rows = (
        Customer.objects.filter(organization=org, last_followup_at__isnull=False)
        .order_by("pk")
        .values_list(
            "pk", "owner_id", "tier", "latitude", "longitude", "created_at", "last_followup_at", "next_followup_at"
        )
    )
    found = []
    for pk, owner_id, tier, lat, lng, created, last, upcoming in rows:
        author = owner_id or given_back.get(pk)
        if author is None or last is None:
            continue
        start = max(created, year_ago)
        lo = _index_after(clock, first_index, local_day(start))
        hi = _index_before(clock, first_index, local_day(last))
        found.append(
            PlannedCustomer(
                pk,
                author,
                tier,
                float(lat) if lat is not None else None,
                float(lng) if lng is not None else None,
                last,
                upcoming if owner_id else None,
                lo,
                hi,
            )
        )
    return found


def _index_after(clock: Clock, index: dict[date, int], day: date) -> int:
    for step in range(1, 40):
        found = index.get(day + timedelta(days=step))
        if found is not None:
            return found
    return len(clock.days)


def _index_before(clock: Clock, index: dict[date, int], day: date) -> int:
    for step in range(1, 40):
        found = index.get(day - timedelta(days=step))
        if found is not None:
            return found
    return -1


def allocate(
    customers: list[PlannedCustomer],
    total: int,
    weight: Callable[[PlannedCustomer], float],
    cap: Callable[[PlannedCustomer], int],
) -> list[int]:
    """`total` split by weight (largest remainders, then in order), each share within its cap."""
    weights = [weight(c) if cap(c) > 0 else 0.0 for c in customers]
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(customers)
    raw = [total * w / whole for w in weights]
    shares = [min(int(r), cap(c)) for r, c in zip(raw, customers, strict=True)]
    left = total - sum(shares)
    order = sorted(range(len(customers)), key=lambda i: (-(raw[i] - int(raw[i])), i))
    while left > 0:
        moved = 0
        for i in order:
            if left and shares[i] < cap(customers[i]) and weights[i] > 0:
                shares[i] += 1
                left -= 1
                moved += 1
        if not moved:
            break
    return shares


def plan_counts(customers: list[PlannedCustomer], followups: int, visits: int) -> None:
    """How many follow-ups each customer gets (at least its last one) and how many of them are visits."""
    extra = allocate(
        customers, followups - len(customers), lambda c: c.span * TIER_WEIGHT[c.tier], lambda c: c.span * 3
    )
    for customer, more in zip(customers, extra, strict=True):
        customer.followups = 1 + more
    shares = allocate(customers, visits, lambda c: c.span * VISIT_WEIGHT[c.tier], lambda c: c.followups - 1)
    for customer, share in zip(customers, shares, strict=True):
        customer.visits = share
