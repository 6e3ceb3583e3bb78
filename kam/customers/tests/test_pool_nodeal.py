"""The pool rule "no open deal for N days": exactly which customers `kam recycle` returns and when
the "about to return" forecast says they will go."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

import kam.sales.pool_clock  # noqa: F401 - registers the clock (kam/sales/hooks.py imports it too)
from kam.conftest import OrgWorld
from kam.core.models import Notification
from kam.customers import pool_rules
from kam.customers.actions import apply_pool_rules
from kam.customers.models import Customer, OwnershipChange, OwnershipKind, Pool, PoolRule, RecycleReason
from kam.customers.pool_rules import returning_soon
from kam.customers.tests.domain_helpers import make_pool, shanghai
from kam.sales.models import Opportunity, OpportunityStatus
from kam.sales.tests.fixtures_deals import make_customer, make_deal

NOW = shanghai(2026, 3, 10, 9, 0)
DAYS = 30
MOMENT = NOW - timedelta(days=DAYS)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def pool(world: OrgWorld) -> Pool:
    pool = make_pool(world.org.pk, members=(world.owner, world.teammate), warn_days_before=3)
    PoolRule.objects.create(pool=pool, reason=RecycleReason.NO_OPEN_DEAL, days=DAYS)
    return pool


def held(world: OrgWorld, name: str, since: datetime = NOW - timedelta(days=100)) -> Customer:
    customer = make_customer(world.owner, name)
    Customer.objects.filter(pk=customer.pk).update(owner_since=since, locked=False)
    customer.refresh_from_db()
    return customer


def deal(world: OrgWorld, customer: Customer, created: datetime, closed: datetime | None = None) -> Opportunity:
    status = OpportunityStatus.OPEN if closed is None else OpportunityStatus.LOST
    made = make_deal(world.owner, customer, status=status, closed_at=closed)
    Opportunity.objects.filter(pk=made.pk).update(created_at=created)
    return made


def owner_of(customer: Customer) -> int | None:
    customer.refresh_from_db()
    return customer.owner_id


def test_recycle_returns_exactly_the_customers_without_a_deal_for_n_days(world: OrgWorld, pool: Pool) -> None:
    never = held(world, "从无商机有限公司")
    open_old = held(world, "老商机未关有限公司")
    deal(world, open_old, created=NOW - timedelta(days=300))
    closed_recently = held(world, "近期输单有限公司")
    deal(world, closed_recently, created=NOW - timedelta(days=90), closed=NOW - timedelta(days=20))
    closed_long_ago = held(world, "早已输单有限公司")
    deal(world, closed_long_ago, created=NOW - timedelta(days=90), closed=MOMENT - timedelta(seconds=1))
    closed_on_boundary = held(world, "正好三十天有限公司")
    deal(world, closed_on_boundary, created=NOW - timedelta(days=90), closed=MOMENT)
    created_recently = held(world, "新建即关有限公司")
    deal(world, created_recently, created=NOW - timedelta(days=10), closed=NOW - timedelta(days=40))
    new_owner = held(world, "刚领取有限公司", since=NOW - timedelta(days=29))
    summary = apply_pool_rules(now=NOW)
    assert sorted(summary.returned) == sorted([never.pk, closed_long_ago.pk])
    for kept in (open_old, closed_recently, closed_on_boundary, created_recently, new_owner):
        assert owner_of(kept) == world.owner.pk, kept.name
    assert owner_of(never) is None
    row = OwnershipChange.objects.get(customer=never, kind=OwnershipKind.RECYCLE)
    assert (row.from_user_id, row.pool_id, row.reason) == (world.owner.pk, pool.pk, "No open deal")


def test_only_members_customers_are_reached(world: OrgWorld, pool: Pool) -> None:
    theirs = make_customer(world.stranger, "非成员客户有限公司")
    Customer.objects.filter(pk=theirs.pk).update(owner_since=NOW - timedelta(days=100), locked=False)
    assert apply_pool_rules(now=NOW).returned == []


def test_forecast_dates_the_return_from_the_latest_deal_moment(world: OrgWorld, pool: Pool) -> None:
    never = held(world, "从无商机有限公司", since=NOW - timedelta(days=28))
    lost = held(world, "输单客户有限公司")
    deal(world, lost, created=NOW - timedelta(days=80), closed=NOW - timedelta(days=27))
    made_later = held(world, "新建商机有限公司")
    deal(world, made_later, created=NOW - timedelta(days=26), closed=NOW - timedelta(days=40))
    busy = held(world, "有在谈商机有限公司")
    deal(world, busy, created=NOW - timedelta(days=200))
    far = held(world, "远期客户有限公司")
    deal(world, far, created=NOW - timedelta(days=80), closed=NOW - timedelta(days=5))
    soon = returning_soon([world.owner.pk], NOW, within_days=7)
    assert [(r.customer.pk, r.due_at) for r in soon] == [
        (never.pk, NOW + timedelta(days=2)),
        (lost.pk, NOW + timedelta(days=3)),
        (made_later.pk, NOW + timedelta(days=4)),
    ]
    assert {r.rule.reason for r in soon} == {RecycleReason.NO_OPEN_DEAL}


def test_owner_is_warned_before_the_return(world: OrgWorld, pool: Pool) -> None:
    customer = held(world, "快到期有限公司", since=NOW - timedelta(days=28))
    summary = apply_pool_rules(now=NOW)
    assert (summary.returned, summary.warned) == ([], [customer.pk])
    assert Notification.objects.filter(user=world.owner).count() == 1


def test_recycle_command_honours_the_rule(world: OrgWorld, pool: Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    customer = held(world, "命令回收有限公司", since=NOW - timedelta(days=100))
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    call_command("recycle")
    assert owner_of(customer) is None


def test_without_a_registered_clock_nobody_is_due(world: OrgWorld, pool: Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    held(world, "从无商机有限公司")
    monkeypatch.setattr(pool_rules, "_CLOCKS", {})
    assert apply_pool_rules(now=NOW).returned == []
    assert returning_soon([world.owner.pk], NOW, within_days=7) == []


def test_admin_adds_a_no_open_deal_rule(world: OrgWorld, client_for: object) -> None:
    pool = make_pool(world.org.pk, "华东公海")
    client = client_for(world.admin)  # type: ignore[operator]
    response = client.post(
        reverse("admin-pool-rules", args=[pool.pk]),
        {"reason": "no_open_deal", "tier": "", "days": 60, "exempt_locked": "on", "active": "on"},
    )
    assert response.status_code == 302
    rule = PoolRule.objects.get(pool=pool)
    assert (rule.reason, rule.days, rule.tier) == (RecycleReason.NO_OPEN_DEAL, 60, "")
