"""Customer web pages: htmx-enhanced, server-rendered; each view calls one query or action."""

from kam.customers.views.contacts import (
    contact_create,
    contact_delete,
    contact_detail,
    contact_edit,
    relationship_map_page,
)
from kam.customers.views.customers import customer_create, customer_edit, customer_list_page, duplicate_check
from kam.customers.views.detail import (
    customer_collaborators,
    customer_delete,
    customer_detail,
    customer_history,
    customer_lock,
    customer_merge,
)
from kam.customers.views.pool import (
    customer_assign,
    customer_claim,
    customer_return,
    customer_transfer,
    pool_detail,
    pool_list,
)
from kam.customers.views.recycle_bin import (
    purge_customer_view,
    recycle_bin,
    restore_contact_view,
    restore_customer_view,
)

__all__ = [
    "contact_create",
    "contact_delete",
    "contact_detail",
    "contact_edit",
    "customer_assign",
    "customer_claim",
    "customer_collaborators",
    "customer_create",
    "customer_delete",
    "customer_detail",
    "customer_edit",
    "customer_history",
    "customer_list_page",
    "customer_lock",
    "customer_merge",
    "customer_return",
    "customer_transfer",
    "duplicate_check",
    "pool_detail",
    "pool_list",
    "purge_customer_view",
    "recycle_bin",
    "relationship_map_page",
    "restore_contact_view",
    "restore_customer_view",
]
