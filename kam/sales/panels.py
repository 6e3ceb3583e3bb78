"""The customer 360 page's deals panel (order 20): the customer's deals the viewer may open, open ones
first, then the most recently closed, and a link to create one for those who may write the customer."""

from __future__ import annotations

from typing import Any

from kam.core.models import User
from kam.customers.models import Customer
from kam.customers.panels import register_customer_panel
from kam.customers.queries import customer_access
from kam.sales.queries_customer_deals import customer_deals


def customer_deals_panel(customer: Customer, viewer: User) -> dict[str, Any]:
    """The panel's context; a fixed number of queries whatever the customer holds."""
    # Deals need an owner: a pool customer gets deals once someone has claimed it.
    can_create = customer.owner_id is not None and customer_access(viewer, customer).write
    return {"customer": customer, "deals": customer_deals(viewer, customer.pk), "can_create": can_create}


register_customer_panel("deals", 20, "sales/_customer_deals.html", customer_deals_panel)
