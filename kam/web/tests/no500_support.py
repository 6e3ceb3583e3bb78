"""Builders of the "no 500 from any input" sweep (kam/web/tests/test_no_500.py); not a test module.

- `all_routes()` walks the URL resolver (Django pages, the admin console, the ninja routes under
  /api/v1/), one entry per distinct route; ninja registers one pattern per operation of a path.
- `build_scene(world)` fills the world fixture's organization through the actions: customers
  (owned, read-only collaborator, in a pool, in the recycle bin), contacts, a pool with members and
  a rule, an import job, a token, a notification, and rows of the other organization; and for the
  owner, the stranger (another team) and the outsider (another organization) each: a follow-up with
  a photo, a planned and a checked-in visit with a photo, a task, a request with a comment, a
  calendar feed, a plan item, a submitted daily report, news; plus a done visit with and one
  without its follow-up record, a manager's report comment, report rules and holiday overrides.
- `BINDINGS` / `PARAM_BINDINGS` / `ROUTE_QUERIES` say which scene rows fill each path parameter (and
  the query parameter a form page needs, like followups/new/?customer=); `unbound_params` lists the
  gaps, which test_no_500 refuses.
- `Sweep` sends the garbage of this module for one (route, role) and collects every answer ≥ 500
  (with its traceback) and every refused (4xx) write that still changed a counted table.
"""

from __future__ import annotations

import io
import json
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Model
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from kam.activities import actions_calendar, actions_followups, actions_requests, actions_tasks, actions_visits
from kam.activities.geo import Position
from kam.activities.models import Attachment, CoordinationRequest, FollowUp, RequestComment, Task, Visit
from kam.conftest import OrgWorld
from kam.core.actions import create_api_token
from kam.core.actions_holidays import add_holiday_override
from kam.core.admin_actions import create_user
from kam.core.models import AuditEntry, HolidayOverride, Notification, User
from kam.core.notify import notify
from kam.customers import actions
from kam.customers.actions import pool_admin
from kam.customers.imports.actions import create_import_job
from kam.customers.models import CollaboratorAccess, Contact, Customer, OwnershipChange, RecycleReason
from kam.customers.tests.api_scene import credit_code
from kam.planning import actions_news, actions_plan, actions_reports
from kam.planning.models import MarketNews, PlanItem, ReportComment, ReportRule, WorkReport

# The people of the sweep, by the `world` attribute that plays them.
ROLES = ("anonymous", "owner", "stranger", "collaborator", "manager", "admin", "outsider")
ROLE_USERS = {
    "owner": "owner",
    "stranger": "stranger",
    "collaborator": "collaborator",
    "manager": "manager_north",
    "admin": "admin",
    "outsider": "outsider",
}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def user_for(world: OrgWorld, role: str) -> User | None:
    return None if role == "anonymous" else getattr(world, ROLE_USERS[role])


# --- the routes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One distinct URL route: its pattern text, URL names, path converters and (API) methods."""

    route: str  # "customers/<int:pk>/edit/"
    names: tuple[str, ...]  # URL names of every pattern with this route (ninja: one per operation)
    converters: dict[str, Any] = field(hash=False, compare=False)
    methods: tuple[str, ...] = ()  # the ninja operations' methods; empty for Django views (unknown)

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def __str__(self) -> str:
        return self.route or "/"


def _ninja_methods(callback: Any) -> tuple[str, ...]:
    """The HTTP methods of a ninja PathView behind a URL callback (empty for plain Django views)."""
    # ninja's view wrapper is a closure over its PathView, whose operations know their methods.
    for cell in getattr(callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations:
            return tuple(sorted({method for op in operations for method in op.methods}))
    return ()


def _walk(
    patterns: list[Any], prefix: str, converters: dict[str, Any]
) -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
    for pattern in patterns:
        merged = {**converters, **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), merged)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or "", pattern.callback, merged


def all_routes() -> list[Route]:
    """Every route of the project, in resolver order, one entry per distinct route text."""
    found: dict[str, Route] = {}
    for route, name, callback, converters in _walk(get_resolver().url_patterns, "", {}):
        methods = _ninja_methods(callback)
        if route in found:
            known = found[route]
            found[route] = Route(
                route, (*known.names, name), known.converters, tuple(sorted({*known.methods, *methods}))
            )
        else:
            found[route] = Route(route, (name,), converters, methods)
    return list(found.values())


PARAM_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<param>[^>]+)>")


def route_params(route: Route) -> list[str]:
    return [m.group("param") for m in PARAM_RE.finditer(route.route)]


