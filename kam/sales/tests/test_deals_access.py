"""Access matrix of every deal-core page and endpoint: anonymous, another organization, a same-org
stranger, read-only (customer read collaborator, deal-team read member), owner, manager above.
Refusals change nothing. Deal-team membership opens that deal only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from kam.customers.actions import set_collaborator
from kam.sales.models import CloseReason, Opportunity, StageChange
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at

PEOPLE = ["anonymous", "outsider", "stranger", "collaborator", "member", "owner", "manager"]
# page status for a read page, by person
READ_PAGE = {
    "anonymous": 302,
    "outsider": 404,
    "stranger": 404,
    "collaborator": 200,
    "member": 200,
    "owner": 200,
    "manager": 200,
}
WRITE_PAGE = {"anonymous": 302, "outsider": 404, "stranger": 404, "collaborator": 403, "member": 403}
READ_API = {**READ_PAGE, "anonymous": 401}
WRITE_API = {**WRITE_PAGE, "anonymous": 401}


@pytest.fixture
def setup(world):
    customer = make_customer(world.owner, "北京冶金集团")
    set_collaborator(world.owner, customer, world.collaborator, "read")
    deal = make_deal(world.owner, customer, stage=stage_at(world.org, 2), members=((world.teammate, "read"),))
    users = {
        "anonymous": None,
        "outsider": world.outsider,
        "stranger": world.stranger,
        "collaborator": world.collaborator,
        "member": world.teammate,
        "owner": world.owner,
        "manager": world.manager_north,
    }
    return world, customer, deal, users


def _unchanged(deal: Opportunity) -> None:
    fresh = Opportunity.objects.get(pk=deal.pk)
    assert (fresh.version, fresh.status, fresh.stage_id, fresh.name) == (1, "open", deal.stage_id, deal.name)
    assert StageChange.objects.filter(opportunity=deal).count() == 1


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", ["deal-detail", "deal-history"])
def test_read_pages(setup, client_for, who, name):
    world, customer, deal, users = setup
    response = client_for(users[who]).get(reverse(name, args=[deal.pk]))
    assert response.status_code == READ_PAGE[who]


def _write_requests(world: Any, deal: Opportunity) -> list[tuple[str, str, dict[str, Any], int]]:
    """(method, url, data, success status) for every write page."""
    reason = CloseReason.objects.filter(organization=world.org, outcome="invalid").first()
    return [
        ("get", reverse("deal-edit", args=[deal.pk]), {}, 200),
        (
            "post",
            reverse("deal-edit", args=[deal.pk]),
            {"name": "改名", "amount": "1", "expected_close_date": "2026-06-30", "probability": "20", "version": "1"},
            302,
        ),
        ("post", reverse("deal-move", args=[deal.pk]), {"stage": stage_at(world.org, 1).pk}, 302),
        ("get", reverse("deal-close", args=[deal.pk]), {}, 200),
        ("post", reverse("deal-close", args=[deal.pk]), {"outcome": "invalid", "reason": reason.pk}, 302),
    ]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("index", range(5))
def test_write_pages(setup, client_for, who, index):
    world, customer, deal, users = setup
    method, url, data, success = _write_requests(world, deal)[index]
    response = getattr(client_for(users[who]), method)(url, data)
    assert response.status_code == WRITE_PAGE.get(who, success)
    if who in WRITE_PAGE:
        _unchanged(deal)


@pytest.mark.parametrize("who", PEOPLE)
def test_reopen_page(setup, client_for, who):
    world, customer, _open, users = setup
    deal = make_deal(world.owner, customer, status="lost", members=((world.teammate, "read"),))
    response = client_for(users[who]).post(reverse("deal-reopen", args=[deal.pk]), {})
    assert response.status_code == WRITE_PAGE.get(who, 302)
    if who in WRITE_PAGE:
        assert Opportunity.objects.get(pk=deal.pk).status == "lost"


@pytest.mark.parametrize("who", PEOPLE)
def test_create_page_from_customer(setup, client_for, who):
    world, customer, deal, users = setup
    expected = {**WRITE_PAGE, "member": 404, "owner": 200, "manager": 200}
    client = client_for(users[who])
    assert client.get(reverse("deal-create") + f"?customer={customer.pk}").status_code == expected[who]
    data = {"customer": customer.pk, "name": "新商机", "amount": "1", "expected_close_date": "2026-06-30"}
    response = client.post(reverse("deal-create"), data)
    created = Opportunity.objects.filter(name="新商机").count()
    if who in ("owner", "manager"):
        assert (response.status_code, created) == (302, 1)
    else:
        assert (response.status_code, created) == (302 if who == "anonymous" else 422, 0)


def _api(client, method, url, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("path", ["/api/v1/deals/{id}", "/api/v1/deals/{id}/stages"])
def test_read_endpoints(setup, client_for, who, path):
    world, customer, deal, users = setup
    response = client_for(users[who]).get(path.format(id=deal.pk))
    assert response.status_code == READ_API[who]


@pytest.mark.parametrize("who", PEOPLE)
def test_sales_stages_endpoint_is_for_any_signed_in_user(setup, client_for, who):
    world, customer, deal, users = setup
    response = client_for(users[who]).get("/api/v1/sales/stages")
    assert response.status_code == (401 if who == "anonymous" else 200)
    if who == "outsider":
        assert [s["name"] for s in response.json()[0]["stages"]] != []
        assert response.json()[0]["id"] != deal.business_line_id


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("index", range(3))
def test_write_endpoints(setup, client_for, who, index):
    world, customer, deal, users = setup
    reason = CloseReason.objects.filter(organization=world.org, outcome="invalid").first()
    method, path, body = [
        ("patch", "/api/v1/deals/{id}", {"name": "改名"}),
        ("post", "/api/v1/deals/{id}/stage", {"stage_id": stage_at(world.org, 1).pk}),
        ("post", "/api/v1/deals/{id}/close", {"outcome": "invalid", "reason_id": reason.pk}),
    ][index]
    response = _api(client_for(users[who]), method, path.format(id=deal.pk), body)
    assert response.status_code == WRITE_API.get(who, 200)
    if who in WRITE_API:
        _unchanged(deal)


@pytest.mark.parametrize("who", PEOPLE)
def test_reopen_endpoint(setup, client_for, who):
    world, customer, _open, users = setup
    deal = make_deal(world.owner, customer, status="won", members=((world.teammate, "read"),))
    response = _api(client_for(users[who]), "post", f"/api/v1/deals/{deal.pk}/reopen", {})
    assert response.status_code == WRITE_API.get(who, 200)
    if who in WRITE_API:
        assert Opportunity.objects.get(pk=deal.pk).status == "won"


@pytest.mark.parametrize("who", PEOPLE)
def test_create_endpoint(setup, client_for, who):
    world, customer, deal, users = setup
    body = {"customer_id": customer.pk, "name": "新商机", "amount": "1", "expected_close_date": "2026-06-30"}
    response = _api(client_for(users[who]), "post", "/api/v1/deals", body)
    expected = 401 if who == "anonymous" else 201 if who in ("owner", "manager") else 422
    assert response.status_code == expected
    assert Opportunity.objects.filter(name="新商机").count() == (1 if expected == 201 else 0)


def test_deal_team_member_opens_that_deal_only(setup, client_for):
    world, customer, deal, users = setup
    other = make_deal(world.owner, customer, name="另一个商机")
    client = client_for(world.teammate)
    assert client.get(reverse("deal-detail", args=[deal.pk])).status_code == 200
    assert client.get(reverse("deal-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("customer-detail", args=[customer.pk])).status_code == 404
    assert client.get(f"/api/v1/deals/{other.pk}").status_code == 404


def test_write_member_may_edit_and_move_but_not_override(world, client_for):
    customer = make_customer(world.owner, "北京冶金集团")
    deal = make_deal(world.owner, customer, stage=stage_at(world.org, 2), members=((world.stranger, "write"),))
    client = client_for(world.stranger)
    response = _api(client, "patch", f"/api/v1/deals/{deal.pk}", {"next_step": "发方案"})
    assert response.status_code == 200
    body = {"stage_id": stage_at(world.org, 3).pk, "override_reason": "我想"}
    refused = _api(client, "post", f"/api/v1/deals/{deal.pk}/stage", body)
    assert refused.status_code == 422
    assert Opportunity.objects.get(pk=deal.pk).stage_id == stage_at(world.org, 2).pk
