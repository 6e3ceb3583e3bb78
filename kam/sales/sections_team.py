"""The deal team block of the deal page (order 60): members with role, access and revenue split, and
for those who manage the team the forms to add, change and remove members and set the splits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from kam.core.models import User
from kam.sales.deal_sections import register_deal_section
from kam.sales.forms_lists import TeamMemberForm, TeamSplitsForm
from kam.sales.models import MemberAccess, Opportunity, TeamRole
from kam.sales.queries import DealAccess, may_manage_deal_team
from kam.sales.queries_team import split_total, team_of


@dataclass
class PickerState:
    """The colleague type-ahead of the add form (same shape as the customer page's pickers)."""

    term: str = ""
    matches: list[User] = field(default_factory=list)
    name: str = "member"

    @property
    def param(self) -> str:
        return "member_q"


def team_context(deal: Opportunity, viewer: User, access: DealAccess | None = None) -> dict[str, Any]:
    """What _deal_team.html shows; one query (the members with their users and teams)."""
    members = team_of(deal)
    can_manage = may_manage_deal_team(viewer, deal)
    return {
        "deal": deal,
        "members": members,
        "split_total": split_total(members),
        "can_manage": can_manage,
        "role_choices": TeamRole.choices,
        "access_choices": MemberAccess.choices,
        "member_form": TeamMemberForm() if can_manage else None,
        "splits_form": TeamSplitsForm(members=members) if can_manage else None,
        "picker": PickerState(),
        "errors": [],
    }


register_deal_section("team", _("Deal team"), 60, "sales/_deal_team.html", team_context)
