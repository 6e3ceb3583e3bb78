"""Form bodies for the pages: every form field name of the project, and the values each form accepts,
so that a garbage form with one landmine reaches the action behind the form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kam.web.tests.no500.forms_deals import DEAL_FORM_FIELDS, deal_form_values, deal_version
from kam.web.tests.no500.garbage import EMOJI_NAME
from kam.web.tests.no500.routes import Route
from kam.web.tests.no500.scene import Scene

# Every form field name of the project's pages (customers, contacts, action forms, admin console,
# import, login and password pages): each garbage form fills all of them.
FORM_FIELDS = (
    "name", "short_name", "credit_code", "industry", "province", "city", "address", "latitude", "longitude",
    "phone", "website", "employees_band", "revenue_band", "source", "tier", "status", "notes",
    "next_followup_at", "tag_names", "owner", "pool", "confirm", "version", "title", "department", "mobile",
    "email", "wechat", "reports_to", "buying_role", "influence", "attitude", "strength", "relationship_owner",
    "is_key_person", "birthday", "user", "access", "remove", "reason", "locked", "duplicate", "next", "q",
    "username", "password", "password_confirm", "old_password", "new_password1", "new_password2",
    "display_name", "role", "team", "parent", "kind", "holding_limit", "lock_limit", "transfer_to",
    "dedup_mode", "default_holding_limit", "default_lock_limit", "tier_A", "tier_B", "tier_C",
    "claim_daily_cap", "reclaim_cooldown_days", "warn_days_before", "days", "exempt_locked", "exempt_won",
    "active", "is_admin", "action", "apply_all", "decision-2", "decision-3", "column_0", "column_1",
    "column_2", "language",
    # issue 3: follow-ups, visits, tasks, requests, plans, reports, news, holidays, team webhooks
    "occurred_at", "content", "feedback", "next_step", "contacts", "planned_at", "planned_minutes", "purpose",
    "accuracy_m", "customer", "contact", "assignee", "subject", "detail", "working_days", "result", "body",
    "due_at", "remind_at", "priority", "date", "direction", "done", "problems", "summary", "plan", "due_time",
    "day", "is_workday", "region", "year", "webhook_kind", "webhook_url", "webhook_secret", "checkin_radius_m",
    "view", "item_ids",
    *DEAL_FORM_FIELDS,  # issue 4: deals, needs, qualification, competitors, prices, settings, account plans
)  # fmt: skip
# Fields that mean something different on different pages: their plausible value by path prefix.
ROUTE_VALUES: dict[str, dict[str, str]] = {
    "followups/": {"kind": "call"},
    "visits/": {"kind": "visit"},
    "requests/": {"kind": "solution", "role": "presales", "assignee": "", "reason": "忙不过来😀"},
    "reports/": {"kind": "daily", "action": "submit"},
    "news/": {"team": "", "industry": "I", "region": "110000"},
    "admin/holidays/": {"name": "调休😀"},
}


def every_field(value: str, **overrides: Any) -> dict[str, Any]:
    return {**dict.fromkeys(FORM_FIELDS, value), **overrides}


def plausible_form(scene: Scene, route: Route, **landmines: Any) -> dict[str, Any]:
    """Values each form accepts (real ids, the current version), so the landmines reach the actions."""
    ids = scene.ids
    version = deal_version(scene, route) or scene.versions["contact" if "contact" in route.route else "customer"]
    password = "Zx9!sweep-long-password"
    today = date.fromisoformat(str(ids["today"]))
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    form = {
        "name": EMOJI_NAME,
        "short_name": "星辰😀",
        "tier": "A",
        "status": "active",
        "source": "referral",
        "notes": "😀" * 50,
        "tag_names": "重点,😀",
        "version": str(version),
        "title": "CTO",
        "mobile": "13800138000",
        "email": "sweep@example.com",
        "reports_to": str(ids["boss"]),
        "buying_role": "decision",
        "influence": "high",
        "attitude": "support",
        "strength": "5",
        "relationship_owner": str(ids["teammate"]),
        "user": str(ids["teammate"]),
        "access": "write",
        "reason": "no_followup",
        "locked": "1",
        "confirm": "1",
        "duplicate": str(ids["other"]),
        "username": "sweepuser",
        "password": password,
        "password_confirm": password,
        "old_password": "wrong",
        "new_password1": password,
        "new_password2": password,
        "display_name": "扫😀",
        "role": "rep",
        "team": str(ids["team"]),
        "parent": str(ids["root_team"]),
        "kind": "team",
        "dedup_mode": "block",
        "default_holding_limit": "200",
        "default_lock_limit": "20",
        "tier_A": "7",
        "tier_B": "",
        "tier_C": "3650",
        "claim_daily_cap": "5",
        "reclaim_cooldown_days": "30",
        "warn_days_before": "3",
        "days": "30",
        "exempt_locked": "on",
        "active": "1",
        "is_admin": "1",
        "action": "save",
        "decision-2": "merge",
        "column_2": "ignore",
        "language": "en",
        # issue 3's forms
        "occurred_at": f"{yesterday}T10:00",
        "content": "电话沟通😀",
        "feedback": "客户关注交付",
        "next_step": "发方案",
        "contacts": str(ids["contact"]),
        "planned_at": f"{tomorrow}T10:00",
        "planned_minutes": "60",
        "purpose": "方案演示",
        "accuracy_m": "15",
        "latitude": "39.9042",
        "longitude": "116.4074",
        "customer": str(ids["customer"]),
        "contact": str(ids["contact"]),
        "assignee": str(ids["collaborator"]),
        "subject": "技术方案😀",
        "detail": "详情",
        "working_days": "3",
        "result": "已完成",
        "body": "评论😀",
        "due_at": f"{tomorrow}T18:00",
        "remind_at": f"{tomorrow}T09:00",
        "priority": "high",
        "date": str(ids["today"]),
        "direction": "up",
        "done": "1",
        "problems": "问题😀",
        "summary": "总结",
        "plan": "计划",
        "due_time": "18:00",
        "day": f"{tomorrow.year + 2}-03-03",
        "is_workday": "1",
        "region": "110000",
        "year": str(tomorrow.year),
        "webhook_kind": "",
        "webhook_url": "",
        "webhook_secret": "",
        "checkin_radius_m": "500",
        "view": "agenda",
        "item_ids": str(ids["plan_item"]),
        **deal_form_values(scene, route, today),
    }
    for prefix, values in ROUTE_VALUES.items():
        if route.route.startswith(prefix):
            form.update(values)
    return {**form, **landmines}
