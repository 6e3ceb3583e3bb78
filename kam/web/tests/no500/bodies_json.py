"""JSON bodies for the API routes: wrong types, valid but absurd values, ids no row has."""

from __future__ import annotations

import json
from datetime import date, timedelta

from kam.web.tests.no500.bodies_json_deals import (
    DEAL_JSON_WRONG_TYPES,
    deal_json_ancient,
    deal_json_huge_ids,
    deal_json_landmines,
)
from kam.web.tests.no500.garbage import LONG
from kam.web.tests.no500.scene import Scene

# 1e309 overflows a float: json.dumps cannot write it, so the JSON bodies are written out by hand.
JSON_WRONG_TYPES = (
    '{"name": {"$gt": ""}, "short_name": ["x", {"y": null}], "credit_code": 12345, "latitude": 1e309, '
    '"longitude": "NaN", "tags": "not-a-list", "tier": 1, "next_followup_at": "2024-02-30T25:61:00", '
    '"birthday": "0000-00-00", "owner_id": "abc", "pool_id": -1, "confirm_duplicates": "maybe", '
    '"user_id": [1], "survivor_id": {"a": 1}, "duplicate_id": true, "access": 5, "reason": null, '
    '"strength": "x", "reports_to_id": 1.5, "relationship_owner_id": "1e3", "is_key_person": "perhaps", '
    '"phones": "13800138000", "email": 7, "kind": 7, "occurred_at": "2024-02-30T25:61:00", "planned_at": [], '
    '"planned_minutes": "x", "working_days": 1.5, "item_ids": "1,2", "direction": 1, "done": "perhaps", '
    '"due_at": {}, "remind_at": true, "contact_ids": "x", "customer_id": "abc", "visit_id": [1], '
    '"assignee_id": {}, "contact_id": -1, "subject": 1, "body": null, "content": 5, "problems": [1], '
    '"summary": {}, "plan": 1e309, "result": [], "date": "0000-00-00", "team": "x", "industry": 5, '
    '"region": [], "accuracy_m": "Infinity", "priority": 9, "title": ["t"], "role": {}, "purpose": 1, '
    '"source": {}, "detail": [null], ' + DEAL_JSON_WRONG_TYPES + "}"
)


def json_landmines(scene: Scene, *, deal_route: bool = False) -> bytes:
    """Right types, wrong values: year 1 and year 9999, huge ids, 200-character codes, long reasons.

    For issue 4's routes the people are the outsider (a valid id of another organization's user)."""
    ids = scene.ids
    body = {
        "name": "😀" * 60 + "有限公司",
        "short_name": "星辰",
        "credit_code": "9" * 200,
        "address": "地" * 300,
        "phone": "+86 138 0013 8000 转 123456789012345",
        "website": "javascript:alert(1)",
        "latitude": "90.0000001",
        "longitude": "-180.0000001",
        "tier": "A",
        "next_followup_at": "9999-12-31T23:59:59-12:00",
        "tags": ["t" * 31, "😀", ""],
        "owner_id": 2**63,
        "pool_id": 10**30,
        "confirm_duplicates": True,
        "user_id": 2**63,
        "survivor_id": ids["customer"],
        "duplicate_id": 10**30,
        "access": "write",
        "reason": "原因" * 200,
        "title": "职" * 100,
        "mobile": "1" * 50,
        "email": "😀@😀",
        "strength": 10**20,
        "reports_to_id": 2**63,
        "relationship_owner_id": 10**30,
        "birthday": "9999-12-31",
        "phones": ["1" * 10_000, ""],  # no NUL: the middleware refuses a body with one before any handler
        # issue 3's schemas: valid ids, so the values reach the handlers
        "customer_id": ids["customer"],
        "kind": "call",
        "occurred_at": "9999-12-31T23:59:59-12:00",
        "planned_at": "9999-12-31T23:59:59+14:00",
        "planned_minutes": 10**20,
        "content": "内" * 5000,
        "feedback": "😀" * 5000,
        "next_step": "步" * 200,
        "subject": "主" * 300,
        "detail": LONG,
        "working_days": 2**63,
        "body": "评" * 5000,
        "result": LONG,
        "due_at": "9999-12-31T23:59:59-12:00",
        "remind_at": "0001-01-01T00:00:00+14:00",
        "date": "9999-12-31",
        "item_ids": [2**63 - 1, 2**63 - 1],
        "direction": "up",
        "done": True,
        "problems": "问" * 5000,
        "summary": "😀" * 5000,
        "plan": "计" * 5000,
        "accuracy_m": 1e308,
        "industry": "Z" * 10,
        "region": "9" * 20,
        "team": 2**63 - 1,
        "role": "god",
        "priority": "urgent",
    }
    people = dict.fromkeys(("owner_id", "user_id"), ids["outsider"]) if deal_route else {}
    return json.dumps({**deal_json_landmines(scene), **body, **people}).encode()


