"""Builders shared by the domain-layer tests of customers (not a test module itself)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kam.core.china import credit_code_check_char, org_code_check_char
from kam.core.models import AuditEntry, User
from kam.customers.actions import create_customer
from kam.customers.models import CityTier, Customer, Pool, PoolMember, Region, RegionLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware moment on the Asia/Shanghai wall clock."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def credit_code(seed: int) -> str:
    """A valid 统一社会信用代码 (工商, 北京海淀) whose organization code body is `seed`."""
    body = f"{seed:08d}"
    first17 = "91110108" + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def make_customer(
    actor: User,
    name: str,
    *,
    owner: User | None = None,
    pool: Pool | None = None,
    tag_names: list[str] | None = None,
    **fields: Any,
) -> Customer:
    """A customer created through the real action, duplicates confirmed."""
    return create_customer(
        actor, {"name": name, **fields}, owner=owner, pool=pool, tag_names=tag_names, confirm_duplicates=True
    )


def make_pool(
    organization_id: int,
    name: str = "华北公海",
    *,
    members: tuple[User, ...] = (),
    admins: tuple[User, ...] = (),
    **settings: Any,
) -> Pool:
    pool = Pool.objects.create(organization_id=organization_id, name=name, **settings)
    for user in members:
        PoolMember.objects.create(pool=pool, user=user, is_admin=False)
    for user in admins:
        PoolMember.objects.create(pool=pool, user=user, is_admin=True)
    return pool


def city(code: str, name: str, province_code: str, province_name: str, tier: str = "") -> Region:
    """A city of the reference data; created (with its tier) when migration 0002 did not load it."""
    province, _ = Region.objects.get_or_create(
        code=province_code, defaults={"name": province_name, "level": RegionLevel.PROVINCE}
    )
    region, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": RegionLevel.CITY, "parent": province}
    )
    if tier:
        CityTier.objects.get_or_create(version="2025", city=region, defaults={"tier": tier})
    return region


def audit_rows(instance: Customer | Any, **filters: Any) -> list[tuple[str, str, str, str]]:
    """(action, field, old, new) of one record's audit rows, oldest first."""
    rows = AuditEntry.objects.filter(entity=instance._meta.label_lower, entity_id=instance.pk, **filters).order_by("id")
    return [(r.action, r.field, r.old, r.new) for r in rows]
