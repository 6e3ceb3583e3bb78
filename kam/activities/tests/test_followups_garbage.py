"""Garbage in the follow-up and visit forms and the API answers 4xx, never 500, and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.activities.actions_followups import create_followup
from kam.activities.actions_visits import plan_visit
from kam.activities.tests.fixtures_followups import Scene, client, db_state, make_scene, media_root  # noqa: F401
from kam.conftest import OrgWorld
from kam.core.tests.api_support import call, session_client

DATES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-45T25:61", "abc", "1" * 400, "-1"]
NUMBERS = ["1e309", "NaN", "Infinity", "-Infinity", "9" * 400, "-181", "abc", "0x10"]


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


@pytest.mark.parametrize("value", DATES)
def test_garbage_times_in_the_forms(scene: Scene, value: str) -> None:
    browser = client(scene.world.owner)
    before = db_state()
    base = {
        "kind": "call",
        "content": "x",
        "occurred_at": "2026-11-20T10:00",
        "contacts": ["abc", "99999999999999999999"],
    }
    for changes in ({"occurred_at": value}, {"next_followup_at": value}, {"kind": "\u2603" * 50}):
        response = browser.post(reverse("followup-create") + f"?customer={scene.customer.pk}", {**base, **changes})
        assert response.status_code == 422
    response = browser.post(reverse("visit-create") + f"?customer={scene.customer.pk}",
                            {"planned_at": value, "planned_minutes": "9" * 30, "purpose": "长" * 1000})  # fmt: skip
    assert response.status_code == 422
    assert db_state() == before


@pytest.mark.parametrize("value", NUMBERS)
def test_garbage_positions(scene: Scene, value: str) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now())
    before = db_state()
    browser = client(scene.world.owner)
    for body in ({"latitude": value, "longitude": "116"}, {"latitude": "39", "longitude": value},
                 {"latitude": "39", "longitude": "116", "accuracy_m": value}):  # fmt: skip
        response = browser.post(reverse("visit-check-in", args=[visit.pk]), body)
        assert response.status_code == 302  # back to the page with the error as a message
    assert db_state() == before
    api = session_client(scene.world.owner)
    for body in ({"latitude": value, "longitude": 116}, {"latitude": 39, "longitude": 116, "accuracy_m": value}):
        assert call(api, "POST", f"/visits/{visit.pk}/check-in", body).status_code == 422
    assert db_state() == before


@pytest.mark.parametrize(
    "query",
    ["?kind=evil&scope=god&date_from=0001-01-01&date_to=9999-12-31&page=abc", "?customer=99999999999999999999",
     "?date_from=2026-02-30&customer=-1&page=99999", "?when=evil&status=evil&scope=evil"],
)  # fmt: skip
def test_garbage_list_filters(scene: Scene, query: str) -> None:
    data: dict[str, Any] = {"kind": "call", "occurred_at": timezone.now() - timedelta(hours=1), "content": "沟通",
                            "feedback": "", "next_step": "", "next_followup_at": None}  # fmt: skip
    create_followup(scene.world.owner, scene.customer, data)
    browser = client(scene.world.manager_north)
    for name in ("followup-list", "visit-list"):
        assert browser.get(reverse(name) + query).status_code in (200, 404)
    api = session_client(scene.world.manager_north)
    for path in ("/followups", "/visits"):
        assert call(api, "GET", path + query.replace("page=", "offset=")).status_code in (200, 404, 422)
    timeline = reverse("customer-timeline", args=[scene.customer.pk])
    for offset in ("-5", "abc", "9" * 50):
        assert browser.get(f"{timeline}?offset={offset}").status_code == 200
