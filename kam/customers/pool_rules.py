"""Which owned customers a pool rule reaches, and when: shared by the nightly recycling and the
forecasts of the plan and the briefing ("about to return to the pool").

Rules whose clock depends on another module's records (deals: "no open deal for N days") register
that clock here with `register_rule_clock`, so customers never import the module that knows it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from kam.customers.models import Customer, CustomerStatus, PoolMember, PoolRule, RecycleReason


def rule_candidates(rule: PoolRule) -> QuerySet[Customer]:
    members = PoolMember.objects.filter(pool_id=rule.pool_id).values("user_id")
    qs = Customer.objects.filter(organization_id=rule.pool.organization_id, owner_id__in=members)
    if rule.tier:
        qs = qs.filter(tier=rule.tier)
    else:
        # A tier with its own rule of this kind follows that rule, not the generic one.
        own = PoolRule.objects.filter(pool_id=rule.pool_id, reason=rule.reason, active=True).exclude(tier="")
        qs = qs.exclude(tier__in=own.values("tier"))
    if rule.exempt_locked:
        qs = qs.filter(locked=False)
    if rule.exempt_won:
        qs = qs.filter(won_at__isnull=True).exclude(status=CustomerStatus.ACTIVE)
    return qs


ClockQ = Callable[[PoolRule, datetime], Q]
ClockEvents = Callable[[], Mapping[str, Any]]


@dataclass(frozen=True)
class RuleClock:
    """A clock registered by another module: `due(rule, moment)` selects the customers whose clock
    started before `moment`; `events()` names annotations (aware datetimes or None) whose latest
    value, with `owner_since`, is when the clock started (the forecasts' due date)."""

    due: ClockQ
    events: ClockEvents | None = None


_CLOCKS: dict[str, RuleClock] = {}


def register_rule_clock(reason: str, fn: ClockQ, *, events: ClockEvents | None = None) -> None:
    """Let a module supply the clock of a rule reason (registering again replaces it)."""
    _CLOCKS[reason] = RuleClock(fn, events)


def clock_before(rule: PoolRule, moment: datetime) -> Q:
    """Customers whose rule clock started before `moment`."""
    if rule.reason == RecycleReason.NO_FOLLOWUP:
        # The clock restarts with every follow-up and with every new owner (a follow-up of the
        # previous owner must not make a just-claimed customer due at once).
        return Q(owner_since__lt=moment) & (Q(last_followup_at__isnull=True) | Q(last_followup_at__lt=moment))
    if rule.reason == RecycleReason.NOT_WON:
        return Q(owner_since__lt=moment)
    clock = _CLOCKS.get(rule.reason)
    if clock is None:
        # A reason whose module is not installed returns nobody rather than guessing a clock.
        return Q(pk__in=[])
    return clock.due(rule, moment)


def _clock_events(rule: PoolRule) -> Mapping[str, Any]:
    clock = _CLOCKS.get(rule.reason)
    return clock.events() if clock is not None and clock.events is not None else {}


def _clock_started(rule: PoolRule, customer: Customer, events: Mapping[str, Any], now: datetime) -> datetime:
    """When this customer's clock started: the new owner, or the latest event that restarts it."""
    moments = [customer.owner_since or now]
    if rule.reason == RecycleReason.NO_FOLLOWUP and customer.last_followup_at is not None:
        moments.append(customer.last_followup_at)
    moments.extend(value for name in events if (value := getattr(customer, name)) is not None)
    return max(moments)


RETURNING_FIELDS = (
    "id",
    "organization_id",
    "name",
    "short_name",
    "tier",
    "owner_id",
    "owner_since",
    "last_followup_at",
    "owner__id",
    "owner__username",
    "owner__display_name",
)


@dataclass(frozen=True)
class ReturningCustomer:
    customer: Customer
    due_at: datetime  # when the rule returns it, if nothing happens before
    rule: PoolRule


def returning_soon(owner_ids: list[int], now: datetime, within_days: int) -> list[ReturningCustomer]:
    """Customers of these owners that an active pool rule returns to the pool within `within_days`.

    Soonest first; a customer reached by two rules appears once, with the earlier date.
    """
    soonest: dict[int, ReturningCustomer] = {}
    rules = PoolRule.objects.filter(active=True, pool__memberships__user_id__in=owner_ids).select_related(
        "pool", "pool__organization"
    )
    for rule in rules.distinct().order_by("pool_id", "id"):
        horizon = now - timedelta(days=rule.days) + timedelta(days=within_days)
        candidates = rule_candidates(rule).filter(owner_id__in=owner_ids).filter(clock_before(rule, horizon))
        events = _clock_events(rule)
        # Only what the forecast and its readers (plan, briefing) use: loading whole rows was
        # three quarters of a plan's time on the large dataset.
        for customer in candidates.select_related("owner").only(*RETURNING_FIELDS).annotate(**events):
            due_at = _clock_started(rule, customer, events, now) + timedelta(days=rule.days)
            known = soonest.get(customer.pk)
            if known is None or due_at < known.due_at:
                soonest[customer.pk] = ReturningCustomer(customer, due_at, rule)
    return sorted(soonest.values(), key=lambda item: (item.due_at, item.customer.pk))
