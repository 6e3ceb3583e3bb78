"""No input makes a report page or API route answer 500, for every kind of user.

Uses the sweep machinery of kam/web/tests/no500/ on the report routes' own rows; that
refused writes change nothing is checked in kam/planning/tests/test_reports_access.py.
"""

from __future__ import annotations

import json
from datetime import time
from urllib.parse import urlencode

import pytest

from kam.conftest import OrgWorld
from kam.planning import actions_reports as actions
from kam.planning.models import ReportKind
from kam.planning.tests.fixtures_reports import DAY, at, rule
from kam.web.tests.no500 import GET_VARIANTS, LONG, ROLES, SQLISH, Body, Sweep, user_for

ABSURD = ("0", "999999999", str(2**63), "abc", "-1")
KINDS_AND_DAYS = (
    ("daily", "2025-06-03"),
    ("weekly", "9999-12-31"),
    ("monthly", "0001-01-01"),
    ("daily", "2026-02-30"),
    ("yearly", "2025-06-03"),
    ("daily", "20250603"),
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _form(**values: str) -> bytes:
    return urlencode(values).encode()


BODIES = (
    Body("empty form", "POST", FORM, b""),
    Body(
        "long and evil form",
        "POST",
        FORM,
        _form(action="submit", problems=LONG, summary=SQLISH, plan="😀" * 3000, body=LONG, kind="yearly", role="god"),
    ),
    Body(
        "plausible form with bad values",
        "POST",
        FORM,
        _form(action="regenerate", body="好", kind="daily", role="rep", team="99999999999999999999", due_time="25:61"),
    ),
    Body("rule form with huge team", "POST", FORM, _form(kind="daily", role="rep", team=str(2**63), due_time="09:00")),
    Body("json junk", "POST", JSON, b'{"problems": [1, 2], "body": null, "plan": {"a": 1}}'),
    Body("json long", "POST", JSON, json.dumps({"problems": LONG, "summary": LONG, "body": LONG}).encode()),
    Body("not json", "POST", JSON, b"{not json"),
    Body("json for put", "PUT", JSON, json.dumps({"problems": "x" * 5000, "plan": SQLISH}).encode()),
)


def _urls(world: OrgWorld) -> list[str]:
    report = actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19))
    draft = actions.save_draft(world.owner, ReportKind.WEEKLY, DAY, now=at(DAY, 19))
    rule_pk = rule(world, due=time(20)).pk
    urls = ["/reports/", "/reports/team/", "/reports/rules/", "/api/v1/reports", "/api/v1/reports/draft"]
    urls += ["/api/v1/reports/team"]
    for pk in (str(report.pk), str(draft.pk), *ABSURD):
        urls += [f"/reports/{pk}/", f"/reports/{pk}/comments/", f"/reports/{pk}/withdraw/"]
        urls += [f"/api/v1/reports/{pk}", f"/api/v1/reports/{pk}/reads", f"/api/v1/reports/{pk}/comments"]
        urls += [f"/api/v1/reports/{pk}/regenerate", f"/api/v1/reports/{pk}/withdraw"]
    for pk in (str(rule_pk), *ABSURD):
        urls += [f"/reports/rules/{pk}/", f"/reports/rules/{pk}/active/"]
    for kind, day in KINDS_AND_DAYS:
        urls += [f"/reports/{kind}/{day}/", f"/api/v1/reports/{kind}/{day}", f"/api/v1/reports/{kind}/{day}/submit"]
    return urls


EXTRA_QUERIES = (
    [("kind", "yearly"), ("date", "0001-01-01")],
    [("kind", "weekly"), ("date", "9999-12-31"), ("author_id", str(2**63))],
    [("date", "2026-02-30"), ("page", "-1")],
)


@pytest.mark.parametrize("role", ROLES)
def test_no_input_makes_a_report_route_answer_500(world: OrgWorld, role: str) -> None:
    urls = _urls(world)
    sweep = Sweep(role, user_for(world, role))
    for url in urls:
        for variant in GET_VARIANTS:
            sweep.send("GET", url, query=variant.params, headers=variant.headers)
        for query in EXTRA_QUERIES:
            sweep.send("GET", url, query=query)
        # Each request runs in a rolled-back savepoint (Sweep), so one cannot spoil the next.
        for body in BODIES:
            sweep.send(body.method, url, body=body)
    assert sweep.problems == [], "\n\n".join(str(problem) for problem in sweep.problems[:5])
