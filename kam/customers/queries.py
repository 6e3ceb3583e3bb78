"""Reads of customers and contacts, always scoped to what the user may open (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kam.core.china import phone_key
from kam.core.models import AuditAction, AuditEntry, Role, Team, User
from kam.core.queries import get_or_404
from kam.customers.models import (
    Collaborator,
    CollaboratorAccess,
    Contact,
    Customer,
    OwnershipChange,
    Pool,
    PoolMember,
    ServiceLevel,
)
from kam.customers.search_backend import substring_q


def _subordinate_user_ids(user: User) -> QuerySet[User]:
    """Users whose team lies in the subtree of `user`'s team (including the team itself)."""
    team_ids = Team.objects.filter(organization_id=user.organization_id, path__startswith=user.team.path).values("id")  # type: ignore[union-attr]
    return User.objects.filter(team_id__in=team_ids).values("id")  # type: ignore[return-value]


def customer_scope(user: User) -> Q:
    """The Q that selects exactly the customers `user` may open."""
    if user.role == Role.ADMIN:
        return Q(organization_id=user.organization_id)
    # Every term below is bound to the user's own organization already (their own rows,
    # their collaborations, their team subtree, their pools). Leaving out an extra
    # organization_id term lets SQLite drive the query from the owner index instead of
    # scanning the whole organization (docs/benchmarks.md: rep list 15.9 → 3.6 ms).
    visible = Q(owner_id=user.pk)
    visible |= Q(pk__in=Collaborator.objects.filter(user_id=user.pk).values("customer_id"))
    visible |= Q(owner__isnull=True, pool_id__in=PoolMember.objects.filter(user_id=user.pk).values("pool_id"))
    if user.supervises:
        visible |= Q(owner_id__in=_subordinate_user_ids(user))
        # Managers see many rows: with the organization term the planner walks the recency
        # index (customer_org_updated_idx) and stops after one page instead of sorting them all.
        return Q(organization_id=user.organization_id) & visible
    return visible


def visible_customers(user: User) -> QuerySet[Customer]:
    if not user.is_authenticated or user.organization_id is None:
        return Customer.objects.none()
    return Customer.objects.filter(customer_scope(user))


@dataclass(frozen=True)
class CustomerAccess:
    read: bool
    write: bool


def customer_access(user: User, customer: Customer) -> CustomerAccess:
    """What `user` may do with one customer already loaded."""
    if user.organization_id != customer.organization_id or customer.is_deleted:
        return CustomerAccess(False, False)
    if user.role == Role.ADMIN or customer.owner_id == user.pk:
        return CustomerAccess(True, True)
    if customer.owner_id is not None and user.supervises:
        if _subordinate_user_ids(user).filter(id=customer.owner_id).exists():
            return CustomerAccess(True, True)
    if customer.owner_id is None and customer.pool_id is not None:
        membership = PoolMember.objects.filter(pool_id=customer.pool_id, user_id=user.pk).first()
        if membership is not None:
            # Members see pool customers; only pool admins edit them (others claim first).
            return CustomerAccess(True, membership.is_admin)
    collab = Collaborator.objects.filter(customer_id=customer.pk, user_id=user.pk).first()
    if collab is not None:
        return CustomerAccess(True, collab.access == CollaboratorAccess.WRITE)
    return CustomerAccess(False, False)


def owns_or_supervises(user: User, customer: Customer) -> bool:
    """The owner, a manager or director above the owner, or an admin; collaborators are not enough.

    Decides who may give a customer away or share it: returning, transferring, adding collaborators.
    """
    if user.organization_id != customer.organization_id:
        return False
    if user.role == Role.ADMIN or (customer.owner_id is not None and customer.owner_id == user.pk):
        return True
    owner_team = customer.owner.team if customer.owner is not None else None
    return user.supervises and owner_team is not None and owner_team.path.startswith(user.team.path)  # type: ignore[union-attr]


