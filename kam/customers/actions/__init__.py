"""Every write to customers, contacts and pools. Import from here."""

from kam.customers.actions.contacts import create_contact, delete_contact, update_contact
from kam.customers.actions.customers import (
    DuplicatesFound,
    create_customer,
    mark_won,
    remove_collaborator,
    set_collaborator,
    set_locked,
    update_customer,
)
from kam.customers.actions.merge import merge_customers, register_merge_hook
from kam.customers.actions.pool import (
    apply_pool_rules,
    assign_customer,
    claim_customer,
    return_to_pool,
    transfer_customer,
)
from kam.customers.actions.recycle_bin import (
    delete_customer,
    purge_customer,
    restore_contact,
    restore_customer,
)

__all__ = [
    "DuplicatesFound",
    "apply_pool_rules",
    "assign_customer",
    "claim_customer",
    "create_contact",
    "create_customer",
    "delete_contact",
    "delete_customer",
    "mark_won",
    "merge_customers",
    "purge_customer",
    "register_merge_hook",
    "remove_collaborator",
    "restore_contact",
    "restore_customer",
    "return_to_pool",
    "set_collaborator",
    "set_locked",
    "transfer_customer",
    "update_contact",
    "update_customer",
]
