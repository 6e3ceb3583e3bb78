"""The large dataset's deals at a tiny size: exact counts, every invariant of the actions, same seed same deals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F

from kam.activities.models import FollowUp
from kam.core.models import Organization
from kam.customers.demo.large import LargeSize, build_large
from kam.market.models import Competitor, PriceIntel
from kam.sales.models import DealCompetitor, NeedsVersion, Opportunity, QualificationScore, StageChange
from kam.sales.tests.demo_invariants import assert_all

pytestmark = pytest.mark.django_db

PINNED_NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
SMALL = LargeSize(
    reps=6,
    customers=40,
    contacts=200,
    followups_per_customer=12,
    visits_per_customer=2,
    tasks_per_rep=2,
    requests_per_rep=1,
    deal_sample_share=0.3,
)


def test_small_large_dataset_has_ten_deals_a_customer_with_their_rows() -> None:
    summary = build_large(seed=3, size=SMALL, now=PINNED_NOW)

    deals = summary.deals
    assert deals is not None
    assert deals.opportunities == Opportunity.objects.count() == 400
    assert deals.open + deals.won + deals.lost + deals.invalid == 400
    assert deals.stage_changes == StageChange.objects.count()
    assert 2.5 <= deals.stage_changes / 400 <= 4.5
    assert deals.deal_competitors == DealCompetitor.objects.count() > 0
    assert deals.scores == QualificationScore.objects.count() > 0
    assert deals.needs_versions == NeedsVersion.objects.count() > 0
    assert Competitor.objects.count() == 9
    assert PriceIntel.objects.count() == deals.price_intel
    assert deals.followups_linked == FollowUp.objects.filter(opportunity__isnull=False).count() > 0
    assert not Opportunity.objects.exclude(owner_id=F("customer__owner_id")).exists()
    assert any(line.startswith("Deals: 400 opportunities") for line in summary.lines())


def test_large_deals_keep_every_invariant_of_the_actions() -> None:
    build_large(seed=3, size=SMALL, now=PINNED_NOW)
    org = Organization.objects.get(code="large")

    assert_all(org, PINNED_NOW)
    closed = Opportunity.objects.exclude(status="open")
    assert not closed.filter(closed_at__lt=PINNED_NOW - timedelta(days=731)).exists()
    assert not closed.filter(qualification_snapshot={}).exists()
    assert not Opportunity.objects.filter(status="won").exclude(customer__status="active").exists()


def test_deals_added_after_the_load_take_fresh_ids() -> None:
    build_large(seed=3, size=SMALL, now=PINNED_NOW)
    deal = Opportunity.objects.order_by("pk").first()
    assert deal is not None
    top = Opportunity.objects.order_by("-pk").values_list("pk", flat=True)[0]

    deal.pk = None
    deal.save()

    assert deal.pk == top + 1


def _rows(seed: int) -> list[tuple[Any, ...]]:
    with transaction.atomic():
        build_large(seed=seed, size=SMALL, now=PINNED_NOW)
        rows = sorted(
            Opportunity.objects.values_list(
                "customer__credit_code", "name", "amount", "status", "stage__position", "closed_at"
            )  # fmt: skip
        )
        transaction.set_rollback(True)
    return rows


def test_large_deals_are_the_same_for_the_same_seed() -> None:
    first, second, other = _rows(3), _rows(3), _rows(4)

    assert first == second
    assert first != other
    assert Opportunity.objects.count() == 0
