"""Garbage input to the qualification pages and API: field errors or 404, never a 500, nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kam.core.tests.api_support import API, call, session_client
from kam.sales.models import BuyingInfluence, QualificationScore
from kam.sales.tests.fixtures_deals import make_customer
from kam.sales.tests.qualification_scene import BlueSheet, make_contact

HUGE = 2**70


@pytest.fixture
def sheet(world):
    sheet = BlueSheet(world.owner)
    sheet.newcomer = make_contact(sheet.customer, "钱主任")
    sheet.elsewhere = make_contact(make_customer(world.owner, "上海港务集团"), "周总")
    return sheet


def state(deal):
    return (
        list(BuyingInfluence.objects.filter(opportunity=deal).order_by("id").values()),
        list(QualificationScore.objects.filter(opportunity=deal).order_by("id").values()),
    )


INFLUENCE_BODIES = [
    ({"contact_id": "new", "role": "user"}, ["body", "contact_id"]),
    ({"contact_id": HUGE, "role": "user"}, ["body", "contact_id"]),
    ({"contact_id": -3, "role": "user"}, ["body", "contact_id"]),
    ({"contact_id": "{elsewhere}", "role": "user"}, ["body", "contact_id"]),
    ({"contact_id": "{newcomer}", "role": "boss"}, ["body", "role"]),
    ({"contact_id": "{newcomer}", "role": "user", "rating": 99}, ["body", "rating"]),
    ({"contact_id": "{newcomer}", "role": "user", "rating": "high"}, ["body", "rating"]),
    ({"contact_id": "{newcomer}", "role": "user", "influence": None}, ["body", "influence"]),
    ({"contact_id": "{newcomer}", "role": "user", "response_mode": "angry"}, ["body", "response_mode"]),
    ({"contact_id": "{newcomer}", "role": "user", "personal_win": "赢" * 10_000}, ["body", "personal_win"]),
    ({"contact_id": "{newcomer}"}, ["body", "role"]),
]


def _filled(body, sheet):
    ids = {"{newcomer}": sheet.newcomer.pk, "{elsewhere}": sheet.elsewhere.pk}
    return {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}


@pytest.mark.parametrize(("body", "loc"), INFLUENCE_BODIES)
def test_garbage_influence_is_a_422_on_its_field(world, sheet, body, loc):
    before = state(sheet.deal)
    response = call(session_client(world.owner), "POST", f"/deals/{sheet.deal.pk}/influences", _filled(body, sheet))
    assert response.status_code == 422
    assert loc in [item["loc"] for item in response.data["detail"]]
    assert state(sheet.deal) == before


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"rating": 99}, ["body", "rating"]),
        ({"rating": -6}, ["body", "rating"]),
        ({"role": "economic"}, ["body", "role"]),
        ({"contact_id": "{elsewhere}"}, ["body", "contact_id"]),
        ({"business_result": ["x"]}, ["body", "business_result"]),
    ],
)
def test_garbage_patch_is_a_422_on_its_field(world, sheet, body, loc):
    before = state(sheet.deal)
    path = f"/deals/{sheet.deal.pk}/influences/{sheet.user_row.pk}"
    response = call(session_client(world.owner), "PATCH", path, _filled(body, sheet))
    assert response.status_code == 422
    assert loc in [item["loc"] for item in response.data["detail"]]
    assert state(sheet.deal) == before


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"foo": {"score": 1, "evidence": "x"}}, ["body", "foo"]),
        ({"metrics": {"score": 3, "evidence": "x"}}, ["body", "metrics", "score"]),
        ({"metrics": {"score": -1, "evidence": "x"}}, ["body", "metrics", "score"]),
        ({"metrics": {"score": "two", "evidence": "x"}}, ["body", "metrics", "score"]),
        ({"metrics": {"evidence": "x"}}, ["body", "metrics", "score"]),
        ({"metrics": {"score": 1, "evidence": "x" * 4001}}, ["body", "metrics", "evidence"]),
        ({"metrics": {"score": 1, "evidence": "x", "colour": "red"}}, ["body", "metrics", "colour"]),
        ({"champion": {"score": 1, "evidence": "x", "contact_id": HUGE}}, ["body", "champion", "contact_id"]),
        ({"champion": {"score": 1, "evidence": "x", "contact_id": "{elsewhere}"}}, ["body", "champion", "contact_id"]),
        ({"metrics": 2}, ["body", "metrics"]),
    ],
)
def test_garbage_meddpicc_is_a_422_on_its_field(world, sheet, body, loc):
    ids = {"{elsewhere}": sheet.elsewhere.pk}
    for item in body.values():
        if isinstance(item, dict) and item.get("contact_id") in ids:
            item["contact_id"] = ids[item["contact_id"]]
    before = state(sheet.deal)
    response = call(session_client(world.owner), "PUT", f"/deals/{sheet.deal.pk}/meddpicc", body)
    assert response.status_code == 422
    assert loc in [item["loc"] for item in response.data["detail"]]
    assert state(sheet.deal) == before


def test_nul_characters_are_refused_before_any_write(world, sheet, client_for):
    before = state(sheet.deal)
    api = session_client(world.owner)
    body = {"contact_id": sheet.newcomer.pk, "role": "user", "notes": "a\x00b"}
    assert call(api, "POST", f"/deals/{sheet.deal.pk}/influences", body).status_code == 400
    assert (
        call(
            api, "PUT", f"/deals/{sheet.deal.pk}/meddpicc", {"metrics": {"score": 1, "evidence": "a\x00b"}}
        ).status_code
        == 400
    )
    form = {"contact": sheet.newcomer.pk, "role": "user", "influence": "low", "rating": "0", "notes": "a\x00b"}
    assert client_for(world.owner).post(reverse("deal-influence-add", args=[sheet.deal.pk]), form).status_code == 400
    assert state(sheet.deal) == before


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"x"', "null"])
def test_malformed_bodies_are_refused_without_a_500(world, sheet, raw):
    client = session_client(world.owner)
    for method, path in (("POST", "influences"), ("PUT", "meddpicc")):
        response = client.generic(method, f"{API}/deals/{sheet.deal.pk}/{path}", raw, content_type="application/json")
        assert response.status_code in (400, 422)


@pytest.mark.parametrize(
    "path",
    [
        f"/deals/{HUGE}/influences",
        f"/deals/{HUGE}/meddpicc",
        "/deals/0/influences",
        "/deals/{deal}/influences/{huge}",
    ],
)
def test_absurd_ids_in_the_path_are_404(world, sheet, path):
    path = path.replace("{deal}", str(sheet.deal.pk)).replace("{huge}", str(HUGE))
    method = "PATCH" if path.count("/") == 4 else "GET"
    response = call(session_client(world.owner), method, path, {"rating": 1} if method == "PATCH" else None)
    assert response.status_code == 404


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"contact": "abc", "role": "user", "influence": "low", "rating": "0"}, "contact"),
        ({"contact": str(HUGE), "role": "user", "influence": "low", "rating": "0"}, "contact"),
        ({"contact": "{elsewhere}", "role": "user", "influence": "low", "rating": "0"}, "contact"),
        ({"contact": "{newcomer}", "role": "boss", "influence": "low", "rating": "0"}, "role"),
        ({"contact": "{newcomer}", "role": "user", "influence": "low", "rating": "99"}, "rating"),
        ({"contact": "{newcomer}", "role": "user", "influence": "low", "rating": "x"}, "rating"),
    ],
)
def test_garbage_influence_form_is_a_field_error(world, sheet, client_for, data, field):
    data = _filled(data, sheet)
    before = state(sheet.deal)
    response = client_for(world.owner).post(reverse("deal-influence-add", args=[sheet.deal.pk]), data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert state(sheet.deal) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"metrics_score": "7"}, "metrics_score"),
        ({"metrics_score": ""}, "metrics_score"),
        ({"champion_contact": str(HUGE)}, "champion_contact"),
        ({"champion_contact": "{elsewhere}"}, "champion_contact"),
    ],
)
def test_garbage_meddpicc_form_is_a_field_error(world, sheet, client_for, changes, field):
    data = {}
    for element in (
        "metrics",
        "economic_buyer",
        "decision_criteria",
        "decision_process",
        "paper_process",
        "identified_pain",
        "champion",
        "competition",
    ):
        data[f"{element}_score"] = "0"
        data[f"{element}_evidence"] = ""
    data.update(_filled(changes, sheet))
    before = state(sheet.deal)
    response = client_for(world.owner).post(reverse("deal-meddpicc", args=[sheet.deal.pk]), data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert state(sheet.deal) == before


@pytest.mark.parametrize("name", ["deal-coverage", "deal-meddpicc", "deal-influence-add"])
def test_absurd_deal_id_in_a_page_url_is_404(world, client_for, name):
    assert client_for(world.owner).get(reverse(name, args=[HUGE])).status_code == 404


def test_absurd_influence_id_in_a_page_url_is_404(world, sheet, client_for):
    response = client_for(world.owner).get(reverse("deal-influence-edit", args=[sheet.deal.pk, HUGE]))
    assert response.status_code == 404
