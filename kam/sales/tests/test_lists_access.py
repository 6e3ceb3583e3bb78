"""Access matrix of every page and endpoint of the deal lists, board, saved views and deal team:
anonymous, another organization, a same-org stranger, a read-only deal-team member, the owner and
the manager above. Refusals change nothing; lists never show what the viewer could not open."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.tests.api_support import call, rolled_back
from kam.sales.actions_views import save_view
from kam.sales.models import OpportunityMember
from kam.sales.setup import ensure_default_pipeline
from kam.sales.tests.fixtures_deals import deals_state
from kam.sales.tests.lists_scene import Scene, english_client, make_scene

PARTS = ("outsider", "stranger", "collaborator", "owner", "manager")


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    # The board creates a bare organization's default pipeline on first use; the outsider's is made
    # here so that the snapshots compare deals only.
    ensure_default_pipeline(world.outsider.organization)
    return make_scene(world)


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(PARTS, code)


DEAL_SEEN = {"outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}
TEAM_WRITE = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 302, "manager": 302}
VIEW_OWNER_ONLY = {"outsider": 404, "stranger": 404, "collaborator": 404, "owner": 302, "manager": 404}


def _steel(scene: Scene) -> list[int]:
    return [scene.steel.pk]


def _collab_row(scene: Scene) -> list[int]:
    return [scene.steel.pk, OpportunityMember.objects.get(opportunity=scene.steel, user=scene.world.collaborator).pk]


def _owner_view(scene: Scene) -> list[int]:
    return [save_view(scene.world.owner, "我的", "status=won").pk]


PAGES: list[tuple[str, Callable[[Scene], list[int]], dict[str, int]]] = [
    ("deal-list", lambda s: [], everyone(200)),
    ("deal-board", lambda s: [], everyone(200)),
    ("deal-team", _steel, DEAL_SEEN),
]


@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_access_matrix(
    scene: Scene, name: str, args: Callable[[Scene], list[int]], expected: dict[str, int]
) -> None:
    url = reverse(name, args=args(scene))
    before = deals_state()
    assert_login_redirect(english_client(None).get(url))
    got = {part: english_client(scene.user(part)).get(url).status_code for part in PARTS}
    assert got == expected
    assert deals_state() == before


def test_lists_and_board_show_only_deals_the_viewer_may_open(scene: Scene) -> None:
    visible = {
        "outsider": set(),
        "stranger": {"海尔仓储系统"},
        "collaborator": {"宝钢冷轧线改造"},
        "owner": {"宝钢冷轧线改造", "华能集控平台"},
        "manager": {"宝钢冷轧线改造", "华能集控平台"},
    }
    every = {"宝钢冷轧线改造", "华能集控平台", "海尔仓储系统", "宝钢备件"}
    for part, names in visible.items():
        client = english_client(scene.user(part))
        for url in ("/deals/?status=open", "/deals/board/"):
            html = client.get(url).content.decode()
            assert {n for n in every if n in html} == names, (part, url)
        api = {row["name"] for row in client.get("/api/v1/deals").json()["items"]}
        assert api == names, part


POSTS: list[tuple[str, Callable[[Scene], list[int]], dict[str, str], dict[str, int]]] = [
    ("deal-team", _steel, {"user": "", "role": "sales", "access": "read", "split_percent": "0"}, TEAM_WRITE),
    ("deal-team", _steel, {"splits": "1", "split_OWNER": "100", "split_COLLAB": "0"}, TEAM_WRITE),
    ("deal-team-remove", _collab_row, {}, TEAM_WRITE),
    ("deal-view-delete", _owner_view, {}, VIEW_OWNER_ONLY),
    ("deal-view-save", lambda s: [], {"name": "视图", "params": "status=won"}, everyone(302)),
]


def _filled(scene: Scene, data: dict[str, str]) -> dict[str, str]:
    w = scene.world
    keys = {"split_OWNER": f"split_{w.owner.pk}", "split_COLLAB": f"split_{w.collaborator.pk}"}
    filled = {keys.get(k, k): v for k, v in data.items()}
    if filled.get("user") == "":
        filled["user"] = str(w.teammate.pk)
    return filled


@pytest.mark.parametrize(("name", "args", "data", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_access_matrix_and_refusals_change_nothing(
    scene: Scene, name: str, args: Callable[[Scene], list[int]], data: dict[str, str], expected: dict[str, int]
) -> None:
    url = reverse(name, args=args(scene))
    data = _filled(scene, data)
    before = deals_state()
    assert_login_redirect(english_client(None).post(url, data))
    assert deals_state() == before
    got = {}
    for part in PARTS:
        client = english_client(scene.user(part))
        response = rolled_back(partial(client.post, url, data))
        got[part] = response.status_code
        if response.status_code >= 400:
            assert deals_state() == before, f"{part} was refused ({response.status_code}) but data changed"
    assert got == expected


def _api(scene: Scene, part: str) -> Client:
    return english_client(scene.user(part))


API_READ = {"outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}
API_TEAM_WRITE = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 200, "manager": 200}
API_TEAM_DELETE = {**API_TEAM_WRITE, "owner": 204, "manager": 204}
API_VIEW_DELETE = {"outsider": 404, "stranger": 404, "collaborator": 404, "owner": 204, "manager": 404}

ENDPOINTS: list[tuple[str, str, Callable[[Scene], Any], dict[str, int]]] = [
    ("GET", "/deals", lambda s: None, everyone(200)),
    ("GET", "/deals/board", lambda s: None, everyone(200)),
    ("GET", "/deals/views", lambda s: None, everyone(200)),
    ("POST", "/deals/views", lambda s: {"name": "视图", "params": "status=won"}, everyone(201)),
    ("GET", "/deals/{steel}/team", lambda s: None, API_READ),
    ("PUT", "/deals/{steel}/team/{teammate}", lambda s: {"role": "sales", "access": "read"}, API_TEAM_WRITE),
    (
        "PUT",
        "/deals/{steel}/team/splits",
        lambda s: {"splits": [{"user_id": s.world.owner.pk, "split_percent": "100"}]},
        API_TEAM_WRITE,
    ),
    ("DELETE", "/deals/{steel}/team/{collaborator}", lambda s: None, API_TEAM_DELETE),
    ("DELETE", "/deals/views/{view}", lambda s: None, API_VIEW_DELETE),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_api_access_matrix_and_refusals_change_nothing(
    scene: Scene, method: str, path: str, body: Callable[[Scene], Any], expected: dict[str, int]
) -> None:
    view = save_view(scene.world.owner, "我的", "status=won")
    w = scene.world
    url = path.format(steel=scene.steel.pk, teammate=w.teammate.pk, collaborator=w.collaborator.pk, view=view.pk)
    before = deals_state()
    assert call(english_client(None), method, url, body(scene)).status_code == 401
    got = {}
    for part in PARTS:
        response = rolled_back(partial(call, _api(scene, part), method, url, body(scene)))
        got[part] = response.status_code
        if response.status_code >= 400:
            assert deals_state() == before, f"{part} was refused ({response.status_code}) but data changed"
    assert got == expected
