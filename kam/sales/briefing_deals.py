"""Deals in the morning briefing (晨会), orders 45–48: deals that moved, deals won or lost, need changes
(需求变化, V2 and later) and new competitor intel. Registered through kam.sales.day_hooks.

"The window's people" are the deal owners: a manager's briefing covers the deals of their team.
Each section is one or two indexed queries with a LIMIT, whatever the number of rows.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import pgettext

from kam.core.money import format_yuan
from kam.customers.queries import visible_customers
from kam.market.models import PriceIntel
from kam.planning.briefing_rows import ROWS, link, local_time, person_name, shorten, table, take
from kam.planning.registry import BriefingBlock, BriefingWindow
from kam.sales.models import DealCompetitor, NeedsVersion, Opportunity, OpportunityStatus, StageChange


def _changes(window: BriefingWindow) -> QuerySet[StageChange]:
    return StageChange.objects.filter(
        organization_id=window.viewer.organization_id,
        at__gte=window.since,
        at__lt=window.until,
        opportunity__owner_id__in=window.member_ids,
        opportunity__customer__deleted_at__isnull=True,
    )


def moved_section(window: BriefingWindow) -> BriefingBlock:
    """Stage moves of the people's open deals in the window (closings are the next section's)."""
    moves = (
        _changes(window)
        .filter(to_status=OpportunityStatus.OPEN, from_stage__isnull=False)
        .select_related("opportunity", "opportunity__owner", "opportunity__customer", "from_stage", "to_stage", "actor")
        .order_by("at", "id")
    )
    items, total = take(moves)
    columns = [
        pgettext("briefing", "Rep"),
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Deal"),
        pgettext("briefing", "From"),
        pgettext("briefing", "To"),
        pgettext("briefing", "Time"),
        pgettext("briefing", "Gate override"),
    ]
    return table(
        columns,
        items,
        total,
        lambda c: [
            person_name(c.opportunity.owner),
            c.opportunity.customer.name,
            c.opportunity.name,
            c.from_stage.name if c.from_stage else "",
            c.to_stage.name,
            local_time(c.at),
            shorten(c.override_reason, 60) if c.gate_override else "",
        ],
        lambda c: link("deal-detail", c.opportunity_id),
        lambda c: c.gate_override,
    )


def closed_section(window: BriefingWindow) -> BriefingBlock:
    """The people's deals won or lost in the window, with the reason and the winning competitor."""
    deals = (
        Opportunity.objects.filter(
            organization_id=window.viewer.organization_id,
            status__in=[OpportunityStatus.WON, OpportunityStatus.LOST],
            closed_at__gte=window.since,
            closed_at__lt=window.until,
            owner_id__in=window.member_ids,
            customer__deleted_at__isnull=True,
        )
        .select_related("owner", "customer", "close_reason", "won_by")
        .order_by("closed_at", "id")
    )
    items, total = take(deals)
    columns = [
        pgettext("briefing", "Rep"),
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Deal"),
        pgettext("briefing", "Amount"),
        pgettext("briefing", "Outcome"),
        pgettext("briefing", "Reason"),
        pgettext("briefing", "Won by"),
        pgettext("briefing", "Closed"),
    ]
    return table(
        columns,
        items,
        total,
        lambda d: [
            person_name(d.owner),
            d.customer.name,
            d.name,
            format_yuan(d.amount),
            d.get_status_display(),
            d.close_reason.label if d.close_reason else "",
            d.won_by.name if d.won_by else "",
            local_time(d.closed_at),
        ],
        lambda d: link("deal-detail", d.pk),
        lambda d: d.status == OpportunityStatus.LOST,
    )


