"""Writes to customers: create, update, lock, collaborators. One transaction and audit rows each."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import StaleVersion, refuse
from kam.core.models import AuditAction, Role, User
from kam.customers.dedup import DuplicateMatch, creation_blocked, find_duplicates
from kam.customers.forms import CUSTOMER_FIELDS
from kam.customers.models import (
    CityTier,
    Collaborator,
    CollaboratorAccess,
    Customer,
    CustomerStatus,
    OwnershipChange,
    OwnershipKind,
    Pool,
    Tag,
)
from kam.customers.queries import (
    customer_access,
    get_customer_for_user,
    is_pool_admin,
    may_share,
    visible_customers,
)
from kam.customers.search_index import refresh_customer_search

CITY_TIER_VERSION = "2025"
AUDITED_FIELDS = [*CUSTOMER_FIELDS, "city_tier", "owner", "pool", "locked", "tags"]


class DuplicatesFound(Exception):
    """Possible duplicates that the user may override (warn mode); carries the matches to show."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        super().__init__(f"{len(matches)} possible duplicates")
        self.matches = matches


def city_tier_of(city_id: str | None) -> str:
    if not city_id:
        return ""
    row = CityTier.objects.filter(version=CITY_TIER_VERSION, city_id=city_id).values_list("tier", flat=True).first()
    return row or ""


def _set_tags(customer: Customer, names: list[str]) -> None:
    tags = []
    for name in names:
        tag, _created = Tag.objects.get_or_create(organization_id=customer.organization_id, name=name)
        tags.append(tag)
    customer.tags.set(tags)


def check_holding_limit(user: User, extra: int = 1) -> None:
    held = Customer.objects.filter(owner=user).count()
    limit = user.effective_holding_limit
    if held + extra > limit:
        raise refuse(
            _("%(user)s already holds %(held)d customers; the limit is %(limit)d.")
            % {"user": user.name, "held": held, "limit": limit}
        )


def check_owner_choice(actor: User, owner: User) -> None:
    if owner.organization_id != actor.organization_id or not owner.is_active:
        raise refuse(_("Choose an active colleague as owner."), "owner")
    if owner.pk == actor.pk or actor.role == Role.ADMIN:
        return
    if actor.supervises and owner.team is not None and owner.team.path.startswith(actor.team.path):  # type: ignore[union-attr]
        return
    raise refuse(_("You may only give customers to people in your own team."), "owner")


@transaction.atomic
def create_customer(
    actor: User,
    data: dict[str, Any],
    *,
    tag_names: list[str] | None = None,
    owner: User | None = None,
    pool: Pool | None = None,
    confirm_duplicates: bool = False,
    source_kind: str = OwnershipKind.CREATE,
) -> Customer:
    """Create a customer owned by `owner` (default: the actor) or placed in `pool`, after 查重."""
    matches = find_duplicates(
        actor, name=data["name"], credit_code=data.get("credit_code", ""), phones=[data.get("phone", "")]
    )
    if any(m.kind == "credit_code" for m in matches):
        raise refuse(
            _("This credit code is already registered: %(match)s.") % {"match": matches[0].describe()}, "credit_code"
        )
    credit_code = data.get("credit_code", "")
    if (
        credit_code
        and Customer.all_objects.filter(
            organization_id=actor.organization_id, credit_code=credit_code, deleted_at__isnull=False
        ).exists()
    ):
        raise refuse(
            _("A customer with this credit code is in the recycle bin; restore it instead of creating a new one."),
            "credit_code",
        )
    if matches and creation_blocked(actor, matches):
        raise refuse(_("A matching customer already exists: %(match)s.") % {"match": matches[0].describe()}, "name")
    if matches and not confirm_duplicates:
        raise DuplicatesFound(matches)
    if pool is not None:
        if not is_pool_admin(actor, pool):
            raise refuse(_("Only pool admins may put new customers into a pool."), "pool")
        owner = None
    else:
        owner = owner or actor
        check_owner_choice(actor, owner)
        check_holding_limit(owner)
    now = timezone.now()
    customer = Customer(
        organization_id=actor.organization_id,
        owner=owner,
        owner_since=now if owner else None,
        pool=pool,
        created_by=actor,
        **{k: v for k, v in data.items() if k in CUSTOMER_FIELDS},
    )
    customer.city_tier = city_tier_of(customer.city_id)
    refresh_customer_search(customer)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:
        # A concurrent create with the same credit code won the race.
        raise refuse(_("This credit code is already registered."), "credit_code") from exc
    if tag_names:
        _set_tags(customer, tag_names)
    audit.record(actor, customer, AuditAction.CREATE)
    OwnershipChange.objects.create(
        organization_id=customer.organization_id,
        customer=customer,
        kind=source_kind,
        to_user=owner,
        pool=pool,
        actor=actor,
        at=now,
    )
    return customer


