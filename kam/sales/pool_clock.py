"""The clock of the pool rule "no open deal for N days" (RecycleReason.NO_OPEN_DEAL).

A customer is due at `moment` (= now − N days) when all three hold:

- it has no open opportunity now (an open deal stops the clock, however old it is);
- none of its opportunities was created or closed at or after `moment` (the clock restarts when a
  deal is opened and again when the last one is closed — won, lost or invalid);
- its owner has had it since before `moment` (a new owner gets the full N days).

So the clock started at the latest of `owner_since`, the newest deal's creation and the newest
closing; the forecasts ("about to return") read those two deal moments through `events`.
Registered in kam.customers.pool_rules, which must not import the deals module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, Subquery

from kam.customers.models import PoolRule, RecycleReason
from kam.customers.pool_rules import register_rule_clock
from kam.sales.models import Opportunity, OpportunityStatus


def _deals_of_customer() -> Any:
    return Opportunity.objects.filter(customer_id=OuterRef("pk"))


def no_open_deal_since(rule: PoolRule, moment: datetime) -> Q:
    """Customers with no open deal now, no deal created or closed since `moment`, owned since before it."""
    deals = _deals_of_customer()
    open_now = Exists(deals.filter(status=OpportunityStatus.OPEN))
    recent = Exists(deals.filter(Q(created_at__gte=moment) | Q(closed_at__gte=moment)))
    return Q(owner_since__lt=moment) & ~Q(open_now) & ~Q(recent)


def _latest(field: str) -> Subquery:
    newest = _deals_of_customer().values("customer_id").annotate(latest=Max(field)).values("latest")
    return Subquery(newest[:1])


def deal_clock_events() -> Mapping[str, Any]:
    """The deal moments that restart the clock, as annotations of a customer queryset."""
    return {"deal_clock_created": _latest("created_at"), "deal_clock_closed": _latest("closed_at")}


register_rule_clock(RecycleReason.NO_OPEN_DEAL, no_open_deal_since, events=deal_clock_events)
