"""GET /api/v1/briefing: the sections as JSON, with the same access rules as the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kam.conftest import OrgWorld
from kam.core.tests.api_support import bearer_client, call
from kam.planning.tests.fixtures_briefing import MONDAY, _fast_hasher, _fresh_workcal, make_scene  # noqa: F401

PEOPLE = [
    "outsider",
    "stranger",
    "collaborator",
    "owner",
    "teammate",
    "manager_north",
    "manager_east",
    "director",
    "admin",
]
NORTH_TEAM = {"manager_north": 200, "director": 200, "admin": 200}


def test_briefing_api_returns_the_sections_as_tables(world: OrgWorld) -> None:
    scene = make_scene(world)
    response = call(
        bearer_client(world.manager_north), "GET", f"/briefing?date={MONDAY.isoformat()}", **{"Accept-Language": "en"}
    )
    assert response.status_code == 200
    data = response.data
    assert data["date"] == "2026-11-16"
    assert data["since"] == "2026-11-13T00:00:00+08:00"
    assert data["until"] == "2026-11-16T00:00:00+08:00"
    assert data["team"] is None
    assert data["member_ids"] == sorted([world.owner.pk, world.teammate.pk, world.manager_north.pk])
    sections = {section["key"]: section for section in data["sections"]}
    feedback = sections["feedback"]
    assert feedback == {
        "key": "feedback",
        "title": "Customer feedback",
        "count": 1,
        "columns": ["Customer", "Feedback", "Rep", "Time"],
        "rows": [["北京远航物流有限公司", "价格偏高，希望九折", "owner", "11-13 15:30"]],
        "links": [feedback["links"][0]],
        "highlight": [False],
    }
    assert sections["returning"]["links"] == [f"/customers/{scene.far.pk}/"]
    assert [s["key"] for s in data["sections"]][:2] == ["visits", "key_followups"]


def test_briefing_api_narrowed_to_a_team(world: OrgWorld) -> None:
    make_scene(world)
    response = call(bearer_client(world.director), "GET", f"/briefing?date=2026-11-16&team={world.east.pk}")
    assert response.status_code == 200
    assert response.data["team"] == {"id": world.east.pk, "name": "华东大区"}
    assert response.data["member_ids"] == sorted([world.stranger.pk, world.manager_east.pk, world.collaborator.pk])


def test_briefing_api_access_matrix(world: OrgWorld) -> None:
    make_scene(world)
    assert call(Client(), "GET", "/briefing").status_code == 401
    assert call(Client(), "GET", f"/briefing?team={world.north.pk}").status_code == 401
    for person in PEOPLE:
        client = bearer_client(getattr(world, person))
        own = call(client, "GET", f"/briefing?date={MONDAY.isoformat()}")
        assert own.status_code == 200, person
        team = call(
            client, "GET", f"/briefing?date={MONDAY.isoformat()}&team={world.north.pk}", **{"Accept-Language": "en"}
        )
        assert team.status_code == NORTH_TEAM.get(person, 404), person
        if team.status_code == 404:
            assert team.data == {"detail": "Not found"}


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("date=2026-02-30", ["query", "date"]),
        ("date=1999-12-31", ["query", "date"]),
        ("date=10000-01-01", ["query", "date"]),
        ("team=0", ["query", "team"]),
        ("team=99999999999999999999999", ["query", "team"]),
        ("team=abc", ["query", "team"]),
    ],
)
def test_briefing_api_bad_query_is_422(world: OrgWorld, query: str, loc: list[str]) -> None:
    response = call(bearer_client(world.manager_north), "GET", f"/briefing?{query}")
    assert response.status_code == 422
    assert [item["loc"] for item in response.data["detail"]] == [loc]


def test_briefing_api_queries_do_not_grow_with_rows(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    from kam.planning.tests.test_briefing_pages import _grow

    make_scene(world)
    client = bearer_client(world.manager_north)
    call(client, "GET", f"/briefing?date={MONDAY.isoformat()}")
    with CaptureQueriesContext(connection) as few:
        call(client, "GET", f"/briefing?date={MONDAY.isoformat()}")
    _grow(world, 20)
    with django_assert_max_num_queries(len(few)):
        response = call(client, "GET", f"/briefing?date={MONDAY.isoformat()}")
    assert {s["key"]: s["count"] for s in response.data["sections"]}["feedback"] == 21
