"""Builders of the "no 500 from any input" sweep (kam/web/tests/test_no_500.py); not a test module.

- `all_routes()` walks the URL resolver (Django pages, the admin console, the ninja routes under
  /api/v1/), one entry per distinct route; ninja registers one pattern per operation of a path.
- `build_scene(world)` fills the world fixture's organization through the actions: customers
  (owned, read-only collaborator, in a pool, in the recycle bin), contacts, a pool with members and
  a rule, an import job, a token, a notification, and rows of the other organization.
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
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kam.conftest import OrgWorld
from kam.core.actions import create_api_token
from kam.core.models import AuditEntry, Notification, User
from kam.customers import actions
from kam.customers.actions import pool_admin
from kam.customers.imports.actions import create_import_job
from kam.customers.models import CollaboratorAccess, Contact, Customer, OwnershipChange, RecycleReason
from kam.customers.tests.api_scene import credit_code

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
    ids: dict[str, int]
    versions: dict[str, int]


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
    versions = {
        "customer": Customer.objects.get(pk=customer.pk).version,
        "contact": Contact.objects.get(pk=contact.pk).version,
    }
    return Scene(world, ids, versions)


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
    "notification-read": {"pk": ("notification",)},
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
    # ninja routes whose parameters mean something else than PARAM_BINDINGS says.
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


# API path parameters are named for what they hold: the default binding of a route without its own.
PARAM_BINDINGS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer", "pool_customer", "deleted", "outsider_customer"),
    "contact_id": ("contact", "deleted_contact", "outsider_contact"),
    "pool_id": ("pool", "outsider_pool"),
    "user_id": ("collaborator", "teammate", "outsider"),
    "job_id": ("job", "stranger_job"),
}


def bindings_of(route: Route) -> dict[str, tuple[str, ...]]:
    own = next((BINDINGS[name] for name in route.names if name in BINDINGS), {})
    if not route.is_api:
        return own
    return {param: own.get(param) or PARAM_BINDINGS.get(param, ()) for param in route_params(route)}


def unbound_params(route: Route) -> list[str]:
    bound = bindings_of(route)
    return [param for param in route_params(route) if not bound.get(param)]


def real_urls(route: Route, scene: Scene) -> list[str]:
    """The route filled with its primary rows first, then once per alternative row of each parameter."""
    bound = bindings_of(route)
    params = route_params(route)
    primary = {p: scene.ids[bound[p][0]] for p in params}
    urls = [fill(route, primary)]
    for param in params:
        for key in bound[param][1:]:
            urls.append(fill(route, {**primary, param: scene.ids[key]}))
    return urls


def absurd_urls(route: Route, scene: Scene) -> list[str]:
    """The route with one parameter at a time set to an absurd id, the others real."""
    bound = bindings_of(route)
    params = route_params(route)
    primary = {p: scene.ids[bound[p][0]] for p in params}
    return [
        fill(route, {**primary, param: value})
        for param in params
        for value in ABSURD_IDS
        if converter_accepts(route, param, value)
    ]


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
        ],
    ),
    GetVariant(
        "negative numbers",
        [*((key, "-1") for key in _NUMERIC_KEYS), ("offset", "-5"), ("stale_days", "-5"), ("active", "-1")],
    ),
    GetVariant(
        "not numbers, evil choices, limit 10**9",
        [
            *((key, "abc") for key in _NUMERIC_KEYS),
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
        ],
        {"HX-Request": "true"},
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
)  # fmt: skip


def _form(value: str, **overrides: Any) -> dict[str, Any]:
    return {**dict.fromkeys(FORM_FIELDS, value), **overrides}


def _plausible_form(scene: Scene, route: Route, **landmines: Any) -> dict[str, Any]:
    """Values each form accepts (real ids, the current version), so the landmines reach the actions."""
    ids = scene.ids
    version = scene.versions["contact" if "contact" in route.route else "customer"]
    password = "Zx9!sweep-long-password"
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
    }
    return {**form, **landmines}


# 1e309 overflows a float: json.dumps cannot write it, so the JSON bodies are written out by hand.
_JSON_WRONG_TYPES = (
    '{"name": {"$gt": ""}, "short_name": ["x", {"y": null}], "credit_code": 12345, "latitude": 1e309, '
    '"longitude": "NaN", "tags": "not-a-list", "tier": 1, "next_followup_at": "2024-02-30T25:61:00", '
    '"birthday": "0000-00-00", "owner_id": "abc", "pool_id": -1, "confirm_duplicates": "maybe", '
    '"user_id": [1], "survivor_id": {"a": 1}, "duplicate_id": true, "access": 5, "reason": null, '
    '"strength": "x", "reports_to_id": 1.5, "relationship_owner_id": "1e3", "is_key_person": "perhaps", '
    '"phones": "13800138000", "email": 7}'
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
        "phones": ["1" * 10_000, "\u0000"],
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
    }
    return json.dumps(body).encode()


def _json_valid_huge_ids(scene: Scene) -> bytes:
    """Fields every schema and form accepts; the ids the handlers look up themselves are huge."""
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
    }
    return json.dumps(body).encode()


def body_variants(route: Route, scene: Scene) -> list[Body]:
    """Six garbage bodies for each way the route takes a body.

    Pages get five forms (from the third on they pass the forms' basic checks, so their landmines
    reach the actions) and a JSON body with PATCH, PUT or DELETE. API routes get six bodies with each
    of their POST/PUT/PATCH methods (and two with DELETE), so the bodies reach the handlers.
    """
    form_ct = "application/x-www-form-urlencoded"
    json_ct = "application/json"
    if not route.is_api:
        garbage_file = SimpleUploadedFile("客户😀.xlsx", b"PK\x03\x04" + b"\x00garbage" * 100)
        junk: dict[str, Any] = _form("-1", q=[SQLISH, "\x00"], name=[EMOJI_NAME, LONG], file=garbage_file)
        year_one = _plausible_form(
            scene, route, next_followup_at="0001-01-01T00:00", birthday="0001-01-01", latitude="", longitude=""
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
        )
        other_method = ("PATCH", "PUT", "DELETE")[len(route.route) % 3]
        return [
            Body("form: huge numbers", "POST", form_ct, urlencode(_form(HUGE)).encode()),
            Body("multipart: negative numbers, unicode, SQL, NUL, garbage .xlsx", "POST", "", junk),
            Body("form: valid except year 1", "POST", form_ct, urlencode(year_one).encode()),
            Body("form: valid except huge ids", "POST", form_ct, urlencode(huge_ids).encode()),
            Body(
                "form: 200-char code, 1e309, NaN, 9999-12-31, next=-1", "POST", form_ct, urlencode(bad_values).encode()
            ),
            Body("json with " + other_method, other_method, json_ct, _JSON_WRONG_TYPES.encode()),
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

COUNTED = {
    "customers": lambda: Customer.all_objects.count(),
    "contacts": lambda: Contact.all_objects.count(),
    "audit": lambda: AuditEntry.objects.count(),
    "ownership": lambda: OwnershipChange.objects.count(),
}


# Read after every accepted write (in the same savepoint): every customer and contact the user sees.
READ_BACK = ("/api/v1/customers?limit=500&with_count=false", "/api/v1/contacts?limit=500")


def db_counts() -> dict[str, int]:
    return {name: count() for name, count in COUNTED.items()}


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
        target = url + ("?" + urlencode(query) if query else "")
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
            files = [v for v in body.payload.values() if isinstance(v, SimpleUploadedFile)]
            for upload in files:
                upload.seek(0)
            return self.client.post(target, data=body.payload, headers=headers)
        return self.client.generic(method, target, data=body.payload, content_type=body.content_type, headers=headers)
