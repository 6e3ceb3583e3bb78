"""The large dataset's activities, at a tiny size: exact row counts, the customers' clock kept, same seed same rows."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from kam.activities.demo.days import WorkDays
from kam.activities.demo.large_plan import PlannedCustomer, allocate
from kam.activities.models import CoordinationRequest, FollowUp, Task, Visit, VisitStatus
from kam.core.models import Organization, Role, User
from kam.customers.demo.large import LargeSize, build_large
from kam.customers.models import Customer

pytestmark = pytest.mark.django_db

PINNED_NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
SMALL = LargeSize(
    reps=6,
    customers=30,
    contacts=150,
    followups_per_customer=12,
    visits_per_customer=2,
    tasks_per_rep=4,
    requests_per_rep=3,
)


def _reps_with_customers() -> int:
    return User.objects.filter(role=Role.REP, owned_customers__isnull=False).distinct().count()


def test_small_large_dataset_has_the_asked_for_activities() -> None:
    summary = build_large(seed=3, size=SMALL, now=PINNED_NOW)

    activities = summary.activities
    assert activities is not None
    reps = _reps_with_customers()
    assert (activities.followups, activities.visits) == (12 * 30, 2 * 30)
    assert FollowUp.objects.count() == 360
    assert Visit.objects.filter(status=VisitStatus.DONE).count() == 60
    assert Visit.objects.filter(status=VisitStatus.PLANNED, planned_at__gt=PINNED_NOW).count() == 3 * reps
    assert Task.objects.count() == activities.tasks == 4 * reps
    assert CoordinationRequest.objects.count() == activities.requests == 3 * reps
    assert any(line.startswith("Activities: 360 follow-ups, 60 visits done") for line in summary.lines())


def test_large_activities_keep_each_customers_follow_up_clock() -> None:
    build_large(seed=3, size=SMALL, now=PINNED_NOW)

    customers = Customer.objects.annotate(latest=Max("followups__occurred_at")).filter(latest__isnull=False)
    assert customers.count() > 20
    assert not customers.exclude(latest=F("last_followup_at")).exists()
    for customer in customers.filter(owner__isnull=False):
        assert customer.last_followup_at is not None
        newest = FollowUp.objects.filter(customer=customer, occurred_at=customer.last_followup_at).get()
        assert newest.next_followup_at == customer.next_followup_at
        assert newest.author_id == customer.owner_id
    assert not FollowUp.objects.filter(occurred_at__gt=PINNED_NOW).exists()


def test_large_visits_end_in_a_visit_follow_up_on_a_working_day() -> None:
    build_large(seed=3, size=SMALL, now=PINNED_NOW)
    org = Organization.objects.get(code="large")
    workdays = WorkDays(org.pk)

    done = Visit.objects.filter(status=VisitStatus.DONE).select_related("followup")
    for visit in done:
        assert visit.followup is not None
        assert (visit.followup.kind, visit.followup.author_id, visit.followup.customer_id) == (
            "visit",
            visit.owner_id,
            visit.customer_id,
        )
        assert visit.check_in_at == visit.followup.occurred_at
        local = timezone.localtime(visit.check_in_at)
        assert workdays.is_workday(local.date())
        assert time(9, 30) <= local.time() < time(15, 30)
        assert visit.stay_minutes is not None
        assert 30 <= visit.stay_minutes <= 120
    assert FollowUp.objects.filter(kind="visit").count() == 60
    per_kind = dict(FollowUp.objects.values_list("kind").annotate(n=Count("id")))
    assert set(per_kind) >= {"call", "wechat", "visit"}


def _rows(seed: int) -> list[tuple[Any, ...]]:
    with transaction.atomic():
        build_large(seed=seed, size=SMALL, now=PINNED_NOW)
        rows = sorted(
            FollowUp.objects.values_list("customer__credit_code", "author__username", "kind", "occurred_at", "content")
        )
        transaction.set_rollback(True)
    return rows


def test_large_activities_are_the_same_for_the_same_seed() -> None:
    first, second, other = _rows(3), _rows(3), _rows(4)

    assert first == second
    assert first != other
    assert FollowUp.objects.count() == 0


def _customer(span: int, tier: str = "C") -> PlannedCustomer:
    return PlannedCustomer(1, 1, tier, None, None, PINNED_NOW, None, lo=0, hi=span - 1)


def test_allocation_splits_exactly_by_weight_within_caps() -> None:
    customers = [_customer(10, "A"), _customer(10, "C"), _customer(0), _customer(1)]

    shares = allocate(customers, 40, lambda c: c.span * (3 if c.tier == "A" else 1), lambda c: c.span * 3)

    assert shares == [29, 10, 0, 1]
    assert allocate(customers, 1000, lambda c: float(c.span), lambda c: c.span * 3) == [30, 30, 0, 3]
    assert allocate(customers, 5, lambda c: 0.0, lambda c: 10) == [0, 0, 0, 0]
