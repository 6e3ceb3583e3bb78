"""Form fields of issue 4's pages (deals, needs, qualification, deal teams and views, competitors and
prices, sales settings, account plans) and the values each form accepts, so that the sweep's garbage
forms with one landmine reach the actions behind them (see forms.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kam.core.money import MAX_AMOUNT
from kam.web.tests.no500.routes import Route
from kam.web.tests.no500.scene import Scene

MEDDPICC = (
    "metrics",
    "economic_buyer",
    "decision_criteria",
    "decision_process",
    "paper_process",
    "identified_pain",
    "champion",
    "competition",
)
# Two requirement rows of the needs form: the first an existing requirement (key 1), the second new.
NEEDS_ROWS = tuple(
    f"item-{row}-{name}" for row in (0, 1) for name in ("key", "description", "priority", "necessity", "fit")
)

# The create forms of 管理 → 销售设置 are prefixed (they share the page with the lists).
ADMIN_CREATE_FIELDS = (
    "line-name", "stage-name", "stage-default_probability", "stage-exit_criteria", "gate-element", "gate-min_score",
    "reason-outcome", "reason-label", "product-name",
)  # fmt: skip

DEAL_FORM_FIELDS = (
    "amount", "expected_close_date", "business_line", "probability", "probability_reason", "forecast_category",
    "products_of_interest", "objective", "next_step_date", "stage", "override_reason", "outcome", "won_by",
    "price_gap", "params", "split_percent", "pain", "budget_min", "budget_max", "timeline", "decision_criteria",
    "solution_notes", "base_version", *NEEDS_ROWS, "item-0-remove", "response_mode", "rating", "personal_win",
    "business_result", *(f"{element}_{part}" for element in MEDDPICC for part in ("score", "evidence")),
    "economic_buyer_contact", "champion_contact", "competitor", "products", "price_positioning", "strengths",
    "weaknesses", "tactics", "product", "price", "unit", "observed_on", "confidence", "default_probability",
    "exit_criteria", "element", "min_score", "label", "trends", "vulnerabilities", "relationship_stage",
    "revenue_goal_3y", "share_of_wallet_goal", "responsibility", "due_date", "position", "annual_spend", "holder",
    "reviewed_on", "comments", "period", "start", "end", *ADMIN_CREATE_FIELDS,
)  # fmt: skip

# Fields whose plausible value depends on the page, by the start of the route's pattern: static values…
DEAL_ROUTE_VALUES: dict[str, dict[str, str]] = {
    "deals/<int:pk>/needs/": {"reason": "客户预算削减😀"},
    "deals/<int:pk>/team/": {"role": "presales", "access": "read"},
    "deals/<int:pk>/influences/": {"role": "user"},
    "deals/<int:pk>/competitors/": {"status": "eliminated"},
    "deals/views/": {"name": "我的视图😀"},
    "admin/sales/": {"outcome": "lost", "label": "太贵😀"},
    "account-plans/": {"status": "done", "role": "key_player"},
    "account-plans/<int:pk>/whitespace/": {"status": "gap", "holder": "competitor"},
}
# … and scene rows (by their key in scene.ids).
DEAL_ROUTE_ROWS: dict[str, dict[str, str]] = {
    "deals/": {"owner": "owner_user", "stage": "next_stage"},
    "deals/<int:pk>/close/": {"reason": "lost_reason"},
    "deals/new/": {"stage": "first_stage"},  # a new deal cannot start behind a gate
    "deals/<int:pk>/reopen/": {"stage": "first_stage"},
    "deals/<int:pk>/competitors/": {"competitor": "spare_competitor"},
    "account-plans/": {"owner": "owner_user", "user": "collaborator"},
    "account-plans/new/": {"customer": "other"},
}


def _meddpicc(ids: dict[str, Any]) -> dict[str, str]:
    form = {f"{element}_score": "1" for element in MEDDPICC}
    form |= {f"{element}_evidence": f"证据{element}😀" for element in MEDDPICC}
    return form | {"economic_buyer_contact": str(ids["boss"]), "champion_contact": str(ids["contact"])}


def deal_form_values(scene: Scene, route: Route, today: date) -> dict[str, Any]:
    """The values of DEAL_FORM_FIELDS every form of issue 4 accepts, then those of the route's pages."""
    ids = scene.ids
    soon, later, last_week = today + timedelta(days=7), today + timedelta(days=30), today - timedelta(days=7)
    form: dict[str, Any] = {
        # deals: create, edit, move, close, reopen
        "amount": "880000.50", "expected_close_date": str(later), "business_line": str(ids["default_line"]),
        "probability": "35", "probability_reason": "客户口头承诺😀", "forecast_category": "commit",
        "products_of_interest": "服务器", "objective": "年底签约", "next_step_date": str(soon),
        "override_reason": "经理批准😀", "outcome": "lost", "won_by": str(ids["competitor"]), "price_gap": "-1000.50",
        # lists, saved views, deal team
        "params": "status=open&sort=-amount", "split_percent": "0",
        # needs: from V2 (key 1 kept and changed, one new row)
        "pain": "痛点😀", "budget_min": "100000", "budget_max": "200000", "timeline": "明年",
        "decision_criteria": "价格", "solution_notes": "分期", "base_version": str(ids["needs_v2"]),
        "item-0-key": "1", "item-0-description": "统一平台😀", "item-0-priority": "high", "item-0-necessity": "must",
        "item-0-fit": "partly", "item-1-key": "", "item-1-description": "新需求", "item-1-priority": "low",
        "item-1-necessity": "nice", "item-1-fit": "workaround",
        # buying influences and MEDDPICC
        "response_mode": "trouble", "rating": "-5", "personal_win": "晋升😀", "business_result": "降本",
        **_meddpicc(ids),
        # competitors and prices
        "competitor": str(ids["competitor"]), "products": "服务器", "price_positioning": "premium",
        "strengths": "快", "weaknesses": "贵", "tactics": "压价😀", "product": "服务器X1😀", "price": "99999.99",
        "unit": "台", "observed_on": str(last_week), "confidence": "low",
        # sales settings
        "default_probability": "30", "exit_criteria": "签字😀", "element": "decision_process", "min_score": "2",
        "line-name": "新业务线😀", "stage-name": "新阶段😀", "stage-default_probability": "25",
        "stage-exit_criteria": "验收", "gate-element": "decision_process", "gate-min_score": "1",
        "reason-outcome": "lost", "reason-label": "新原因😀", "product-name": "新产品线😀",
        # account plans and the whitespace grid
        "trends": "扩张😀", "vulnerabilities": "价格", "relationship_stage": "integrated",
        "revenue_goal_3y": "5000000", "share_of_wallet_goal": "55.5", "responsibility": "技术😀",
        "due_date": str(later), "position": "0", "annual_spend": "1000000", "reviewed_on": str(today),
        "comments": "好😀",
        # win/loss filters
        "period": "custom", "start": str(last_week), "end": str(today),
    }  # fmt: skip
    for prefix, values in DEAL_ROUTE_VALUES.items():
        if route.route.startswith(prefix):
            form.update(values)
    for prefix, keys in DEAL_ROUTE_ROWS.items():
        if route.route.startswith(prefix):
            form.update({name: str(ids[key]) for name, key in keys.items()})
    return form


