"""The deal API: create, read with ETag, PATCH with If-Match (412), stage moves with shortfalls,
close, reopen, stage history and the read-only sales configuration."""

from __future__ import annotations

import json
from decimal import Decimal

from kam.core.models import AuditEntry
from kam.market.models import Competitor
from kam.sales.models import CloseReason, Opportunity, QualificationScore, StageChange
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at


def _post(client, url, body):
    # Messages in English keep the assertions independent of the catalogue (zh-hans is the default).
    return client.post(url, json.dumps(body), content_type="application/json", headers={"Accept-Language": "en"})


def _patch(client, url, body, **headers):
    headers["Accept-Language"] = "en"
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


def test_create_deal_returns_201_with_defaults(world, client_for):
    customer = make_customer(world.owner, "北京冶金集团")
    body = {"customer_id": customer.pk, "name": "轧线改造", "amount": "880000.50", "expected_close_date": "2026-06-30"}
    response = _post(client_for(world.owner), "/api/v1/deals", body)
    assert response.status_code == 201, response.content
    data = response.json()
    deal = Opportunity.objects.get()
    assert response["ETag"] == '"1"'
    assert (data["id"], data["amount"], data["probability"], data["status"], data["owner"]["username"]) == (
        deal.pk,
        "880000.50",
        10,
        "open",
        "owner",
    )
    assert data["stage"] == {
        "id": stage_at(world.org, 1).pk,
        "name": stage_at(world.org, 1).name,
        "position": 1,
        "default_probability": 10,
    }
    assert data["customer"] == {"id": customer.pk, "name": "北京冶金集团"}


def test_create_deal_refusals_name_api_fields(world, client_for):
    customer = make_customer(world.owner, "北京冶金集团")
    client = client_for(world.owner)
    base = {"customer_id": customer.pk, "name": "轧线改造", "amount": "1", "expected_close_date": "2026-06-30"}
    cases = [
        ({"probability": 55}, "probability_reason"),
        ({"stage_id": stage_at(world.org, 3).pk}, "stage_id"),
        ({"owner_id": world.stranger.pk}, "owner_id"),
        ({"customer_id": make_customer(world.stranger, "上海电气").pk}, "customer_id"),
        ({"amount": "-5"}, "amount"),
        ({"forecast_category": "closed"}, "forecast_category"),
    ]
    for extra, field in cases:
        response = _post(client, "/api/v1/deals", {**base, **extra})
        assert response.status_code == 422, (extra, response.content)
        assert [item["loc"] for item in response.json()["detail"]] == [["body", field]], extra
    assert Opportunity.objects.count() == 0


def test_get_deal_sends_etag(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    response = client_for(world.owner).get(f"/api/v1/deals/{deal.pk}")
    assert (response.status_code, response["ETag"], response.json()["version"]) == (200, '"1"', 1)


def test_patch_with_stale_if_match_is_412_and_changes_nothing(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    client = client_for(world.owner)
    ok = _patch(client, f"/api/v1/deals/{deal.pk}", {"next_step": "约见采购"}, **{"If-Match": '"1"'})
    assert (ok.status_code, ok["ETag"], ok.json()["next_step"]) == (200, '"2"', "约见采购")
    stale = _patch(client, f"/api/v1/deals/{deal.pk}", {"next_step": "别的"}, **{"If-Match": '"1"'})
    assert (stale.status_code, stale["ETag"], stale.json()["current_version"]) == (412, '"2"', 2)
    garbage = _patch(client, f"/api/v1/deals/{deal.pk}", {"next_step": "别的"}, **{"If-Match": "W/abc"})
    assert garbage.status_code == 412
    assert Opportunity.objects.get(pk=deal.pk).next_step == "约见采购"


def test_patch_only_changes_fields_sent(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), next_step="旧")
    response = _patch(client_for(world.owner), f"/api/v1/deals/{deal.pk}", {"amount": "120000"})
    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.amount, deal.next_step) == (Decimal("120000.00"), "旧")
    assert list(AuditEntry.objects.filter(entity_id=deal.pk, action="update").values_list("field", flat=True)) == [
        "amount"
    ]


def test_patch_probability_null_goes_back_to_stage_default(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), probability=33, probability_reason="x")
    response = _patch(client_for(world.owner), f"/api/v1/deals/{deal.pk}", {"probability": None})
    assert (response.json()["probability"], response.json()["probability_reason"]) == (10, "")