def need_changes_section(window: BriefingWindow) -> BriefingBlock:
    """Changes of the needs (V2 and later) of the people's deals in the window, with the reason."""
    versions = (
        NeedsVersion.objects.filter(
            organization_id=window.viewer.organization_id,
            created_at__gte=window.since,
            created_at__lt=window.until,
            number__gte=2,
            opportunity__owner_id__in=window.member_ids,
            opportunity__customer__deleted_at__isnull=True,
        )
        .select_related("opportunity", "opportunity__customer", "author")
        .order_by("created_at", "id")
    )
    items, total = take(versions)
    columns = [
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Deal"),
        pgettext("briefing", "Version"),
        pgettext("briefing", "Changed by"),
        pgettext("briefing", "Reason"),
        pgettext("briefing", "Time"),
    ]
    return table(
        columns,
        items,
        total,
        lambda v: [
            v.opportunity.customer.name,
            v.opportunity.name,
            f"V{v.number}",
            person_name(v.author),
            shorten(v.reason),
            local_time(v.created_at),
        ],
        lambda v: link("deal-needs-history", v.opportunity_id),
    )


def _price_row(intel: PriceIntel, visible: set[int]) -> list[str]:
    price = format_yuan(intel.price) + (f"/{intel.unit}" if intel.unit else "")
    what = pgettext("briefing", "Price of %(product)s: %(price)s (%(confidence)s)") % {
        "product": intel.product,
        "price": price,
        "confidence": intel.get_confidence_display(),
    }
    # The intel is shared organisation-wide; the customer it came from only with those who may open it.
    customer = intel.customer.name if intel.customer is not None and intel.customer_id in visible else ""
    return [intel.competitor.name, what, customer, person_name(intel.author), local_time(intel.created_at)]


def _presence_row(presence: DealCompetitor) -> list[str]:
    what = pgettext("briefing", "In deal %(deal)s: %(status)s") % {
        "deal": presence.opportunity.name,
        "status": presence.get_status_display(),
    }
    deal = presence.opportunity
    return [
        presence.competitor.name,
        what,
        deal.customer.name,
        person_name(deal.owner),
        local_time(presence.created_at),
    ]


def _intel(window: BriefingWindow) -> tuple[QuerySet[PriceIntel], QuerySet[DealCompetitor]]:
    prices = PriceIntel.objects.filter(
        organization_id=window.viewer.organization_id, created_at__gte=window.since, created_at__lt=window.until
    )
    presences = DealCompetitor.objects.filter(
        organization_id=window.viewer.organization_id,
        created_at__gte=window.since,
        created_at__lt=window.until,
        opportunity__owner_id__in=window.member_ids,
        opportunity__customer__deleted_at__isnull=True,
    )
    return prices, presences


def competitor_intel_section(window: BriefingWindow) -> BriefingBlock:
    """Price intel recorded in the window (shared organisation-wide) and competitors newly met in the
    people's deals, merged in time order. Three queries (two more for the total past ROWS rows)."""
    price_rows, presence_rows = _intel(window)
    prices = list(
        price_rows.select_related("competitor", "customer", "author").order_by("created_at", "id")[: ROWS + 1]
    )
    presences = list(
        presence_rows.select_related(
            "competitor", "opportunity", "opportunity__customer", "opportunity__owner"
        ).order_by("created_at", "id")[: ROWS + 1]
    )
    customer_ids = {p.customer_id for p in prices if p.customer_id is not None}
    visible = (
        set(visible_customers(window.viewer).filter(pk__in=customer_ids).values_list("pk", flat=True))
        if customer_ids
        else set()
    )
    merged: list[tuple[datetime, int, list[str], str]] = [
        (p.created_at, 0, _price_row(p, visible), link("competitor-detail", p.competitor_id)) for p in prices
    ]
    merged += [(d.created_at, 1, _presence_row(d), link("deal-detail", d.opportunity_id)) for d in presences]
    merged.sort(key=lambda entry: (entry[0], entry[1]))
    if len(prices) > ROWS or len(presences) > ROWS:
        total: int | None = price_rows.count() + presence_rows.count()
    else:
        total = len(merged) if len(merged) > ROWS else None
    columns = [
        pgettext("briefing", "Competitor"),
        pgettext("briefing", "Intel"),
        pgettext("briefing", "Customer"),
        pgettext("briefing", "By"),
        pgettext("briefing", "Time"),
    ]
    block = BriefingBlock(columns=columns, total=total)
    for _at, _kind, row, url in merged[:ROWS]:
        block.rows.append(row)
        block.links.append(url)
        block.highlight.append(False)
    return block
