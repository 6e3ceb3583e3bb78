"""The home page's reads, composed from the customer and core queries (so the view makes one call)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from kam.core.models import Notification, User
from kam.core.queries import notifications_of
from kam.customers.models import Customer
from kam.customers.queries import CustomerFilters, customer_list, visible_customers
from kam.planning.plan import today_for
from kam.planning.queries_plan import Agenda, agenda_for

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
    agenda: Agenda


def _counts(user: User, now: datetime) -> dict[str, int]:
    """The three counters in one query (the same scopes as the customer list's filters).

    Only my own rows and pool rows are read, so a director's count does not walk the organization.
    """
    owned = Q(owner_id=user.pk)
    in_pool = Q(owner__isnull=True, pool__isnull=False)
    stale = Q(last_followup_at__lt=now - timedelta(days=STALE_DAYS)) | Q(last_followup_at__isnull=True)
    counts = (
        visible_customers(user)
        .filter(owned | in_pool)
        .aggregate(
            my_customers=Count("pk", filter=owned),
            pool_customers=Count("pk", filter=in_pool),
            stale_customers=Count("pk", filter=owned & stale),
        )
    )
    return {name: int(value or 0) for name, value in counts.items()}


def home_summary(user: User, now: datetime | None = None) -> HomeSummary:
    """Counts of my customers, my pools' customers and my stale customers; who waits longest; news;
    today's agenda (the accepted plan of today) and the next plan made."""
    now = now or timezone.now()
    mine = CustomerFilters(owner=user.pk)
    # Never followed up counts as the oldest follow-up on every database (PostgreSQL sorts NULL last).
    waiting = (
        customer_list(user, mine)
        .prefetch_related(None)  # the home list shows no tags
        .order_by(F("last_followup_at").asc(nulls_first=True), "id")
    )
    counts = _counts(user, now)
    return HomeSummary(
        my_customers=counts["my_customers"],
        pool_customers=counts["pool_customers"],
        stale_customers=counts["stale_customers"],
        waiting_longest=list(waiting[:WAITING_LIMIT]),
        notifications=list(notifications_of(user, limit=RECENT_NOTIFICATIONS)),
        agenda=agenda_for(user, today_for(now)),
    )
