"""Deals in the rep's day: plan sources, briefing sections (orders 45–48), 销售简报 counters, lines of
今日工作, the customer timeline and the merge hook. Imported from kam.sales.hooks (SalesConfig.ready()).

The pieces live in plan_sources_deals.py, briefing_deals.py and timeline_deals.py; this module holds
the small ones and registers everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kam.activities.timeline import register_timeline_source
from kam.core.models import User
from kam.customers.actions.merge import register_merge_hook
from kam.customers.models import Customer
from kam.planning.registry import (
    WorkLine,
    register_briefing_section,
    register_plan_source,
    register_report_counter,
    register_work_source,
)
from kam.sales import briefing_deals, plan_sources_deals, timeline_deals
from kam.sales.models import Opportunity, OpportunityStatus, StageChange

# --- 销售简报 counters ---------------------------------------------------------------------------


def _owned(user: User) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(organization_id=user.organization_id, owner_id=user.pk)


def count_new_deals(user: User, start: datetime, end: datetime) -> int:
    """Deals the user owns that were created in the period."""
    return _owned(user).filter(created_at__gte=start, created_at__lt=end).count()


def count_deals_won(user: User, start: datetime, end: datetime) -> int:
    """The user's deals closed as won in the period."""
    return _owned(user).filter(status=OpportunityStatus.WON, closed_at__gte=start, closed_at__lt=end).count()


def count_deals_lost(user: User, start: datetime, end: datetime) -> int:
    """The user's deals closed as lost in the period."""
    return _owned(user).filter(status=OpportunityStatus.LOST, closed_at__gte=start, closed_at__lt=end).count()


# --- 今日工作 -----------------------------------------------------------------------------------


def _work_text(change: StageChange) -> str:
    deal = change.opportunity
    names = {"deal": deal.name, "stage": change.to_stage.name}
    if change.to_status == OpportunityStatus.OPEN:
        if change.from_stage is None or change.from_status != OpportunityStatus.OPEN:
            return _("%(deal)s reopened in %(stage)s") % names
        return _("%(deal)s: %(from)s → %(stage)s") % {**names, "from": change.from_stage.name}
    outcome = OpportunityStatus(change.to_status).label
    text = _("%(deal)s: %(outcome)s") % {"deal": deal.name, "outcome": outcome}
    if deal.status == change.to_status and deal.closed_at == change.at and deal.close_reason is not None:
        text += " · " + deal.close_reason.label
    return text


def deal_work_lines(user: User, start: datetime, end: datetime) -> Iterable[WorkLine]:
    """Stage moves, closings and reopenings the user made in the period (not the creation row). One query."""
    changes = (
        StageChange.objects.filter(organization_id=user.organization_id, actor_id=user.pk, at__gte=start, at__lt=end)
        .exclude(from_status="")
        .select_related("opportunity", "opportunity__customer", "opportunity__close_reason", "from_stage", "to_stage")
        .order_by("at", "pk")
    )
    for change in changes:
        customer = change.opportunity.customer
        yield WorkLine(
            customer_id=customer.pk,
            customer=customer.name,
            at=change.at,
            kind=_("Deal"),
            text=_work_text(change),
        )


# --- merging customers ----------------------------------------------------------------------------


def move_deals(actor: User, survivor: Customer, duplicate: Customer) -> None:
    """The duplicate's deals now belong to the survivor (inside the merge's transaction)."""
    Opportunity.objects.filter(customer_id=duplicate.pk).update(customer_id=survivor.pk)


# --- registration -------------------------------------------------------------------------------

register_plan_source("deal_stale", gettext_lazy("Deals without activity"), plan_sources_deals.stale_deals)
register_plan_source("deal_close", gettext_lazy("Deal close dates"), plan_sources_deals.closing_deals)
register_plan_source("deal_gate", gettext_lazy("Deals failing the next gate"), plan_sources_deals.gate_failing_deals)

register_briefing_section(
    "deals_moved", pgettext_lazy("briefing", "Deals that moved"), 45, briefing_deals.moved_section
)
register_briefing_section(
    "deals_closed", pgettext_lazy("briefing", "Deals won and lost"), 46, briefing_deals.closed_section
)
register_briefing_section(
    "need_changes", pgettext_lazy("briefing", "Need changes"), 47, briefing_deals.need_changes_section
)
register_briefing_section(
    "competitor_intel", pgettext_lazy("briefing", "New competitor intel"), 48, briefing_deals.competitor_intel_section
)

register_report_counter("new_deals", gettext_lazy("New deals"), 60, count_new_deals)
register_report_counter("deals_won", gettext_lazy("Deals won"), 70, count_deals_won)
register_report_counter("deals_lost", gettext_lazy("Deals lost"), 80, count_deals_lost)
register_work_source("deals", deal_work_lines)

register_timeline_source("deals", timeline_deals.deal_entries)
register_merge_hook(move_deals)
