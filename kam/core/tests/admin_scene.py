"""Builders for the admin console tests (not a test module itself).

A scene adds to the `world` organization: an empty leaf team, a deactivated and a locked account,
a pool with a member and a rule, an empty pool, service levels, one customer owned by `owner`,
and a holiday override (a company day off).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.actions import create_team
from kam.core.models import AuditEntry, HolidayOverride, Organization, Team, User
from kam.customers.actions import create_customer
from kam.customers.models import Customer, Pool, PoolMember, PoolRule, ServiceLevel

GOOD_PASSWORD = "Zhang-San-2025!"


@dataclass
class AdminScene:
    world: OrgWorld
    empty_team: Team
    inactive: User
    locked: User
    pool: Pool
    empty_pool: Pool
    member: PoolMember
    rule: PoolRule
    customer: Customer
    holiday: HolidayOverride


def build_scene(world: OrgWorld) -> AdminScene:
    empty_team = create_team(world.org, "天津一组", parent=world.north)
    inactive = User.objects.create_user(
        username="leaver", password="pw-leaver", organization=world.org, team=world.beijing, is_active=False
    )
    locked = User.objects.create_user(username="locked", password="pw-locked", organization=world.org, team=world.east)
    User.objects.filter(pk=locked.pk).update(locked_until=timezone.now() + timedelta(minutes=10), failed_logins=0)
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    empty_pool = Pool.objects.create(organization=world.org, name="空公海")
    member = PoolMember.objects.create(pool=pool, user=world.owner)
    rule = PoolRule.objects.create(pool=pool, reason="no_followup", tier="", days=30)
    ServiceLevel.objects.create(organization=world.org, tier="A", visit_cadence_days=7)
    customer = create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    create_customer(world.admin, {"name": "天津远航物流有限公司"}, pool=pool, confirm_duplicates=True)
    holiday = HolidayOverride.objects.create(
        organization=world.org, day=date(2026, 12, 31), is_workday=False, name="年会"
    )
    workcal.forget_overrides(world.org.pk)
    return AdminScene(world, empty_team, inactive, locked, pool, empty_pool, member, rule, customer, holiday)


def english_client(user: User | None) -> Client:
    """A client that reads the pages in English, so assertions do not depend on the catalogue."""
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def org_fingerprint(org: Organization) -> tuple[Any, ...]:
    """Everything the console can change in one organization (last_login aside: logging in sets it)."""
    user_fields = [
        "username",
        "password",
        "display_name",
        "role",
        "team_id",
        "phone",
        "email",
        "holding_limit",
        "lock_limit",
        "is_active",
        "locked_until",
        "failed_logins",
    ]
    return (
        list(Organization.objects.filter(pk=org.pk).values()),
        list(Team.objects.filter(organization=org).order_by("pk").values()),
        list(User.objects.filter(organization=org).order_by("pk").values(*user_fields)),
        list(Pool.objects.filter(organization=org).order_by("pk").values()),
        list(PoolMember.objects.filter(pool__organization=org).order_by("pk").values()),
        list(PoolRule.objects.filter(pool__organization=org).order_by("pk").values()),
        list(ServiceLevel.objects.filter(organization=org).order_by("pk").values()),
        list(Customer.all_objects.filter(organization=org).order_by("pk").values("owner_id", "pool_id")),
        list(HolidayOverride.objects.filter(organization=org).order_by("pk").values()),
        AuditEntry.objects.filter(organization=org).count(),
    )


def audit_rows(instance: Any, **filters: Any) -> list[tuple[str, str, str, str]]:
    """(action, field, old, new) of the audit rows of one record, oldest first."""
    rows = AuditEntry.objects.filter(entity=instance._meta.label_lower, entity_id=instance.pk, **filters).order_by("id")
    return [(row.action, row.field, row.old, row.new) for row in rows]


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)
