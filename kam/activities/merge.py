"""Moves activities of a merged duplicate customer to the surviving one (registered merge hook).

The merge itself (kam.customers.actions.merge) already moves the contacts these rows point at,
carries the later last follow-up time over and fills a blank next follow-up time, all in its
transaction; this hook runs inside it.
"""

from __future__ import annotations

from kam.activities.models import CoordinationRequest, FollowUp, Task, Visit
from kam.core.models import User
from kam.customers.actions.merge import register_merge_hook
from kam.customers.models import Customer


@register_merge_hook
def move_activities(actor: User, survivor: Customer, duplicate: Customer) -> None:
    """Follow-ups, visits, tasks and coordination requests of `duplicate` now belong to `survivor`."""
    for model in (FollowUp, Visit, Task, CoordinationRequest):
        model.objects.filter(customer_id=duplicate.pk).update(customer_id=survivor.pk)  # type: ignore[attr-defined]
