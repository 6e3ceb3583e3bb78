"""Bad input never 500s on the deal-core pages and endpoints: garbage ids, wrong types, huge strings,
NUL bytes, impossible dates, negative or absurd amounts → field errors, 404 or 400; nothing changes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kam.sales.models import CloseReason, Opportunity, StageChange
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at

HUGE = "长" * 5000


@pytest.fixture
def deal(world):
    return make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), stage=stage_at(world.org, 2))


def _unchanged(deal):
    fresh = Opportunity.objects.get(pk=deal.pk)
    assert (fresh.version, fresh.status, fresh.stage_id) == (1, "open", deal.stage_id)
    assert StageChange.objects.filter(opportunity=deal).count() == 1


@pytest.mark.parametrize("path", ["/deals/0/", "/deals/99999999999999999999999/", "/deals/-1/", "/deals/abc/"])
def test_garbage_deal_ids_are_404(world, client_for, path):
    assert client_for(world.owner).get(path).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/deals/0", "/api/v1/deals/99999999999999999999999", "/api/v1/deals/abc"])
def test_garbage_api_ids_are_404(world, client_for, path):
    assert client_for(world.owner).get(path).status_code == 404


@pytest.mark.parametrize("stage", ["", "abc", "-1", "0", "99999999999999999999999", "1.5"])
def test_move_with_garbage_stage_is_422(world, client_for, deal, stage):
    response = client_for(world.owner).post(reverse("deal-move", args=[deal.pk]), {"stage": stage})
    assert response.status_code == 422
    _unchanged(deal)


@pytest.mark.parametrize(
    "override",
    [{"name": HUGE}, {"amount": "-5"}, {"amount": "abc"}, {"amount": "1e400"}, {"amount": "12345678901234567890"},
     {"expected_close_date": "2026-02-30"}, {"expected_close_date": "1800-01-01"}, {"probability": "101"},
     {"probability": "-1"}, {"probability": "x"}, {"probability_reason": HUGE}, {"forecast_category": "closed"},
     {"source": "nope"}, {"owner": "abc"}, {"owner": "99999999999999999999"}, {"stage": "-3"},
     {"business_line": "x"}, {"customer": "abc"}, {"customer": ""}, {"next_step_date": "2026-13-01"}],
)  # fmt: skip
def test_create_page_garbage_is_422(world, client_for, override):
    customer = make_customer(world.owner, "北京冶金集团")
    data = {"customer": customer.pk, "name": "轧线改造", "amount": "1", "expected_close_date": "2026-06-30", **override}
    response = client_for(world.owner).post(reverse("deal-create"), data)
    assert response.status_code == 422
    assert Opportunity.objects.count() == 0


def test_nul_bytes_are_refused_before_any_view(world, client_for, deal):
    client = client_for(world.owner)
    assert client.post(reverse("deal-move", args=[deal.pk]), {"stage": "1\x00"}).status_code == 400
    body = json.dumps({"name": "a\x00b"})
    assert client.patch(f"/api/v1/deals/{deal.pk}", body, content_type="application/json").status_code == 400
    _unchanged(deal)


@pytest.mark.parametrize("customer", ["abc", "99999999999999999999", "-4"])
def test_create_page_garbage_customer_param(world, client_for, customer):
    status = 404 if customer.isdigit() else 200
    assert client_for(world.owner).get(reverse("deal-create") + f"?customer={customer}").status_code == status


@pytest.mark.parametrize("version", ["", "abc", "-1", "99999999999999999999"])
def test_edit_with_garbage_version_changes_nothing(world, client_for, deal, version):
    data = {"name": "改", "amount": "1", "expected_close_date": "2026-06-30", "probability": "20", "version": version}
    response = client_for(world.owner).post(reverse("deal-edit", args=[deal.pk]), data)
    assert response.status_code == 409
    _unchanged(deal)


@pytest.mark.parametrize(
    "data",
    [{"outcome": "x"}, {"outcome": "won", "reason": "abc"}, {"outcome": "lost", "reason": "1", "won_by": "-1"},
     {"outcome": "lost", "reason": "99999999999999999999"}, {"outcome": "lost", "price_gap": "1e400"},
     {"outcome": "won", "notes": HUGE}],
)  # fmt: skip
def test_close_page_garbage_is_422(world, client_for, deal, data):
    response = client_for(world.owner).post(reverse("deal-close", args=[deal.pk]), data)
    assert response.status_code == 422
    _unchanged(deal)


@pytest.mark.parametrize("stage", ["abc", "-1", "99999999999999999999"])
def test_reopen_page_garbage_stage_is_422(world, client_for, stage):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), status="lost")
    response = client_for(world.owner).post(reverse("deal-reopen", args=[deal.pk]), {"stage": stage})
    assert response.status_code == 422
    assert Opportunity.objects.get(pk=deal.pk).status == "lost"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "override",
    [{"name": HUGE}, {"name": 5}, {"amount": "-5"}, {"amount": "abc"}, {"amount": 1e400}, {"amount": "1e30"},
     {"expected_close_date": "2026-02-30"}, {"expected_close_date": "yesterday"}, {"customer_id": 0},
     {"customer_id": 2**70}, {"customer_id": "x"}, {"stage_id": -1}, {"stage_id": 2**70}, {"business_line_id": 0},
     {"owner_id": 2**63}, {"probability": 101}, {"probability": "many"}, {"forecast_category": "closed"},
     {"source": "x" * 50}, {"next_step_date": "0000-00-00"}, {"probability_reason": HUGE}],
)  # fmt: skip
def test_create_endpoint_garbage_is_422(world, client_for, override):
    customer = make_customer(world.owner, "北京冶金集团")
    body = {"customer_id": customer.pk, "name": "轧线改造", "amount": "1", "expected_close_date": "2026-06-30"}
    body.update(override)
    response = _post(client_for(world.owner), "/api/v1/deals", body)
    assert response.status_code == 422, response.content
    assert Opportunity.objects.count() == 0


def test_create_endpoint_with_broken_json_is_400_or_422(world, client_for):
    client = client_for(world.owner)
    response = client.post("/api/v1/deals", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert client.post("/api/v1/deals", "[]", content_type="application/json").status_code == 422


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": None}, {"amount": "-1"}, {"expected_close_date": None}, {"owner_id": 0},
     {"probability": 150}, {"forecast_category": "won"}, {"next_step": HUGE}],
)  # fmt: skip
def test_patch_endpoint_garbage_is_422(world, client_for, deal, body):
    response = client_for(world.owner).patch(
        f"/api/v1/deals/{deal.pk}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    _unchanged(deal)


@pytest.mark.parametrize(
    ("path", "body"),
    [("stage", {"stage_id": "x"}), ("stage", {"stage_id": 2**70}), ("stage", {}),
     ("stage", {"stage_id": 1, "override_reason": 5}), ("close", {"outcome": "won"}),
     ("close", {"outcome": "lost", "reason_id": 1, "price_gap": "1e30"}), ("close", {"outcome": 7, "reason_id": "a"}),
     ("reopen", {"stage_id": "x"})],
)  # fmt: skip
def test_step_endpoints_garbage_is_422(world, client_for, deal, path, body):
    response = _post(client_for(world.owner), f"/api/v1/deals/{deal.pk}/{path}", body)
    assert response.status_code == 422, response.content
    _unchanged(deal)


def test_close_reason_of_another_organization_is_refused(world, client_for, deal):
    from kam.sales.setup import ensure_default_pipeline

    ensure_default_pipeline(world.outsider.organization)
    foreign = CloseReason.objects.filter(organization=world.outsider.organization, outcome="won").first()
    response = _post(
        client_for(world.owner), f"/api/v1/deals/{deal.pk}/close", {"outcome": "won", "reason_id": foreign.pk}
    )
    assert response.status_code == 422
    _unchanged(deal)
