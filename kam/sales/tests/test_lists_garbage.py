"""Bad input never answers 500: filters that do not parse are ignored and reported on the page (422 on
the API), garbage ids are 404, and team and saved-view forms show field errors."""

from __future__ import annotations

import pytest

from kam.conftest import OrgWorld
from kam.core.tests.api_support import call
from kam.sales.models import SavedView
from kam.sales.tests.fixtures_deals import deals_state
from kam.sales.tests.lists_scene import Scene, english_client, htmx_client, make_scene

BAD_FILTERS = [
    {"owner": "abc"},
    {"owner": "99999999999999999999999"},
    {"team": "-1"},
    {"stage": "1.5"},
    {"business_line": "NaN"},
    {"status": "deleted"},
    {"forecast_category": "<script>"},
    {"close_from": "2026-02-30"},
    {"close_to": "9999-99-99"},
    {"close_from": "1900-01-01"},
    {"amount_min": "-5"},
    {"amount_max": "1e999"},
    {"amount_min": "NaN"},
    {"amount_max": "12345678901234567890"},
    {"customer": "0"},
    {"sort": "'; DROP TABLE"},
    {"page": "-3"},
    {"page": "abc"},
    {"q": "x" * 5000},
]


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


@pytest.mark.parametrize("params", BAD_FILTERS, ids=[next(iter(p)) + str(i) for i, p in enumerate(BAD_FILTERS)])
def test_bad_filters_are_ignored_on_the_pages(scene: Scene, params: dict[str, str]) -> None:
    client = english_client(scene.world.owner)
    for url in ("/deals/", "/deals/board/"):
        response = client.get(url, params)
        assert response.status_code == 200, url


def test_a_bad_filter_is_reported_and_the_rest_still_apply(scene: Scene) -> None:
    html = htmx_client(scene.world.owner).get("/deals/", {"close_from": "2026-02-30", "q": "冷轧"}).content.decode()
    assert "Some filters were not understood and were ignored:" in html
    assert "Closing from: Enter a valid date." in html
    assert html.count('id="deal-row-') == 1


@pytest.mark.parametrize(
    "query",
    [
        "close_from=2026-02-30",
        "amount_min=-5",
        "amount_max=1e999",
        "owner=abc",
        "owner=0",
        "team=99999999999999999999999",
        "status=deleted",
        "sort=evil",
        "page=0",
        "page_size=10000",
        "forecast_category=x",
        "q=" + "x" * 101,
    ],
)
def test_bad_filters_are_422_on_the_api(scene: Scene, query: str) -> None:
    response = call(english_client(scene.world.owner), "GET", f"/deals?{query}")
    assert response.status_code == 422
    board = call(english_client(scene.world.owner), "GET", f"/deals/board?{query}")
    assert board.status_code in (200, 422)  # page_size and page are not board parameters


def test_nul_bytes_are_refused_before_any_view(scene: Scene) -> None:
    # kam.core.middleware.RejectNulMiddleware answers 400 for any NUL in a parameter or JSON body.
    client = english_client(scene.world.owner)
    assert call(client, "GET", "/deals?q=a%00b").status_code == 400
    assert client.get("/deals/", {"q": "宝钢\x00"}).status_code == 400
    assert client.post("/deals/views/new/", {"name": "视图\x00"}).status_code == 400
    assert call(client, "POST", "/deals/views", {"name": "视图\x00"}).status_code == 400
    assert not SavedView.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"user": "abc", "role": "sales", "access": "read", "split_percent": "0"},
        {"user": "99999999999999999999", "role": "sales", "access": "read", "split_percent": "0"},
        {"user": "USER", "role": "boss", "access": "read", "split_percent": "0"},
        {"user": "USER", "role": "sales", "access": "root", "split_percent": "0"},
        {"user": "USER", "role": "sales", "access": "read", "split_percent": "NaN"},
        {"user": "USER", "role": "sales", "access": "read", "split_percent": "-1"},
        {"user": "USER", "role": "sales", "access": "read", "split_percent": "100.001"},
        {"user": "OUTSIDER", "role": "sales", "access": "read", "split_percent": "0"},
        {"splits": "1", "split_OWNER": "abc"},
        {"splits": "1", "split_OWNER": "1e5"},
        {},
    ],
)
def test_team_form_garbage_is_a_field_error(scene: Scene, data: dict[str, str]) -> None:
    w = scene.world
    swap = {"USER": str(w.teammate.pk), "OUTSIDER": str(w.outsider.pk)}
    posted = {(f"split_{w.owner.pk}" if k == "split_OWNER" else k): swap.get(v, v) for k, v in data.items()}
    before = deals_state()
    response = htmx_client(w.owner).post(f"/deals/{scene.steel.pk}/team/", posted)
    assert response.status_code == 422
    assert deals_state() == before


@pytest.mark.parametrize("url", ["/deals/abc/team/", "/deals/99999999999999999999/team/", "/deals/0/team/"])
def test_garbage_deal_ids_are_not_found(scene: Scene, url: str) -> None:
    assert english_client(scene.world.owner).get(url).status_code == 404


def test_garbage_member_and_view_ids_are_not_found(scene: Scene) -> None:
    client = english_client(scene.world.owner)
    assert client.post(f"/deals/{scene.steel.pk}/team/99999999999999999999/remove/").status_code == 404
    assert client.post("/deals/views/99999999999999999999/delete/").status_code == 404
    assert call(client, "DELETE", "/deals/views/99999999999999999999").status_code in (404, 422)
    assert call(client, "GET", "/deals/99999999999999999999/team").status_code in (404, 422)
    assert call(client, "PUT", f"/deals/{scene.steel.pk}/team/99999999999999999999", {}).status_code in (404, 422)


@pytest.mark.parametrize(
    "body",
    [
        {"role": "boss"},
        {"access": "root"},
        {"split_percent": "NaN"},
        {"split_percent": 150},
        {"split_percent": "0.001"},
        {"role": 5},
    ],
)
def test_team_api_garbage_is_422(scene: Scene, body: object) -> None:
    before = deals_state()
    response = call(
        english_client(scene.world.owner), "PUT", f"/deals/{scene.steel.pk}/team/{scene.world.teammate.pk}", body
    )
    assert response.status_code == 422
    assert deals_state() == before


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x" * 51, "params": ""},
        {"name": "好", "params": "x" * 5000},
        {"name": "好", "params": "q=%00&status=%ZZ"},
    ],
)
def test_saved_view_garbage_never_fails(world: OrgWorld, data: dict[str, str]) -> None:
    response = english_client(world.owner).post("/deals/views/new/", data)
    assert response.status_code == 302
    assert all(len(v.params) <= 500 for v in SavedView.objects.all())


def test_saved_view_api_garbage_is_422(world: OrgWorld) -> None:
    client = english_client(world.owner)
    assert call(client, "POST", "/deals/views", {"name": "x" * 51}).status_code == 422
    assert call(client, "POST", "/deals/views", {"name": 5, "params": []}).status_code == 422
    assert not SavedView.objects.exists()
