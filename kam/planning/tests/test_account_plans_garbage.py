"""Bad input never answers 500: garbage ids, wrong types, huge strings, NUL bytes, impossible dates and
negative amounts are field errors or 404s, and change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import Organization
from kam.planning.tests.fixtures_account_plans import Scene, fingerprint, make_scene, product_lines

HUGE = "9" * 30
LONG = "长" * 6000
API = "/api/v1/account-plans"


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def _pages(s: Scene) -> dict[str, str]:
    plan = s.planned.plan.pk
    return {
        "detail": reverse("account-plan-detail", args=[plan]),
        "edit": reverse("account-plan-edit", args=[plan]),
        "objective": reverse("account-plan-objective-add", args=[plan]),
        "action": reverse("account-plan-action-add", args=[plan, s.goal.pk]),
        "cell": reverse("account-plan-cell", args=[plan, s.bu.pk, s.planned.lines[0].pk]),
        "unit": reverse("account-plan-unit-edit", args=[plan, s.bu.pk]),
        "player": reverse("account-plan-player-add", args=[plan]),
        "team": reverse("account-plan-team-add", args=[plan]),
        "review": reverse("account-plan-review", args=[plan]),
    }


@pytest.mark.parametrize(
    "path",
    [
        "/account-plans/99999999999999999999/",
        "/account-plans/0/",
        "/account-plans/99999999999999999999/edit/",
        "/account-plans/new/?customer=abc",
        "/account-plans/new/?customer=-1",
        f"/account-plans/new/?customer={HUGE}",
    ],
)
def test_garbage_ids_in_page_urls_are_404(scene: Scene, client_for: Any, path: str) -> None:
    assert client_for(scene.planned.w.manager_north).get(path).status_code == 404


def test_garbage_grid_positions_are_404(scene: Scene, client_for: Any) -> None:
    plan = scene.planned.plan.pk
    other_line = product_lines(Organization.objects.get(code="other"))[0]
    client = client_for(scene.planned.w.owner)
    for unit_pk, line_pk in ((HUGE, scene.planned.lines[0].pk), (scene.bu.pk, HUGE), (scene.bu.pk, other_line.pk)):
        assert client.get(f"/account-plans/{plan}/whitespace/{unit_pk}/{line_pk}/").status_code == 404
    assert client.post(f"/account-plans/{plan}/actions/{HUGE}/done/", {"done": "1"}).status_code == 404
    assert client.post(f"/account-plans/{plan}/objectives/{HUGE}/delete/").status_code == 404


def test_list_filters_ignore_garbage(scene: Scene, client_for: Any) -> None:
    response = client_for(scene.planned.w.owner).get(
        reverse("account-plan-list") + f"?owner=abc&team={HUGE}&stage=zz&page=zz"
    )
    assert response.status_code == 200


PAGE_POSTS: list[tuple[str, dict[str, str], int]] = [
    ("edit", {"relationship_stage": "bogus"}, 422),
    ("edit", {"relationship_stage": "basic", "revenue_goal_3y": "-5"}, 422),
    ("edit", {"relationship_stage": "basic", "revenue_goal_3y": "1e30"}, 422),
    ("edit", {"relationship_stage": "basic", "revenue_goal_3y": "NaN"}, 422),
    ("edit", {"relationship_stage": "basic", "share_of_wallet_goal": "100.01"}, 422),
    # NUL bytes anywhere in a request are answered 400 by kam.core.middleware before any view runs.
    ("edit", {"relationship_stage": "basic", "trends": "坏\x00字节"}, 400),
    ("edit", {"relationship_stage": "basic", "trends": LONG}, 422),
    ("edit", {"relationship_stage": "basic", "version": "abc"}, 422),
    ("objective", {"title": "x", "owner": "OWNER", "due_date": "2026-02-30", "status": "open"}, 302),
    ("objective", {"title": "x", "owner": HUGE, "due_date": "2026-03-01", "status": "open"}, 302),
    ("objective", {"title": "x", "owner": "OUTSIDER", "due_date": "2026-03-01", "status": "open"}, 302),
    ("objective", {"title": "x" * 201, "owner": "OWNER", "due_date": "1999-12-31", "status": "open"}, 302),
    ("action", {"title": "\x00", "owner": "OWNER"}, 400),
    ("action", {"title": "x", "owner": "OWNER", "due_date": "2026-13-01"}, 302),
    ("cell", {"status": "zzz"}, 422),
    ("cell", {"status": "gap", "annual_spend": "-1"}, 422),
    ("cell", {"status": "gap", "annual_spend": "NaN"}, 422),
    ("cell", {"status": "gap", "annual_spend": HUGE}, 422),
    ("cell", {"status": "gap", "annual_spend": "1.234"}, 422),
    ("cell", {"status": "gap", "holder": "competitor", "competitor": HUGE}, 422),
    ("cell", {"status": "gap", "holder": "nobody"}, 422),
    ("cell", {"status": "gap", "notes": "a\x00b"}, 400),
    ("unit", {"name": "华北", "position": "-3"}, 302),
    ("unit", {"name": "华北", "position": "99999"}, 302),
    ("unit", {"name": "\x00"}, 400),
    ("player", {"contact": HUGE, "role": "coach"}, 302),
    ("player", {"contact": "SPARE", "role": "boss"}, 302),
    ("team", {"user": "OUTSIDER"}, 302),
    ("team", {"user": "abc", "responsibility": LONG}, 302),
]


@pytest.mark.parametrize(("page", "data", "status"), PAGE_POSTS)
def test_garbage_page_input_is_refused_and_changes_nothing(
    scene: Scene, client_for: Any, page: str, data: dict[str, str], status: int
) -> None:
    w = scene.planned.w
    ids = {"OWNER": str(w.owner.pk), "OUTSIDER": str(w.outsider.pk), "SPARE": str(scene.spare.pk)}
    before = fingerprint()
    response = client_for(w.manager_north).post(_pages(scene)[page], {k: ids.get(v, v) for k, v in data.items()})
    assert response.status_code == status
    assert fingerprint() == before


def test_a_garbage_review_is_refused(scene: Scene, client_for: Any) -> None:
    before = fingerprint()
    client = client_for(scene.planned.w.manager_north)
    for data in (
        {"reviewed_on": "2026-02-30", "comments": "x"},
        {"reviewed_on": "2026-01-01", "comments": LONG},
        {"reviewed_on": "0001-01-01", "comments": "x"},
    ):
        assert client.post(_pages(scene)["review"], data).status_code == 422
    assert client.post(_pages(scene)["review"], {"reviewed_on": "2026-01-01", "comments": "\x00"}).status_code == 400
    assert fingerprint() == before


def _send(client: Any, method: str, url: str, body: Any, **headers: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


API_CALLS: list[tuple[str, str, Any, int]] = [
    ("post", "", {"customer_id": "x"}, 422),
    ("post", "", {"customer_id": int(HUGE)}, 422),
    ("post", "", {"customer_id": "FRESH", "revenue_goal_3y": -5}, 422),
    ("post", "", {"customer_id": "FRESH", "share_of_wallet_goal": "NaN"}, 422),
    ("post", "", {"customer_id": "FRESH", "relationship_stage": "bogus"}, 422),
    ("post", "", {"customer_id": "FRESH", "trends": "\x00"}, 400),
    ("post", "", {"customer_id": "FRESH", "trends": LONG}, 422),
    ("post", "", [1, 2, 3], 422),
    ("patch", "/PLAN", {"share_of_wallet_goal": 150}, 422),
    ("patch", "/PLAN", {"revenue_goal_3y": "1e40"}, 422),
    ("patch", "/PLAN", {"relationship_stage": None}, 422),
    ("patch", "/PLAN", {"trends": 5}, 422),
    ("post", "/PLAN/objectives", {"title": "x", "owner_id": "OWNER", "due_date": "2026-02-30"}, 422),
    ("post", "/PLAN/objectives", {"title": "x", "owner_id": "abc", "due_date": "2026-03-01"}, 422),
    ("post", "/PLAN/objectives", {"title": "x", "owner_id": "OUTSIDER", "due_date": "2026-03-01"}, 422),
    ("post", "/PLAN/objectives", {"title": "x", "owner_id": "OWNER", "due_date": "2026-03-01", "status": "?"}, 422),
    ("patch", "/PLAN/objectives/GOAL", {"owner_id": None}, 422),
    ("post", "/PLAN/objectives/GOAL/actions", {"title": "", "owner_id": "OWNER"}, 422),
    ("patch", "/PLAN/actions/STEP", {"done": "maybe"}, 422),
    ("post", "/PLAN/key-players", {"contact_id": "OTHER_CONTACT", "role": "coach"}, 422),
    ("post", "/PLAN/key-players", {"contact_id": "SPARE", "role": "boss"}, 422),
    ("post", "/PLAN/team", {"user_id": "OUTSIDER"}, 422),
    ("post", "/PLAN/business-units", {"name": "华北事业部"}, 422),
    ("post", "/PLAN/business-units", {"name": "x", "position": -1}, 422),
    ("put", "/PLAN/whitespace/UNIT/LINE", {"status": "gap", "annual_spend": -1}, 422),
    ("put", "/PLAN/whitespace/UNIT/LINE", {"status": "gap", "annual_spend": "1e40"}, 422),
    ("put", "/PLAN/whitespace/UNIT/LINE", {"status": "x"}, 422),
    ("put", "/PLAN/whitespace/UNIT/LINE", {"status": "gap", "holder": "competitor", "competitor_id": 0}, 422),
    ("put", "/PLAN/whitespace/UNIT/LINE", {"status": "owned", "holder": "unspent"}, 422),
    ("put", f"/PLAN/whitespace/{HUGE}/LINE", {"status": "gap"}, 404),
    ("put", "/PLAN/whitespace/UNIT/999999", {"status": "gap"}, 404),
    ("post", "/PLAN/reviews", {"reviewed_on": "2026-13-01", "comments": "x"}, 422),
    ("get", f"/{HUGE}", None, 404),
    ("get", "/abc", None, 404),
    ("delete", f"/PLAN/objectives/{HUGE}", None, 404),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), API_CALLS)
def test_garbage_api_input_is_refused_and_changes_nothing(
    scene: Scene, client_for: Any, method: str, path: str, body: Any, status: int
) -> None:
    w = scene.planned.w
    from kam.planning.tests.fixtures_account_plans import contact_of, customer_of

    other_contact = contact_of(customer_of(w.owner, "别的客户"), "外人")
    ids = {
        "FRESH": scene.fresh.pk,
        "OWNER": w.owner.pk,
        "OUTSIDER": w.outsider.pk,
        "SPARE": scene.spare.pk,
        "OTHER_CONTACT": other_contact.pk,
    }
    parts = {
        "PLAN": scene.planned.plan.pk,
        "GOAL": scene.goal.pk,
        "STEP": scene.step.pk,
        "UNIT": scene.bu.pk,
        "LINE": scene.planned.lines[0].pk,
    }
    for key, value in parts.items():
        path = path.replace(key, str(value))
    if isinstance(body, dict):
        body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = fingerprint()
    client = client_for(w.manager_north)
    url = API + path
    response = (
        client.get(url)
        if body is None and method == "get"
        else (getattr(client, method)(url) if body is None else _send(client, method, url, body))
    )
    assert response.status_code == status, response.content
    assert fingerprint() == before


def test_an_unreadable_if_match_is_stale(scene: Scene, client_for: Any) -> None:
    before = fingerprint()
    response = _send(
        client_for(scene.planned.w.owner),
        "patch",
        f"{API}/{scene.planned.plan.pk}",
        {"trends": "x"},
        HTTP_IF_MATCH="garbage",
    )
    assert response.status_code == 412
    assert fingerprint() == before
