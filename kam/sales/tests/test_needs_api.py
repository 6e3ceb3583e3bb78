"""The needs API: access matrix, exact bodies, 412 on a stale base, 422 paths into the list, the diff."""

from __future__ import annotations

from typing import Any

import pytest

from kam.conftest import OrgWorld
from kam.core.tests.api_support import bearer_client, call
from kam.sales.actions_needs import save_needs
from kam.sales.models import NeedsVersion
from kam.sales.tests.fixtures_needs import ROLES, Scene, db_state, first_needs, item, make_scene, user_for

READ = {"anonymous": 401, "outsider": 404, "stranger": 404, "collaborator": 200, "member": 200, "owner": 200,
        "manager": 200}  # fmt: skip
WRITE = {**READ, "collaborator": 403, "member": 403, "owner": 201, "manager": 201}


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def api_client(scene: Scene, role: str) -> Any:
    from django.test import Client

    user = user_for(scene.world, role)
    return Client() if user is None else bearer_client(user)


def body(**fields: Any) -> dict[str, Any]:
    return {"base_version": 0, "pain": "数据分散", "items": [{"description": "统一数据平台"}], **fields}


@pytest.mark.parametrize("role", ROLES)
def test_read_endpoints_access(scene: Scene, role: str) -> None:
    first_needs(scene)
    browser = api_client(scene, role)
    deal = scene.deal.pk
    for path in (f"/deals/{deal}/needs", f"/deals/{deal}/needs/versions", f"/deals/{deal}/needs/versions/1",
                 f"/deals/{deal}/needs/diff?from=1&to=1"):  # fmt: skip
        assert call(browser, "GET", path).status_code == READ[role], path


@pytest.mark.parametrize("role", ROLES)
def test_post_needs_access(scene: Scene, role: str) -> None:
    before = db_state()
    response = call(api_client(scene, role), "POST", f"/deals/{scene.deal.pk}/needs", body())
    assert response.status_code == WRITE[role]
    if response.status_code != 201:
        assert db_state() == before


def test_get_needs_before_any_is_200_with_null(scene: Scene) -> None:
    response = call(bearer_client(scene.world.owner), "GET", f"/deals/{scene.deal.pk}/needs")
    assert response.status_code == 200
    assert response.data == {"deal_id": scene.deal.pk, "current_version": 0, "needs": None}
    assert response["ETag"] == '"0"'


def test_post_then_get_exact_body(scene: Scene) -> None:
    browser = bearer_client(scene.world.owner)
    payload = body(budget_min="500000", budget_max="800000.5", items=[
        {"description": "统一数据平台", "priority": "high"},
        {"description": "移动端报表", "necessity": "nice", "fit": "not_met"},
    ])  # fmt: skip
    created = call(browser, "POST", f"/deals/{scene.deal.pk}/needs", payload)
    assert created.status_code == 201
    assert created["ETag"] == '"1"'
    data = call(browser, "GET", f"/deals/{scene.deal.pk}/needs").data
    needs = data["needs"]
    assert data["current_version"] == 1
    assert {k: needs[k] for k in ("number", "pain", "budget_min", "budget_max", "reason", "fit")} == {
        "number": 1, "pain": "数据分散", "budget_min": "500000.00", "budget_max": "800000.50", "reason": "",
        "fit": {"must_met": 1, "must_total": 1},
    }  # fmt: skip
    assert needs["items"] == [
        {"key": 1, "position": 0, "description": "统一数据平台", "priority": "high", "necessity": "must", "fit": "met"},
        {"key": 2, "position": 1, "description": "移动端报表", "priority": "medium", "necessity": "nice",
         "fit": "not_met"},
    ]  # fmt: skip
    assert needs["author"]["username"] == "owner"


def test_stale_base_is_412_and_if_match_works(scene: Scene) -> None:
    first_needs(scene)
    browser = bearer_client(scene.world.owner)
    stale = call(browser, "POST", f"/deals/{scene.deal.pk}/needs", body(base_version=0, reason="改"))
    assert stale.status_code == 412
    assert stale.data["current_version"] == 1
    headers = {"If-Match": '"1"'}
    ok = call(browser, "POST", f"/deals/{scene.deal.pk}/needs", body(base_version=None, reason="改"), **headers)
    assert ok.status_code == 201
    assert ok.data["number"] == 2


