"""Deal page sections of the needs concept: the current needs (order 20) and the follow-ups about the
deal (order 70; follow-ups name their deal since issue 4). Each costs a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from kam.activities.models import FollowUp
from kam.activities.queries_followups import visible_followups
from kam.sales.deal_sections import register_deal_section
from kam.sales.models import Fit
from kam.sales.needs_diff import FIT_LABELS, budget_text
from kam.sales.queries_needs import current_needs, fit_summary

if TYPE_CHECKING:
    from kam.core.models import User
    from kam.sales.models import Opportunity
    from kam.sales.queries import DealAccess

DEAL_FOLLOWUPS = 10


def needs_section(deal: Opportunity, viewer: User, access: DealAccess) -> dict[str, Any]:
    """The current version, its requirements and fit summary. Two queries (version + items)."""
    current = current_needs(deal)
    fit = fit_summary(current)
    return {
        "deal_id": deal.pk,
        "current": current,
        "items": [
            {"item": item, "fit_label": str(FIT_LABELS.get(item.fit, item.fit))}
            for item in (current.items.all() if current is not None else [])
        ],
        "budget": budget_text(current.budget_min, current.budget_max) if current is not None else "",
        "fit": fit,
        "fit_counts": [(value, fit.counts[value], FIT_LABELS[value]) for value in Fit.values if fit.counts[value]],
        "can_edit": access.write,
    }


def followups_section(deal: Opportunity, viewer: User, access: DealAccess) -> dict[str, Any]:
    """The newest follow-ups linked to the deal that the viewer may open. Two queries.

    The deal's follow-up ids come first, from the opportunity index: asked in one statement with the
    visibility terms, SQLite walks the organization's follow-ups by time instead (5.6 s on the large
    dataset's 1.8 M follow-ups, docs/benchmarks.md).
    """
    linked = list(FollowUp.objects.filter(opportunity_id=deal.pk).values_list("pk", flat=True))
    followups = (
        visible_followups(viewer)
        .filter(pk__in=linked)
        .select_related("author")
        .order_by("-occurred_at", "-id")[:DEAL_FOLLOWUPS]
    )
    return {"deal_id": deal.pk, "customer_id": deal.customer_id, "followups": list(followups), "can_log": access.write}


register_deal_section("needs", _("Needs analysis"), 20, "sales/_deal_needs.html", needs_section)
register_deal_section("followups", _("Follow-ups about this deal"), 70, "sales/_deal_followups.html", followups_section)
