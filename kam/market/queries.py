"""Reads of the competitor master and of price intelligence.

Both are shared by the whole organization (read by every user of it). Two things stay scoped:
the deals listed on a competitor's page (only the deals the viewer may open) and the customer
named on a price row (only when the viewer may open that customer; otherwise nothing of it
leaves the database).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from kam.core.models import Role, User
from kam.core.money import CENT
from kam.core.queries import get_or_404
from kam.customers.queries import visible_customers
from kam.market.models import Competitor, PriceIntel
from kam.sales.models import DealCompetitor, Opportunity, OpportunityStatus
from kam.sales.queries import visible_opportunities
from kam.sales.queries_deals import win_rate

# The competitor master is edited by managers, directors and admins; reps and presales read it.
MASTER_EDITORS = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
# Price intelligence is recorded by anyone who sells.
PRICE_RECORDERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.PRESALES})
RECENT_DEALS = 10
LATEST_PRICES = 10


def may_edit_competitors(user: User) -> bool:
    """Managers, directors and admins keep the competitor master."""
    return user.is_authenticated and user.organization_id is not None and user.role in MASTER_EDITORS


def may_record_prices(user: User) -> bool:
    """Every sales role (rep, manager, director, admin, presales) may record a competitor's price."""
    return user.is_authenticated and user.organization_id is not None and user.role in PRICE_RECORDERS


def org_competitors(user: User) -> QuerySet[Competitor]:
    """Every competitor of the user's organization (the master is shared organization-wide)."""
    if not user.is_authenticated or user.organization_id is None:
        return Competitor.objects.none()
    return Competitor.objects.filter(organization_id=user.organization_id)


def active_competitors(user: User) -> QuerySet[Competitor]:
    """The competitors a deal or a price may name: active ones of the organization, by name."""
    return org_competitors(user).filter(active=True).order_by("name")


def win_rate_percent(competitor: Any) -> Decimal | None:
    """Our win rate against a competitor annotated by with_deal_counts: won ÷ (won + lost) in percent."""
    return win_rate(competitor.won_count, competitor.lost_count)


