"""Deal page sections of the deal core: the stage history (order 90), each stay with its duration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from kam.sales.deal_sections import register_deal_section
from kam.sales.queries_deals import stage_spans

if TYPE_CHECKING:
    from kam.core.models import User
    from kam.sales.models import Opportunity
    from kam.sales.queries import DealAccess


def stage_history_section(deal: Opportunity, viewer: User, access: DealAccess) -> dict[str, Any]:
    """Every stay in a stage, newest first: entered, left, days, who moved it, gate overrides. One query."""
    spans = stage_spans(deal)
    return {"deal_id": deal.pk, "spans": spans[::-1], "is_open": deal.is_open}


register_deal_section(
    "stage-history", _("Stage history"), 90, "sales/_deal_core_stage_history.html", stage_history_section
)