def fill(route: Route, values: dict[str, Any]) -> str:
    return "/" + PARAM_RE.sub(lambda m: str(values[m.group("param")]), route.route)


def converter_accepts(route: Route, param: str, value: Any) -> bool:
    converter = route.converters.get(param)
    regex = getattr(converter, "regex", "[^/]+")
    return re.fullmatch(regex, str(value)) is not None


# --- the data -------------------------------------------------------------------------------------


def _customer(actor: User, name: str, **kwargs: Any) -> Customer:
    data = {"name": name, **kwargs.pop("data", {})}
    return actions.create_customer(actor, data, confirm_duplicates=True, **kwargs)


IMPORT_CSV = "客户名称,统一社会信用代码,奇怪的列\n北京导入测试有限公司,,x\n上海导入测试有限公司,,y\n".encode()


@dataclass
class Scene:
    world: OrgWorld
    ids: dict[str, int | str]  # row ids; the report kind and days, and the feed tokens, are text
    versions: dict[str, int]


def _png(name: str = "门头😀.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _followup(actor: User, customer: Customer, now: datetime, **kwargs: Any) -> FollowUp:
    data = {
        "kind": "call",
        "occurred_at": now - timedelta(hours=2),
        "content": "电话沟通方案😀",
        "feedback": "客户关注交付周期",
        "next_step": "发报价",
        "next_followup_at": now + timedelta(days=2),
    }
    return actions_followups.create_followup(actor, customer, data, now=now, **kwargs)


def _person_rows(actor: User, customer: Customer, now: datetime, asked: str, prefix: str) -> dict[str, int | str]:
    """The rows of one person's day, through the actions; keys prefixed with `prefix`."""
    followup = _followup(actor, customer, now, uploads=[_png()])
    visit = actions_visits.plan_visit(actor, customer, now + timedelta(hours=3), 60, "方案演示")
    checked_in = actions_visits.plan_visit(actor, customer, now - timedelta(minutes=30), 90, "拜访")
    actions_visits.check_in(actor, checked_in, Position(Decimal("39.9"), Decimal("116.4"), 20.0), now=now)
    photo = actions_visits.add_visit_photos(actor, checked_in, [_png("合影.png")])[0]
    task = actions_tasks.create_task(
        actor, {"title": "准备方案", "customer": customer, "due_at": now + timedelta(days=1), "priority": "high"}
    )
    request = actions_requests.create_request(
        actor,
        {"customer": customer, "role": asked, "kind": "solution", "subject": "技术方案", "working_days": 3},
        today=timezone.localdate(now),
    )
    actions_requests.add_comment(actor, request, "请尽快😀")
    feed = actions_calendar.regenerate_feed(actor)
    item = actions_plan.add_item_to_day(actor, timezone.localdate(now), "拜访客户😀", now, customer_id=customer.pk)
    report = actions_reports.submit(actor, "daily", timezone.localdate(now), now=now, summary="今日总结😀")
    news = actions_news.create_news(
        actor,
        {"title": "行业动态😀", "body": "内容", "source": "网", "industry": None, "region": None, "team": actor.team},
    )
    rows: dict[str, int | str] = {
        "followup": followup.pk,
        "attachment": followup.attachments.get().pk,
        "visit": visit.pk,
        "checked_in_visit": checked_in.pk,
        "visit_photo": photo.pk,
        "task": task.pk,
        "request": request.pk,
        "feed_token": feed.token,
        "plan_item": item.pk,
        "report": report.pk,
        "news": news.pk,
    }
    return {(prefix + key if prefix else key): value for key, value in rows.items()}


def _day_rows(
    w: OrgWorld, customer: Customer, contact: Contact, stranger_customer: Customer, outsider_customer: Customer
) -> dict[str, int | str]:
    """Follow-ups, visits, attachments, tasks, requests, feeds, plans, reports, news, rules and holiday
    overrides of the owner, of the stranger (another team) and of the outsider (another organization)."""
    now = timezone.now()
    today = timezone.localdate(now)
    rows = _person_rows(w.owner, customer, now, "presales", "")
    rows |= _person_rows(w.stranger, stranger_customer, now, "presales", "stranger_")
    # The other organization has nobody to ask yet: its admin (the outsider) adds a presales user.
    create_user(w.outsider, username="outsider_presales", password="Qv7#lantern-harbor-42", role="presales", team=None)
    rows |= _person_rows(w.outsider, outsider_customer, now, "presales", "outsider_")

    # A done visit with its follow-up record, a task with a contact, a comment of the manager.
    done = actions_visits.plan_visit(w.owner, customer, now - timedelta(hours=3), 60, "回访")
    actions_visits.check_in(w.owner, done, None, now=now - timedelta(hours=3))
    actions_visits.check_out(w.owner, done, None, now=now - timedelta(hours=2))
    _followup(w.owner, customer, now, visit=done, contacts=[contact])
    unrecorded = actions_visits.plan_visit(w.owner, customer, now - timedelta(hours=5), 30, "送样")
    actions_visits.check_in(w.owner, unrecorded, None, now=now - timedelta(hours=5))
    actions_visits.check_out(w.owner, unrecorded, None, now=now - timedelta(hours=4))
    # The stranger's request to the presales role, accepted: the collaborator may complete it.
    stranger_request = CoordinationRequest.objects.get(pk=rows["stranger_request"])
    actions_requests.accept_request(w.collaborator, stranger_request, now=now)
    actions_tasks.create_task(w.owner, {"title": "回电", "customer": customer, "contact": contact})
    report = WorkReport.objects.get(pk=rows["report"])
    actions_reports.add_comment(w.manager_north, report, "收到，辛苦😀")

    rule = actions_reports.create_rule(w.admin, kind="daily", role="rep", team=None, due_time=time(18, 30))
    outsider_rule = actions_reports.create_rule(w.outsider, kind="weekly", role="rep", team=None, due_time=time(17))
    holiday = add_holiday_override(w.admin, day=date(today.year + 1, 1, 3), is_workday=True, name="调休上班")
    outsider_holiday = add_holiday_override(w.outsider, day=date(today.year + 1, 1, 4), is_workday=False, name="放假")
    notes = {
        "stranger_notification": notify(w.stranger, "sweep", "提醒😀", url="/tasks/"),
        "outsider_notification": notify(w.outsider, "sweep", "提醒", url="/tasks/"),
    }
    return {
        **rows,
        "report_rule": rule.pk,
        "outsider_report_rule": outsider_rule.pk,
        "done_visit": unrecorded.pk,
        "owner_user": w.owner.pk,
        "stranger_user": w.stranger.pk,
        "offset": 1,
        "holiday": holiday.pk,
        "outsider_holiday": outsider_holiday.pk,
        **{key: note.pk for key, note in notes.items()},
        # reports/<kind>/<day>/: the owner's submitted daily report; other kinds; a day not yet
        # started, and a day before anyone used KAM.
        "daily": "daily",
        "weekly": "weekly",
        "monthly": "monthly",
        "today": today.isoformat(),
        "monday": (today - timedelta(days=today.weekday())).isoformat(),
        "next_year": date(today.year + 1, 6, 1).isoformat(),
        "year_2000": "2000-01-03",
    }


def build_scene(world: OrgWorld) -> Scene:
    """The rows every route of the sweep points at, made through the actions as far as they exist."""
    w = world
    pool = pool_admin.create_pool(
        w.admin, name="华北公海", claim_daily_cap=5, reclaim_cooldown_days=30, warn_days_before=3
    )
    member = pool_admin.add_pool_member(w.admin, pool, w.owner)
    pool_admin.add_pool_member(w.admin, pool, w.manager_north, is_admin=True)
    rule = pool_admin.create_pool_rule(w.admin, pool, reason=RecycleReason.NO_FOLLOWUP, tier="", days=30)
    pool_admin.set_service_levels(w.admin, {"A": 7, "B": 30, "C": None})

    customer = _customer(
        w.owner, "北京星辰科技有限公司", data={"credit_code": credit_code(1), "tier": "A"}, tag_names=["重点"]
    )
    other = _customer(w.owner, "北京星辰科技股份有限公司")  # the merge candidate
    deleted = _customer(w.owner, "广州远航物流有限公司")
    for target in (customer, other, deleted):
        actions.set_collaborator(w.owner, target, w.collaborator, CollaboratorAccess.READ)
    boss = actions.create_contact(w.owner, customer, {"name": "王强", "title": "总经理", "mobile": "13800000001"})
    contact = actions.create_contact(
        w.owner, customer, {"name": "张伟", "title": "采购总监", "mobile": "13812345678", "reports_to": boss}
    )
    gone_contact = actions.create_contact(w.owner, customer, {"name": "李娜", "mobile": "13900001111"})
    actions.delete_contact(w.owner, gone_contact)
    actions.delete_customer(w.owner, deleted)
    pool_customer = _customer(w.admin, "深圳蓝鲸数据有限公司", pool=pool)
    stranger_customer = _customer(w.stranger, "杭州西湖软件有限公司")

    outsider_customer = _customer(w.outsider, "别家客户有限公司")
    outsider_contact = actions.create_contact(w.outsider, outsider_customer, {"name": "赵六"})
    outsider_pool = pool_admin.create_pool(
        w.outsider, name="别家公海", claim_daily_cap=5, reclaim_cooldown_days=30, warn_days_before=3
    )

    job = create_import_job(w.owner, io.BytesIO(IMPORT_CSV), "客户.csv", len(IMPORT_CSV))
    stranger_job = create_import_job(w.stranger, io.BytesIO(IMPORT_CSV), "客户.csv", len(IMPORT_CSV))
    token, _plain = create_api_token(w.owner, "sweep")
    # No action creates notifications yet (the pool warning job does, at night): a row like its own.
    notification = Notification.objects.create(
        organization=w.org, user=w.owner, kind="pool.warning", title="提醒", url=f"/customers/{customer.pk}/"
    )
    ids = {
        "customer": customer.pk,
        "other": other.pk,
        "deleted": deleted.pk,
        "pool_customer": pool_customer.pk,
        "stranger_customer": stranger_customer.pk,
        "outsider_customer": outsider_customer.pk,
        "contact": contact.pk,
        "boss": boss.pk,
        "deleted_contact": gone_contact.pk,
        "outsider_contact": outsider_contact.pk,
        "pool": pool.pk,
        "outsider_pool": outsider_pool.pk,
        "member": member.pk,
        "rule": rule.pk,
        "job": job.pk,
        "stranger_job": stranger_job.pk,
        "token": token.pk,
        "notification": notification.pk,
        "team": w.beijing.pk,
        "root_team": w.company.pk,
        "teammate": w.teammate.pk,
        "collaborator": w.collaborator.pk,
        "admin": w.admin.pk,
        "outsider": w.outsider.pk,
        "outsider_team": w.outsider.team_id or 0,
    }
    ids.update(_day_rows(w, customer, contact, stranger_customer, outsider_customer))
    versions = {
        "customer": Customer.objects.get(pk=customer.pk).version,
        "contact": Contact.objects.get(pk=contact.pk).version,
    }
    return Scene(world, ids, versions)


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
}

