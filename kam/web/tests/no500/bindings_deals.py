"""The scene rows (scene_deals.py) that fill the path and query parameters of issue 4's routes: deals,
needs, qualification, deal teams and views, competitors and prices, sales settings, account plans.

As in bindings.py, the first key is the real row the route is about (the owner's, or the admin's for
the sales settings), the others rows of another kind, of the stranger (another team) or of the
outsider (another organization).
"""

from __future__ import annotations

# Rows of the deal and plan scenes (scene_deals.py, scene_edges.py): the owner's first.
DEALS = ("deal", "closed_deal", "binned_deal", "stranger_deal", "outsider_deal")
CLOSED_DEALS = ("closed_deal", "deal", "stranger_closed_deal", "outsider_closed_deal")
# The owner's deal-team rows: the presales member, the owner's own row (cannot be removed), others'.
DEAL_MEMBERS = ("deal_member", "deal_owner_member", "stranger_deal_member", "outsider_deal_member")
INFLUENCES = ("influence", "coach_influence", "gone_influence", "stranger_influence", "outsider_influence")
DEAL_COMPETITORS = ("deal_competitor", "stranger_deal_competitor", "outsider_deal_competitor")
VIEWS = ("view", "stranger_view", "outsider_view")
COMPETITORS = ("competitor", "spare_competitor", "cell_competitor", "outsider_competitor")
NEEDS_VERSIONS = ("needs_v1", "needs_v2", "needs_v3")
LINES = ("business_line", "default_line", "outsider_business_line")
# The admin's new stage first (unused, so it may be deleted); a stage deals use; the outsider's.
STAGES = ("stage", "deal_stage", "outsider_stage")
GATES = ("gate", "outsider_gate")
REASONS = ("close_reason", "outsider_close_reason")
PRODUCT_LINES = ("product_line", "cell_line", "outsider_product_line")
PLANS = ("plan", "binned_plan", "stranger_plan", "outsider_plan")
PLAN_MEMBERS = ("plan_member", "stranger_plan_member", "outsider_plan_member")
KEY_PLAYERS = ("key_player", "gone_key_player", "stranger_key_player", "outsider_key_player")
OBJECTIVES = ("objective", "stranger_objective", "outsider_objective")
PLAN_ACTIONS = ("plan_action", "stranger_plan_action", "outsider_plan_action")
UNITS = ("business_unit", "stranger_business_unit", "outsider_business_unit")
# The grid's columns: the line the cell is in, the admin's new line, the outsider's.
CELL_LINES = ("cell_line", "product_line", "outsider_cell_line")

_DEAL_PAGES = (
    "deal-detail",
    "deal-edit",
    "deal-move",
    "deal-close",
    "deal-history",
    "deal-team",
    "deal-needs-edit",
    "deal-needs-row",
    "deal-needs-history",
    "deal-influence-add",
    "deal-meddpicc",
    "deal-coverage",
    "deal-competitor-add",
)
_PLAN_PAGES = (
    "account-plan-detail",
    "account-plan-edit",
    "account-plan-review",
    "account-plan-team-add",
    "account-plan-player-add",
    "account-plan-objective-add",
    "account-plan-unit-add",
    "account-plan-whitespace",
)