# The pages of issue 4, which also get a form with the largest amounts.
DEAL_PAGE_PREFIXES = ("deals/", "competitors/", "account-plans/", "admin/sales/", "analysis/")
LARGEST = str(MAX_AMOUNT)  # the largest amount every money field, schema and action accepts
DEAL_LARGEST = {
    **dict.fromkeys(("amount", "price", "annual_spend", "revenue_goal_3y", "budget_max"), LARGEST),
    "price_gap": "-" + LARGEST,
    "budget_min": "0",
}


def deal_version(scene: Scene, route: Route) -> int | None:
    """The version a deal or plan form sends back (None: the route is not about one)."""
    if route.route.startswith("deals/<int:pk>/"):
        return scene.versions["deal"]
    if route.route.startswith("account-plans/<int:pk>/"):
        return scene.versions["plan"]
    return None


# The landmines of bodies.py for these fields: dates at the start of the calendar…
DEAL_YEAR_ONE = dict.fromkeys(
    ("expected_close_date", "next_step_date", "observed_on", "due_date", "reviewed_on", "start", "end"), "0001-01-01"
)
# … ids past a signed 64-bit integer (and counts where an id would be) …
DEAL_HUGE_IDS = dict.fromkeys(
    (
        "business_line", "stage", "won_by", "competitor", "economic_buyer_contact", "champion_contact",
        "base_version", "item-0-key", "position", "min_score", "default_probability", "rating", "probability",
        "stage-default_probability", "gate-min_score",
    ),
    str(2**63),
)  # fmt: skip


def deal_bad_values(scene: Scene) -> dict[str, str]:
    """… and values that pass a form field's type but not what the action allows."""
    owner, teammate = scene.ids["owner_user"], scene.ids["teammate"]
    return {
        "amount": "1e309", "probability": "101", "price_gap": "NaN", "expected_close_date": "9999-12-31",
        "next_step_date": "2024-02-30", "budget_min": "900", "budget_max": "100", "rating": "6",
        "item-0-key": "2147483648", "item-1-key": "1", "item-0-description": "需" * 600, "item-1-priority": "evil",
        "identified_pain_score": "3", "metrics_evidence": "",
        "economic_buyer_contact": str(scene.ids["outsider_contact"]),
        "price": "-0.01", "observed_on": "9999-12-31", "share_of_wallet_goal": "1e309", "annual_spend": "Infinity",
        "holder": "us", "position": "99999", "default_probability": "101", "min_score": "3", "due_date": "2024-02-30",
        "reviewed_on": "9999-12-31", "split_percent": "100.001", "params": "q=" + "长" * 4000,
        # the deal team's splits form instead of the member form: splits that do not add up to 100
        "splits": "1", f"split_{owner}": "60", f"split_{teammate}": "40.005",
        "period": "custom", "start": "9999-12-31", "end": "0001-01-01", "card": "1",  # the board's card
        "line-name": "线" * 51, "stage-default_probability": "101", "gate-element": "evil", "gate-min_score": "3",
        "reason-outcome": "evil", "reason-label": "因" * 51, "product-name": "产" * 51,
    }  # fmt: skip
