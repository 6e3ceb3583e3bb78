"""Garbage input to a deal's competitor pages and API: field errors and 404s, never a 500, nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kam.core.models import AuditEntry
from kam.market.tests.fixtures_competitors import _english_messages, add_to_deal, make_competitor  # noqa: F401
from kam.sales.models import DealCompetitor
from kam.sales.tests.fixtures_deals import make_customer, make_deal

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999999"


class Scene:
    def __init__(self, world: Any) -> None:
        customer = make_customer(world.owner, "北京地铁")
        self.deal = make_deal(world.owner, customer)
        self.other_deal = make_deal(world.owner, customer, name="二期")
        self.rival = make_competitor(world.org, "华为")
        self.spare = make_competitor(world.org, "思科")
        self.row = add_to_deal(self.deal, self.rival)
        self.other_row = add_to_deal(self.other_deal, self.rival)


@pytest.fixture
def scene(world: Any) -> Scene:
    return Scene(world)


def _written() -> Any:
    return list(DealCompetitor.objects.order_by("pk").values_list("status", "notes")), AuditEntry.objects.count()


@pytest.mark.parametrize(
    "url",
    [
        "/deals/abc/competitors/new/",
        f"/deals/{HUGE_ID}/competitors/new/",
        "/deals/0/competitors/new/",
        "/deals/{deal}/competitors/abc/",
        "/deals/{deal}/competitors/" + HUGE_ID + "/",
        "/deals/{deal}/competitors/{other_row}/",
        "/deals/{deal}/competitors/{other_row}/delete/",
        "/deals/" + HUGE_ID + "/competitors/{row}/delete/",
    ],
)
def test_garbage_or_foreign_ids_are_404(scene: Scene, world: Any, client_for: Any, url: str) -> None:
    url = url.format(deal=scene.deal.pk, row=scene.row.pk, other_row=scene.other_row.pk)
    before = _written()
    client = client_for(world.owner)
    if not url.endswith("/delete/"):
        assert client.get(url).status_code == 404
    assert client.post(url, {"competitor": scene.spare.pk, "status": "won"}).status_code == 404
    assert _written() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "shortlisted"}, "competitor"),
        ({"competitor": "abc", "status": "shortlisted"}, "competitor"),
        ({"competitor": HUGE_ID, "status": "shortlisted"}, "competitor"),
        ({"competitor": "-3", "status": "shortlisted"}, "competitor"),
        ({"competitor": "{spare}", "status": "winner"}, "status"),
        ({"competitor": "{spare}"}, "status"),
        ({"competitor": "{spare}", "status": "won", "notes": "x" * 2001}, "notes"),
    ],
)
def test_bad_add_forms_are_field_errors(
    scene: Scene, world: Any, client_for: Any, data: dict[str, str], field: str
) -> None:
    data = {key: value.format(spare=scene.spare.pk) for key, value in data.items()}
    before = _written()
    response = client_for(world.owner).post(f"/deals/{scene.deal.pk}/competitors/new/", data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert _written() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "status"), ({"status": "gone"}, "status"), ({"status": "won", "notes": "x" * 2001}, "notes")],
)
def test_bad_edit_forms_are_field_errors(
    scene: Scene, world: Any, client_for: Any, data: dict[str, str], field: str
) -> None:
    before = _written()
    response = client_for(world.owner).post(f"/deals/{scene.deal.pk}/competitors/{scene.row.pk}/", data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert _written() == before


def test_nul_characters_are_refused(scene: Scene, world: Any, client_for: Any) -> None:
    before = _written()
    client = client_for(world.owner)
    url = f"/deals/{scene.deal.pk}/competitors/{scene.row.pk}/"
    assert client.post(url, {"status": "won", "notes": "a\x00b"}).status_code == 400
    api = f"/api/v1/deals/{scene.deal.pk}/competitors/{scene.row.pk}"
    body = json.dumps({"notes": "a\x00b"})
    assert client.patch(api, data=body, content_type="application/json").status_code == 400
    assert _written() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "competitor_id"),
        ({"competitor_id": "x"}, "competitor_id"),
        ({"competitor_id": 0}, "competitor_id"),
        ({"competitor_id": 2**63}, "competitor_id"),
        ({"competitor_id": 2**63 - 1}, "competitor_id"),
        ({"competitor_id": "{spare}", "status": "winner"}, "status"),
        ({"competitor_id": "{spare}", "status": None}, "status"),
        ({"competitor_id": "{spare}", "notes": 5}, "notes"),
        ({"competitor_id": "{spare}", "notes": "x" * 2001}, "notes"),
    ],
)
def test_bad_api_bodies_are_422_with_the_field(
    scene: Scene, world: Any, client_for: Any, body: dict[str, Any], field: str
) -> None:
    body = {key: scene.spare.pk if value == "{spare}" else value for key, value in body.items()}
    before = _written()
    response = client_for(world.owner).post(
        f"/api/v1/deals/{scene.deal.pk}/competitors", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert _written() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": None}, "status"),
        ({"status": "gone"}, "status"),
        ({"status": 3}, "status"),
        ({"notes": "x" * 2001}, "notes"),
        ({"notes": ["a"]}, "notes"),
    ],
)
def test_bad_api_patches_are_422_with_the_field(
    scene: Scene, world: Any, client_for: Any, body: dict[str, Any], field: str
) -> None:
    before = _written()
    response = client_for(world.owner).patch(
        f"/api/v1/deals/{scene.deal.pk}/competitors/{scene.row.pk}",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert _written() == before


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/deals/{HUGE_ID}/competitors",
        "/api/v1/deals/abc/competitors",
        "/api/v1/deals/{deal}/competitors/" + HUGE_ID,
        "/api/v1/deals/{deal}/competitors/{other_row}",
    ],
)
def test_garbage_or_foreign_ids_are_404_over_the_api(scene: Scene, world: Any, client_for: Any, url: str) -> None:
    url = url.format(deal=scene.deal.pk, other_row=scene.other_row.pk)
    before = _written()
    client = client_for(world.owner)
    if url.endswith("/competitors"):
        assert client.get(url).status_code == 404
        body = json.dumps({"competitor_id": scene.spare.pk})
        assert client.post(url, data=body, content_type="application/json").status_code == 404
    else:
        assert client.patch(url, data='{"status": "won"}', content_type="application/json").status_code == 404
        assert client.delete(url).status_code == 404
    assert _written() == before
