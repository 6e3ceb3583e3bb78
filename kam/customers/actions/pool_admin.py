"""Admin writes of the customer settings: 公海 pools, their members and rules, tier service levels,
and handing a leaving colleague's customers over in one step.

Members and rules are audited on their pool (field "members" / "rules", old and new as text) so the
pool's history reads in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.admin_actions import deactivate_user, require_admin
from kam.core.errors import refuse
from kam.core.models import AuditAction, AuditEntry, User
from kam.customers.actions.customers import check_holding_limit
from kam.customers.models import (
    Customer,
    CustomerTier,
    OwnershipChange,
    OwnershipKind,
    Pool,
    PoolMember,
    PoolRule,
    RecycleReason,
    ServiceLevel,
)

POOL_FIELDS = ["name", "claim_daily_cap", "reclaim_cooldown_days", "warn_days_before"]
RULE_FIELDS = ["reason", "tier", "days", "exempt_locked", "exempt_won", "active"]


def _locked_pool(actor: User, pool: Pool) -> Pool:
    fresh = Pool.objects.select_for_update().filter(pk=pool.pk, organization_id=actor.organization_id).first()
    if fresh is None:
        raise Http404
    return fresh


def _check_pool_name(actor: User, name: str, exclude: Pool | None = None) -> None:
    same = Pool.objects.filter(organization_id=actor.organization_id, name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise refuse(_("There is already a pool called %(name)s.") % {"name": name}, "name")


def _save_pool(actor: User, pool: Pool, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            pool.save(update_fields=fields)
    except IntegrityError as exc:  # the same name saved concurrently
        raise refuse(_("There is already a pool called %(name)s.") % {"name": pool.name}, "name") from exc


@transaction.atomic
def create_pool(
    actor: User, *, name: str, claim_daily_cap: int, reclaim_cooldown_days: int, warn_days_before: int
) -> Pool:
    """A new 公海 of the admin's organization, without members or rules yet."""
    require_admin(actor)
    _check_pool_name(actor, name)
    pool = Pool(
        organization_id=actor.organization_id,
        name=name,
        claim_daily_cap=claim_daily_cap,
        reclaim_cooldown_days=reclaim_cooldown_days,
        warn_days_before=warn_days_before,
    )
    _save_pool(actor, pool)
    audit.record(actor, pool, AuditAction.CREATE)
    return pool


@transaction.atomic
def update_pool(
    actor: User, pool: Pool, *, name: str, claim_daily_cap: int, reclaim_cooldown_days: int, warn_days_before: int
) -> Pool:
    """Rename a pool or change its daily claim cap, reclaim cooldown and warning days."""
    require_admin(actor)
    pool = _locked_pool(actor, pool)
    _check_pool_name(actor, name, exclude=pool)
    before = audit.snapshot(pool, POOL_FIELDS)
    pool.name = name
    pool.claim_daily_cap = claim_daily_cap
    pool.reclaim_cooldown_days = reclaim_cooldown_days
    pool.warn_days_before = warn_days_before
    _save_pool(actor, pool, POOL_FIELDS)
    audit.record_changes(actor, pool, before)
    return pool


@transaction.atomic
def delete_pool(actor: User, pool: Pool) -> None:
    """Remove a pool that holds no customer (not even one in the recycle bin)."""
    require_admin(actor)
    pool = _locked_pool(actor, pool)
    held = Customer.all_objects.filter(pool=pool).count()
    if held:
        raise refuse(_("This pool still holds %(count)d customers; it cannot be deleted.") % {"count": held})
    audit.record(actor, pool, AuditAction.PURGE)
    pool.delete()


# --- members -------------------------------------------------------------------------------


def describe_member(member: PoolMember) -> str:
    name = member.user.name
    return _("%(name)s (pool admin)") % {"name": name} if member.is_admin else name


def _locked_member(actor: User, member: PoolMember) -> PoolMember:
    fresh = (
        PoolMember.objects.select_for_update(of=("self",))
        .select_related("pool", "user")
        .filter(pk=member.pk, pool__organization_id=actor.organization_id)
        .first()
    )
    if fresh is None:
        raise Http404
    return fresh


@transaction.atomic
def add_pool_member(actor: User, pool: Pool, user: User, *, is_admin: bool = False) -> PoolMember:
    """Let a colleague see and claim the pool's customers (and assign them, as pool admin)."""
    require_admin(actor)
    pool = _locked_pool(actor, pool)
    if user.organization_id != actor.organization_id or not user.is_active:
        raise refuse(_("Choose an active colleague."), "user")
    if PoolMember.objects.filter(pool=pool, user=user).exists():
        raise refuse(_("%(name)s is already a member of this pool.") % {"name": user.name}, "user")
    member = PoolMember.objects.create(pool=pool, user=user, is_admin=is_admin)
    audit.record(actor, pool, AuditAction.UPDATE, field="members", new=describe_member(member))
    return member


