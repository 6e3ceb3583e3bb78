"""Reads of the deal team: its members, one member row, a colleague to add, the split total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kam.core.models import User
from kam.core.queries import get_or_404
from kam.sales.models import Opportunity, OpportunityMember


def team_of(deal: Opportunity) -> list[OpportunityMember]:
    """The deal team, owner first, then by name; each member's user (and team) loaded."""
    members = OpportunityMember.objects.filter(opportunity_id=deal.pk).select_related("user", "user__team")
    return sorted(members, key=lambda m: (m.user_id != deal.owner_id, m.user.username))


def member_of(deal: Opportunity, pk: Any) -> OpportunityMember:
    """One row of this deal's team (404 for a row of another deal or none)."""
    return get_or_404(OpportunityMember.objects.filter(opportunity_id=deal.pk).select_related("user"), pk)


def colleague_of(user: User, pk: Any) -> User | None:
    """An active user of `user`'s organization by id, or None."""
    try:
        user_id = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < user_id < 2**63:
        return None
    return User.objects.filter(organization_id=user.organization_id, is_active=True, pk=user_id).first()


def split_total(members: list[OpportunityMember]) -> Decimal:
    return sum((m.split_percent for m in members), Decimal("0"))
