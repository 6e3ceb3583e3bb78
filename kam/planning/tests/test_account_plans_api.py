"""The account plans API: the access matrix of every endpoint (refusals change nothing), then what the
answers hold."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.planning.models.account_plans import AccountPlan
from kam.planning.tests.fixtures_account_plans import (
    ROLES,
    Scene,
    cell,
    competitor,
    fingerprint,
    make_scene,
    unit,
    user_for,
)

API = "/api/v1"
R = {"outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}


def _w(ok: int) -> dict[str, int]:
    return {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": ok, "manager": ok}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


Url = Callable[[Scene], str]


def _plan(path: str = "") -> Url:
    return lambda s: f"{API}/account-plans/{s.planned.plan.pk}{path}"


ENDPOINTS: list[tuple[str, str, Url, Any, dict[str, int]]] = [
    ("list", "get", lambda s: f"{API}/account-plans", None, dict.fromkeys(ROLES[1:], 200)),
    (
        "create",
        "post",
        lambda s: f"{API}/account-plans",
        {"customer_id": "FRESH"},
        {"outsider": 422, "stranger": 422, "collaborator": 403, "owner": 201, "manager": 201},
    ),
    ("get", "get", _plan(), None, R),
    ("patch", "patch", _plan(), {"strengths": "交付快", "share_of_wallet_goal": "40"}, _w(200)),
    ("team-add", "post", _plan("/team"), {"user_id": "DIRECTOR", "responsibility": "高层"}, _w(201)),
    ("team-patch", "patch", lambda s: f"{_plan('/team')(s)}/{s.member.pk}", {"responsibility": "方案"}, _w(200)),
    ("team-delete", "delete", lambda s: f"{_plan('/team')(s)}/{s.member.pk}", None, _w(204)),
    ("player-add", "post", _plan("/key-players"), {"contact_id": "SPARE", "role": "coach"}, _w(201)),
    ("player-patch", "patch", lambda s: f"{_plan('/key-players')(s)}/{s.player.pk}", {"role": "anti_sponsor"}, _w(200)),
    ("player-delete", "delete", lambda s: f"{_plan('/key-players')(s)}/{s.player.pk}", None, _w(204)),
    (
        "objective-add",
        "post",
        _plan("/objectives"),
        {"title": "新目标", "owner_id": "OWNER", "due_date": "2026-12-31"},
        _w(201),
    ),
    ("objective-patch", "patch", lambda s: f"{_plan('/objectives')(s)}/{s.goal.pk}", {"status": "done"}, _w(200)),
    ("objective-delete", "delete", lambda s: f"{_plan('/objectives')(s)}/{s.goal.pk}", None, _w(204)),
    (
        "action-add",
        "post",
        lambda s: f"{_plan('/objectives')(s)}/{s.goal.pk}/actions",
        {"title": "新行动", "owner_id": "OWNER"},
        _w(201),
    ),
    ("action-patch", "patch", lambda s: f"{_plan('/actions')(s)}/{s.step.pk}", {"done": True}, _w(200)),
    ("action-delete", "delete", lambda s: f"{_plan('/actions')(s)}/{s.step.pk}", None, _w(204)),
    ("unit-add", "post", _plan("/business-units"), {"name": "华南事业部"}, _w(201)),
    ("unit-patch", "patch", lambda s: f"{_plan('/business-units')(s)}/{s.bu.pk}", {"position": 4}, _w(200)),
    ("unit-delete", "delete", lambda s: f"{_plan('/business-units')(s)}/{s.bu.pk}", None, _w(204)),
    ("whitespace", "get", _plan("/whitespace"), None, R),
    (
        "cell",
        "put",
        lambda s: f"{_plan('/whitespace')(s)}/{s.bu.pk}/{s.planned.lines[0].pk}",
        {"status": "owned", "annual_spend": "300000"},
        _w(200),
    ),
    (
        "review",
        "post",
        _plan("/reviews"),
        {"reviewed_on": "2026-01-05", "comments": "好"},
        {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 403, "manager": 201},
    ),
]


def _body(scene: Scene, world: OrgWorld, data: Any) -> Any:
    if data is None:
        return None
    ids = {"FRESH": scene.fresh.pk, "DIRECTOR": world.director.pk, "SPARE": scene.spare.pk, "OWNER": world.owner.pk}
    return {key: ids.get(value, value) if isinstance(value, str) else value for key, value in data.items()}


def call(client: Any, method: str, url: str, body: Any = None, **headers: Any) -> Any:
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "data", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_account_plan_endpoint_access(
    world: OrgWorld,
    client_for: Any,
    role: str,
    name: str,
    method: str,
    url: Url,
    data: Any,
    expected: dict[str, int],
) -> None:
    scene = make_scene(world)
    target = url(scene)
    before = fingerprint()

    response = call(client_for(user_for(world, role)), method, target, _body(scene, world, data))

    assert response.status_code == (401 if role == "anonymous" else expected[role]), (role, response.content)
    succeeded = response.status_code < 300
    assert (fingerprint() != before) == (method != "get" and succeeded)


def test_the_list_answers_rows_with_share_of_wallet(world: OrgWorld, client_for: Any) -> None:
    scene = make_scene(world)
    plan = scene.planned.plan
    cell(plan, scene.bu, scene.planned.lines[0], "owned", "300000", "us")
    cell(plan, scene.bu, scene.planned.lines[1], "gap", "700000", "unspent")

    response = client_for(world.manager_north).get(f"{API}/account-plans?stage=basic")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": plan.pk,
                "customer": {"id": scene.planned.customer.pk, "name": "华为技术有限公司", "tier": "A"},
                "owner": {"id": world.owner.pk, "username": "owner", "name": "owner"},
                "relationship_stage": "basic",
                "open_objectives": 1,
                "overdue_objectives": 0 if timezone.localdate().isoformat() <= "2026-12-31" else 1,
                "last_reviewed_on": None,
                "review_due": True,
                "share_of_wallet": "30.00",
            }
        ],
    }
    assert client_for(world.manager_north).get(f"{API}/account-plans?stage=integrated").json()["count"] == 0
    assert client_for(world.manager_north).get(f"{API}/account-plans?owner_id={world.teammate.pk}").json()["count"] == 0


def test_create_then_read_with_etag(world: OrgWorld, client_for: Any) -> None:
    scene = make_scene(world)
    client = client_for(world.owner)
    response = call(
        client,
        "post",
        f"{API}/account-plans",
        {
            "customer_id": scene.fresh.pk,
            "trends": "5G 扩产",
            "relationship_stage": "basic",
            "revenue_goal_3y": "12000000.50",
            "share_of_wallet_goal": 35,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert response["ETag"] == '"1"'
    assert {
        key: body[key]
        for key in (
            "version",
            "trends",
            "relationship_stage",
            "revenue_goal_3y",
            "share_of_wallet_goal",
            "share_of_wallet",
            "team",
            "objectives",
        )
    } == {
        "version": 1,
        "trends": "5G 扩产",
        "relationship_stage": "basic",
        "revenue_goal_3y": "12000000.50",
        "share_of_wallet_goal": "35.00",
        "share_of_wallet": None,
        "team": [],
        "objectives": [],
    }
    again = call(client, "post", f"{API}/account-plans", {"customer_id": scene.fresh.pk})
    assert again.status_code == 422
    assert again.json() == {
        "detail": [{"loc": ["body", "customer_id"], "msg": "这个客户已有客户规划。", "type": "value_error"}]
    }


def test_patch_needs_a_fresh_if_match(world: OrgWorld, client_for: Any) -> None:
    scene = make_scene(world)
    client = client_for(world.owner)
    url = f"{API}/account-plans/{scene.planned.plan.pk}"
    ok = call(client, "patch", url, {"relationship_stage": "integrated"}, HTTP_IF_MATCH='"1"')
    assert (ok.status_code, ok["ETag"], ok.json()["relationship_stage"]) == (200, '"2"', "integrated")
    stale = call(client, "patch", url, {"strengths": "晚了"}, HTTP_IF_MATCH='"1"')
    assert (stale.status_code, stale.json()["current_version"]) == (412, 2)
    assert AccountPlan.objects.get().strengths == ""


def test_the_plan_answer_holds_its_parts(world: OrgWorld, client_for: Any) -> None:
    scene = make_scene(world)
    body = client_for(world.collaborator).get(f"{API}/account-plans/{scene.planned.plan.pk}").json()
    assert body["team"] == [
        {
            "id": scene.member.pk,
            "user": {"id": world.teammate.pk, "username": "teammate", "name": "teammate"},
            "responsibility": "技术支持",
        }
    ]
    assert body["key_players"] == [
        {
            "id": scene.player.pk,
            "contact": {"id": scene.player.contact_id, "name": "任总", "title": "", "attitude": "neutral"},
            "role": "sponsor",
            "notes": "",
        }
    ]
    assert [(o["title"], [a["title"] for a in o["actions"]]) for o in body["objectives"]] == [
        ("拿下华南", ["拜访采购"])
    ]
    assert body["business_units"] == [{"id": scene.bu.pk, "name": "华北事业部", "position": 0}]


def test_put_cell_answers_the_grid_and_refuses_inconsistency(world: OrgWorld, client_for: Any) -> None:
    scene = make_scene(world)
    plan, lines = scene.planned.plan, scene.planned.lines
    rival = competitor(world.org, "竞品甲")
    south = unit(plan, "华南事业部", 1)
    client = client_for(world.owner)
    base = f"{API}/account-plans/{plan.pk}/whitespace"
    for bu, line, body in (
        (scene.bu, lines[0], {"status": "owned", "annual_spend": "300000", "holder": "us"}),
        (
            scene.bu,
            lines[1],
            {"status": "gap", "annual_spend": 500000, "holder": "competitor", "competitor_id": rival.pk},
        ),
        (south, lines[0], {"status": "pipeline", "annual_spend": "200000", "holder": "unspent"}),
        (south, lines[2], {"status": "na", "annual_spend": "1000000", "holder": "unspent"}),
    ):
        response = call(client, "put", f"{base}/{bu.pk}/{line.pk}", body)
        assert response.status_code == 200, response.content
    grid = response.json()
    assert (grid["our_spend"], grid["category_spend"], grid["share_of_wallet"], grid["unspent"]) == (
        "300000.00",
        "1000000.00",
        "30.00",
        "200000.00",
    )
    assert grid["competitors"] == [{"competitor": {"id": rival.pk, "name": "竞品甲"}, "spend": "500000.00"}]
    assert [row["share_of_wallet"] for row in grid["rows"]] == ["37.50", "0.00"]
    assert [c["share_of_wallet"] for c in grid["columns"]] == ["60.00", "0.00", None, None]
    assert client_for(world.collaborator).get(base).json() == grid

    refused = call(client, "put", f"{base}/{south.pk}/{lines[1].pk}", {"status": "gap", "holder": "competitor"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"loc": ["body", "competitor_id"], "msg": "请注明获得这笔支出的竞争对手。", "type": "value_error"}
    ]


def test_a_review_through_the_api_notifies_the_owner(world: OrgWorld, client_for: Any) -> None:
    from kam.core.models import Notification

    scene = make_scene(world)
    day = timezone.localdate().isoformat()
    response = call(
        client_for(world.director),
        "post",
        f"{API}/account-plans/{scene.planned.plan.pk}/reviews",
        {"reviewed_on": day, "comments": "季度评审"},
    )
    assert response.status_code == 201
    assert (response.json()["reviewer"]["username"], response.json()["comments"]) == ("director", "季度评审")
    assert list(Notification.objects.values_list("user__username", "kind")) == [("owner", "account_plan_review")]
    assert AccountPlan.objects.get().last_reviewed_on.isoformat() == day


def test_the_api_is_tagged_account_plans(client_for: Any, world: OrgWorld) -> None:
    schema = client_for(world.owner).get(f"{API}/openapi.json").json()
    tags = {
        tag
        for path, item in schema["paths"].items()
        if "account-plans" in path
        for op in item.values()
        for tag in op.get("tags", [])
    }
    assert tags == {"account plans"}
