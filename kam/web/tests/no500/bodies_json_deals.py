"""The fields of issue 4's API schemas in the sweep's JSON bodies (bodies_json.py merges them in):
deals, stage moves and closing, deal teams and views, needs, influences and MEDDPICC, competitors and
prices, account plans with their team, key players, objectives, actions, units, cells and reviews.

Keys the older schemas share (name, status, role, reason, notes, title, owner_id, user_id, …) keep the
values bodies_json.py gives them, so the bodies still reach the older handlers.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from kam.core.money import MAX_AMOUNT
from kam.web.tests.no500.garbage import LONG
from kam.web.tests.no500.scene import Scene

MAX_DB_ID = 2**63 - 1

# Hand-written like JSON_WRONG_TYPES: 1e309 overflows a float.
DEAL_JSON_WRONG_TYPES = (
    '"amount": "abc", "expected_close_date": "2024-02-30", "next_step_date": 5, "business_line_id": "x", '
    '"stage_id": [1], "probability": "high", "probability_reason": 5, "forecast_category": 1, '
    '"products_of_interest": [], "objective": {}, "override_reason": 1e309, '
    '"outcome": true, "reason_id": {}, "won_by_id": "abc", "price_gap": 1e309, "split_percent": "NaN", '
    '"splits": {"a": 1}, "params": [], "base_version": "v2", "pain": 5, "budget_min": "Infinity", '
    '"budget_max": -1e309, "timeline": [], "items": "x", "rating": 1.5, "influence": [], "response_mode": 3, '
    '"metrics": 5, "economic_buyer": {"score": "two", "evidence": [], "contact_id": "x"}, "champion": [1, 2], '
    '"competitor_id": "abc", "product": 1, "price": "1e309", "unit": {}, "observed_on": "0000-00-00", '
    '"confidence": 1, "price_positioning": [], "products": 1, "active": "maybe", "relationship_stage": 5, '
    '"revenue_goal_3y": "NaN", "share_of_wallet_goal": 1e309, "responsibility": [], "due_date": "2024-13-01", '
    '"position": 1e309, "annual_spend": "-Infinity", "holder": [], "reviewed_on": "x", "comments": {}, '
    '"status": 5'
)


def deal_json_landmines(scene: Scene) -> dict[str, Any]:
    """Right types, wrong values: other organizations' rows, values past every limit, dates at the edges."""
    ids = scene.ids
    return {
        "amount": "1e16", "expected_close_date": "9999-12-31", "next_step_date": "0001-01-01", "probability": 101,
        "probability_reason": "理" * 300, "forecast_category": "closed", "source": "evil",
        "products_of_interest": "品" * 400, "objective": "目" * 400, "business_line_id": ids["outsider_business_line"],
        "stage_id": ids["outsider_stage"], "override_reason": "原" * 400, "outcome": "won",
        "reason_id": ids["outsider_close_reason"], "won_by_id": ids["outsider_competitor"],
        "price_gap": "-99999999999999999.99", "split_percent": "99.999",
        "splits": [{"user_id": ids["owner_user"], "split_percent": "0"},
                   {"user_id": ids["owner_user"], "split_percent": "100"}],
        "params": "status=open&q=" + "长" * 3000, "base_version": 0, "pain": "痛" * 20_000, "budget_min": "9" * 16,
        "budget_max": "0", "timeline": "时" * 300,
        "items": [{"key": 1, "description": "需" * 600}, {"key": 1, "description": "重复"},
                  {"key": 2**31 - 1, "description": ""}],
        "rating": 6, "influence": "extreme", "response_mode": "panic", "personal_win": "赢" * 400,
        "metrics": {"score": 3, "evidence": "", "contact_id": ids["contact"]},
        "economic_buyer": {"score": 2, "evidence": "证" * 5000, "contact_id": ids["outsider_contact"]},
        "champion": {"score": 2, "evidence": "", "contact_id": MAX_DB_ID},
        "competitor_id": ids["outsider_competitor"], "product": "产" * 200, "price": "-0.01",
        "observed_on": "9999-12-31", "unit": "单" * 50, "confidence": "certain", "price_positioning": "cheap",
        "products": LONG, "strengths": LONG, "weaknesses": LONG, "tactics": LONG, "notes": LONG,
        "relationship_stage": "married", "revenue_goal_3y": "1e20", "share_of_wallet_goal": "100.01",
        "responsibility": "责" * 200, "due_date": "9999-12-31", "position": 32768, "annual_spend": "1e18",
        "holder": "us", "reviewed_on": "9999-12-31", "comments": LONG, "status": "evil",
    }  # fmt: skip


def deal_json_ancient(scene: Scene) -> dict[str, Any]:
    """Valid for the new schemas except dates at the start of the calendar (read as Beijing time)."""
    ids = scene.ids
    ancient = "0001-01-01"
    return {
        "amount": "0", "expected_close_date": ancient, "next_step_date": ancient, "observed_on": ancient,
        "due_date": ancient, "reviewed_on": ancient, "stage_id": ids["deal_stage"], "outcome": "lost",
        "reason_id": ids["lost_reason"], "won_by_id": ids["competitor"], "price_gap": "0", "notes": "旧",
        "owner_id": ids["owner_user"], "competitor_id": ids["competitor"], "product": "旧产品", "price": "0",
        "relationship_stage": "exploratory", "comments": "旧", "pain": "旧", "base_version": 2, "items": [],
        "split_percent": "0", "splits": [], "params": "", "position": 0, "annual_spend": "0", "holder": "",
        "champion": {"score": 0, "evidence": ""},
    }  # fmt: skip