def test_base_version_or_if_match_is_required(scene: Scene) -> None:
    response = call(bearer_client(scene.world.owner), "POST", f"/deals/{scene.deal.pk}/needs", body(base_version=None))
    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["body", "base_version"]


def test_422_paths_walk_into_the_items(scene: Scene) -> None:
    browser = bearer_client(scene.world.owner)
    items = [{"description": "统一数据平台"}, {"description": "移动端报表"}, {"description": "   "}]
    response = call(browser, "POST", f"/deals/{scene.deal.pk}/needs", body(items=items))
    assert response.status_code == 422
    assert [d["loc"] for d in response.data["detail"]] == [["body", "items", 2, "description"]]
    wrong = call(browser, "POST", f"/deals/{scene.deal.pk}/needs", body(items=[{"description": "x", "fit": "great"}]))
    assert wrong.status_code == 422
    assert wrong.data["detail"][0]["loc"][:4] == ["body", "items", 0, "fit"]


def test_reason_required_and_no_change_over_the_api(scene: Scene) -> None:
    first_needs(scene)
    browser = bearer_client(scene.world.owner)
    current = call(browser, "GET", f"/deals/{scene.deal.pk}/needs").data["needs"]
    same = {k: current[k] for k in ("pain", "budget_min", "budget_max", "timeline", "decision_criteria",
                                     "solution_notes")}  # fmt: skip
    same_items = [{k: i[k] for k in ("key", "description", "priority", "necessity", "fit")} for i in current["items"]]
    unchanged = call(browser, "POST", f"/deals/{scene.deal.pk}/needs",
                     {**same, "items": same_items, "base_version": 1, "reason": "无"})  # fmt: skip
    assert unchanged.status_code == 422
    assert unchanged.data["detail"][0]["loc"] == ["body"]
    no_reason = call(browser, "POST", f"/deals/{scene.deal.pk}/needs",
                     {**same, "items": same_items[:1], "base_version": 1})  # fmt: skip
    assert no_reason.status_code == 422
    assert no_reason.data["detail"][0]["loc"] == ["body", "reason"]


def test_versions_list_one_version_and_diff(scene: Scene) -> None:
    first_needs(scene)
    save_needs(scene.world.owner, scene.deal, {"pain": "数据分散在五个系统"}, [item("统一数据平台", 1, fit="partly")],
               reason="预算收紧", base_version=1)  # fmt: skip
    browser = bearer_client(scene.world.manager_north)
    deal = scene.deal.pk
    listed = call(browser, "GET", f"/deals/{deal}/needs/versions").data
    assert [(v["number"], v["reason"]) for v in listed["items"]] == [(2, "预算收紧"), (1, "")]
    assert call(browser, "GET", f"/deals/{deal}/needs/versions/2").data["items"][0]["fit"] == "partly"
    assert call(browser, "GET", f"/deals/{deal}/needs/versions/3").status_code == 404
    diff = call(browser, "GET", f"/deals/{deal}/needs/diff?from=1&to=2").data
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert [(f["field"], f["old"], f["new"]) for f in diff["fields"]] == [
        ("budget", "¥500,000.00 – ¥800,000.00", ""),
        ("timeline", "年底前上线", ""),
    ]
    assert [(r["key"], r["kind"]) for r in diff["requirements"]] == [(1, "changed"), (2, "removed")]
    assert diff["requirements"][0]["changes"][0]["attribute"] == "fit"


def test_versions_list_query_count_does_not_grow(scene: Scene, django_assert_max_num_queries: Any) -> None:
    browser = bearer_client(scene.world.owner)
    for number in range(2):
        save_needs(scene.world.owner, scene.deal, {"pain": f"第{number}版"}, [], reason="调", base_version=number)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        call(browser, "GET", f"/deals/{scene.deal.pk}/needs/versions")
    for number in range(2, 6):
        save_needs(scene.world.owner, scene.deal, {"pain": f"第{number}版"}, [], reason="调", base_version=number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = call(browser, "GET", f"/deals/{scene.deal.pk}/needs/versions")
    assert response.data["count"] == 6
    assert NeedsVersion.objects.count() == 6