@transaction.atomic
def update_customer(
    actor: User,
    customer: Customer,
    data: dict[str, Any],
    *,
    tag_names: list[str] | None = None,
    expected_version: int | None = None,
) -> Customer:
    """Apply the changed fields, write one audit row per field, bump the version."""
    get_customer_for_user(actor, customer.pk, write=True)
    # Work from the row as it is under the lock, so a concurrent change is neither lost nor
    # recorded with a wrong "old" value.
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("industry", "province", "city")
        .get(pk=customer.pk)
    )
    if expected_version is not None and customer.version != expected_version:
        raise StaleVersion(customer.version)
    credit_code = data.get("credit_code")
    if credit_code and credit_code != customer.credit_code:
        clash = Customer.all_objects.filter(organization_id=customer.organization_id, credit_code=credit_code)
        if clash.exclude(pk=customer.pk).exists():
            matches = find_duplicates(actor, credit_code=credit_code, exclude_id=customer.pk)
            holder = matches[0].describe() if matches else _("a deleted customer")
            raise refuse(_("This credit code is already registered: %(match)s.") % {"match": holder}, "credit_code")
    before = audit.snapshot(customer, [*CUSTOMER_FIELDS, "city_tier", "tags"])
    changed_fields = []
    for name, value in data.items():
        if name in CUSTOMER_FIELDS and getattr(customer, name) != value:
            setattr(customer, name, value)
            changed_fields.append(name)
    if "city" in changed_fields:
        customer.city_tier = city_tier_of(customer.city_id)
        changed_fields.append("city_tier")
    if tag_names is not None:
        _set_tags(customer, tag_names)
    refresh_customer_search(customer)
    customer.version = F("version") + 1  # type: ignore[assignment]
    customer.save(
        update_fields=[
            *changed_fields,
            "name_pinyin",
            "name_initials",
            "name_norm",
            "search_text",
            "version",
            "updated_at",
        ]
    )
    customer.refresh_from_db(fields=["version"])
    audit.record_changes(actor, customer, before)
    return customer


@transaction.atomic
def set_locked(actor: User, customer: Customer, locked: bool) -> Customer:
    """锁定: a locked customer is exempt from recycling; each owner has a lock limit."""
    customer = get_customer_for_user(actor, customer.pk, write=True)
    if customer.owner is None:
        raise refuse(_("Customers in the public pool cannot be locked."))
    if locked and not customer.locked:
        held = Customer.objects.filter(owner_id=customer.owner_id, locked=True).count()
        if held >= customer.owner.effective_lock_limit:
            raise refuse(
                _("%(user)s has already locked %(held)d customers, the limit.")
                % {"user": customer.owner.name, "held": held}
            )
    before = audit.snapshot(customer, ["locked"])
    customer.locked = locked
    customer.save(update_fields=["locked", "updated_at"])
    audit.record_changes(actor, customer, before)
    return customer


@transaction.atomic
def set_collaborator(actor: User, customer: Customer, user: User, access: str) -> Collaborator:
    """Add a colleague to a customer, or change their access (owner, managers above, admins)."""
    customer = get_customer_for_user(actor, customer.pk, write=True)
    if not may_share(actor, customer):
        raise PermissionDenied
    if user.organization_id != customer.organization_id:
        raise refuse(_("Choose a colleague from your organization."), "user")
    if user.pk == customer.owner_id:
        raise refuse(_("The owner already has full access."), "user")
    if access not in CollaboratorAccess.values:
        raise refuse(_("Choose read-only or read-write access."), "access")
    previous = Collaborator.objects.filter(customer=customer, user=user).values_list("access", flat=True).first()
    collab, _created = Collaborator.objects.update_or_create(
        customer=customer, user=user, defaults={"access": access, "organization_id": customer.organization_id}
    )
    old = f"{user.name}: {CollaboratorAccess(previous).label}" if previous else ""
    new = f"{user.name}: {CollaboratorAccess(access).label}"
    if old != new:
        audit.record(actor, customer, AuditAction.UPDATE, field="collaborators", old=old, new=new)
    return collab


@transaction.atomic
def remove_collaborator(actor: User, customer: Customer, user: User) -> None:
    customer = get_customer_for_user(actor, customer.pk, write=True)
    if not may_share(actor, customer):
        raise PermissionDenied
    deleted, _rows = Collaborator.objects.filter(customer=customer, user=user).delete()
    if deleted:
        audit.record(actor, customer, AuditAction.UPDATE, field="collaborators", old=user.name)


def mark_won(actor: User, customer: Customer) -> None:
    """Called by later modules when a contract is signed: the customer becomes a 成交 customer."""
    if customer.won_at is None:
        Customer.objects.filter(pk=customer.pk).update(won_at=timezone.now(), status=CustomerStatus.ACTIVE)


def can_delete(actor: User, customer: Customer) -> bool:
    access = customer_access(actor, customer)
    if not access.write:
        return False
    if actor.role == Role.ADMIN or customer.owner_id == actor.pk:
        return True
    return actor.supervises and visible_customers(actor).filter(pk=customer.pk, owner__isnull=False).exists()