def deal_json_huge_ids(today: date) -> dict[str, Any]:
    """Valid for the new schemas; the ids the handlers look up themselves are at the top of the range."""
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    return {
        "amount": "880000.00", "expected_close_date": str(tomorrow), "business_line_id": MAX_DB_ID,
        "stage_id": MAX_DB_ID, "reason_id": MAX_DB_ID, "won_by_id": MAX_DB_ID, "competitor_id": MAX_DB_ID,
        "outcome": "lost", "override_reason": "扫描", "notes": "扫描", "price_gap": "-100.50", "probability": 50,
        "probability_reason": "扫描", "split_percent": "0", "splits": [{"user_id": MAX_DB_ID, "split_percent": "100"}],
        "params": "status=open", "base_version": 2**31 - 1, "pain": "扫描",
        "items": [{"key": 2**31 - 1, "description": "扫描"}], "role": "economic",
        "champion": {"score": 1, "evidence": "扫描", "contact_id": MAX_DB_ID}, "product": "服务器",
        "price": "1.00", "observed_on": str(yesterday), "confidence": "high", "responsibility": "扫描",
        "due_date": str(tomorrow), "reviewed_on": str(yesterday), "comments": "扫描",
        "relationship_stage": "exploratory", "annual_spend": "100", "holder": "competitor", "position": 1,
    }  # fmt: skip


LARGEST = str(MAX_AMOUNT)  # the largest amount every money field, schema and action accepts


def deal_json_largest(scene: Scene) -> dict[str, Any]:
    """Valid everywhere it fits, with the largest amounts: a deal, a closing price gap, a budget, a
    competitor's price, a plan's goal and a whitespace cell's spend (read back by the lists after)."""
    ids = scene.ids
    today = date.fromisoformat(str(ids["today"]))
    return {
        "customer_id": ids["customer"], "name": "巨额商机😀", "amount": LARGEST,
        "expected_close_date": str(today + timedelta(days=1)), "outcome": "lost", "reason_id": ids["lost_reason"],
        "won_by_id": ids["competitor"], "price_gap": "-" + LARGEST, "competitor_id": ids["competitor"],
        "product": "服务器X1😀", "price": LARGEST, "observed_on": str(today - timedelta(days=1)),
        "status": "owned", "holder": "", "annual_spend": LARGEST, "revenue_goal_3y": LARGEST,
        "share_of_wallet_goal": "100", "base_version": 2, "reason": "预算调整", "pain": "痛点",
        "budget_min": "0", "budget_max": LARGEST, "items": [],
    }  # fmt: skip


# The API routes of issue 4 (their people ids are DbIds: see json_valid_huge_ids).
DEAL_API_PREFIXES = (
    "api/v1/deals",
    "api/v1/competitors",
    "api/v1/price-intel",
    "api/v1/account-plans",
    "api/v1/sales",
    "api/v1/analysis",
)


def is_deal_api(route_text: str) -> bool:
    return route_text.startswith(DEAL_API_PREFIXES)


def meddpicc_bodies(scene: Scene) -> list[tuple[str, bytes]]:
    """PUT /deals/{id}/meddpicc refuses unknown keys, so the shared bodies stop at validation: its own."""
    ids = scene.ids
    bodies = {
        "meddpicc: contacts at the top of the id range": {
            "economic_buyer": {"score": 1, "evidence": "见过", "contact_id": MAX_DB_ID},
            "champion": {"score": 2, "evidence": "支持", "contact_id": MAX_DB_ID},
        },
        "meddpicc: scores past 2, other customers' contacts, a contact where none belongs": {
            "metrics": {"score": 3, "evidence": ""},
            "economic_buyer": {"score": 2, "evidence": "证" * 5000, "contact_id": ids["outsider_contact"]},
            "champion": {"score": -1, "evidence": "x", "contact_id": ids["stranger_buyer"]},
            "paper_process": {"score": 1, "evidence": "盖章", "contact_id": ids["contact"]},
            "identified_pain": {"score": 2, "evidence": " \t\r\n "},  # blank evidence for a score of 2
        },
        "meddpicc: six elements, valid": {
            element: {"score": 2, "evidence": "证据😀"}
            for element in ("metrics", "decision_criteria", "decision_process", "paper_process", "identified_pain")
        }
        | {"champion": {"score": 1, "evidence": "内线", "contact_id": ids["contact"]}},
    }
    wrong_types = (
        b'{"metrics": {"score": 1.5, "evidence": null}, "competition": {"score": 1e309, "evidence": ""}, '
        b'"champion": {"score": true, "evidence": 5, "contact_id": "x"}}'
    )
    return [(label, json.dumps(body).encode()) for label, body in bodies.items()] + [
        ("meddpicc: wrong types, 1e309", wrong_types)
    ]