@transaction.atomic
def set_pool_member_admin(actor: User, member: PoolMember, is_admin: bool) -> PoolMember:
    """Make a member a pool admin (may assign pool customers) or take that away."""
    require_admin(actor)
    member = _locked_member(actor, member)
    if member.is_admin == is_admin:
        return member
    old = describe_member(member)
    member.is_admin = is_admin
    member.save(update_fields=["is_admin"])
    audit.record(actor, member.pool, AuditAction.UPDATE, field="members", old=old, new=describe_member(member))
    return member


@transaction.atomic
def remove_pool_member(actor: User, member: PoolMember) -> None:
    """Take a colleague out of the pool; the customers they own stay theirs."""
    require_admin(actor)
    member = _locked_member(actor, member)
    audit.record(actor, member.pool, AuditAction.UPDATE, field="members", old=describe_member(member))
    member.delete()


# --- rules ---------------------------------------------------------------------------------

TIER_VALUES = {"", *CustomerTier.values}


def describe_rule(rule: PoolRule) -> str:
    """One line a person reads in the pool history: "No follow-up · Tier A · 30 days · …"."""
    parts = [
        str(RecycleReason(rule.reason).label),
        str(CustomerTier(rule.tier).label) if rule.tier else _("All tiers"),
        _("%(days)d days") % {"days": rule.days},
    ]
    if rule.exempt_locked:
        parts.append(_("locked exempt"))
    if rule.exempt_won:
        parts.append(_("won exempt"))
    if not rule.active:
        parts.append(_("inactive"))
    return " · ".join(parts)