# Values no real row has: zero, a missing id, one past a signed 64-bit integer, and
# (only where the path converter lets them through) a negative number and a word.
ABSURD_IDS: tuple[Any, ...] = (0, 999_999_999, 2**63, -1, "abc")
# Text parameters also get impossible dates, unknown kinds and tokens of every wrong length.
ABSURD_TEXT: dict[str, tuple[str, ...]] = {
    "day": ("2026-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "2025-1-1", "20250603"),
    "kind": ("yearly", "DAILY"),
    "token": ("x", "a" * 300, "😀", "..%2F..%2Fetc"),
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


# --- the garbage ----------------------------------------------------------------------------------

HUGE = str(10**30)
INT64_PLUS_ONE = str(2**63)
SQLISH = "' OR 1=1; DROP TABLE customers_customer;--"
EMOJI_NAME = "😀星辰😀科技有限公司"
LONG = "长" * 10_000

Params = list[tuple[str, str]]


@dataclass(frozen=True)
class GetVariant:
    label: str
    params: Params
    headers: dict[str, str] = field(default_factory=dict)


# Query parameters every page or API route of the project reads somewhere.
_NUMERIC_KEYS = ("page", "owner", "team", "tag", "pool", "stale_days", "duplicate", "limit", "offset")
# … and those of issue 3's pages and routes (people, customers, visits, reports, working days, years).
_ID_KEYS = ("user", "customer", "customer_id", "owner_id", "author_id", "visit", "working_days", "year")
_CHOICE_KEYS = ("kind", "scope", "tab", "state", "when", "priority", "done", "optional")

# Each variant keeps the parameters it does not attack valid, so one bad value does not hide the
# others behind an early 422 (the API validates every query parameter before the handler runs).
GET_VARIANTS: tuple[GetVariant, ...] = (
    GetVariant(
        # No huge owner/tag/pool here: an id past the column's range empties the query before it runs.
        "huge offset and page",
        [
            ("page", "99999"),
            ("limit", "500"),
            ("offset", INT64_PLUS_ONE),
            ("duplicate", HUGE),
            ("province", HUGE),
            ("city", HUGE),
            ("industry", HUGE),
            ("stale_days", "3650"),
            ("working_days", HUGE),
            ("year", HUGE),
            ("date", "9999-12-31"),
            ("start", "0001-01-01"),
            ("end", "9999-12-31"),
            ("date_from", "0001-01-01"),
            ("date_to", "9999-12-31"),
            ("due_from", "0001-01-01"),
            ("due_to", "9999-12-31"),
        ],
    ),
    GetVariant(
        "negative numbers",
        [
            *((key, "-1") for key in (*_NUMERIC_KEYS, *_ID_KEYS)),
            ("offset", "-5"),
            ("stale_days", "-5"),
            ("active", "-1"),
        ],
    ),
    GetVariant(
        "not numbers, evil choices, limit 10**9",
        [
            *((key, "abc") for key in (*_NUMERIC_KEYS, *_ID_KEYS)),
            *((key, "evil") for key in _CHOICE_KEYS),
            ("date", "2024-02-30"),
            ("start", "2024-13-01"),
            ("end", "yesterday"),
            ("date_from", "2024-02-30"),
            ("due_to", "31/12/2024"),
            ("limit", str(10**9)),
            ("sort", "evil"),
            ("format", "exe"),
            ("with_count", "maybe"),
            ("tier", "Z"),
            ("status", "evil"),
            ("role", "god"),
            ("active", "maybe"),
        ],
    ),
    GetVariant(
        "unicode, SQL and NUL",
        [
            ("q", SQLISH + "\x00😀"),
            ("name", EMOJI_NAME + "\x00"),
            ("credit_code", "\x00" * 18),
            ("phone", "+86 (138) 0013-8000 转 123\x00"),
            ("province", "\x00"),
            ("city", "11'--"),
            ("industry", "%"),
            ("tier", "\x00"),
            ("sort", "name; DROP TABLE x"),
            ("format", "csv"),
            ("next", "//evil.example/\x00"),
            ("collaborator_q", "😀\x00"),
            ("duplicate", "1\x00"),
            ("page", "1\x00"),
            ("date", "2025-06-03\x00"),
            ("kind", "\x00"),
            ("scope", "😀"),
            ("region", "\x00"),
            ("assignee_q", "\x00😀"),
            ("customer_q", SQLISH),
            ("user", "1\x00"),
        ],
    ),
    GetVariant(
        # No huge team or tag: an unknown team, or a tag id past the column's range, empties the list
        # before the other filters run.
        "10,000-character values, ids past 64 bits",
        [
            ("q", LONG),
            ("name", LONG),
            ("province", "1" * 10_000),
            ("page", "9" * 10_000),
            ("duplicate", "9" * 10_000),
            ("transfer_q", LONG),
            ("owner", INT64_PLUS_ONE),
            ("pool", INT64_PLUS_ONE),
            ("customer", INT64_PLUS_ONE),
            ("visit", INT64_PLUS_ONE),
            ("date", "9" * 10_000),
            ("working_days", "9" * 10_000),
            ("assignee_q", LONG),
            ("customer_q", LONG),
            ("region", LONG),
        ],
    ),
    GetVariant(
        # The last value of a repeated key counts (QueryDict.get, ninja): the valid ones come last,
        # except stale_days, whose last value is the largest number of days a timedelta holds.
        "repeated keys, htmx, stale_days=999999999",
        [
            ("q", "\x00"),
            ("q", "星辰"),
            ("page", "abc"),
            ("page", "1"),
            ("owner", "x"),
            ("owner", "1"),
            ("sort", "evil"),
            ("sort", "name"),
            ("format", "exe"),
            ("format", "csv"),
            ("collaborator_q", "o"),
            ("transfer_q", "m"),
            ("assign_q", "a"),
            ("stale_days", "30"),
            ("stale_days", "999999999"),
            ("kind", "evil"),
            ("kind", "weekly"),
            ("date", "x"),
            ("date", "2025-06-03"),
        ],
        {"HX-Request": "true"},
    ),
    GetVariant(
        # Valid dates at the edges of what a date holds: the week, month or range around them overflows.
        "the first and the last day of the calendar",
        [
            ("date", "0001-01-01"),
            ("start", "9999-12-25"),
            ("end", "9999-12-31"),
            ("date_from", "9999-12-31"),
            ("date_to", "9999-12-31"),
            ("due_from", "0001-01-01"),
            ("due_to", "0001-01-01"),
            ("kind", "monthly"),
            ("year", "9999"),
            ("working_days", "200"),
            ("when", "past"),
            ("tab", "team"),
            ("scope", "all"),
            ("state", "all"),
            ("done", "true"),
        ],
    ),
    GetVariant(
        "the last day of the calendar, weekly",
        [
            ("date", "9999-12-31"),
            ("kind", "weekly"),
            ("start", "0001-01-01"),
            ("end", "0001-01-07"),
            ("year", "1"),
            ("date_from", "0001-01-01"),
            ("due_from", "9999-12-31"),
            ("due_to", "9999-12-31"),
        ],
    ),
)


@dataclass(frozen=True)
class Body:
    """One garbage request body: the method, the content type and the raw bytes (or a multipart dict)."""

    label: str
    method: str
    content_type: str  # "" for multipart
    payload: bytes | dict[str, Any]


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


def _form(value: str, **overrides: Any) -> dict[str, Any]:
    return {**dict.fromkeys(FORM_FIELDS, value), **overrides}


def _plausible_form(scene: Scene, route: Route, **landmines: Any) -> dict[str, Any]:
    """Values each form accepts (real ids, the current version), so the landmines reach the actions."""
    ids = scene.ids
    version = scene.versions["contact" if "contact" in route.route else "customer"]
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
    }
    for prefix, values in ROUTE_VALUES.items():
        if route.route.startswith(prefix):
            form.update(values)
    return {**form, **landmines}


# 1e309 overflows a float: json.dumps cannot write it, so the JSON bodies are written out by hand.
_JSON_WRONG_TYPES = (
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
    '"source": {}, "detail": [null]}'
)


def _json_landmines(scene: Scene) -> bytes:
    """Right types, wrong values: year 1 and year 9999, huge ids, 200-character codes, long reasons."""
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
    return json.dumps(body).encode()


def _json_valid_but_ancient(scene: Scene) -> bytes:
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
    return json.dumps(body).encode()


def _json_valid_huge_ids(scene: Scene) -> bytes:
    """Fields every schema and form accepts; the ids the handlers look up themselves are huge."""
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
    return json.dumps(body).encode()


def _takes_files(route: Route) -> bool:
    return route.route.endswith(("/attachments", "attachments/", "photos/")) or "followup-create" in route.names


def _upload_bodies(field_name: str, form: dict[str, Any]) -> list[Body]:
    """Files that lie about their type, and one photo too many with a 300-character name."""
    not_a_photo = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\xff" * 64, content_type="image/png")
    photo_as_pdf = SimpleUploadedFile("方案.pdf", _png().read(), content_type="application/pdf")
    zip_as_docx = SimpleUploadedFile("纪要.docx", b"PK\x03\x04" + b"\xff" * 100, content_type="application/msword")
    empty = SimpleUploadedFile("空.txt", b"", content_type="text/plain")
    not_utf8 = SimpleUploadedFile("记录.csv", "客户,电话\n".encode("gb18030") * 10, content_type="text/csv")
    too_many = [_png(f"{index}.png") for index in range(9)] + [_png("长" * 300 + "😀.png")]
    return [
        Body(
            "multipart: a broken PNG, a PNG named .pdf, a zip named .docx, an empty file, GB18030 text",
            "POST",
            "",
            {**form, field_name: [not_a_photo, photo_as_pdf, zip_as_docx, empty, not_utf8]},
        ),
        Body("multipart: ten photos, one with a 300-character name", "POST", "", {**form, field_name: too_many}),
    ]


def body_variants(route: Route, scene: Scene) -> list[Body]:
    """Six garbage bodies for each way the route takes a body.

    Pages get five forms (from the third on they pass the forms' basic checks, so their landmines
    reach the actions) and a JSON body with PATCH, PUT or DELETE. API routes get six bodies with each
    of their POST/PUT/PATCH methods (and two with DELETE), so the bodies reach the handlers. Routes
    that take files (attachments, visit photos, a new follow-up) also get two uploads of lying files.
    """
    form_ct = "application/x-www-form-urlencoded"
    json_ct = "application/json"
    if not route.is_api:
        garbage_file = SimpleUploadedFile("客户😀.xlsx", b"PK\x03\x04" + b"\x00garbage" * 100)
        # No NUL here: the middleware would refuse the whole body before the garbage file reached a view.
        junk: dict[str, Any] = _form("-1", q=[SQLISH, "😀"], name=[EMOJI_NAME, LONG], file=garbage_file)
        year_one = _plausible_form(
            scene,
            route,
            next_followup_at="0001-01-01T00:00",
            birthday="0001-01-01",
            latitude="",
            longitude="",
            **dict.fromkeys(("occurred_at", "planned_at", "due_at", "remind_at"), "0001-01-01T00:00"),
            **dict.fromkeys(("date", "day"), "0001-01-01"),
            year="1",
            due_time="00:00",
        )
        huge_ids = _plausible_form(
            scene,
            route,
            **dict.fromkeys(
                (
                    "owner",
                    "pool",
                    "reports_to",
                    "relationship_owner",
                    "user",
                    "duplicate",
                    "team",
                    "parent",
                    "transfer_to",
                    "version",
                    "customer",
                    "contact",
                    "contacts",
                    "assignee",
                    "item_ids",
                    "working_days",
                    "planned_minutes",
                    "checkin_radius_m",
                    "year",
                ),
                INT64_PLUS_ONE,
            ),
        )
        bad_values = _plausible_form(
            scene,
            route,
            credit_code="A" * 200,
            latitude="1e309",
            longitude="NaN",
            next_followup_at="9999-12-31T23:59",
            birthday="2024-02-30",
            website="javascript:alert(1)",
            strength=HUGE,
            holding_limit="1e309",
            days="0",
            tag_names=",".join(["t" * 31] * 3),
            action="apply_all",
            apply_all="merge",
            next="-1",
            occurred_at="9999-12-31T23:59",
            planned_at="9999-12-31T23:59",
            due_at="9999-12-31T23:59",
            remind_at="2024-02-30T10:00",
            planned_minutes="1e309",
            accuracy_m="NaN",
            working_days="0",
            due_time="25:61",
            date="9999-12-31",
            day="2024-02-30",
            direction="sideways",
            year="9999",
            checkin_radius_m="-1",
            webhook_kind="dingtalk",
            webhook_url="http://localhost:1/" + "机器人" * 200,
            content=LONG,
            body=LONG,
            subject="主" * 300,
        )
        other_method = ("PATCH", "PUT", "DELETE")[len(route.route) % 3]
        return [
            Body("form: huge numbers", "POST", form_ct, urlencode(_form(HUGE)).encode()),
            Body("multipart: negative numbers, unicode, SQL, garbage .xlsx", "POST", "", junk),
            Body("form: valid except year 1", "POST", form_ct, urlencode(year_one).encode()),
            Body("form: valid except huge ids", "POST", form_ct, urlencode(huge_ids).encode()),
            Body(
                "form: 200-char code, 1e309, NaN, 9999-12-31, next=-1", "POST", form_ct, urlencode(bad_values).encode()
            ),
            Body("json with " + other_method, other_method, json_ct, _JSON_WRONG_TYPES.encode()),
            *(_upload_bodies("attachments", _plausible_form(scene, route)) if _takes_files(route) else []),
        ]
    unsafe = [m for m in route.methods if m in UNSAFE]
    writes = [m for m in unsafe if m != "DELETE"] or (["POST"] if not unsafe else [])
    bodies = []
    for method in writes:
        bodies += [
            Body("json: wrong types, nested objects, nulls, 1e309", method, json_ct, _JSON_WRONG_TYPES.encode()),
            Body("json: valid except huge ids", method, json_ct, _json_valid_huge_ids(scene)),
            Body("json: 200-char code, long strings, 9999-12-31", method, json_ct, _json_landmines(scene)),
            Body("json: valid except year 1 / long reason", method, json_ct, _json_valid_but_ancient(scene)),
            Body("json: not an object", method, json_ct, b'[null, 1e309, "\\u0000"]'),
            Body("broken json, NUL bytes", method, json_ct, b'{"name": "\x00\xff\xfe' + LONG.encode() + b'"'),
        ]
    if _takes_files(route) and "POST" in unsafe:
        bodies += _upload_bodies("files", {})
    if "DELETE" in unsafe:
        bodies += [
            Body("no body", "DELETE", json_ct, b""),
            Body("json: wrong types", "DELETE", json_ct, _JSON_WRONG_TYPES.encode()),
        ]
    return bodies


def landmine_body(route: Route, scene: Scene, method: str) -> Body:
    """The one body sent to the other rows and the absurd ids."""
    if not route.is_api:
        return body_variants(route, scene)[3]
    return Body("json: valid except huge ids", method, "application/json", _json_valid_huge_ids(scene))


# --- sending --------------------------------------------------------------------------------------

# Every row of these tables (soft-deleted ones too): a refused write must not change their counts.
COUNTED: dict[str, type[Model]] = {
    "customers": Customer,
    "contacts": Contact,
    "audit": AuditEntry,
    "ownership": OwnershipChange,
    "followups": FollowUp,
    "attachments": Attachment,
    "visits": Visit,
    "tasks": Task,
    "requests": CoordinationRequest,
    "request comments": RequestComment,
    "reports": WorkReport,
    "report comments": ReportComment,
    "report rules": ReportRule,
    "plan items": PlanItem,
    "news": MarketNews,
    "holiday overrides": HolidayOverride,
}
# Read after every accepted write (in the same savepoint): every customer and contact the user sees.
READ_BACK = ("/api/v1/customers?limit=500&with_count=false", "/api/v1/contacts?limit=500")


def db_counts() -> dict[str, int]:
    """The row counts of COUNTED, in one query."""
    tables = (connection.ops.quote_name(model._meta.db_table) for model in COUNTED.values())
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables)  # noqa: S608 - model tables
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return dict(zip(COUNTED, row, strict=True))


