"""Deals on the customer 360 timeline: created, moved between stages, won / lost / invalid, reopened.

One query whatever the number of deals: the stage history rows of the customer's deals that the
viewer may open (deal-team membership opens one deal, not the customer's others).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kam.activities.timeline import TimelineEntry
from kam.core.models import User
from kam.customers.models import Customer
from kam.planning.briefing_rows import link
from kam.sales.models import OpportunityStatus, StageChange
from kam.sales.queries import visible_opportunities

CLOSED = {OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.INVALID}


def _title(change: StageChange) -> str:
    names = {"deal": change.opportunity.name, "stage": change.to_stage.name}
    if change.to_status in CLOSED:
        labels = {
            OpportunityStatus.WON: _("Deal %(deal)s won"),
            OpportunityStatus.LOST: _("Deal %(deal)s lost"),
            OpportunityStatus.INVALID: _("Deal %(deal)s closed as invalid"),
        }
        return labels[OpportunityStatus(change.to_status)] % names
    if change.from_stage_id is None:
        return _("Deal %(deal)s created in %(stage)s") % names
    if change.from_status in CLOSED:
        return _("Deal %(deal)s reopened in %(stage)s") % names
    return _("Deal %(deal)s moved from %(from)s to %(stage)s") % {**names, "from": change.from_stage.name}  # type: ignore[union-attr]


def _details(change: StageChange) -> tuple[tuple[str, str], ...]:
    lines: list[tuple[str, str]] = []
    if change.actor is not None:
        lines.append((_("By"), change.actor.name))
    if change.gate_override:
        lines.append((_("Gate overridden"), change.override_reason))
    return tuple(lines)


def _body(change: StageChange) -> str:
    """The reason (and the winner) of a closing, while the deal is still closed by that move."""
    deal = change.opportunity
    if change.to_status not in CLOSED or deal.status != change.to_status or deal.closed_at != change.at:
        return ""
    parts = [deal.close_reason.label if deal.close_reason else ""]
    if deal.won_by is not None:
        parts.append(_("won by %(competitor)s") % {"competitor": deal.won_by.name})
    return " · ".join(part for part in parts if part)


def deal_entries(customer: Customer, viewer: User, limit: int) -> list[TimelineEntry]:
    """The customer's deal history as timeline entries, newest first, only deals the viewer may open."""
    deals = visible_opportunities(viewer).filter(customer_id=customer.pk).values("id")
    rows = (
        StageChange.objects.filter(opportunity_id__in=deals)
        .select_related(
            "opportunity", "opportunity__close_reason", "opportunity__won_by", "from_stage", "to_stage", "actor"
        )
        .order_by("-at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            at=row.at,
            kind=_("Deal"),
            title=_title(row),
            body=_body(row),
            url=link("deal-detail", row.opportunity_id),
            icon="deal",
            details=_details(row),
            source="deals",
            sort_id=row.pk,
        )
        for row in rows
    ]
