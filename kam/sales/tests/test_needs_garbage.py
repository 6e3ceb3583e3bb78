"""Garbage input to the needs pages and API: field errors or 404, never a 500, nothing saved."""

from __future__ import annotations

from typing import Any

import pytest

from kam.conftest import OrgWorld
from kam.core.tests.api_support import bearer_client, call
from kam.sales.models import NeedsVersion
from kam.sales.tests.fixtures_needs import Scene, client, db_state, first_needs, make_scene

HUGE = 2**70


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


@pytest.mark.parametrize(
    "fields",
    [
        {"budget_min": "abc"},
        {"budget_min": "-5"},
        {"budget_max": "1e30"},
        {"budget_min": "NaN"},
        {"budget_min": "900", "budget_max": "100"},
        {"pain": "痛" * 6000},
        {"base_version": "x"},
        {"base_version": str(HUGE)},
        {"item-0-description": "需" * 600},
        {"item-0-priority": "urgent"},
        {"item-0-key": "abc"},
        {"item-0-key": str(HUGE)},
        {"item-0-key": "77"},
    ],
)
def test_web_garbage_is_a_field_error(scene: Scene, fields: dict[str, Any]) -> None:
    data = {"base_version": "0", "pain": "数据分散", "item-0-description": "统一数据平台", "item-0-priority": "high",
            "item-0-necessity": "must", "item-0-fit": "met", **fields}  # fmt: skip
    before = db_state()
    response = client(scene.world.owner).post(f"/deals/{scene.deal.pk}/needs/", data)
    assert response.status_code == 422
    assert db_state() == before


def test_web_row_numbers_past_the_limit_are_ignored(scene: Scene) -> None:
    data = {"base_version": "0", "pain": "数据分散", "item-99999-description": "伪造",
            "item-1-description": "统一数据平台", "item-1-priority": "high", "item-1-necessity": "must",
            "item-1-fit": "met"}  # fmt: skip
    assert client(scene.world.owner).post(f"/deals/{scene.deal.pk}/needs/", data).status_code == 302
    assert [i.description for i in NeedsVersion.objects.get().items.all()] == ["统一数据平台"]


@pytest.mark.parametrize("path", ["/deals/{huge}/needs/", "/deals/{huge}/needs/history/", "/deals/0/needs/",
                                  "/deals/{deal}/needs/row/?index=abc", "/deals/{deal}/needs/row/?index=999999",
                                  "/deals/{deal}/needs/row/?index=-1"])  # fmt: skip
def test_web_garbage_ids_are_404(scene: Scene, path: str) -> None:
    url = path.format(huge=HUGE, deal=scene.deal.pk)
    assert client(scene.world.owner).get(url).status_code == 404


def test_web_history_with_garbage_paging_is_the_first_page(scene: Scene) -> None:
    first_needs(scene)
    for before in ("abc", "-3", str(HUGE), "0"):
        response = client(scene.world.owner).get(f"/deals/{scene.deal.pk}/needs/history/?before={before}")
        assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"items": "not a list"},
        {"items": [{"description": "x", "key": "abc"}]},
        {"items": [{"description": "x", "key": HUGE}]},
        {"items": [{"description": "x", "priority": 5}]},
        {"items": [{"description": "需" * 600}]},
        {"items": [{"description": "x"}] * 51},
        {"items": [{}]},
        {"budget_min": -1},
        {"budget_min": "1e30"},
        {"budget_min": "1.234"},
        {"budget_min": True},
        {"budget_min": 900, "budget_max": 100},
        {"pain": "痛" * 6000},
        {"base_version": -1},
        {"base_version": HUGE},
        {"reason": "因" * 400},
    ],
)
def test_api_garbage_is_422(scene: Scene, body: dict[str, Any]) -> None:
    before = db_state()
    payload = {"base_version": 0, "pain": "数据分散", "items": [{"description": "统一数据平台"}], **body}
    response = call(bearer_client(scene.world.owner), "POST", f"/deals/{scene.deal.pk}/needs", payload)
    assert response.status_code == 422, response.data
    assert db_state() == before


def test_nul_bytes_are_a_bad_request(scene: Scene) -> None:
    """The project's middleware answers 400 to NUL bytes anywhere in a request; nothing is saved."""
    before = db_state()
    payload = {"base_version": 0, "pain": "数据\x00分散", "items": [{"description": "统一\x00平台"}]}
    response = call(bearer_client(scene.world.owner), "POST", f"/deals/{scene.deal.pk}/needs", payload)
    assert response.status_code == 400
    web = {"base_version": "0", "timeline": "x\x00y", "item-0-description": "a\x00b"}
    assert client(scene.world.owner).post(f"/deals/{scene.deal.pk}/needs/", web).status_code == 400
    assert db_state() == before


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/deals/{huge}/needs", 404),
        ("/deals/999999/needs", 404),
        ("/deals/{deal}/needs/versions/abc", 404),
        ("/deals/{deal}/needs/versions/0", 404),
        ("/deals/{deal}/needs/versions/{huge}", 404),
        ("/deals/{deal}/needs/diff?from=abc&to=1", 422),
        ("/deals/{deal}/needs/diff?from=0&to=1", 422),
        ("/deals/{deal}/needs/diff?from=1", 422),
        ("/deals/{deal}/needs/diff?from=1&to=7", 404),
        ("/deals/{deal}/needs/versions?offset=-1", 422),
    ],
)
def test_api_garbage_paths(scene: Scene, path: str, status: int) -> None:
    first_needs(scene)
    url = path.format(huge=HUGE, deal=scene.deal.pk)
    assert call(bearer_client(scene.world.owner), "GET", url).status_code == status