@dataclass
class Problem:
    kind: str  # "500" | "changed on 4xx" | "500 when read back"
    role: str
    method: str
    url: str
    payload: str
    detail: str  # traceback or the counts

    def __str__(self) -> str:
        return f"[{self.kind}] {self.role} {self.method} {self.url}\n  payload: {self.payload}\n{self.detail}"


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def _consume(response: Any) -> None:
    """Read a streamed body: an export fails while streaming, after the status line was sent.

    The test client closes the response when the stream ends, with the signal that would close
    the connection held off; closing it here would drop the connection of the open transaction.
    """
    if isinstance(response, StreamingHttpResponse) or getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


@dataclass
class Sweep:
    """Sends requests for one role, each in a rolled-back savepoint, and collects the problems."""

    role: str
    user: User | None
    problems: list[Problem] = field(default_factory=list)
    client: Client = field(init=False)
    _session: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.client = Client()
        self._login()

    def _login(self) -> None:
        if self.user is None:
            return
        self.client.force_login(self.user)
        self._session = self.client.cookies[settings.SESSION_COOKIE_NAME].value

    def _keep_logged_in(self) -> None:
        """Logout, password changes and session rotation in a rolled-back request must not end the sweep's session."""
        if self.user is None:
            return
        cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is None or cookie.value != self._session:
            self._login()

    def send(
        self,
        method: str,
        url: str,
        *,
        query: Params | None = None,
        body: Body | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        target = url + (("&" if "?" in url else "?") + urlencode(query) if query else "")
        payload = _short(query) if query else (_short(body.label) if body else "")
        unsafe = method in UNSAFE
        status = 0
        with transaction.atomic():
            before = db_counts() if unsafe else {}
            try:
                response = self._request(method, target, body, headers or {})
                _consume(response)
                status = response.status_code
            except Exception:  # noqa: BLE001 - every escape is the finding
                status = 500
                self.problems.append(Problem("500", self.role, method, target[:300], payload, traceback.format_exc()))
            else:
                if status >= 500:
                    self.problems.append(
                        Problem("500", self.role, method, target[:300], payload, f"status {status} without exception")
                    )
                elif unsafe and 400 <= status < 500:
                    after = db_counts()
                    if after != before:
                        self.problems.append(
                            Problem(
                                "changed on 4xx",
                                self.role,
                                method,
                                target[:300],
                                payload,
                                f"status {status}: {before} → {after}",
                            )
                        )
                elif unsafe and self.user is not None:
                    self._read_back(method, target, payload)
            transaction.set_rollback(True)
        if unsafe:
            self._keep_logged_in()
        return status

    def _read_back(self, method: str, target: str, payload: str) -> None:
        """A write that was accepted must not store what later breaks the lists that read it back."""
        for url in READ_BACK:
            try:
                response = self.client.get(url)
            except Exception:  # noqa: BLE001 - every escape is the finding
                detail = f"after the write, GET {url} raised:\n{traceback.format_exc()}"
            else:
                if response.status_code < 500:
                    continue
                detail = f"after the write, GET {url} answered {response.status_code}"
            self.problems.append(Problem("500 when read back", self.role, method, target[:300], payload, detail))
            return

    def _request(self, method: str, target: str, body: Body | None, headers: dict[str, str]) -> Any:
        if body is None:
            return self.client.generic(method, target, headers=headers)
        if isinstance(body.payload, dict):
            values = [v for value in body.payload.values() for v in (value if isinstance(value, list) else [value])]
            files = [v for v in values if isinstance(v, SimpleUploadedFile)]
            for upload in files:
                upload.seek(0)
            return self.client.post(target, data=body.payload, headers=headers)
        return self.client.generic(method, target, data=body.payload, content_type=body.content_type, headers=headers)
