"""The home page's reads, composed from the customer and core queries (so the view makes one call)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from kam.core.models import Notification, User
from kam.core.queries import notifications_of
from kam.customers.models import Customer
from kam.customers.queries import CustomerFilters, customer_list, visible_customers

STALE_DAYS = 30
WAITING_LIMIT = 10
RECENT_NOTIFICATIONS = 5


@dataclass(frozen=True)
class HomeSummary:
    my_customers: int
    pool_customers: int
    stale_customers: int
    waiting_longest: list[Customer]
    notifications: list[Notification]


def home_summary(user: User) -> HomeSummary:
    """Counts of my customers, my pools' customers and my stale customers; who waits longest; news."""
    mine = CustomerFilters(owner=user.pk)
    # Never followed up counts as the oldest follow-up on every database (PostgreSQL sorts NULL last).
    waiting = (
        customer_list(user, mine)
        .prefetch_related(None)  # the home list shows no tags
        .order_by(F("last_followup_at").asc(nulls_first=True), "id")
    )
    return HomeSummary(
        my_customers=customer_list(user, mine).count(),
        pool_customers=visible_customers(user).filter(owner__isnull=True, pool__isnull=False).count(),
        stale_customers=customer_list(user, CustomerFilters(owner=user.pk, stale_days=STALE_DAYS)).count(),
        waiting_longest=list(waiting[:WAITING_LIMIT]),
        notifications=list(notifications_of(user, limit=RECENT_NOTIFICATIONS)),
    )
