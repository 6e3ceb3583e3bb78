"""Organisations, team trees, users and pools for the generated datasets."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from kam.core.actions import create_team
from kam.core.models import Organization, Team, TeamKind, User
from kam.customers.demo.fabricate import Fabricator
from kam.customers.models import CustomerTier, Pool, PoolMember, PoolRule, RecycleReason, ServiceLevel

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the demo logins
# 公海 rules of the demo: no follow-up for N days by tier, and not won within 180 days.
NO_FOLLOWUP_DAYS = {CustomerTier.C: 30, CustomerTier.B: 60, CustomerTier.A: 90}
NOT_WON_DAYS = 180
VISIT_CADENCE_DAYS = {CustomerTier.A: 14, CustomerTier.B: 30, CustomerTier.C: 60}


@dataclass(frozen=True)
class PersonSpec:
    username: str
    role: str
    team: Team


def password_hash() -> str:
    """One hash of the demo password shared by every generated user: hashing is slow on purpose."""
    return make_password(DEMO_PASSWORD)


def create_people(org: Organization, fab: Fabricator, specs: list[PersonSpec], hashed: str) -> dict[str, User]:
    """Users with Chinese display names and mobiles, all with the demo password, by username."""
    users = [
        User(
            username=spec.username,
            password=hashed,
            organization=org,
            team=spec.team,
            role=spec.role,
            display_name=fab.person_name(),
            phone=fab.mobile(),
            email=f"{spec.username}@example.com",
        )
        for spec in specs
    ]
    User.objects.bulk_create(users, batch_size=200)
    return {u.username: u for u in User.objects.filter(organization=org).select_related("team").order_by("username")}


def create_tree(org: Organization, company_name: str, regions: list[tuple[str, list[str]]]) -> dict[str, Team]:
    """公司 → 大区 → 团队 with the create_team action; teams by name (the company under "")."""
    company = create_team(org, company_name, kind=TeamKind.COMPANY)
    teams = {"": company}
    for region_name, team_names in regions:
        region = create_team(org, region_name, parent=company, kind=TeamKind.REGION)
        teams[region_name] = region
        for team_name in team_names:
            teams[team_name] = create_team(org, team_name, parent=region, kind=TeamKind.TEAM)
    return teams


def create_pool(org: Organization, name: str, members: list[User], admins: list[User]) -> Pool:
    """A 公海 with the demo rules: cap 5 claims a day, 30 days cooldown, warn 3 days ahead."""
    pool = Pool.objects.create(
        organization=org, name=name, claim_daily_cap=5, reclaim_cooldown_days=30, warn_days_before=3
    )
    admin_ids = {u.pk for u in admins}
    everyone = {u.pk: u for u in [*members, *admins]}
    PoolMember.objects.bulk_create(
        PoolMember(pool=pool, user=user, is_admin=user.pk in admin_ids) for user in everyone.values()
    )
    rules = [
        PoolRule(pool=pool, reason=RecycleReason.NO_FOLLOWUP, tier=tier, days=days)
        for tier, days in NO_FOLLOWUP_DAYS.items()
    ]
    rules.append(PoolRule(pool=pool, reason=RecycleReason.NOT_WON, tier="", days=NOT_WON_DAYS))
    PoolRule.objects.bulk_create(rules)
    return pool


def create_service_levels(org: Organization) -> None:
    ServiceLevel.objects.bulk_create(
        ServiceLevel(organization=org, tier=tier, visit_cadence_days=days) for tier, days in VISIT_CADENCE_DAYS.items()
    )
