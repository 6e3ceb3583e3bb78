"""No input makes any route answer 500: every URL pattern of the project, as every kind of user.

Each (route, role) gets the route filled with the real rows it is about (kam/web/tests/no500/scene.py
builds them once for the module), with real rows of another kind or organization, and with absurd
ids; eight garbage query strings and six garbage bodies. Every request runs in a savepoint that is
rolled back, so one request never changes what the next one sees. A refused write (4xx) must also
leave the counted tables (no500.sweep.COUNTED: customers, contacts, audit rows, ownership changes,
follow-ups, attachments, visits, tasks, requests, reports, plan items, news, …) as they were.

Known bugs are xfail(strict=True): the case fails today and must start failing the suite the day it is
fixed, so the mark is removed. Run with `--runxfail` to see their requests and tracebacks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import override_settings

from kam.conftest import OrgWorld
from kam.conftest import world as world_fixture
from kam.core import workcal
from kam.web.tests.no500 import (
    GET_VARIANTS,
    ROLES,
    UNSAFE,
    Route,
    Scene,
    Sweep,
    absurd_urls,
    all_routes,
    body_variants,
    build_scene,
    landmine_body,
    real_urls,
    route_params,
    unbound_params,
    user_for,
)

ROUTES = all_routes()

# Who reaches each kind of route (the others are refused before the bug).
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
WRITERS = frozenset({"owner", "manager", "admin"})  # of the sweep's customer; also the pool's members and admin
ANY, SQLITE, PG = "any", "sqlite", "postgresql"


@dataclass(frozen=True)
class Bug:
    reason: str
    vendor: str  # where it answers 500: ANY, SQLITE or PG
    where: dict[str, frozenset[str]]  # route → the roles that reach it


# Known bugs, found by this sweep; the report of the change that added it names each fix.
KNOWN_BUGS: list[Bug] = []


def known_bugs(route: str, role: str, vendor: str) -> list[str]:
    return [
        bug.reason for bug in KNOWN_BUGS if role in bug.where.get(route, frozenset()) and bug.vendor in (ANY, vendor)
    ]


def _marks(route: Route, role: str) -> list[Any]:
    reasons = known_bugs(route.route, role, connection.vendor)
    return [pytest.mark.xfail(strict=True, reason=" | ".join(reasons))] if reasons else []


CASES = [
    pytest.param(route, role, id=f"{route}-{role}", marks=_marks(route, role)) for route in ROUTES for role in ROLES
]


@pytest.fixture(scope="module")
def scene(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """The world fixture's organization plus the sweep's rows, built once and rolled back at the end.

    The module holds one transaction open; each test's own transaction is a savepoint inside it
    (as Django's TestCase does with setUpTestData), and each request a savepoint inside that.
    """
    media = tmp_path_factory.mktemp("media")
    quiet = [logging.getLogger(name) for name in ("django.request", "django.security", "ninja")]
    levels = [logger.level for logger in quiet]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=str(media)),
    ):
        for logger in quiet:
            logger.setLevel(logging.CRITICAL)  # the findings are collected; 500 logs would only repeat them
        workcal.clear_caches()  # the scene's holiday overrides are rolled back: never cached past it
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world: OrgWorld = world_fixture._get_wrapped_function()(None)  # the same world as kam/conftest.py
            yield build_scene(world)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            workcal.clear_caches()
            for logger, level in zip(quiet, levels, strict=True):
                logger.setLevel(level)


def test_the_sweep_covers_every_route_and_every_path_parameter() -> None:
    """A new URL pattern without rows to point at fails here, instead of being swept with nothing."""
    unbound = {route.route: unbound_params(route) for route in ROUTES if unbound_params(route)}
    assert unbound == {}
    names = {name for route in ROUTES for name in route.names}
    assert {"customer-detail", "admin-pool-rule-delete", "token-revoke", "patch_customer", "claim_customer"} <= names
    # issue 4: deals, qualification, competitors, sales settings, account plans and their whitespace grid
    assert {
        "deal-detail",
        "deal-team-remove",
        "deal-influence-edit",
        "competitor-delete",
        "admin-sales-gate-set",
    } <= names
    assert {"account-plan-cell", "move_deal", "get_version", "put_cell", "delete_competitor"} <= names
    assert sum(1 for route in ROUTES if route.is_api) >= 25
    assert sum(1 for route in ROUTES if route.route.startswith("admin/")) >= 25


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if route_params(r)], ids=str)
def test_the_real_ids_point_at_rows_the_route_finds(route: Route, scene: Scene) -> None:
    """The admin (admin console) or the owner (everything else) does not get 404 for the primary rows:
    the garbage of the sweep reaches the views instead of stopping at the lookup."""
    role = "admin" if route.route.startswith("admin/") else "owner"
    sweep = Sweep(role, user_for(scene.world, role))
    url = real_urls(route, scene)[0]
    methods = route.methods or ("GET",)
    method = "GET" if "GET" in methods else methods[0]
    status = sweep.send(method, url)
    if status == 405:
        status = sweep.send("POST", url)
    assert sweep.problems == []
    assert status != 404, f"{method} {url} as {role}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "role"), CASES)
def test_no_input_makes_the_route_answer_500(route: Route, role: str, scene: Scene) -> None:
    """Below 500 for every request; refused writes change nothing; accepted ones can be read back."""
    sweep = Sweep(role, user_for(scene.world, role))
    urls = real_urls(route, scene)
    primary, alternates = urls[0], urls[1:]
    api_methods = route.methods or ("GET",)
    get_allowed = "GET" in api_methods if route.is_api else True

    # The primary rows: every garbage query string, six garbage bodies.
    if get_allowed:
        for variant in GET_VARIANTS:
            status = sweep.send("GET", primary, query=variant.params, headers=variant.headers)
            if status == 405 and not route.is_api:
                get_allowed = False  # a POST-only page: one 405 says it all
                break
    else:
        sweep.send("GET", primary, query=GET_VARIANTS[0].params)
    for body in body_variants(route, scene):
        sweep.send(body.method, primary, body=body)

    # Rows of another kind or organization, and absurd ids: one request per method the route takes.
    unsafe = [m for m in api_methods if m in UNSAFE] if route.is_api else ["POST"]
    for url in [*alternates, *absurd_urls(route, scene)]:
        if get_allowed:  # garbage after a query parameter of the URL would override it
            sweep.send("GET", url, query=None if "?" in url else GET_VARIANTS[2].params)
        for method in unsafe:
            sweep.send(method, url, body=landmine_body(route, scene, method) if method != "DELETE" else None)

    if sweep.problems:
        shown = "\n\n".join(str(p) for p in sweep.problems[:5])
        more = f"\n\n… and {len(sweep.problems) - 5} more" if len(sweep.problems) > 5 else ""
        pytest.fail(f"{len(sweep.problems)} problems\n\n{shown}{more}", pytrace=False)
