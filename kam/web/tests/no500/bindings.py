"""Which scene rows fill each path parameter of a route, and which query parameter a form page needs.

`BINDINGS` (by URL or operation name) and `PARAM_BINDINGS` (API parameters by their name) give
scene keys: the first is the real row the route is about, the others real rows of another kind or
organization. `ROUTE_QUERIES` adds the query parameter a page needs to reach its form (like
followups/new/?customer=); `unbound_params` lists the gaps, which test_no_500 refuses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from kam.web.tests.no500.bindings_deals import (
    DEAL_ABSURD_TEXT,
    DEAL_BINDINGS,
    DEAL_OPTIONAL_QUERIES,
    DEAL_PARAM_BINDINGS,
    DEAL_ROUTE_QUERIES,
)
from kam.web.tests.no500.routes import Route, converter_accepts, fill, route_params
from kam.web.tests.no500.scene import Scene

# The rows of issue 3's routes: the owner's, the stranger's (another team), the outsider's.
FOLLOWUPS = ("followup", "stranger_followup", "outsider_followup")
VISITS = ("visit", "checked_in_visit", "stranger_visit", "outsider_visit")
ATTACHMENTS = ("attachment", "visit_photo", "stranger_attachment", "outsider_attachment")
TASKS = ("task", "stranger_task", "outsider_task")
REQUESTS = ("request", "stranger_request", "outsider_request")
PLAN_ITEMS = ("plan_item", "stranger_plan_item", "outsider_plan_item")
REPORTS = ("report", "stranger_report", "outsider_report")
NEWS = ("news", "stranger_news", "outsider_news")
NOTIFICATIONS = ("notification", "stranger_notification", "outsider_notification")
# The weekly report is not written yet (its editor); the daily one is submitted (a redirect to it).
REPORT_PERIODS = {"kind": ("weekly", "daily", "monthly"), "day": ("monday", "today", "next_year", "year_2000")}

# URL name (Django) or operation name (ninja) → path parameter → scene keys: the first is the real
# row the route is about, the others are real rows of a different kind (another organization's,
# deleted, alive instead of deleted).
BINDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    **{
        name: {"pk": ("customer", "pool_customer", "outsider_customer")}
        for name in (
            "customer-detail",
            "customer-edit",
            "customer-delete",
            "customer-lock",
            "customer-collaborators",
            "customer-transfer",
            "customer-return",
            "customer-merge",
            "customer-history",
            "relationship-map",
            "contact-create",
        )
    },
    "customer-claim": {"pk": ("pool_customer", "customer", "outsider_customer")},
    "customer-assign": {"pk": ("pool_customer", "customer", "outsider_customer")},
    **{
        name: {"pk": ("contact", "deleted_contact", "outsider_contact")}
        for name in ("contact-detail", "contact-edit", "contact-delete")
    },
    "pool-detail": {"pk": ("pool", "outsider_pool")},
    "recycle-restore-customer": {"pk": ("deleted", "customer", "outsider_customer")},
    "recycle-purge": {"pk": ("deleted", "customer", "outsider_customer")},
    "recycle-restore-contact": {"pk": ("deleted_contact", "contact", "outsider_contact")},
    "customer-import-job": {"pk": ("job", "stranger_job")},
    "token-revoke": {"pk": ("token",)},
    "notification-read": {"pk": NOTIFICATIONS},
    **{
        name: {"pk": ("team", "root_team", "outsider_team")}
        for name in ("admin-team-edit", "admin-team-move", "admin-team-delete")
    },
    **{
        name: {"pk": ("teammate", "admin", "outsider")}
        for name in (
            "admin-user-edit",
            "admin-user-deactivate",
            "admin-user-reactivate",
            "admin-user-password",
            "admin-user-unlock",
        )
    },
    **{
        name: {"pk": ("pool", "outsider_pool")}
        for name in ("admin-pool-edit", "admin-pool-delete", "admin-pool-members", "admin-pool-rules")
    },
    "admin-pool-member-admin": {"pk": ("pool", "outsider_pool"), "member_pk": ("member",)},
    "admin-pool-member-remove": {"pk": ("pool", "outsider_pool"), "member_pk": ("member",)},
    "admin-pool-rule-edit": {"pk": ("pool", "outsider_pool"), "rule_pk": ("rule",)},
    "admin-pool-rule-delete": {"pk": ("pool", "outsider_pool"), "rule_pk": ("rule",)},
    **{name: {"pk": FOLLOWUPS} for name in ("followup-detail", "followup-edit", "followup-delete")},
    "followup-attachments": {"pk": FOLLOWUPS},
    **{name: {"pk": VISITS} for name in ("visit-detail", "visit-check-in", "visit-cancel")},
    "visit-check-out": {"pk": ("checked_in_visit", "visit", "stranger_checked_in_visit", "outsider_checked_in_visit")},
    "visit-photos": {"pk": ("checked_in_visit", "visit", "stranger_checked_in_visit", "outsider_checked_in_visit")},
    **{name: {"pk": ATTACHMENTS} for name in ("attachment-download", "attachment-delete")},
    "customer-timeline": {"pk": ("customer", "pool_customer", "deleted", "outsider_customer")},
    **{name: {"pk": TASKS} for name in ("task-detail", "task-toggle", "task-delete")},
    **{
        name: {"pk": REQUESTS}
        for name in (
            "request-detail",
            "request-accept",
            "request-reject",
            "request-complete",
            "request-cancel",
            "request-comments",
        )
    },
    "calendar-feed": {"token": ("feed_token", "stranger_feed_token", "outsider_feed_token")},
    **{
        name: {"pk": PLAN_ITEMS} for name in ("plan-item-move", "plan-item-drop", "plan-item-restore", "plan-item-done")
    },
    **{name: {"pk": ("report_rule", "outsider_report_rule")} for name in ("report-rule-edit", "report-rule-active")},
    **{name: {"pk": REPORTS} for name in ("report-detail", "report-comments", "report-withdraw")},
    "report-edit": REPORT_PERIODS,
    **{name: {"pk": NEWS} for name in ("news-detail", "news-edit", "news-delete")},
    **{name: {"pk": ("holiday", "outsider_holiday")} for name in ("admin-holiday-edit", "admin-holiday-delete")},
    # ninja routes whose parameters mean something else than PARAM_BINDINGS says.
    "save_report": REPORT_PERIODS,
    "submit_report": REPORT_PERIODS,
    "check_out": {"visit_id": ("checked_in_visit", "visit", "stranger_checked_in_visit", "outsider_checked_in_visit")},
    "restore_customer": {"customer_id": ("deleted", "customer", "outsider_customer")},
    "get_collaborator": {
        "customer_id": ("customer", "outsider_customer"),
        "user_id": ("collaborator", "teammate", "outsider"),
    },
    "claim_customer": {
        "pool_id": ("pool", "outsider_pool"),
        "customer_id": ("pool_customer", "customer", "outsider_customer"),
    },
    "assign_customer": {
        "pool_id": ("pool", "outsider_pool"),
        "customer_id": ("pool_customer", "customer", "outsider_customer"),
    },
    **DEAL_BINDINGS,  # issue 4
}

# Values no real row has: zero, a missing id, one past a signed 64-bit integer, and
# (only where the path converter lets them through) a negative number and a word.
ABSURD_IDS: tuple[Any, ...] = (0, 999_999_999, 2**63, -1, "abc")
# Text parameters also get impossible dates, unknown kinds and tokens of every wrong length.
ABSURD_TEXT: dict[str, tuple[str, ...]] = {
    "day": ("2026-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "2025-1-1", "20250603"),
    "kind": ("yearly", "DAILY"),
    "token": ("x", "a" * 300, "😀", "..%2F..%2Fetc"),
    **DEAL_ABSURD_TEXT,
}


# API path parameters are named for what they hold: the default binding of a route without its own.
PARAM_BINDINGS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer", "pool_customer", "deleted", "outsider_customer"),
    "contact_id": ("contact", "deleted_contact", "outsider_contact"),
    "pool_id": ("pool", "outsider_pool"),
    "user_id": ("collaborator", "teammate", "outsider"),
    "job_id": ("job", "stranger_job"),
    "notification_id": NOTIFICATIONS,
    "followup_id": FOLLOWUPS,
    "visit_id": VISITS,
    "attachment_id": ATTACHMENTS,
    "task_id": TASKS,
    "request_id": REQUESTS,
    "item_id": PLAN_ITEMS,
    "report_id": REPORTS,
    "news_id": NEWS,
    **DEAL_PARAM_BINDINGS,
}


def bindings_of(route: Route) -> dict[str, tuple[str, ...]]:
    own = next((BINDINGS[name] for name in route.names if name in BINDINGS), {})
    if not route.is_api:
        return own
    return {param: own.get(param) or PARAM_BINDINGS.get(param, ()) for param in route_params(route)}


def unbound_params(route: Route) -> list[str]:
    bound = bindings_of(route)
    return [param for param in route_params(route) if not bound.get(param)]


# Pages that need a query parameter to reach their form (followups/new/?customer=…): the parameter
# → scene keys, as in BINDINGS (the first on every request, the others one at a time).
ROUTE_QUERIES: dict[str, dict[str, tuple[str, ...]]] = {
    "followup-create": {"customer": ("customer", "pool_customer", "deleted", "outsider_customer")},
    "visit-create": {"customer": ("customer", "pool_customer", "deleted", "outsider_customer")},
    "task-create": {"customer": ("customer", "stranger_customer", "outsider_customer")},
    "request-create": {"customer": ("customer", "stranger_customer", "outsider_customer")},
    "customer-timeline": {"offset": ("offset",)},
    **DEAL_ROUTE_QUERIES,
}
# Query parameters that pick another person's, team's or customer's view: one request per row, besides
# the route without them.
OPTIONAL_QUERIES: dict[str, dict[str, tuple[str, ...]]] = {
    **{
        name: {"user": ("owner_user", "teammate", "stranger_user", "outsider")}
        for name in ("plan", "calendar-day", "calendar-week", "get_plan")
    },
    **{name: {"team": ("team", "root_team", "outsider_team")} for name in ("briefing", "briefing-pdf", "get_briefing")},
    **{
        name: {"customer": ("customer", "stranger_customer", "deleted", "outsider_customer")}
        for name in ("followup-list", "visit-list", "task-list", "work-customer-picker", "task-contact-options")
    },
    "report-team": {"team": ("team", "root_team", "outsider_team")},
    **DEAL_OPTIONAL_QUERIES,
}
# followups/new/?visit=…: the record of a visit (done and not yet recorded, checked in, someone else's).
VISIT_RECORDS = ("done_visit", "checked_in_visit", "stranger_visit", "outsider_visit")


def route_queries(route: Route) -> dict[str, tuple[str, ...]]:
    return next((ROUTE_QUERIES[name] for name in route.names if name in ROUTE_QUERIES), {})


def _with_query(route: Route, path_values: dict[str, Any], query: dict[str, Any]) -> str:
    url = fill(route, path_values)
    return url + "?" + urlencode(query) if query else url


def real_urls(route: Route, scene: Scene) -> list[str]:
    """The route filled with its primary rows first, then once per alternative row of each parameter."""
    bound, queries = bindings_of(route), route_queries(route)
    params = route_params(route)
    primary = {p: scene.ids[bound[p][0]] for p in params}
    query = {q: scene.ids[keys[0]] for q, keys in queries.items()}
    urls = [_with_query(route, primary, query)]
    for param in params:
        for key in bound[param][1:]:
            urls.append(_with_query(route, {**primary, param: scene.ids[key]}, query))
    for name, keys in queries.items():
        for key in keys[1:]:
            urls.append(_with_query(route, primary, {**query, name: scene.ids[key]}))
    if "followup-create" in route.names:
        urls += [_with_query(route, primary, {"visit": scene.ids[key]}) for key in VISIT_RECORDS]
    optional = next((OPTIONAL_QUERIES[name] for name in route.names if name in OPTIONAL_QUERIES), {})
    for name, keys in optional.items():
        urls += [_with_query(route, primary, {**query, name: scene.ids[key]}) for key in keys]
    return urls


def absurd_urls(route: Route, scene: Scene) -> list[str]:
    """The route with one parameter at a time set to an absurd id, the others real."""
    bound, queries = bindings_of(route), route_queries(route)
    params = route_params(route)
    primary = {p: scene.ids[bound[p][0]] for p in params}
    query = {q: scene.ids[keys[0]] for q, keys in queries.items()}
    urls = [
        _with_query(route, {**primary, param: value}, query)
        for param in params
        for value in (*ABSURD_IDS, *ABSURD_TEXT.get(param, ()))
        if converter_accepts(route, param, value)
    ]
    urls += [_with_query(route, primary, {**query, name: value}) for name in queries for value in ABSURD_IDS]
    if "followup-create" in route.names:
        urls += [_with_query(route, primary, {"visit": value}) for value in ABSURD_IDS]
    return urls
