"""Reads of deals, always scoped to what the user may open (DESIGN.md §3, widened by deal teams).

A deal is visible to whoever may open its customer, to its owner and the managers above the owner,
and to its deal team. Deal-team membership opens that deal only: the customer and its other deals
stay hidden unless another rule opens them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kam.core.models import Role, Team, User
from kam.core.queries import get_or_404
from kam.customers.queries import customer_access, customer_scope
from kam.sales.models import MemberAccess, Opportunity, OpportunityMember


def _subordinate_ids(user: User) -> QuerySet[User]:
    teams = Team.objects.filter(organization_id=user.organization_id, path__startswith=user.team.path)  # type: ignore[union-attr]
    return User.objects.filter(team_id__in=teams.values("id")).values("id")  # type: ignore[return-value]


def opportunity_scope(user: User) -> Q:
    """The Q that selects exactly the deals `user` may open (deleted customers' deals excluded)."""
    alive = Q(customer__deleted_at__isnull=True)
    if user.role == Role.ADMIN:
        return Q(organization_id=user.organization_id) & alive
    if user.supervises:
        # Everything owned below the manager's team (deal owner or customer owner), plus their own
        # collaborations; the organization term lets the planner use the organization indexes.
        mine = Q(owner_id__in=_subordinate_ids(user)) | Q(customer__in=_customer_ids(user))
    else:
        mine = Q(owner_id=user.pk) | Q(customer__in=_customer_ids(user))
    mine |= Q(pk__in=OpportunityMember.objects.filter(user_id=user.pk).values("opportunity_id"))
    return Q(organization_id=user.organization_id) & alive & mine


def _customer_ids(user: User) -> Any:
    from kam.customers.models import Customer

    return Customer.objects.filter(customer_scope(user)).values("id")


def visible_opportunities(user: User) -> QuerySet[Opportunity]:
    if not user.is_authenticated or user.organization_id is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(opportunity_scope(user))


@dataclass(frozen=True)
class DealAccess:
    read: bool
    write: bool


def _supervises_user(user: User, other: User) -> bool:
    return (
        user.supervises and other.team is not None and other.team.path.startswith(user.team.path)  # type: ignore[union-attr]
    )


def opportunity_access(user: User, deal: Opportunity) -> DealAccess:
    """What `user` may do with one deal already loaded (customer, owner and owner's team selected)."""
    if user.organization_id != deal.organization_id or deal.customer.is_deleted:
        return DealAccess(False, False)
    if user.role == Role.ADMIN or deal.owner_id == user.pk or _supervises_user(user, deal.owner):
        return DealAccess(True, True)
    via_customer = customer_access(user, deal.customer)
    member = OpportunityMember.objects.filter(opportunity_id=deal.pk, user_id=user.pk).first()
    member_write = member is not None and member.access == MemberAccess.WRITE
    # Pool members see a pool customer but edit nothing of it until they claim it.
    write = member_write or (via_customer.write and deal.customer.owner_id is not None)
    return DealAccess(via_customer.read or member is not None, write)


def get_opportunity_for_user(user: User, pk: Any, write: bool = False) -> Opportunity:
    """The deal, or 404 when it is missing or hidden, 403 when read-only and `write` is asked."""
    deal = get_or_404(
        Opportunity.objects.select_related(
            "customer", "customer__owner", "owner", "owner__team", "stage", "business_line", "close_reason", "won_by"
        ).filter(organization_id=user.organization_id),
        pk,
    )
    access = opportunity_access(user, deal)
    if not access.read:
        raise Http404
    if write and not access.write:
        raise PermissionDenied
    return deal


def may_manage_deal_team(user: User, deal: Opportunity) -> bool:
    """The deal owner, the managers above them and admins decide who joins the deal team."""
    if user.organization_id != deal.organization_id:
        return False
    return user.role == Role.ADMIN or deal.owner_id == user.pk or _supervises_user(user, deal.owner)


def may_override_gate(user: User, deal: Opportunity) -> bool:
    """Managers and directors above the deal owner, and admins, may move a deal past a failed gate."""
    if user.organization_id != deal.organization_id:
        return False
    return user.role == Role.ADMIN or _supervises_user(user, deal.owner)
