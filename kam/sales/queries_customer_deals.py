"""The customer 360 page's deals: what the deals panel (kam/sales/panels.py) shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kam.core.models import User
from kam.core.money import CENT, format_yuan
from kam.sales.models import Opportunity, OpportunityStatus
from kam.sales.queries import visible_opportunities
from kam.sales.queries_lists import ROW_FIELDS, DealRow, rows_of, stage_totals

CUSTOMER_OPEN_DEALS = 20
CUSTOMER_CLOSED_DEALS = 5


@dataclass
class CustomerDeals:
    open_rows: list[DealRow]
    closed_rows: list[DealRow]
    open_count: int
    open_amount: Decimal
    open_weighted: Decimal

    @property
    def open_amount_text(self) -> str:
        return format_yuan(self.open_amount)

    @property
    def open_weighted_text(self) -> str:
        return format_yuan(self.open_weighted)


def _summed(totals: dict[int, dict[str, Any]], key: str) -> Decimal:
    return sum((Decimal(row[key] or 0) for row in totals.values()), Decimal("0"))


def customer_deals(user: User, customer_id: int) -> CustomerDeals:
    """A customer's deals the user may open: all open ones (up to 20) by close date, then the five
    most recently closed; plus the open totals. Five queries whatever the customer holds.

    The customer's deal ids are read first, from the customer index: a customer has a handful of
    deals, while the scope's terms lead SQLite into the organization-wide open-deals index
    (46 ms on the large dataset, docs/benchmarks.md).
    """
    ids = list(Opportunity.objects.filter(customer_id=customer_id).values_list("pk", flat=True))
    deals = visible_opportunities(user).filter(pk__in=ids)
    totals = stage_totals(deals.filter(status=OpportunityStatus.OPEN))
    open_deals = list(
        deals.filter(status=OpportunityStatus.OPEN)
        .select_related("customer", "owner", "stage")
        .only(*ROW_FIELDS)
        .order_by("expected_close_date", "id")[:CUSTOMER_OPEN_DEALS]
    )
    closed = list(
        deals.exclude(status=OpportunityStatus.OPEN)
        .select_related("customer", "owner", "stage")
        .only(*ROW_FIELDS, "closed_at")
        .order_by("-closed_at", "-id")[:CUSTOMER_CLOSED_DEALS]
    )
    return CustomerDeals(
        open_rows=rows_of(open_deals),
        closed_rows=rows_of(closed),
        open_count=sum(row["n"] for row in totals.values()),
        open_amount=_summed(totals, "total").quantize(CENT),
        open_weighted=(_summed(totals, "weighted_x100") / 100).quantize(CENT, rounding=ROUND_HALF_UP),
    )
