"""Garbage input to the price pages and API: field errors, ignored filters and 404s, never a 500, nothing written."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from kam.core.models import AuditEntry
from kam.market.models import PriceIntel
from kam.market.tests.fixtures_competitors import _english_messages, make_competitor, make_price  # noqa: F401

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999999"


def _written() -> tuple[int, int]:
    return PriceIntel.objects.count(), AuditEntry.objects.count()


def _form(rival: Any, **overrides: Any) -> dict[str, Any]:
    data = {"competitor": rival.pk, "product": "交换机", "price": "100", "observed_on": "2025-01-01"}
    data["confidence"] = "medium"
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "abc"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "Infinity"}, "price"),
        ({"price": "1e400"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"price": "1" * 20}, "price"),
        ({"price": ""}, "price"),
        ({"observed_on": "2026-02-30"}, "observed_on"),
        ({"observed_on": "1999-12-31"}, "observed_on"),
        ({"observed_on": "yesterday"}, "observed_on"),
        ({"competitor": "abc"}, "competitor"),
        ({"competitor": HUGE_ID}, "competitor"),
        ({"competitor": "-1"}, "competitor"),
        ({"customer": "abc"}, "customer"),
        ({"customer": HUGE_ID}, "customer"),
        ({"confidence": "certain"}, "confidence"),
        ({"product": "   "}, "product"),
        ({"product": "x" * 101}, "product"),
        ({"unit": "x" * 21}, "unit"),
        ({"source": "x" * 201}, "source"),
        ({"notes": "x" * 5001}, "notes"),
    ],
)
def test_bad_price_forms_are_field_errors(world: Any, client_for: Any, overrides: dict[str, Any], field: str) -> None:
    rival = make_competitor(world.org, "华为")
    response = client_for(world.owner).post("/competitors/prices/new/", _form(rival, **overrides))
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert _written() == (0, 0)


def test_an_empty_post_is_a_set_of_field_errors(world: Any, client_for: Any) -> None:
    response = client_for(world.owner).post("/competitors/prices/new/", {})
    assert response.status_code == 422
    assert sorted(response.context["form"].errors) == ["competitor", "confidence", "observed_on", "price", "product"]
    assert _written() == (0, 0)


def _api(competitor: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"competitor_id": competitor.pk, "product": "交换机", "price": "100"}
    body["observed_on"] = "2025-01-01"
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "abc"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"price": "1" * 20}, "price"),
        ({"price": [1]}, "price"),
        ({"price": None}, "price"),
        ({"observed_on": "2026-02-30"}, "observed_on"),
        ({"observed_on": "1999-12-31"}, "observed_on"),
        ({"observed_on": 20250101}, "observed_on"),
        ({"competitor_id": "x"}, "competitor_id"),
        ({"competitor_id": 0}, "competitor_id"),
        ({"competitor_id": 2**63}, "competitor_id"),
        ({"competitor_id": 2**63 - 1}, "competitor_id"),
        ({"customer_id": -1}, "customer_id"),
        ({"customer_id": 2**63 - 1}, "customer_id"),
        ({"confidence": "certain"}, "confidence"),
        ({"product": ""}, "product"),
        ({"product": "x" * 5000}, "product"),
        ({"unit": {"a": 1}}, "unit"),
    ],
)
def test_bad_price_bodies_are_422_with_the_field(
    world: Any, client_for: Any, overrides: dict[str, Any], field: str
) -> None:
    rival = make_competitor(world.org, "华为")
    response = client_for(world.owner).post(
        "/api/v1/price-intel", data=json.dumps(_api(rival, **overrides)), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert _written() == (0, 0)


def test_a_float_infinity_price_is_422(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    body = json.dumps(_api(rival)).replace('"price": "100"', '"price": 1e400')
    response = client_for(world.owner).post("/api/v1/price-intel", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "price"]
    assert _written() == (0, 0)


@pytest.mark.parametrize(
    "query",
    [
        "competitor=abc",
        f"competitor={HUGE_ID}",
        "date_from=2026-02-30",
        "date_to=1800-01-01",
        "confidence=certain",
        "industry=ZZZZZ",
        "product=" + "x" * 500,
        "page=abc",
        f"page={HUGE_ID}",
    ],
)
def test_unreadable_price_filters_are_ignored_and_said_so(world: Any, client_for: Any, query: str) -> None:
    rival = make_competitor(world.org, "华为")
    price = make_price(world.owner, rival, "交换机", "100", date(2025, 1, 1))
    response = client_for(world.owner).get(f"/competitors/prices/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="price-row-{price.pk}"' in html
    if not query.startswith("page="):
        assert "Some filters were not understood and were ignored:" in html


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("competitor=abc", ["query", "competitor"]),
        ("competitor=0", ["query", "competitor"]),
        ("date_from=2026-02-30", ["query", "date_from"]),
        ("date_to=1800-01-01", ["query", "date_to"]),
        ("confidence=certain", ["query", "confidence"]),
        ("industry=ZZZZZ", ["query", "industry"]),
        ("product=" + "x" * 101, ["query", "product"]),
        ("limit=0", ["query", "limit"]),
    ],
)
def test_unreadable_price_api_filters_are_422(world: Any, client_for: Any, query: str, loc: list[str]) -> None:
    response = client_for(world.owner).get(f"/api/v1/price-intel?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("product=x", ["query", "competitor"]),
        ("competitor=abc&product=x", ["query", "competitor"]),
        ("competitor=1", ["query", "product"]),
        ("competitor=1&product=" + "x" * 101, ["query", "product"]),
    ],
)
def test_unreadable_history_queries_are_422(world: Any, client_for: Any, query: str, loc: list[str]) -> None:
    response = client_for(world.owner).get(f"/api/v1/price-intel/history?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_a_missing_competitor_in_history_is_404(world: Any, client_for: Any) -> None:
    client = client_for(world.owner)
    assert client.get(f"/api/v1/price-intel/history?competitor={2**63 - 1}&product=x").status_code == 404
    assert client.get("/competitors/prices/history/?product=x").status_code == 404
    assert client.get("/competitors/prices/history/?competitor=" + "9" * 5000).status_code == 404


def test_prefill_values_that_are_not_ids_are_ignored(world: Any, client_for: Any) -> None:
    client = client_for(world.owner)
    for query in ["competitor=abc", f"customer={HUGE_ID}", "customer=-1", "product=" + "x" * 5000]:
        assert client.get(f"/competitors/prices/new/?{query}").status_code == 200
