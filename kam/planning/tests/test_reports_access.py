"""The access matrix of every report page, POST and API endpoint; refusals change nothing.

Roles: anonymous, another organization (outsider, an admin there), a same-organization stranger,
a colleague of another function (collaborator, presales), the author (owner), the manager above.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.planning import actions_reports as actions
from kam.planning.models import ReportKind, ReportRead, ReportRule, WorkReport
from kam.planning.tests.fixtures_reports import DAY, ROLES, at, english_client, fingerprint, rule, user_for

NOW = at(DAY, 19)


def _submitted(world: OrgWorld) -> WorkReport:
    return actions.submit(world.owner, ReportKind.DAILY, DAY, now=NOW, problems="客户压价")


def _draft(world: OrgWorld) -> WorkReport:
    return actions.save_draft(world.owner, ReportKind.WEEKLY, DAY, now=NOW, problems="周报草稿")


def _check(response: Any, role: str, expected: dict[str, int]) -> None:
    if role == "anonymous":
        assert response.status_code in (302, 401), role
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected[role], role


READ_SUBMITTED = {"outsider": 404, "stranger": 404, "collaborator": 404, "owner": 200, "manager": 200}
READ_DRAFT = {"outsider": 404, "stranger": 404, "collaborator": 404, "owner": 200, "manager": 404}
OPEN = dict.fromkeys(ROLES[1:], 200)
TEAM = {"outsider": 200, "stranger": 403, "collaborator": 403, "owner": 403, "manager": 200}
ADMIN = {"outsider": 200, "stranger": 403, "collaborator": 403, "owner": 403, "manager": 403}

PAGES: list[tuple[str, Callable[[OrgWorld], str], dict[str, int]]] = [
    ("list", lambda w: reverse("report-list"), OPEN),
    ("edit", lambda w: reverse("report-edit", kwargs={"kind": "daily", "day": "2026-12-01"}), OPEN),
    ("team", lambda w: reverse("report-team") + "?kind=daily&date=2026-12-01", TEAM),
    ("rules", lambda w: reverse("report-rules"), ADMIN),
    ("submitted", lambda w: reverse("report-detail", args=[_submitted(w).pk]), READ_SUBMITTED),
    ("draft", lambda w: reverse("report-detail", args=[_draft(w).pk]), READ_DRAFT),
    ("comments", lambda w: reverse("report-comments", args=[_submitted(w).pk]), READ_SUBMITTED),
    ("rule-edit", lambda w: reverse("report-rule-edit", args=[rule(w).pk]), {**ADMIN, "outsider": 404}),
]


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_access_matrix(
    world: OrgWorld, name: str, url: Callable[[OrgWorld], str], expected: dict[str, int]
) -> None:
    target = url(world)
    before = _without_reads(fingerprint())
    for role in ROLES:
        _check(english_client(user_for(world, role)).get(target), role, expected)
    # Opening pages writes nothing but read receipts.
    assert _without_reads(fingerprint()) == before


def _without_reads(print_: tuple[Any, ...]) -> tuple[Any, ...]:
    return print_[:2] + print_[3:]


def test_admins_and_directors_read_submitted_reports(world: OrgWorld) -> None:
    report = _submitted(world)
    for user in (world.director, world.admin):
        assert english_client(user).get(reverse("report-detail", args=[report.pk])).status_code == 200
    assert english_client(world.teammate).get(reverse("report-detail", args=[report.pk])).status_code == 404
    assert english_client(world.manager_east).get(reverse("report-detail", args=[report.pk])).status_code == 404


def test_a_missing_report_is_404_like_a_hidden_one(world: OrgWorld) -> None:
    assert english_client(world.admin).get(reverse("report-detail", args=[987654])).status_code == 404


# --- POSTs ----------------------------------------------------------------------------------------


def _post_comment(world: OrgWorld, client: Client) -> Any:
    report = WorkReport.objects.get(author=world.owner, kind="daily")
    return client.post(reverse("report-comments", args=[report.pk]), {"body": "看过了"})


def _post_withdraw(world: OrgWorld, client: Client) -> Any:
    report = WorkReport.objects.get(author=world.owner, kind="daily")
    return client.post(reverse("report-withdraw", args=[report.pk]))


def _post_rule(world: OrgWorld, client: Client) -> Any:
    return client.post(reverse("report-rules"), {"kind": "daily", "role": "rep", "due_time": "20:00"})


def _post_rule_off(world: OrgWorld, client: Client) -> Any:
    target = ReportRule.objects.get(organization=world.org, due_time=time(19))
    return client.post(reverse("report-rule-active", args=[target.pk]), {"active": "0"})


POSTS: list[tuple[str, Callable[[OrgWorld, Client], Any], dict[str, int]]] = [
    ("comment", _post_comment, {**READ_SUBMITTED, "owner": 302, "manager": 302}),
    ("withdraw", _post_withdraw, {**READ_SUBMITTED, "owner": 302, "manager": 403}),
    ("rule-add", _post_rule, {**ADMIN, "outsider": 302}),
    ("rule-off", _post_rule_off, {**ADMIN, "outsider": 404}),
]


@pytest.mark.parametrize(("name", "post", "expected"), POSTS, ids=[p[0] for p in POSTS])
def test_post_access_matrix(
    world: OrgWorld, name: str, post: Callable[[OrgWorld, Client], Any], expected: dict[str, int]
) -> None:
    _submitted(world)
    if name == "rule-off":
        rule(world, due=time(19))
    for role in ROLES:
        if expected.get(role, 0) in (200, 302):
            continue
        before = fingerprint()
        _check(post(world, english_client(user_for(world, role))), role, expected)
        assert fingerprint() == before, role
    allowed = [role for role in ROLES[1:] if expected[role] in (200, 302)]
    for role in allowed:
        response = post(world, english_client(user_for(world, role)))
        assert response.status_code == expected[role], role


def test_rule_post_by_the_outsider_stays_in_their_organization(world: OrgWorld) -> None:
    assert _post_rule(world, english_client(world.outsider)).status_code == 302
    assert list(ReportRule.objects.values_list("organization_id", flat=True)) == [world.outsider.organization_id]


def test_the_edit_page_only_ever_writes_the_signed_in_users_report(world: OrgWorld) -> None:
    url = reverse("report-edit", kwargs={"kind": "daily", "day": "2025-06-03"})
    response = english_client(world.manager_north).post(url, {"action": "save", "problems": "经理自己的"})
    assert response.status_code == 302
    assert list(WorkReport.objects.values_list("author__username", flat=True)) == ["mgr_north"]


# --- API ------------------------------------------------------------------------------------------


def _api(user: Any) -> Client:
    return english_client(user)


API_READS: list[tuple[str, Callable[[OrgWorld], str], dict[str, int]]] = [
    ("list", lambda w: "/api/v1/reports", OPEN),
    ("draft", lambda w: "/api/v1/reports/draft?kind=daily&date=2026-12-01", OPEN),
    ("team", lambda w: "/api/v1/reports/team?kind=daily&date=2026-12-01", TEAM),
    ("get", lambda w: f"/api/v1/reports/{_submitted(w).pk}", READ_SUBMITTED),
    ("get-draft", lambda w: f"/api/v1/reports/{_draft(w).pk}", READ_DRAFT),
    ("reads", lambda w: f"/api/v1/reports/{_submitted(w).pk}/reads", READ_SUBMITTED),
    ("comments", lambda w: f"/api/v1/reports/{_submitted(w).pk}/comments", READ_SUBMITTED),
]


@pytest.mark.parametrize(("name", "url", "expected"), API_READS, ids=[p[0] for p in API_READS])
def test_api_read_matrix(world: OrgWorld, name: str, url: Callable[[OrgWorld], str], expected: dict[str, int]) -> None:
    target = url(world)
    before = _without_reads(fingerprint())
    for role in ROLES:
        _check(_api(user_for(world, role)).get(target), role, expected)
    assert _without_reads(fingerprint()) == before


def test_api_list_shows_only_what_the_user_may_open(world: OrgWorld) -> None:
    report = _submitted(world)
    _draft(world)
    ids = {
        role: [row["id"] for row in _api(user_for(world, role)).get("/api/v1/reports").json()["items"]]
        for role in ROLES[1:]
    }
    assert ids["outsider"] == []
    assert ids["stranger"] == []
    assert ids["collaborator"] == []
    assert ids["manager"] == [report.pk]
    assert len(ids["owner"]) == 2


API_WRITES: list[tuple[str, str, Callable[[OrgWorld], str], dict[str, Any], dict[str, int]]] = [
    (
        "comment",
        "post",
        lambda w: f"/api/v1/reports/{_submitted(w).pk}/comments",
        {"body": "好"},
        {**READ_SUBMITTED, "owner": 201, "manager": 201},
    ),
    (
        "withdraw",
        "post",
        lambda w: f"/api/v1/reports/{_submitted(w).pk}/withdraw",
        {},
        {**READ_SUBMITTED, "manager": 403},
    ),
    ("regenerate", "post", lambda w: f"/api/v1/reports/{_draft(w).pk}/regenerate", {}, READ_DRAFT),
]


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), API_WRITES, ids=[p[0] for p in API_WRITES])
def test_api_write_matrix(
    world: OrgWorld,
    name: str,
    method: str,
    url: Callable[[OrgWorld], str],
    body: dict[str, Any],
    expected: dict[str, int],
) -> None:
    target = url(world)
    refused = [role for role in ROLES if role == "anonymous" or expected[role] >= 400]
    for role in refused:
        before = fingerprint()
        response = getattr(_api(user_for(world, role)), method)(target, body, content_type="application/json")
        _check(response, role, expected)
        assert fingerprint() == before, role
    for role in [r for r in ROLES if r not in refused]:
        response = getattr(_api(user_for(world, role)), method)(target, body, content_type="application/json")
        assert response.status_code == expected[role], (role, response.content)


def test_api_save_and_submit_only_touch_the_callers_own_report(world: OrgWorld) -> None:
    for role in ROLES[1:]:
        client = _api(user_for(world, role))
        assert (
            client.put(
                "/api/v1/reports/daily/2025-06-03", {"problems": role}, content_type="application/json"
            ).status_code
            == 200
        )
    authors = sorted(WorkReport.objects.values_list("author__username", "problems"))
    assert authors == sorted(
        [
            ("outsider", "outsider"),
            ("stranger", "stranger"),
            ("collab", "collaborator"),
            ("owner", "owner"),
            ("mgr_north", "manager"),
        ]
    )
    assert ReportRead.objects.count() == 0
