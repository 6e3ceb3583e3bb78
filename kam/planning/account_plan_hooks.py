"""Where account plans plug into the rest of KAM (imported from PlanningConfig.ready()).

- the customer 360 panel (order 30): the plan's summary, or a "create plan" link for writers;
- the next-day plan source: objectives and actions coming due (account_plan_sources.py);
- the merge hook: plans follow their customer into a merge (actions_plan_merge.py).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from kam.core.models import User
from kam.customers.actions import register_merge_hook
from kam.customers.models import Customer
from kam.customers.panels import register_customer_panel
from kam.customers.queries import customer_access
from kam.planning.account_plan_sources import plan_items_due
from kam.planning.actions_account_plans import shanghai_today
from kam.planning.actions_plan_merge import merge_account_plans
from kam.planning.models.account_plans import AccountPlan
from kam.planning.queries_account_plans import (
    KEY_ACCOUNT_TIER,
    annotated_share,
    open_objective_counts,
    review_is_stale,
    with_wallet,
)
from kam.planning.registry import register_plan_source

PANEL_ORDER = 30


def account_plan_panel(customer: Customer, viewer: User) -> dict[str, Any] | None:
    """The plan's summary; without a plan, a create link for those who may write an owned customer.

    Three to four queries whatever the plan holds (the plan with its wallet terms, the objective counts).
    """
    plan = with_wallet(AccountPlan.objects.filter(customer_id=customer.pk)).select_related("owner").first()
    if plan is None:
        if customer.owner_id is None or not customer_access(viewer, customer).write:
            return None
        return {"plan": None, "customer": customer, "key_account": customer.tier == KEY_ACCOUNT_TIER}
    today = shanghai_today()
    open_count, overdue_count = open_objective_counts(plan, today)
    return {
        "plan": plan,
        "customer": customer,
        "share_now": annotated_share(plan),
        "open_objectives": open_count,
        "overdue_objectives": overdue_count,
        "review_stale": review_is_stale(plan.last_reviewed_on, today),
    }


register_customer_panel("account_plan", PANEL_ORDER, "planning/account_plan_panel.html", account_plan_panel)
register_plan_source("account_plan", gettext_lazy("Account plan objectives due"), plan_items_due)
register_merge_hook(merge_account_plans)