def _won_by_only(status: str | None) -> Any:
    """Deals closed with this competitor as the winner but without a row in the deal's competitor list."""
    listed = DealCompetitor.objects.filter(opportunity_id=OuterRef("pk"), competitor_id=OuterRef(OuterRef("pk")))
    deals = Opportunity.objects.filter(won_by_id=OuterRef("pk"), customer__deleted_at__isnull=True).exclude(
        Exists(listed)
    )
    if status is not None:
        deals = deals.filter(status=status)
    counted = deals.order_by().values("won_by_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_deal_counts(competitors: QuerySet[Competitor]) -> QuerySet[Competitor]:
    """Annotate met_count / won_count / lost_count over the organization's deals, in the same query.

    A competitor was present in a deal when the deal lists it, or when it won a deal we lost.
    Deals of deleted customers do not count. These are organization statistics of a shared profile;
    no deal is named by them.
    """
    alive = Q(deals__opportunity__customer__deleted_at__isnull=True)
    return competitors.annotate(
        listed_met=Count("deals", filter=alive),
        listed_won=Count("deals", filter=alive & Q(deals__opportunity__status=OpportunityStatus.WON)),
        listed_lost=Count("deals", filter=alive & Q(deals__opportunity__status=OpportunityStatus.LOST)),
        winner_only_met=_won_by_only(None),
        winner_only_lost=_won_by_only(OpportunityStatus.LOST),
    ).annotate(
        met_count=F("listed_met") + F("winner_only_met"),
        won_count=F("listed_won"),
        lost_count=F("listed_lost") + F("winner_only_lost"),
    )


@dataclass(frozen=True)
class CompetitorFilters:
    q: str = ""
    # "active" (default), "inactive" or "all"
    state: str = "active"


def competitor_list(user: User, filters: CompetitorFilters) -> QuerySet[Competitor]:
    """The organization's competitors matching the filters, by name, with their deal counts."""
    competitors = org_competitors(user)
    if filters.q:
        competitors = competitors.filter(name__icontains=filters.q)
    if filters.state == "active":
        competitors = competitors.filter(active=True)
    elif filters.state == "inactive":
        competitors = competitors.filter(active=False)
    return with_deal_counts(competitors).order_by("name", "pk")


def get_competitor_for_user(user: User, pk: Any, write: bool = False) -> Competitor:
    """One competitor of the user's organization (404 otherwise); `write` needs a master editor (403)."""
    competitor = get_or_404(with_deal_counts(org_competitors(user)), pk)
    if write and not may_edit_competitors(user):
        raise PermissionDenied
    return competitor


def is_referenced(competitor: Competitor) -> bool:
    """Deals or price rows point at it, so it can only be deactivated, never deleted."""
    return (
        DealCompetitor.objects.filter(competitor_id=competitor.pk).exists()
        or PriceIntel.objects.filter(competitor_id=competitor.pk).exists()
        or Opportunity.objects.filter(won_by_id=competitor.pk).exists()
    )


def recent_deals(user: User, competitor: Competitor, limit: int = RECENT_DEALS) -> list[Opportunity]:
    """The newest deals the viewer may open where this competitor was present (`competitor_status` annotated)."""
    listed = DealCompetitor.objects.filter(opportunity_id=OuterRef("pk"), competitor_id=competitor.pk)
    return list(
        visible_opportunities(user)
        .filter(Q(Exists(listed)) | Q(won_by_id=competitor.pk))
        .annotate(competitor_status=Subquery(listed.values("status")[:1]))
        .select_related("customer", "stage", "owner")
        .order_by("-updated_at", "-pk")[:limit]
    )


# --- price intelligence -------------------------------------------------------------------------


def normalize_product(text: str) -> str:
    """Product names are compared as typed, with runs of spaces collapsed (history groups by it)."""
    return " ".join(str(text).split())


def _with_shown_customer(prices: QuerySet[PriceIntel], user: User) -> QuerySet[PriceIntel]:
    """Annotate shown_customer_id / shown_customer_name: the customer only when the viewer may open it."""
    openable = Exists(visible_customers(user).filter(pk=OuterRef("customer_id")))
    return prices.annotate(
        shown_customer_id=Case(When(openable, then=F("customer_id")), default=Value(None), output_field=IntegerField()),
        shown_customer_name=Case(When(openable, then=F("customer__name")), default=Value("")),
    )


def org_prices(user: User) -> QuerySet[PriceIntel]:
    """Every price row of the organization, its customer shown only to those who may open it."""
    if not user.is_authenticated or user.organization_id is None:
        return PriceIntel.objects.none()
    prices = PriceIntel.objects.filter(organization_id=user.organization_id)
    return _with_shown_customer(prices, user).select_related("competitor", "author")


@dataclass(frozen=True)
class PriceFilters:
    competitor: int | None = None
    product: str = ""
    date_from: date | None = None
    date_to: date | None = None
    confidence: str = ""
    # a GB/T 4754 code: a section letter matches every division in it
    industry: str = ""


def price_list(user: User, filters: PriceFilters) -> QuerySet[PriceIntel]:
    """Price rows matching the filters, newest observation first."""
    prices = org_prices(user)
    if filters.competitor is not None:
        prices = prices.filter(competitor_id=filters.competitor)
    if filters.product:
        prices = prices.filter(product__icontains=filters.product)
    if filters.date_from is not None:
        prices = prices.filter(observed_on__gte=filters.date_from)
    if filters.date_to is not None:
        prices = prices.filter(observed_on__lte=filters.date_to)
    if filters.confidence:
        prices = prices.filter(confidence=filters.confidence)
    if filters.industry:
        prices = prices.filter(
            Q(customer__industry_id=filters.industry) | Q(customer__industry__section_id=filters.industry)
        )
    return prices.order_by("-observed_on", "-created_at", "-pk")


def get_price_for_user(user: User, pk: Any) -> PriceIntel:
    """One price row of the organization (404 otherwise), with its customer shown as for the lists."""
    return get_or_404(org_prices(user), pk)


def latest_prices(user: User, competitor: Competitor, limit: int = LATEST_PRICES) -> list[PriceIntel]:
    """The competitor's newest price rows."""
    return list(price_list(user, PriceFilters(competitor=competitor.pk))[:limit])


def products_of(competitor: Competitor) -> list[str]:
    """The products the competitor has price rows for, as recorded (one spelling per product, A→Z)."""
    names = PriceIntel.objects.filter(competitor_id=competitor.pk).values_list("product", flat=True).distinct()
    unique: dict[str, str] = {}
    for name in sorted(names):
        unique.setdefault(name.casefold(), name)
    return sorted(unique.values())


@dataclass(frozen=True)
class PriceStats:
    count: int
    minimum: Decimal
    median: Decimal
    maximum: Decimal
    latest: Decimal
    latest_on: date


@dataclass
class PriceHistory:
    competitor: Competitor
    product: str
    rows: list[PriceIntel] = field(default_factory=list)
    stats: PriceStats | None = None


def price_stats(rows: list[PriceIntel]) -> PriceStats | None:
    """min / median / max over the rows and the latest one (rows oldest first); None without rows."""
    if not rows:
        return None
    prices = [row.price for row in rows]
    median = Decimal(statistics.median(prices)).quantize(CENT, rounding=ROUND_HALF_UP)
    return PriceStats(len(rows), min(prices), median, max(prices), rows[-1].price, rows[-1].observed_on)


def price_history(user: User, competitor: Competitor, product: str) -> PriceHistory:
    """One competitor's prices of one product (case-insensitive), oldest first, with their statistics."""
    product = normalize_product(product)
    rows: list[PriceIntel] = []
    if product:
        rows = list(
            org_prices(user)
            .filter(competitor_id=competitor.pk, product__iexact=product)
            .order_by("observed_on", "created_at", "pk")
        )
    return PriceHistory(competitor, product, rows, price_stats(rows))