def may_share(user: User, customer: Customer) -> bool:
    """Who may add or remove collaborators: those who own or supervise it, or a pool admin of its pool."""
    if owns_or_supervises(user, customer):
        return True
    return customer.owner_id is None and customer.pool is not None and is_pool_admin(user, customer.pool)


def get_customer_for_user(user: User, pk: Any, write: bool = False) -> Customer:
    """The customer, or 404 when it is missing or hidden, 403 when read-only and `write` is asked."""
    customer = get_or_404(
        Customer.objects.select_related("owner", "pool", "industry", "province", "city").filter(
            organization_id=user.organization_id
        ),
        pk,
    )
    access = customer_access(user, customer)
    if not access.read:
        raise Http404
    if write and not access.write:
        raise PermissionDenied
    return customer


def visible_contacts(user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(customer__in=visible_customers(user), customer__deleted_at__isnull=True)


def get_contact_for_user(user: User, pk: Any, write: bool = False) -> Contact:
    contact = get_or_404(
        Contact.objects.select_related("customer", "reports_to", "relationship_owner").filter(
            organization_id=user.organization_id
        ),
        pk,
    )
    access = customer_access(user, contact.customer)
    if not access.read:
        raise Http404
    if write and not access.write:
        raise PermissionDenied
    return contact


# --- lists ---------------------------------------------------------------------------------

SORTS = {
    "updated": "-updated_at",
    "name": "name_pinyin",
    "-name": "-name_pinyin",
    "created": "-created_at",
    "followup": "last_followup_at",
    "-followup": "-last_followup_at",
    "tier": "tier",
}


@dataclass
class CustomerFilters:
    q: str = ""
    owner: int | None = None
    team: int | None = None
    tier: str = ""
    status: str = ""
    industry: str = ""
    province: str = ""
    city: str = ""
    tag: int | None = None
    stale_days: int | None = None
    pool: int | None = None
    sort: str = "updated"


WIDE_SCOPE_TREE_LEVELS = 2  # 公司 "/1/", 大区 "/1/2/"


def search_q(term: str, prefix: str = "", *, user: User | None = None) -> Q:
    """Match name, short name, full pinyin, initials, credit code and phones in one column.

    Always exactly `search_text__contains` of the lowered, space-stripped term (or its phone key).
    Given the searching `user` and a wide scope (`_wide_scope`), it also gets an index clause that
    SQLite answers from FTS5 before testing rows (kam/customers/search_backend.py); a rep's few
    dozen visible rows are faster to test directly (docs/benchmarks.md). PostgreSQL's pg_trgm
    index serves the `contains` itself.
    """
    term = term.strip().lower().replace(" ", "")
    needles = [term]
    key = phone_key(term)  # 0755-28780808 as KAM displays it → the digits search_text holds
    if key and key != term:
        needles.append(key)
    return substring_q(f"{prefix}search_text", needles, indexed=user is not None and _wide_scope(user))


def _wide_scope(user: User) -> bool:
    """Whether `user` sees so many customers that SQLite should start a search from the FTS5 index.

    Admins, and managers at the top two levels of the tree (公司, 大区): thousands of customers,
    where starting from the index wins for all but the most frequent terms. Further down a manager
    sees a few hundred to a thousand customers, and testing those rows beats reading the index for
    frequent terms such as `zh` or 有限公司 (docs/benchmarks.md).
    """
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.supervises and user.team.path.count("/") <= WIDE_SCOPE_TREE_LEVELS + 1  # type: ignore[union-attr]


def customer_list(user: User, filters: CustomerFilters) -> QuerySet[Customer]:
    """The customers `user` may see, filtered and sorted, with what a list row shows preloaded."""
    qs = visible_customers(user)
    if filters.q:
        qs = qs.filter(search_q(filters.q, user=user))
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team:
        team = Team.objects.filter(pk=filters.team, organization_id=user.organization_id).first()
        if team is None:
            return qs.none()
        qs = qs.filter(owner__team__path__startswith=team.path)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.industry:
        qs = qs.filter(Q(industry_id=filters.industry) | Q(industry__section_id=filters.industry))
    if filters.province:
        qs = qs.filter(province_id=filters.province)
    if filters.city:
        qs = qs.filter(city_id=filters.city)
    if filters.tag:
        qs = qs.filter(tags__id=filters.tag)
    if filters.stale_days is not None:
        cutoff = timezone.now() - timedelta(days=filters.stale_days)
        qs = qs.filter(Q(last_followup_at__lt=cutoff) | Q(last_followup_at__isnull=True))
    if filters.pool:
        qs = qs.filter(pool_id=filters.pool, owner__isnull=True)
    order = SORTS.get(filters.sort, "-updated_at")
    return (
        qs.select_related("owner", "industry", "province", "city", "pool")
        .prefetch_related("tags")
        .order_by(order, "-id")
    )


def search(user: User, term: str, limit: int = 10) -> tuple[list[Customer], list[Contact]]:
    """The one search box: customers and contacts the user may open."""
    if not term.strip():
        return [], []
    customers = list(
        visible_customers(user)
        .filter(search_q(term, user=user))
        .select_related("owner")
        .order_by("-updated_at")[:limit]
    )
    contacts = list(
        visible_contacts(user)
        .filter(search_q(term, user=user))
        .select_related("customer")
        .order_by("-updated_at")[:limit]
    )
    return customers, contacts


def contacts_of(customer: Customer) -> QuerySet[Contact]:
    return customer.contacts.select_related("relationship_owner", "reports_to").order_by("reports_to_id", "name")


def ownership_history(customer: Customer) -> QuerySet[OwnershipChange]:
    return customer.ownership_changes.select_related("from_user", "to_user", "actor", "pool").order_by("-at", "-id")


def pools_of(user: User) -> QuerySet[Pool]:
    if user.role == Role.ADMIN:
        return Pool.objects.filter(organization_id=user.organization_id)
    return Pool.objects.filter(memberships__user_id=user.pk)


def get_pool_for_user(user: User, pk: Any) -> Pool:
    return get_or_404(pools_of(user), pk)


def admin_pools_of(user: User) -> QuerySet[Pool]:
    """Pools into which `user` may create customers directly (pool admins, org admins)."""
    pools = pools_of(user)
    if user.role != Role.ADMIN:
        pools = pools.filter(memberships__user_id=user.pk, memberships__is_admin=True)
    return pools.order_by("name")


def service_level_of(customer: Customer) -> ServiceLevel | None:
    """The visit cadence the customer's tier promises."""
    return ServiceLevel.objects.filter(organization_id=customer.organization_id, tier=customer.tier).first()


def is_pool_admin(user: User, pool: Pool) -> bool:
    if user.role == Role.ADMIN and user.organization_id == pool.organization_id:
        return True
    return PoolMember.objects.filter(pool_id=pool.pk, user_id=user.pk, is_admin=True).exists()


def collaborators_of(customer: Customer) -> QuerySet[Collaborator]:
    return customer.collaborators.select_related("user").order_by("user__username")


def deleted_customers(user: User) -> QuerySet[Customer]:
    """回收站: deleted customers the user could open before deletion (owner, managers above, admins)."""
    # A customer merged into another left its contacts and history there: it is not restorable.
    merged = AuditEntry.objects.filter(
        entity="customers.customer", entity_id=OuterRef("pk"), action=AuditAction.MERGE, field="merged_into"
    )
    base = Customer.all_objects.filter(deleted_at__isnull=False, organization_id=user.organization_id).exclude(
        Exists(merged)
    )
    if user.role == Role.ADMIN:
        scope = base
    elif user.supervises:
        scope = base.filter(Q(owner_id=user.pk) | Q(owner_id__in=_subordinate_user_ids(user)) | Q(deleted_by=user))
    else:
        scope = base.filter(Q(owner_id=user.pk) | Q(deleted_by=user))
    return scope.select_related("owner", "deleted_by").order_by("-deleted_at")


def users_in_org(user: User) -> QuerySet[User]:
    return (
        User.objects.filter(organization_id=user.organization_id, is_active=True)
        .select_related("team")
        .order_by("username")
    )