DEAL_BINDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    **{name: {"pk": DEALS} for name in _DEAL_PAGES},
    "deal-reopen": {"pk": CLOSED_DEALS},
    "deal-team-remove": {"pk": DEALS, "member_pk": DEAL_MEMBERS},
    **{name: {"pk": DEALS, "ipk": INFLUENCES} for name in ("deal-influence-edit", "deal-influence-delete")},
    **{name: {"pk": DEALS, "cpk": DEAL_COMPETITORS} for name in ("deal-competitor-edit", "deal-competitor-delete")},
    "deal-view-delete": {"pk": VIEWS},
    **{name: {"pk": COMPETITORS} for name in ("competitor-detail", "competitor-edit", "competitor-active")},
    # The spare one first (nothing names it); one only a whitespace cell names.
    "competitor-delete": {"pk": ("spare_competitor", "competitor", "cell_competitor", "outsider_competitor")},
    # Customers in the recycle bin: one with a deal and an account plan.
    **{
        name: {"pk": ("deleted", "customer", "binned_customer", "outsider_customer")}
        for name in ("recycle-restore-customer", "recycle-purge")
    },
    "restore_customer": {"customer_id": ("deleted", "customer", "binned_customer", "outsider_customer")},
    **{
        name: {"pk": LINES}
        for name in (
            "admin-sales-line-edit",
            "admin-sales-line-default",
            "admin-sales-line-move",
            "admin-sales-stage-create",
        )
    },
    **{
        name: {"pk": STAGES}
        for name in (
            "admin-sales-stage-edit",
            "admin-sales-stage-move",
            "admin-sales-stage-delete",
            "admin-sales-gate-set",
        )
    },
    "admin-sales-gate-delete": {"pk": GATES},
    **{name: {"pk": REASONS} for name in ("admin-sales-reason-edit", "admin-sales-reason-move")},
    **{name: {"pk": PRODUCT_LINES} for name in ("admin-sales-product-edit", "admin-sales-product-move")},
    **{name: {"pk": PLANS} for name in _PLAN_PAGES},
    "account-plan-team-remove": {"pk": PLANS, "member_pk": PLAN_MEMBERS},
    **{
        name: {"pk": PLANS, "player_pk": KEY_PLAYERS}
        for name in ("account-plan-player-edit", "account-plan-player-remove")
    },
    **{
        name: {"pk": PLANS, "objective_pk": OBJECTIVES}
        for name in ("account-plan-objective-edit", "account-plan-objective-delete", "account-plan-action-add")
    },
    **{
        name: {"pk": PLANS, "action_pk": PLAN_ACTIONS}
        for name in ("account-plan-action-edit", "account-plan-action-toggle", "account-plan-action-delete")
    },
    **{name: {"pk": PLANS, "unit_pk": UNITS} for name in ("account-plan-unit-edit", "account-plan-unit-delete")},
    "account-plan-cell": {"pk": PLANS, "unit_pk": UNITS, "line_pk": CELL_LINES},
    # ninja routes whose parameters mean something else than DEAL_PARAM_BINDINGS says.
    "reopen_deal": {"deal_id": CLOSED_DEALS},
    # The deal team by user id: the member, a colleague not on it yet, the owner (stays), an outsider.
    "put_member": {"deal_id": DEALS, "user_id": ("teammate", "collaborator", "owner_user", "outsider")},
}

DEAL_PARAM_BINDINGS: dict[str, tuple[str, ...]] = {
    "deal_id": DEALS,
    "view_id": VIEWS,
    "number": NEEDS_VERSIONS,
    "influence_id": INFLUENCES,
    "row_id": DEAL_COMPETITORS,
    "competitor_id": COMPETITORS,
    "plan_id": PLANS,
    "member_id": PLAN_MEMBERS,
    "player_id": KEY_PLAYERS,
    "objective_id": OBJECTIVES,
    "action_id": PLAN_ACTIONS,
    "unit_id": UNITS,
    "product_line_id": CELL_LINES,
}

# Needs versions by number are text in the path: numbers int() reads but a database does not.
DEAL_ABSURD_TEXT: dict[str, tuple[str, ...]] = {"number": ("1.5", "٣", "²", "1e3", " 1", "+1", "0x1")}

_CUSTOMERS = ("customer", "stranger_customer", "pool_customer", "deleted", "outsider_customer")
_PRICE_HISTORY = {"competitor": COMPETITORS, "product": ("price_product",)}

DEAL_ROUTE_QUERIES: dict[str, dict[str, tuple[str, ...]]] = {
    "deal-create": {"customer": _CUSTOMERS},
    # A customer without a plan first (with one, the page redirects to it).
    "account-plan-create": {
        "customer": ("other", "customer", "stranger_customer", "pool_customer", "outsider_customer")
    },
    "price-intel-history": _PRICE_HISTORY,
    "history": _PRICE_HISTORY,  # GET /api/v1/price-intel/history
    "deal-needs-row": {"index": ("row_index",)},
    "get_diff": {"from": ("needs_v1",), "to": ("needs_v2",)},
}

DEAL_OPTIONAL_QUERIES: dict[str, dict[str, tuple[str, ...]]] = {
    "deal-close": {"outcome": ("outcome_lost", "outcome_won")},
    "deal-needs-history": {"before": ("needs_v2",)},
    "price-intel-create": {
        "competitor": ("competitor", "outsider_competitor"),
        "customer": ("customer", "stranger_customer", "outsider_customer"),
    },
    **{
        name: {
            "customer": ("customer", "stranger_customer", "outsider_customer"),
            "stage": ("deal_stage", "outsider_stage"),
            "business_line": ("default_line", "outsider_business_line"),
        }
        for name in ("deal-list", "list_deals", "deal-board", "deal_board")
    },
    **{name: {"competitor": COMPETITORS} for name in ("list_prices", "price-intel-list")},
    "account-plan-list": {"owner": ("owner_user", "stranger_user", "outsider"), "team": ("team", "outsider_team")},
    "list_plans": {"owner_id": ("owner_user", "stranger_user", "outsider"), "team_id": ("team", "outsider_team")},
    **{
        name: {
            "team": ("team", "root_team", "outsider_team"),
            "business_line": ("default_line", "outsider_business_line"),
        }
        for name in ("winloss", "get_winloss")
    },
}
