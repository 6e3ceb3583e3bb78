"""Deal page sections of the qualification concept: buying influences with their red flags (order 30)
and MEDDPICC with the next stage's gate (order 40). Each costs a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from kam.customers.queries import customer_access
from kam.sales.deal_sections import register_deal_section
from kam.sales.queries_qualification import MAX_TOTAL, element_scores, influences_of, marks_of, total_of
from kam.sales.redflags import red_flags

if TYPE_CHECKING:
    from kam.core.models import User
    from kam.sales.models import Opportunity
    from kam.sales.queries import DealAccess


def influences_section(deal: Opportunity, viewer: User, access: DealAccess) -> dict[str, Any]:
    """The Blue Sheet table and the red flags above it. At most five queries."""
    influences = influences_of(deal)
    return {
        "deal_id": deal.pk,
        "rows": marks_of(influences),
        "contact_links": customer_access(viewer, deal.customer).read,
        "flags": red_flags(deal, influences=influences),
        "can_edit": access.write,
    }


def _gate_status(deal: Opportunity) -> Any:
    # Imported here: gates.py belongs to the deal core, which imports the sections at start-up.
    from kam.sales.gates import gate_status

    return gate_status(deal)


def meddpicc_section(deal: Opportunity, viewer: User, access: DealAccess) -> dict[str, Any]:
    """The eight elements, the total and the next stage's gate. One query plus the gate's."""
    scores = element_scores(deal)
    return {
        "deal_id": deal.pk,
        "scores": scores,
        "total": total_of(scores),
        "max_total": MAX_TOTAL,
        "gate": _gate_status(deal),
        "can_edit": access.write,
    }


register_deal_section("influences", _("Buying influences"), 30, "sales/_deal_influences.html", influences_section)
register_deal_section("meddpicc", _("MEDDPICC"), 40, "sales/_deal_meddpicc.html", meddpicc_section)
