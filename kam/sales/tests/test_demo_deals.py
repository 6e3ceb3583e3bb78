"""`kam demo`: the deals of the demo organisation keep every invariant the deal actions keep.

The demo is built once for the module at a fixed clock (Wednesday 18 November 2026, 10:30 Shanghai).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from kam.activities.models import FollowUp
from kam.core.models import Organization, Role, User
from kam.customers.demo.demo_org import build_demo
from kam.customers.models import Customer
from kam.market.models import Competitor, PriceIntel
from kam.planning.models.account_plans import AccountPlan, SpendHolder, WhitespaceCell
from kam.sales.gates import check_gate
from kam.sales.models import (
    BuyingInfluence,
    CompetitorStatus,
    DealCompetitor,
    NeedsVersion,
    Opportunity,
    OpportunityMember,
    RequirementItem,
    Stage,
    StageChange,
    TeamRole,
)

NOW = datetime(2026, 11, 18, 2, 30, tzinfo=UTC)
LAST_WORKDAY = date(2026, 11, 17)
REPS = [f"rep{i}" for i in range(1, 13)]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Organization]:
    with django_db_blocker.unblock(), transaction.atomic():
        summary = build_demo(seed=2024, now=NOW)
        yield summary.organization
        transaction.set_rollback(True)


@pytest.fixture
def org(demo: Organization, db: None) -> Organization:
    return demo


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def test_every_rep_has_8_to_15_open_deals_over_all_five_stages(org: Organization) -> None:
    stages = list(Stage.objects.filter(organization=org).order_by("position").values_list("pk", flat=True))
    assert len(stages) == 5
    for name in REPS:
        rep = User.objects.get(organization=org, username=name)
        open_deals = Opportunity.objects.filter(owner=rep, status="open")
        assert 8 <= open_deals.count() <= 15, name
        assert set(open_deals.values_list("stage_id", flat=True)) == set(stages), name
        amounts = list(open_deals.values_list("amount", flat=True))
        assert all(Decimal(200_000) <= a <= Decimal(8_000_000) and a % 50_000 == 0 for a in amounts), name


def test_open_deals_close_ahead_with_some_past_due(org: Organization) -> None:
    open_deals = Opportunity.objects.filter(organization=org, status="open")
    today = _local_day(NOW)
    past_due = open_deals.filter(expected_close_date__lt=today).count()
    assert 0 < past_due < open_deals.count() * 0.3
    assert not open_deals.filter(Q(closed_at__isnull=False) | Q(close_reason__isnull=False)).exists()


def test_closed_deals_of_the_last_two_years_have_reasons_winners_and_price_gaps(org: Organization) -> None:
    closed = Opportunity.objects.filter(organization=org).exclude(status="open")
    assert not closed.filter(closed_at__isnull=True).exists()
    assert not closed.filter(closed_at__lt=NOW - timedelta(days=731)).exists()
    assert not closed.filter(closed_at__gt=NOW).exists()
    counts = Counter(closed.values_list("status", flat=True))
    assert counts["won"] >= 40
    assert counts["lost"] >= 40
    assert counts["invalid"] >= 5
    for status in ("won", "lost", "invalid"):
        assert not closed.filter(status=status).exclude(close_reason__outcome=status).exists(), status
    lost = closed.filter(status="lost")
    assert lost.filter(won_by__isnull=False).count() >= 10
    assert lost.filter(price_gap__isnull=False).count() >= 5
    assert not closed.exclude(status="lost").filter(Q(won_by__isnull=False) | Q(price_gap__isnull=False)).exists()
    assert not closed.filter(qualification_snapshot={}).exists()
    assert set(closed.filter(status="won").values_list("probability", "forecast_category")) == {(100, "closed")}
    for deal in lost.filter(won_by__isnull=False):
        assert DealCompetitor.objects.get(opportunity=deal, status=CompetitorStatus.WON).competitor_id == deal.won_by_id
    assert not DealCompetitor.objects.filter(
        organization=org, status=CompetitorStatus.WON, opportunity__won_by=None
    ).exists()


def test_customers_with_won_deals_were_won_no_later_than_their_first_win(org: Organization) -> None:
    firsts = (
        Opportunity.objects.filter(organization=org, status="won")
        .values("customer_id")
        .annotate(first=Min("closed_at"))
    )
    won_at = dict(Customer.objects.filter(organization=org).values_list("pk", "won_at"))
    for row in firsts:
        assert won_at[row["customer_id"]] is not None
        assert won_at[row["customer_id"]] <= row["first"]
    assert Opportunity.objects.filter(organization=org, status="won").exclude(customer__status="active").count() == 0


def test_every_deal_has_its_owner_on_the_team_and_splits_summing_to_100(org: Organization) -> None:
    deals = Opportunity.objects.filter(organization=org)
    owners = OpportunityMember.objects.filter(organization=org, role=TeamRole.OWNER)
    assert owners.count() == deals.count()
    assert not owners.exclude(user_id=F("opportunity__owner_id")).exists()
    assert set(owners.values_list("access", flat=True)) == {"write"}
    sums = set(
        OpportunityMember.objects.filter(organization=org)
        .values("opportunity_id")
        .annotate(total=Sum("split_percent"))
        .values_list("total", flat=True)
    )
    assert sums == {Decimal(100)}
    assert OpportunityMember.objects.filter(organization=org, role=TeamRole.SALES, split_percent=30).exists()


def test_stage_history_matches_each_deal(org: Organization) -> None:
    changes: dict[int, list[StageChange]] = defaultdict(list)
    for change in StageChange.objects.filter(organization=org).order_by("at", "pk"):
        changes[change.opportunity_id].append(change)
    deals = list(Opportunity.objects.filter(organization=org))
    for deal in deals:
        rows = changes[deal.pk]
        first = rows[0]
        assert (first.from_stage_id, first.from_status, first.to_status, first.at) == (
            None,
            "",
            "open",
            deal.created_at,
        )
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.from_stage_id == before.to_stage_id
            assert after.from_status == before.to_status
            assert after.at > before.at
        assert (rows[-1].to_stage_id, rows[-1].to_status) == (deal.stage_id, deal.status)
        entering = [r for r in rows if r.from_status in ("", "open") and r.to_status == "open"][-1]
        assert entering.at == deal.stage_entered_at
        if deal.status != "open":
            assert rows[-1].at == deal.closed_at
        assert rows[-1].at <= NOW
    assert StageChange.objects.filter(organization=org, gate_override=True).exclude(override_reason="").exists()


def test_open_deals_meet_every_gate_up_to_their_stage(org: Organization) -> None:
    stages = list(Stage.objects.filter(organization=org).order_by("position"))
    for deal in Opportunity.objects.filter(organization=org, status="open").select_related("stage"):
        for stage in stages[: stages.index(deal.stage) + 1]:
            assert check_gate(deal, stage) == [], (deal.pk, stage.name)


def test_buying_influences_have_one_economic_buyer_and_some_red_flags(org: Organization) -> None:
    influences = BuyingInfluence.objects.filter(organization=org)
    economic = influences.filter(role="economic").values("opportunity_id").annotate(n=Count("id"))
    assert {row["n"] for row in economic} == {1}
    assert not influences.exclude(contact__customer_id=F("opportunity__customer_id")).exists()
    late = Opportunity.objects.filter(organization=org, status="open", stage__position__gte=3)
    assert not late.exclude(influences__role="economic").exists()
    with_influences = Opportunity.objects.filter(organization=org, influences__isnull=False).distinct()
    assert with_influences.exclude(influences__role="coach").exists()  # the "no coach" red flag
    assert influences.filter(rating__lte=-4).exists()
    assert influences.filter(role="economic", response_mode__in=["even_keel", "overconfident"]).exists()


def test_needs_versions_are_numbered_with_reasons_and_changed_requirements(org: Organization) -> None:
    versions: dict[int, list[NeedsVersion]] = defaultdict(list)
    for version in NeedsVersion.objects.filter(organization=org).order_by("number"):
        versions[version.opportunity_id].append(version)
    changed = {pk: v for pk, v in versions.items() if len(v) >= 2}
    open_with_needs = Opportunity.objects.filter(organization=org, status="open", pk__in=list(versions)).count()
    assert len(changed) >= open_with_needs / 5
    for pk, rows in versions.items():
        assert [v.number for v in rows] == list(range(1, len(rows) + 1))
        assert rows[0].reason == ""
        assert all(v.reason for v in rows[1:])
        assert [v.created_at for v in rows] == sorted(v.created_at for v in rows)
        deal = Opportunity.objects.get(pk=pk)
        assert deal.needs_changed_at == (rows[-1].created_at if len(rows) > 1 else None)
    for rows in changed.values():
        before = set(
            RequirementItem.objects.filter(version=rows[0]).values_list("key", "description", "priority", "fit")
        )
        after = set(
            RequirementItem.objects.filter(version=rows[1]).values_list("key", "description", "priority", "fit")
        )
        assert before != after
        assert max(k for k, *_r in after) > max(k for k, *_r in before)  # a new requirement, with a new key


def test_competitors_have_two_years_of_drifting_prices(org: Organization) -> None:
    assert 8 <= Competitor.objects.filter(organization=org).count() <= 10
    history = (
        PriceIntel.objects.filter(organization=org)
        .values("competitor_id", "product")
        .annotate(first=Min("observed_on"), last=Max("observed_on"), n=Count("id"))
    )
    assert all(row["n"] >= 6 and (row["last"] - row["first"]).days >= 540 for row in history if row["n"] > 1)
    lower = 0
    for row in history:
        prices = list(
            PriceIntel.objects.filter(competitor_id=row["competitor_id"], product=row["product"])
            .order_by("observed_on", "pk")
            .values_list("price", flat=True)
        )
        lower += prices[-1] < prices[0]
    assert lower >= len(history) * 0.7
    deals_with_competitors = DealCompetitor.objects.filter(organization=org).values("opportunity_id").distinct().count()
    assert deals_with_competitors >= Opportunity.objects.filter(organization=org).count() * 0.3


def test_every_owned_a_tier_customer_has_an_account_plan(org: Organization) -> None:
    key_accounts = Customer.objects.filter(organization=org, tier="A", owner__isnull=False)
    plans = AccountPlan.objects.filter(organization=org)
    assert set(plans.values_list("customer_id", flat=True)) == set(key_accounts.values_list("pk", flat=True))
    assert not plans.exclude(owner_id=F("customer__owner_id")).exists()
    counted = plans.annotate(
        n_units=Count("business_units", distinct=True),
        n_players=Count("key_players", distinct=True),
        n_objectives=Count("objectives", distinct=True),
    )
    for plan in counted:
        assert plan.n_units >= 3
        assert plan.n_players >= 1
        assert plan.n_objectives >= 2
        latest = plan.reviews.aggregate(last=Max("reviewed_on"))["last"]
        assert plan.last_reviewed_on == latest
    cells = WhitespaceCell.objects.filter(organization=org)
    assert not cells.filter(holder=SpendHolder.COMPETITOR, competitor__isnull=True).exists()
    assert not cells.exclude(holder=SpendHolder.COMPETITOR).filter(competitor__isnull=False).exists()
    assert plans.filter(reviews__isnull=False).exists()
    assert plans.filter(reviews__isnull=True).exists()


def test_follow_ups_about_a_deal_set_its_last_activity(org: Organization) -> None:
    linked = FollowUp.objects.filter(organization=org, opportunity__isnull=False)
    assert linked.count() >= 100
    assert not linked.exclude(customer_id=F("opportunity__customer_id")).exists()
    assert not linked.exclude(author_id=F("opportunity__owner_id")).exists()
    latest = dict(
        linked.values("opportunity_id").annotate(last=Max("occurred_at")).values_list("opportunity_id", "last")
    )
    for deal in Opportunity.objects.filter(organization=org):
        assert deal.last_activity_at == max(deal.created_at, latest.get(deal.pk, deal.created_at)), deal.pk


def test_the_previous_working_day_has_moves_wins_losses_need_changes_and_intel(org: Organization) -> None:
    day = timezone.get_default_timezone()
    start = datetime.combine(LAST_WORKDAY, datetime.min.time(), tzinfo=day)
    end = start + timedelta(days=1)
    moves = StageChange.objects.filter(organization=org, at__gte=start, at__lt=end, to_status="open",
                                       from_status="open")  # fmt: skip
    assert moves.count() >= 4
    closed = Opportunity.objects.filter(organization=org, closed_at__gte=start, closed_at__lt=end)
    assert set(closed.values_list("status", flat=True)) == {"won", "lost"}
    assert NeedsVersion.objects.filter(
        organization=org, number__gte=2, created_at__gte=start, created_at__lt=end
    ).exists()
    assert PriceIntel.objects.filter(organization=org, created_at__gte=start, created_at__lt=end).count() == 2
    assert not Opportunity.objects.filter(organization=org, created_at__gt=NOW).exists()
    assert not User.objects.filter(organization=org, role=Role.REP, opportunities__isnull=True).exists()