def json_valid_but_ancient(scene: Scene) -> bytes:
    """A body every customer/contact schema and form accepts except for the date at the edge of time."""
    body = {
        "name": "北京扫描测试有限公司",
        "next_followup_at": "0001-01-01T00:00:00",
        "tags": ["😀"],
        "access": "read",
        "reason": "r" * 300,
        "user_id": scene.ids["teammate"],
        "survivor_id": scene.ids["customer"],
        "duplicate_id": scene.ids["other"],
        "birthday": "0001-01-01",
        "phones": [],
        # issue 3's schemas: times and days at the start of the calendar, read as Beijing time
        "customer_id": scene.ids["customer"],
        "kind": "call",
        "occurred_at": "0001-01-01T00:00:00",
        "planned_at": "0001-01-01T00:00:00",
        "due_at": "0001-01-01T00:00:00",
        "remind_at": "0001-01-01T00:00:00",
        "date": "0001-01-01",
        "content": "内容",
        "title": "扫描",
        "subject": "扫描",
        "working_days": 1,
        "role": "presales",
        "body": "评论",
        "result": "完成",
        "direction": "down",
        "done": True,
        "planned_minutes": 60,
        "item_ids": [],
        "problems": "",
    }
    return json.dumps({**deal_json_ancient(scene), **body}).encode()


def json_valid_huge_ids(scene: Scene, *, deal_route: bool = False) -> bytes:
    """Fields every schema and form accepts; the ids the handlers look up themselves are huge.

    The customer routes get people one past the top of the id range; issue 4's at its top (a DbId)."""
    today = date.fromisoformat(str(scene.ids["today"]))
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    body = {
        "name": "北京扫描测试有限公司",
        "tags": ["扫描"],
        "owner_id": 2**63,
        "pool_id": 10**30,
        "confirm_duplicates": True,
        "user_id": 2**63,
        "survivor_id": scene.ids["customer"],
        "duplicate_id": 10**30,
        "access": "write",
        "reason": "扫描",
        "phones": ["13800138000"],
        "mapping": {str(2**63): "name"},
        "decisions": {str(2**63): "merge"},
        # issue 3's schemas: ids no row has, at the top of the range a DbId accepts
        "customer_id": 2**63 - 1,
        "contact_id": 2**63 - 1,
        "contact_ids": [2**63 - 1],
        "visit_id": 2**63 - 1,
        "assignee_id": 2**63 - 1,
        "item_ids": [2**63 - 1],
        "team": 2**63 - 1,
        "kind": "call",
        "occurred_at": f"{yesterday}T10:00:00+08:00",
        "planned_at": f"{tomorrow}T10:00:00+08:00",
        "content": "扫描",
        "title": "扫描",
        "subject": "扫描",
        "working_days": 3,
        "body": "扫描",
        "result": "扫描",
        "direction": "up",
        "date": str(scene.ids["today"]),
    }
    people = dict.fromkeys(("owner_id", "user_id"), 2**63 - 1) if deal_route else {}
    return json.dumps({**deal_json_huge_ids(today), **body, **people}).encode()