def test_stage_move_gate_failure_lists_shortfalls(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), stage=stage_at(world.org, 2))
    response = _post(client_for(world.owner), f"/api/v1/deals/{deal.pk}/stage", {"stage_id": stage_at(world.org, 3).pk})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "stage_id"],
                "msg": "Stage gate not met: Economic buyer ≥ 1 (now 0), Champion ≥ 1 (now 0)",
                "type": "value_error",
            }
        ],
        "shortfalls": [
            {"element": "economic_buyer", "label": "Economic buyer", "required": 1, "actual": 0},
            {"element": "champion", "label": "Champion", "required": 1, "actual": 0},
        ],
    }
    assert Opportunity.objects.get(pk=deal.pk).stage_id == stage_at(world.org, 2).pk


def test_stage_move_passes_and_manager_override(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    QualificationScore.objects.create(organization=world.org, opportunity=deal, element="identified_pain", score=1)
    response = _post(client_for(world.owner), f"/api/v1/deals/{deal.pk}/stage", {"stage_id": stage_at(world.org, 2).pk})
    assert (response.status_code, response.json()["stage"]["position"], response.json()["probability"]) == (200, 2, 20)
    body = {"stage_id": stage_at(world.org, 4).pk, "override_reason": "战略客户"}
    response = _post(client_for(world.manager_north), f"/api/v1/deals/{deal.pk}/stage", body)
    assert response.status_code == 200
    change = StageChange.objects.filter(opportunity=deal).latest("id")
    assert (change.gate_override, change.override_reason) == (True, "战略客户")


def test_stage_move_to_unknown_stage_is_422(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    response = _post(client_for(world.owner), f"/api/v1/deals/{deal.pk}/stage", {"stage_id": 999999})
    assert response.status_code == 422
    assert response.json()["shortfalls"] == []
    assert response.json()["detail"][0]["loc"] == ["body", "stage_id"]


def test_close_and_reopen(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    client = client_for(world.owner)
    reason = CloseReason.objects.filter(organization=world.org, outcome="lost").first()
    winner = Competitor.objects.create(organization=world.org, name="宝信软件")
    body = {
        "outcome": "lost",
        "reason_id": reason.pk,
        "won_by_id": winner.pk,
        "notes": "价格差 8%",
        "price_gap": "35000",
    }
    response = _post(client, f"/api/v1/deals/{deal.pk}/close", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["won_by"], data["price_gap"], data["forecast_category"]) == (
        "lost",
        {"id": winner.pk, "name": "宝信软件"},
        "35000.00",
        "omitted",
    )
    assert data["close_reason"] == {"id": reason.pk, "label": reason.label, "outcome": "lost"}
    response = _post(client, f"/api/v1/deals/{deal.pk}/reopen", {})
    assert (response.status_code, response.json()["status"], response.json()["won_by"]) == (200, "open", None)


def test_close_refusals(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    client = client_for(world.owner)
    won = CloseReason.objects.filter(organization=world.org, outcome="won").first()
    lost = CloseReason.objects.filter(organization=world.org, outcome="lost").first()
    winner = Competitor.objects.create(organization=world.org, name="宝信软件")
    cases = [
        ({"outcome": "won", "reason_id": lost.pk}, "reason_id"),
        ({"outcome": "lost", "reason_id": lost.pk, "won_by_id": 999999}, "won_by_id"),
        ({"outcome": "won", "reason_id": won.pk, "won_by_id": winner.pk}, "won_by_id"),
        ({"outcome": "nope", "reason_id": won.pk}, "outcome"),
    ]
    for body, field in cases:
        response = _post(client, f"/api/v1/deals/{deal.pk}/close", body)
        assert response.status_code == 422, body
        assert field in [item["loc"][-1] for item in response.json()["detail"]], (body, response.json())
    assert Opportunity.objects.get(pk=deal.pk).status == "open"


def test_stage_history_endpoint(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    response = client_for(world.owner).get(f"/api/v1/deals/{deal.pk}/stages")
    assert response.status_code == 200
    [span] = response.json()
    assert (span["stage"]["position"], span["left_at"], span["moved_by"]["username"], span["closed_as"]) == (
        1,
        None,
        "owner",
        "",
    )


def test_sales_stages_lists_lines_stages_gates_and_reasons(world, client_for):
    response = client_for(world.stranger).get("/api/v1/sales/stages")
    assert response.status_code == 200
    [line] = response.json()
    assert [s["default_probability"] for s in line["stages"]] == [10, 20, 40, 60, 80]
    assert line["stages"][2]["gates"] == [
        {"element": "economic_buyer", "min_score": 1},
        {"element": "champion", "min_score": 1},
    ]
    assert len(line["close_reasons"]) == 13
