"""The competitors block of the deal page (order 50): who we meet in this deal and where they stand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from kam.market.queries import may_edit_competitors
from kam.sales.deal_sections import register_deal_section
from kam.sales.forms_competitors import DealCompetitorForm
from kam.sales.queries_competitors import competitor_lines, competitors_of

if TYPE_CHECKING:
    from kam.core.models import User
    from kam.sales.models import Opportunity
    from kam.sales.queries import DealAccess

TEMPLATE = "sales/_deal_competitors.html"


def competitors_section(deal: Opportunity, viewer: User, access: DealAccess) -> dict[str, Any]:
    """Two queries: the deal's rows with their profiles, and (for writers) the competitors to pick from."""
    rows = competitors_of(deal)
    return {
        "deal": deal,
        "lines": competitor_lines(deal, rows),
        "can_write": access.write,
        "form": DealCompetitorForm(actor=viewer, deal=deal) if access.write else None,
        "may_create_competitor": may_edit_competitors(viewer),
    }


register_deal_section("competitors", _("Competitors"), 50, TEMPLATE, competitors_section)
