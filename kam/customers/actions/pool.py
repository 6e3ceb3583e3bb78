"""客户公海: claim, assign, return, transfer, and the nightly recycling by rules.

Every ownership change writes an OwnershipChange row and an audit row in the same transaction.
Claims race safely: the row is taken with a conditional UPDATE that only one writer can win.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, Notification, Role, User
from kam.core.notify import notify
from kam.customers.actions.customers import check_holding_limit
from kam.customers.models import (
    Customer,
    OwnershipChange,
    OwnershipKind,
    Pool,
    PoolMember,
    PoolRule,
    RecycleReason,
)
from kam.customers.pool_rules import clock_before, rule_candidates
from kam.customers.queries import get_customer_for_user, is_pool_admin, owns_or_supervises

WARNING_KIND = "pool.warning"


def _local_midnight(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _log_owner_change(
    actor: User | None,
    customer: Customer,
    kind: str,
    *,
    from_user: User | None,
    to_user: User | None,
    pool: Pool | None,
    reason: str = "",
    now: datetime,
) -> None:
    OwnershipChange.objects.create(
        organization_id=customer.organization_id,
        customer=customer,
        kind=kind,
        from_user=from_user,
        to_user=to_user,
        pool=pool,
        actor=actor,
        reason=reason,
        at=now,
    )
    old = from_user.name if from_user else (_("public pool %(pool)s") % {"pool": pool.name} if pool else "")
    new = to_user.name if to_user else (_("public pool %(pool)s") % {"pool": pool.name} if pool else "")
    audit.record(actor, customer, AuditAction.OWNER, field="owner", old=old, new=new)


def _reload_pool_customer(actor: User, customer: Customer) -> Customer:
    """Re-read the customer; one taken from the pool since the caller saw it there is a lost race, not a 404."""
    try:
        return get_customer_for_user(actor, customer.pk)
    except Http404:
        pool_id = customer.pool_id if customer.owner_id is None else None  # where the caller saw it
        if pool_id is not None and (
            PoolMember.objects.filter(pool_id=pool_id, user=actor).exists()
            and OwnershipChange.objects.filter(
                organization_id=actor.organization_id,
                customer_id=customer.pk,
                pool_id=pool_id,
                kind__in=[OwnershipKind.CLAIM, OwnershipKind.ASSIGN],
            ).exists()
        ):
            raise refuse(_("Someone else has just taken this customer.")) from None
        raise


def _take_from_pool(customer: Customer, pool: Pool, owner: User, now: datetime) -> None:
    taken = Customer.objects.filter(pk=customer.pk, owner__isnull=True, pool=pool).update(
        owner=owner, owner_since=now, pool=None, locked=False, updated_at=now
    )
    if taken != 1:
        raise refuse(_("Someone else has just taken this customer."))


@transaction.atomic
def claim_customer(actor: User, customer: Customer, *, now: datetime | None = None) -> Customer:
    """领取: a pool member takes a pool customer, within the daily cap, cooldown and holding limit."""
    now = now or timezone.now()
    customer = _reload_pool_customer(actor, customer)
    pool = customer.pool
    if customer.owner_id is not None or pool is None:
        raise refuse(_("This customer is not in the public pool."))
    if not PoolMember.objects.filter(pool=pool, user=actor).exists():
        raise PermissionDenied
    claimed_today = OwnershipChange.objects.filter(
        organization_id=actor.organization_id, to_user=actor, kind=OwnershipKind.CLAIM, at__gte=_local_midnight(now)
    ).count()
    if claimed_today >= pool.claim_daily_cap:
        raise refuse(
            _("You have claimed %(count)d customers today, the daily limit of this pool.") % {"count": claimed_today}
        )
    cooldown_start = now - timedelta(days=pool.reclaim_cooldown_days)
    gave_up = (
        OwnershipChange.objects.filter(
            customer=customer,
            from_user=actor,
            kind__in=[OwnershipKind.RETURN, OwnershipKind.RECYCLE],
            at__gt=cooldown_start,
        )
        .order_by("-at")
        .first()
    )
    if gave_up is not None:
        allowed = timezone.localtime(gave_up.at + timedelta(days=pool.reclaim_cooldown_days))
        raise refuse(
            _("You gave this customer up recently; you may claim it again from %(date)s.")
            % {"date": allowed.strftime("%Y-%m-%d %H:%M")}
        )
    check_holding_limit(actor)
    _take_from_pool(customer, pool, actor, now)
    _log_owner_change(actor, customer, OwnershipKind.CLAIM, from_user=None, to_user=actor, pool=pool, now=now)
    return Customer.objects.get(pk=customer.pk)


@transaction.atomic
def assign_customer(actor: User, customer: Customer, to_user: User, *, now: datetime | None = None) -> Customer:
    """分配: a pool admin gives a pool customer to a colleague (holding limit still applies)."""
    now = now or timezone.now()
    customer = _reload_pool_customer(actor, customer)
    pool = customer.pool
    if customer.owner_id is not None or pool is None:
        raise refuse(_("This customer is not in the public pool."))
    if not is_pool_admin(actor, pool):
        raise PermissionDenied
    if to_user.organization_id != actor.organization_id or not to_user.is_active:
        raise refuse(_("Choose an active colleague."), "user")
    check_holding_limit(to_user)
    _take_from_pool(customer, pool, to_user, now)
    _log_owner_change(actor, customer, OwnershipKind.ASSIGN, from_user=None, to_user=to_user, pool=pool, now=now)
    return Customer.objects.get(pk=customer.pk)


def default_pool_for(user: User) -> Pool | None:
    return Pool.objects.filter(memberships__user=user).order_by("id").first()


@transaction.atomic
def return_to_pool(
    actor: User, customer: Customer, reason: str, *, pool: Pool | None = None, now: datetime | None = None
) -> Customer:
    """退回公海: the owner (or a manager above, or an admin) gives a customer up, with a reason."""
    now = now or timezone.now()
    customer = get_customer_for_user(actor, customer.pk, write=True)
    if customer.owner is None:
        raise refuse(_("This customer is already in the public pool."))
    if not owns_or_supervises(actor, customer):
        raise PermissionDenied
    if not reason.strip():
        raise refuse(_("Say why the customer goes back to the pool."), "reason")
    pool = pool or default_pool_for(customer.owner) or default_pool_for(actor)
    if pool is None or pool.organization_id != customer.organization_id:
        raise refuse(_("There is no public pool to return this customer to."), "pool")
    previous = customer.owner
    Customer.objects.filter(pk=customer.pk).update(
        owner=None, owner_since=None, pool=pool, locked=False, updated_at=now
    )
    _log_owner_change(
        actor, customer, OwnershipKind.RETURN, from_user=previous, to_user=None, pool=pool, reason=reason, now=now
    )
    return Customer.objects.get(pk=customer.pk)


@transaction.atomic
def transfer_customer(
    actor: User, customer: Customer, to_user: User, reason: str = "", *, now: datetime | None = None
) -> Customer:
    """转移: a manager above the owner (or an admin) hands the customer to a rep in their team."""
    now = now or timezone.now()
    customer = get_customer_for_user(actor, customer.pk, write=True)
    if customer.owner is None:
        raise refuse(_("Use assign for customers in the public pool."))
    if not (actor.role == Role.ADMIN or (actor.supervises and owns_or_supervises(actor, customer))):
        raise PermissionDenied
    if to_user.organization_id != actor.organization_id or not to_user.is_active:
        raise refuse(_("Choose an active colleague."), "user")
    if actor.role != Role.ADMIN and not (
        to_user.team is not None and to_user.team.path.startswith(actor.team.path)  # type: ignore[union-attr]
    ):
        raise refuse(_("You may only transfer to people in your own team."), "user")
    if to_user.pk == customer.owner_id:
        raise refuse(_("This person already owns the customer."), "user")
    check_holding_limit(to_user)
    previous = customer.owner
    Customer.objects.filter(pk=customer.pk).update(owner=to_user, owner_since=now, updated_at=now)
    _log_owner_change(
        actor, customer, OwnershipKind.TRANSFER, from_user=previous, to_user=to_user, pool=None, reason=reason, now=now
    )
    return Customer.objects.get(pk=customer.pk)


# --- nightly recycling ---------------------------------------------------------------------


@dataclass
class RecycleSummary:
    returned: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)


def _warn(customer: Customer, rule: PoolRule, now: datetime) -> bool:
    assert customer.owner_id is not None
    url = reverse("customer-detail", args=[customer.pk])
    since = now - timedelta(days=rule.pool.warn_days_before)
    if Notification.objects.filter(
        user_id=customer.owner_id, kind=WARNING_KIND, url=url, created_at__gte=since
    ).exists():
        return False
    reason = RecycleReason(rule.reason).label
    assert customer.owner is not None  # the candidates are loaded with their owner
    notify(
        customer.owner,
        WARNING_KIND,
        _("%(customer)s will return to the public pool soon") % {"customer": customer.name},
        _("Rule: %(reason)s for %(days)d days. Follow up or lock it to keep it.")
        % {"reason": reason, "days": rule.days},
        url,
    )
    return True


def apply_pool_rules(*, now: datetime | None = None, organization_id: int | None = None) -> RecycleSummary:
    """Return customers whose rule clock ran out; warn owners `warn_days_before` ahead (once)."""
    now = now or timezone.now()
    summary = RecycleSummary()
    rules = PoolRule.objects.filter(active=True).select_related("pool", "pool__organization")
    if organization_id is not None:
        rules = rules.filter(pool__organization_id=organization_id)
    for rule in rules.order_by("pool_id", "id"):
        due = now - timedelta(days=rule.days)
        for customer in rule_candidates(rule).filter(clock_before(rule, due)).select_related("owner"):
            with transaction.atomic():
                previous = customer.owner
                moved = Customer.objects.filter(pk=customer.pk, owner=previous).update(
                    owner=None, owner_since=None, pool=rule.pool, locked=False, updated_at=now
                )
                if moved:
                    _log_owner_change(
                        None,
                        customer,
                        OwnershipKind.RECYCLE,
                        from_user=previous,
                        to_user=None,
                        pool=rule.pool,
                        reason=str(RecycleReason(rule.reason).label),
                        now=now,
                    )
                    summary.returned.append(customer.pk)
        warn_from = due + timedelta(days=rule.pool.warn_days_before)
        warn_qs = rule_candidates(rule).filter(clock_before(rule, warn_from)).exclude(pk__in=summary.returned)
        for customer in warn_qs.select_related("owner"):
            with transaction.atomic():
                if _warn(customer, rule, now):
                    summary.warned.append(customer.pk)
    return summary