def _check_rule(pool: Pool, reason: str, tier: str, days: int, exclude: PoolRule | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if reason not in RecycleReason.values:
        errors["reason"] = [_("Choose a rule.")]
    if tier not in TIER_VALUES:
        errors["tier"] = [_("Choose a tier or all tiers.")]
    if days < 1:
        errors["days"] = [_("The number of days must be at least 1.")]
    if errors:
        raise ValidationError(errors)
    same = PoolRule.objects.filter(pool=pool, reason=reason, tier=tier)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise refuse(_("This pool already has a rule of this kind for this tier."), "tier")


def _save_rule(rule: PoolRule, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            rule.save(update_fields=fields)
    except IntegrityError as exc:  # the same reason and tier saved concurrently
        raise refuse(_("This pool already has a rule of this kind for this tier."), "tier") from exc


@transaction.atomic
def create_pool_rule(
    actor: User,
    pool: Pool,
    *,
    reason: str,
    tier: str,
    days: int,
    exempt_locked: bool = True,
    exempt_won: bool = True,
    active: bool = True,
) -> PoolRule:
    """Return customers of the pool's members after `days` without follow-up (or without a win)."""
    require_admin(actor)
    pool = _locked_pool(actor, pool)
    _check_rule(pool, reason, tier, days)
    rule = PoolRule(
        pool=pool,
        reason=reason,
        tier=tier,
        days=days,
        exempt_locked=exempt_locked,
        exempt_won=exempt_won,
        active=active,
    )
    _save_rule(rule)
    audit.record(actor, pool, AuditAction.UPDATE, field="rules", new=describe_rule(rule))
    return rule


def _locked_rule(actor: User, rule: PoolRule) -> PoolRule:
    fresh = (
        PoolRule.objects.select_for_update(of=("self",))
        .select_related("pool")
        .filter(pk=rule.pk, pool__organization_id=actor.organization_id)
        .first()
    )
    if fresh is None:
        raise Http404
    return fresh


@transaction.atomic
def update_pool_rule(
    actor: User,
    rule: PoolRule,
    *,
    reason: str,
    tier: str,
    days: int,
    exempt_locked: bool,
    exempt_won: bool,
    active: bool,
) -> PoolRule:
    """Change a recycling rule; its old and new wording go to the pool's history."""
    require_admin(actor)
    rule = _locked_rule(actor, rule)
    _check_rule(rule.pool, reason, tier, days, exclude=rule)
    old = describe_rule(rule)
    rule.reason, rule.tier, rule.days = reason, tier, days
    rule.exempt_locked, rule.exempt_won, rule.active = exempt_locked, exempt_won, active
    _save_rule(rule, RULE_FIELDS)
    new = describe_rule(rule)
    if new != old:
        audit.record(actor, rule.pool, AuditAction.UPDATE, field="rules", old=old, new=new)
    return rule


@transaction.atomic
def delete_pool_rule(actor: User, rule: PoolRule) -> None:
    require_admin(actor)
    rule = _locked_rule(actor, rule)
    audit.record(actor, rule.pool, AuditAction.UPDATE, field="rules", old=describe_rule(rule))
    rule.delete()


# --- service levels ------------------------------------------------------------------------


def _service_level_entry(actor: User, level: ServiceLevel, action: str, old: str, new: str) -> AuditEntry:
    return AuditEntry(
        organization_id=level.organization_id,
        actor=actor,
        entity=level._meta.label_lower,
        entity_id=level.pk,
        entity_repr=audit.in_default_language(CustomerTier(level.tier).label),
        action=action,
        field="visit_cadence_days",
        old=old,
        new=new,
    )


@transaction.atomic
def set_service_levels(actor: User, cadences: Mapping[str, int | None]) -> dict[str, int]:
    """Visit cadence (days) per tier; None removes the tier's promise. Returns what is set now."""
    require_admin(actor)
    errors = {
        f"tier_{tier}": [_("The number of days must be at least 1.")]
        for tier, days in cadences.items()
        if days is not None and days < 1
    }
    unknown = set(cadences) - set(CustomerTier.values)
    if unknown:
        raise refuse(_("Unknown tier: %(tier)s.") % {"tier": ", ".join(sorted(unknown))})
    if errors:
        raise ValidationError(errors)
    existing = {
        level.tier: level
        for level in ServiceLevel.objects.select_for_update().filter(organization_id=actor.organization_id)
    }
    entries: list[AuditEntry] = []
    for tier, days in cadences.items():
        level = existing.get(tier)
        if level is None and days is not None:
            level = ServiceLevel.objects.create(
                organization_id=actor.organization_id, tier=tier, visit_cadence_days=days
            )
            entries.append(_service_level_entry(actor, level, AuditAction.CREATE, "", str(days)))
        elif level is not None and days is None:
            entries.append(_service_level_entry(actor, level, AuditAction.PURGE, str(level.visit_cadence_days), ""))
            level.delete()
        elif level is not None and days is not None and level.visit_cadence_days != days:
            entries.append(
                _service_level_entry(actor, level, AuditAction.UPDATE, str(level.visit_cadence_days), str(days))
            )
            level.visit_cadence_days = days
            level.save(update_fields=["visit_cadence_days"])
    AuditEntry.objects.bulk_create(entries)
    return dict(
        ServiceLevel.objects.filter(organization_id=actor.organization_id).values_list("tier", "visit_cadence_days")
    )


# --- handing over a leaver's customers -----------------------------------------------------


@transaction.atomic
def transfer_all_customers(
    actor: User, from_user: User, to_user: User, reason: str = "", *, now: datetime | None = None
) -> int:
    """转移 every customer `from_user` owns to `to_user` at once (admins), with history and audit rows."""
    require_admin(actor)
    now = now or timezone.now()
    if from_user.organization_id != actor.organization_id:
        raise Http404
    if to_user.organization_id != actor.organization_id or not to_user.is_active or to_user.pk == from_user.pk:
        raise refuse(_("Choose an active colleague."), "transfer_to")
    customers = list(
        Customer.objects.select_for_update()
        .filter(organization_id=actor.organization_id, owner_id=from_user.pk)
        .order_by("pk")
    )
    if not customers:
        return 0
    try:
        check_holding_limit(to_user, extra=len(customers))
    except ValidationError as exc:
        raise ValidationError({"transfer_to": exc.messages}) from exc
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(owner=to_user, owner_since=now, updated_at=now)
    OwnershipChange.objects.bulk_create(
        OwnershipChange(
            organization_id=c.organization_id,
            customer=c,
            kind=OwnershipKind.TRANSFER,
            from_user=from_user,
            to_user=to_user,
            actor=actor,
            reason=reason,
            at=now,
        )
        for c in customers
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organization_id=c.organization_id,
            actor=actor,
            entity=Customer._meta.label_lower,
            entity_id=c.pk,
            entity_repr=str(c)[:200],
            action=AuditAction.OWNER,
            field="owner",
            old=from_user.name,
            new=to_user.name,
        )
        for c in customers
    )
    return len(customers)


@transaction.atomic
def deactivate_and_hand_over(actor: User, user: User, *, transfer_to: User | None = None, reason: str = "") -> int:
    """停用 an account and, when `transfer_to` is given, transfer its customers in the same transaction.

    Returns how many customers moved.
    """
    deactivate_user(actor, user)
    if transfer_to is None:
        return 0
    return transfer_all_customers(actor, user, transfer_to, reason)
