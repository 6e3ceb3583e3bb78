"""Builders for the competitor and price tests (not a test module itself)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kam.core.models import Organization, User
from kam.customers.models import Customer
from kam.market.models import Competitor, PriceIntel
from kam.sales.models import CompetitorStatus, DealCompetitor, Opportunity


def make_competitor(org: Organization, name: str, **fields: Any) -> Competitor:
    return Competitor.objects.create(organization=org, name=name, **fields)


def add_to_deal(
    deal: Opportunity, competitor: Competitor, status: str = CompetitorStatus.SHORTLISTED
) -> DealCompetitor:
    """A deal-competitor row written directly (no access check, no audit)."""
    return DealCompetitor.objects.create(
        organization_id=deal.organization_id, opportunity=deal, competitor=competitor, status=status
    )


def make_price(
    author: User,
    competitor: Competitor,
    product: str,
    price: Decimal | str | int,
    observed_on: date,
    customer: Customer | None = None,
    **fields: Any,
) -> PriceIntel:
    """A price row written directly."""
    return PriceIntel.objects.create(
        organization_id=author.organization_id,
        competitor=competitor,
        product=product,
        price=Decimal(str(price)),
        observed_on=observed_on,
        customer=customer,
        author=author,
        **fields,
    )


@pytest.fixture(autouse=True)
def _english_messages(settings: Any) -> Iterator[None]:
    """Pages, API answers and refusals of actions called directly read in English (autouse where imported),
    so tests compare msgids; the project's client_for sends no language, so the default decides."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
