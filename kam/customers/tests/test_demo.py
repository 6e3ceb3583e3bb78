"""`kam demo` and the large dataset generator."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from kam.core.china import is_valid_credit_code
from kam.core.models import AuditEntry, Organization, Role, User
from kam.customers.demo.large import LargeSize, build_large
from kam.customers.models import Contact, Customer, OwnershipChange, Pool, PoolRule, ServiceLevel

pytestmark = pytest.mark.django_db

DEMO_USERS = {
    "admin",
    "director",
    "manager1",
    "manager2",
    "manager3",
    *(f"rep{i}" for i in range(1, 13)),
    "presales1",
    "service1",
    "finance1",
}
TINY = LargeSize(reps=6, customers=30, contacts=150)
PINNED_NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _counts() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        User.objects.count(),
        Customer.all_objects.count(),
        Contact.all_objects.count(),
        AuditEntry.objects.count(),
        OwnershipChange.objects.count(),
    )


def _run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _assert_people(org: Organization) -> None:
    users = {u.username: u for u in User.objects.filter(organization=org).select_related("team", "team__parent")}
    assert set(users) == DEMO_USERS
    assert all(u.display_name and u.display_name != u.username for u in users.values())
    rep1, manager1 = users["rep1"], users["manager1"]
    assert (rep1.role, manager1.role, users["director"].role) == (Role.REP, Role.MANAGER, Role.DIRECTOR)
    assert rep1.team is not None
    assert manager1.team is not None
    assert users["director"].team is not None
    assert rep1.team.parent == manager1.team
    assert manager1.team.name == "华北大区"
    assert users["director"].team.parent is None


def _assert_customers(org: Organization) -> None:
    customers = Customer.objects.filter(organization=org)
    assert customers.count() == 300
    codes = list(customers.values_list("credit_code", flat=True))
    assert all(is_valid_credit_code(code) for code in codes)
    assert len(set(codes)) == 300
    per_customer = Contact.objects.filter(customer__organization=org).values_list("customer_id", flat=True)
    counts: dict[int, int] = {}
    for customer_id in per_customer:
        counts[customer_id] = counts.get(customer_id, 0) + 1
    assert len(counts) == 300
    assert min(counts.values()) >= 3
    assert max(counts.values()) <= 8
    assert customers.in_pool().count() == 30
    assert customers.filter(locked=True).count() == 8
    assert customers.filter(last_followup_at__isnull=True).exists()


def test_demo_builds_the_demo_organisation_and_a_second_if_empty_run_changes_nothing() -> None:
    output = _run_demo("--if-empty")

    org = Organization.objects.get(code="demo")
    assert org.name == "演示科技有限公司"
    assert "300 customers" in output
    _assert_people(org)
    _assert_customers(org)
    pool = Pool.objects.get(organization=org)
    assert (pool.name, pool.claim_daily_cap, pool.reclaim_cooldown_days, pool.warn_days_before) == ("全国", 5, 30, 3)
    assert PoolRule.objects.filter(pool=pool).count() == 4
    assert dict(ServiceLevel.objects.filter(organization=org).values_list("tier", "visit_cadence_days")) == {
        "A": 14,
        "B": 30,
        "C": 60,
    }
    assert Client().login(username="rep1", password="demo")

    before = _counts()
    assert _run_demo("--if-empty") == ""
    assert _counts() == before


def test_demo_if_empty_does_nothing_when_any_organisation_exists() -> None:
    Organization.objects.create(name="已有公司", code="existing")

    _run_demo("--if-empty")

    assert list(Organization.objects.values_list("code", flat=True)) == ["existing"]
    assert Customer.all_objects.count() == 0


def test_demo_refuses_to_build_a_second_demo_organisation() -> None:
    Organization.objects.create(name="演示科技有限公司", code="demo")

    with pytest.raises(CommandError):
        _run_demo()

    assert Customer.all_objects.count() == 0


def _large_snapshot(seed: int) -> dict[str, Any]:
    """Build the tiny large dataset, read it back by natural keys, and roll it away again."""
    with transaction.atomic():
        summary = build_large(seed=seed, size=TINY, now=PINNED_NOW)
        snapshot = {
            "summary": (summary.customers, summary.contacts, summary.in_pool),
            "users": sorted(User.objects.values_list("username", "display_name", "role", "team__name")),
            "customers": sorted(
                Customer.objects.values_list(
                    "credit_code",
                    "name",
                    "owner__username",
                    "pool__name",
                    "tier",
                    "status",
                    "city_id",
                    "industry_id",
                    "created_at",
                    "last_followup_at",
                    "locked",
                )
            ),  # fmt: skip
            "contacts": sorted(
                Contact.objects.values_list(
                    "customer__credit_code", "name", "title", "mobile", "reports_to__name", "buying_role", "created_at"
                ),
                key=str,
            ),
        }
        transaction.set_rollback(True)
    return snapshot


def test_large_generator_gives_the_same_data_for_the_same_seed() -> None:
    first = _large_snapshot(seed=11)
    second = _large_snapshot(seed=11)
    other = _large_snapshot(seed=12)

    assert first == second
    assert first["customers"] != other["customers"]
    assert first["summary"][:2] == (30, 150)
    assert len(first["contacts"]) == 150
    assert all(is_valid_credit_code(row[0]) for row in first["customers"])
    assert Customer.all_objects.count() == 0  # each run was rolled back


def test_large_generator_links_contacts_to_bosses_of_the_same_customer() -> None:
    build_large(seed=5, size=TINY, now=PINNED_NOW)

    contacts = Contact.objects.select_related("reports_to")
    assert contacts.count() == 150
    assert all(c.reports_to is None or c.reports_to.customer_id == c.customer_id for c in contacts)
    tops = contacts.filter(reports_to__isnull=True)
    assert tops.count() == 30  # one top person per customer
    assert all(c.search_text and c.name_pinyin for c in contacts)
    assert all(c.search_text and c.name_norm for c in Customer.objects.all())
    assert AuditEntry.objects.filter(entity="customers.contact").count() == 150
