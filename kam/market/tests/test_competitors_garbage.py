"""Garbage input to the competitor pages and API: field errors and 404s, never a 500, nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kam.core.models import AuditEntry
from kam.market.models import Competitor
from kam.market.tests.fixtures_competitors import _english_messages, make_competitor  # noqa: F401

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999999"


def _written() -> tuple[int, int, list[str]]:
    names = list(Competitor.objects.order_by("pk").values_list("name", flat=True))
    return Competitor.objects.count(), AuditEntry.objects.count(), names


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": "   "}, {"name": ["This field is required."]}),
        ({"name": "x" * 101}, {"name": ["Ensure this value has at most 100 characters (it has 101)."]}),
        (
            {"name": "华为", "notes": "x" * 5001},
            {"notes": ["Ensure this value has at most 5000 characters (it has 5001)."]},
        ),
        (
            {"name": "华为", "price_positioning": "cheapest"},
            {"price_positioning": ["Select a valid choice. cheapest is not one of the available choices."]},
        ),
    ],
)
def test_bad_competitor_forms_are_field_errors(
    world: Any, client_for: Any, data: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    existing = make_competitor(world.org, "现有")
    before = _written()
    client = client_for(world.manager_north)
    created = client.post("/competitors/new/", data)
    assert created.status_code == 422
    assert created.context["form"].errors == errors
    edited = client.post(f"/competitors/{existing.pk}/edit/", {"active": "on", **data})
    assert edited.status_code == 422
    assert edited.context["form"].errors == errors
    assert _written() == before


def test_nul_characters_are_refused_before_any_view(world: Any, client_for: Any) -> None:
    client = client_for(world.manager_north)
    assert client.post("/competitors/new/", {"name": "华\x00为"}).status_code == 400
    body = json.dumps({"name": "华\x00为"})
    assert client.post("/api/v1/competitors", data=body, content_type="application/json").status_code == 400
    assert _written() == (0, 0, [])


@pytest.mark.parametrize("pk", ["abc", "-1", "0", HUGE_ID, "1.5"])
def test_garbage_ids_are_404_on_every_page(world: Any, client_for: Any, pk: str) -> None:
    client = client_for(world.admin)
    for url in [f"/competitors/{pk}/", f"/competitors/{pk}/edit/"]:
        assert client.get(url).status_code == 404
    for url in [f"/competitors/{pk}/edit/", f"/competitors/{pk}/active/", f"/competitors/{pk}/delete/"]:
        assert client.post(url, {"name": "x"}).status_code == 404
    api = f"/api/v1/competitors/{pk}"
    assert client.get(api).status_code == 404
    assert client.patch(api, data="{}", content_type="application/json").status_code == 404
    assert client.delete(api).status_code == 404


def test_unreadable_list_filters_are_ignored(world: Any, client_for: Any) -> None:
    make_competitor(world.org, "华为")
    client = client_for(world.owner)
    for query in ["state=zzz", "q=" + "华" * 500, "page=abc", "page=-5", f"page={HUGE_ID}", "state=&q="]:
        response = client.get(f"/competitors/?{query}")
        assert response.status_code == 200
    assert "华为" in client.get("/competitors/?state=zzz").content.decode()


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("state=zzz", ["query", "state"]),
        ("q=" + "x" * 101, ["query", "q"]),
        ("limit=-1", ["query", "limit"]),
        ("offset=-1", ["query", "offset"]),
        (f"offset={HUGE_ID}", ["query", "offset"]),
    ],
)
def test_unreadable_api_filters_are_422(world: Any, client_for: Any, query: str, loc: list[str]) -> None:
    response = client_for(world.owner).get(f"/api/v1/competitors?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": 123}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 10000}, "name"),
        ({"name": "华为", "price_positioning": "cheapest"}, "price_positioning"),
        ({"name": "华为", "strengths": ["a"]}, "strengths"),
        ({"name": "华为", "tactics": "x" * 5001}, "tactics"),
    ],
)
def test_bad_api_bodies_are_422_with_the_field(world: Any, client_for: Any, body: dict[str, Any], field: str) -> None:
    existing = make_competitor(world.org, "现有")
    before = _written()
    client = client_for(world.director)
    created = client.post("/api/v1/competitors", data=json.dumps(body), content_type="application/json")
    assert created.status_code == 422
    assert created.json()["detail"][0]["loc"] == ["body", field]
    if body:
        patched = client.patch(
            f"/api/v1/competitors/{existing.pk}", data=json.dumps(body), content_type="application/json"
        )
        assert patched.status_code == 422
        assert patched.json()["detail"][0]["loc"] == ["body", field]
    assert _written() == before


@pytest.mark.parametrize("body", [{"name": None}, {"active": None}, {"active": "maybe"}, {"active": [1]}])
def test_bad_patches_are_422(world: Any, client_for: Any, body: dict[str, Any]) -> None:
    existing = make_competitor(world.org, "现有")
    before = _written()
    response = client_for(world.director).patch(
        f"/api/v1/competitors/{existing.pk}", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", next(iter(body))]
    assert _written() == before


def test_a_body_that_is_not_json_is_refused(world: Any, client_for: Any) -> None:
    client = client_for(world.director)
    response = client.post("/api/v1/competitors", data="{name: 华为", content_type="application/json")
    assert response.status_code in (400, 422)
    assert (
        response.status_code
        == client.post("/api/v1/competitors", data="[1, 2", content_type="application/json").status_code
    )
    assert _written() == (0, 0, [])
