"""Reads of the pool and service-level admin pages, inside the admin's organization (others: 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from kam.core.models import User
from kam.core.queries import get_or_404
from kam.customers.models import Customer, Pool, PoolMember, PoolRule, ServiceLevel


def _count_per_pool(qs: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT per pool row: counts over several relations without a join product."""
    counted = qs.filter(pool=OuterRef("pk")).order_by().values("pool").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def pools_for_admin(actor: User) -> QuerySet[Pool]:
    """The organization's pools with their member, rule and waiting-customer counts."""
    return (
        Pool.objects.filter(organization_id=actor.organization_id)
        .annotate(
            member_count=_count_per_pool(PoolMember.objects.all()),
            admin_count=_count_per_pool(PoolMember.objects.filter(is_admin=True)),
            rule_count=_count_per_pool(PoolRule.objects.all()),
            customer_count=_count_per_pool(Customer.objects.in_pool()),
        )
        .order_by("name")
    )


def get_pool_for_admin(actor: User, pk: Any) -> Pool:
    return get_or_404(Pool.objects.filter(organization_id=actor.organization_id), pk)


def pool_memberships(pool: Pool) -> QuerySet[PoolMember]:
    return PoolMember.objects.filter(pool=pool).select_related("user", "user__team").order_by("user__username")


def get_pool_member(pool: Pool, pk: Any) -> PoolMember:
    return get_or_404(PoolMember.objects.select_related("user").filter(pool=pool), pk)


def membership_candidates(actor: User, pool: Pool) -> QuerySet[User]:
    """Active colleagues who are not members of `pool` yet."""
    return (
        User.objects.filter(organization_id=actor.organization_id, is_active=True)
        .exclude(pool_memberships__pool=pool)
        .select_related("team")
        .order_by("username")
    )


def pool_rules(pool: Pool) -> QuerySet[PoolRule]:
    return PoolRule.objects.filter(pool=pool).order_by("reason", "tier", "id")


def get_pool_rule(pool: Pool, pk: Any) -> PoolRule:
    return get_or_404(PoolRule.objects.select_related("pool").filter(pool=pool), pk)


def service_levels(actor: User) -> dict[str, int]:
    """tier → visit cadence in days, for the tiers that have one."""
    return dict(
        ServiceLevel.objects.filter(organization_id=actor.organization_id).values_list("tier", "visit_cadence_days")
    )


def owned_customer_count(user: User) -> int:
    """Customers (not in the recycle bin) that `user` owns: what deactivating them leaves behind."""
    return Customer.objects.filter(organization_id=user.organization_id, owner_id=user.pk).count()
