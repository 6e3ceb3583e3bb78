"""Who may read and who may keep the competitor master: pages and API, with nothing changed on refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kam.conftest import OrgWorld
from kam.core import audit
from kam.core.models import AuditEntry
from kam.market.actions import delete_competitor
from kam.market.models import Competitor, PricePositioning
from kam.market.tests.fixtures_competitors import (  # noqa: F401 - fixtures
    _english_messages,
    add_to_deal,
    make_competitor,
    make_price,
)
from kam.planning.models import AccountPlan, BusinessUnit, WhitespaceCell
from kam.sales.models import OpportunityStatus, ProductLine
from kam.sales.setup import ensure_default_pipeline
from kam.sales.tests.fixtures_deals import make_customer, make_deal

pytestmark = pytest.mark.django_db

READERS = ["stranger", "collaborator", "owner", "teammate", "manager_north", "director", "admin"]
EDITORS = ["manager_north", "manager_east", "director", "admin"]
NON_EDITORS = ["stranger", "collaborator", "owner"]


def _state(competitor: Competitor) -> tuple[Any, ...]:
    competitor.refresh_from_db()
    return (
        competitor.name,
        competitor.notes,
        competitor.active,
        AuditEntry.objects.count(),
        Competitor.objects.count(),
    )


def _user(world: Any, who: str | None) -> Any:
    return None if who is None else getattr(world, who)


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_every_user_of_the_organization_reads_the_list_and_the_profile(world: Any, client_for: Any, who: str) -> None:
    rival = make_competitor(world.org, "华为", strengths="渠道强")
    client = client_for(getattr(world, who))
    listing = client.get("/competitors/")
    assert listing.status_code == 200
    assert "华为" in listing.content.decode()
    detail = client.get(f"/competitors/{rival.pk}/")
    assert detail.status_code == 200
    assert "渠道强" in detail.content.decode()


def test_anonymous_is_sent_to_log_in(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    before = _state(rival)
    client = client_for(None)
    for url in ["/competitors/", f"/competitors/{rival.pk}/", "/competitors/new/", f"/competitors/{rival.pk}/edit/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert client.post(f"/competitors/{rival.pk}/edit/", {"name": "改名"}).status_code == 302
    assert client.post("/competitors/new/", {"name": "新的"}).status_code == 302
    assert _state(rival) == before


def test_another_organization_neither_sees_nor_changes_our_competitors(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为保密")
    before = _state(rival)
    client = client_for(world.outsider)
    assert "华为保密" not in client.get("/competitors/").content.decode()
    for url in [f"/competitors/{rival.pk}/", f"/competitors/{rival.pk}/edit/"]:
        assert client.get(url).status_code == 404
    assert client.post(f"/competitors/{rival.pk}/edit/", {"name": "改名"}).status_code == 404
    assert client.post(f"/competitors/{rival.pk}/active/", {}).status_code == 404
    assert client.post(f"/competitors/{rival.pk}/delete/").status_code == 404
    assert _state(rival) == before


@pytest.mark.parametrize("who", NON_EDITORS)
def test_reps_and_presales_cannot_edit_the_master(world: Any, client_for: Any, who: str) -> None:
    rival = make_competitor(world.org, "华为", notes="原始")
    before = _state(rival)
    client = client_for(getattr(world, who))
    assert client.get("/competitors/new/").status_code == 403
    assert client.post("/competitors/new/", {"name": "新对手"}).status_code == 403
    assert client.get(f"/competitors/{rival.pk}/edit/").status_code == 403
    assert client.post(f"/competitors/{rival.pk}/edit/", {"name": "改名", "notes": "x"}).status_code == 403
    assert client.post(f"/competitors/{rival.pk}/active/", {}).status_code == 403
    assert client.post(f"/competitors/{rival.pk}/delete/").status_code == 403
    assert _state(rival) == before
    assert 'id="competitor-edit-link"' not in client.get(f"/competitors/{rival.pk}/").content.decode()


@pytest.mark.parametrize("who", EDITORS)
def test_managers_directors_and_admins_create_and_edit(world: Any, client_for: Any, who: str) -> None:
    client = client_for(getattr(world, who))
    response = client.post(
        "/competitors/new/", {"name": " 华为  技术 ", "price_positioning": "premium", "strengths": "品牌"}
    )
    created = Competitor.objects.get(organization=world.org)
    assert response.status_code == 302
    assert response["Location"] == f"/competitors/{created.pk}/"
    assert (created.name, created.price_positioning, created.strengths, created.active) == (
        "华为 技术",
        "premium",
        "品牌",
        True,
    )
    edit = client.post(f"/competitors/{created.pk}/edit/", {"name": "华为", "tactics": "低价切入", "active": "on"})
    assert edit.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.tactics, created.price_positioning, created.strengths) == ("华为", "低价切入", "", "")
    entries = AuditEntry.objects.filter(entity="market.competitor", entity_id=created.pk)
    assert sorted((e.action, e.field, e.old, e.new) for e in entries) == [
        ("create", "", "", ""),
        ("update", "name", "华为 技术", "华为"),
        ("update", "price_positioning", audit.in_default_language(PricePositioning.PREMIUM.label), ""),
        ("update", "strengths", "品牌", ""),
        ("update", "tactics", "", "低价切入"),
    ]


def test_a_duplicate_name_is_a_field_error(world: Any, client_for: Any) -> None:
    make_competitor(world.org, "Huawei")
    other = make_competitor(world.org, "ZTE")
    client = client_for(world.manager_north)
    response = client.post("/competitors/new/", {"name": "HUAWEI"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"name": ["A competitor with this name exists already."]}
    edit = client.post(f"/competitors/{other.pk}/edit/", {"name": "huawei", "active": "on"})
    assert edit.status_code == 422
    assert edit.context["form"].errors == {"name": ["A competitor with this name exists already."]}
    assert Competitor.objects.filter(organization=world.org).count() == 2


def test_a_referenced_competitor_is_deactivated_not_deleted(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    deal = make_deal(world.owner, make_customer(world.owner, "北京地铁"))
    add_to_deal(deal, rival)
    client = client_for(world.manager_north)
    page = client.get(f"/competitors/{rival.pk}/").content.decode()
    assert 'id="competitor-delete"' not in page
    response = client.post(f"/competitors/{rival.pk}/delete/", follow=True)
    assert "Deals or price intelligence name this competitor; deactivate it instead." in response.content.decode()
    assert Competitor.objects.filter(pk=rival.pk).exists()
    client.post(f"/competitors/{rival.pk}/active/", {})
    rival.refresh_from_db()
    assert rival.active is False
    assert "华为" not in client.get("/competitors/").content.decode()
    assert "华为" in client.get("/competitors/?state=inactive").content.decode()
    client.post(f"/competitors/{rival.pk}/active/", {"active": "1"})
    rival.refresh_from_db()
    assert rival.active is True


def test_an_unreferenced_competitor_is_deleted(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "写错的名字")
    client = client_for(world.admin)
    assert 'id="competitor-delete"' in client.get(f"/competitors/{rival.pk}/").content.decode()
    response = client.post(f"/competitors/{rival.pk}/delete/")
    assert response.status_code == 302
    assert not Competitor.objects.filter(pk=rival.pk).exists()
    assert AuditEntry.objects.filter(entity="market.competitor", entity_id=rival.pk, action="purge").count() == 1


def test_the_profile_lists_only_deals_the_viewer_may_open(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    deal = make_deal(world.owner, make_customer(world.owner, "北京地铁"), name="北京地铁信号项目")
    add_to_deal(deal, rival)
    lost = make_deal(
        world.owner,
        make_customer(world.owner, "天津港"),
        name="天津港项目",
        status=OpportunityStatus.LOST,
        won_by=rival,
    )
    for who in ["owner", "manager_north", "director", "admin"]:
        html = client_for(getattr(world, who)).get(f"/competitors/{rival.pk}/").content.decode()
        assert "北京地铁信号项目" in html
        assert "天津港项目" in html
        assert f'href="/deals/{lost.pk}/"' in html
    for who in ["stranger", "collaborator", "manager_east"]:
        html = client_for(getattr(world, who)).get(f"/competitors/{rival.pk}/").content.decode()
        assert "北京地铁信号项目" not in html
        assert "天津港项目" not in html
        assert "No deal you can open names this competitor." in html


def test_the_profile_links_the_price_history_of_each_product(world: Any, client_for: Any) -> None:
    from datetime import date

    rival = make_competitor(world.org, "华为")
    make_price(world.owner, rival, "交换机 S5700", "12000", date(2025, 3, 1))
    html = client_for(world.stranger).get(f"/competitors/{rival.pk}/").content.decode()
    assert f"/competitors/prices/history/?competitor={rival.pk}&amp;product=%E4%BA%A4%E6%8D%A2%E6%9C%BA%20S5700" in html


# --- API ------------------------------------------------------------------------------------------


def _patch(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_api_anonymous_gets_401_and_changes_nothing(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    before = _state(rival)
    client = client_for(None)
    assert client.get("/api/v1/competitors").status_code == 401
    assert client.get(f"/api/v1/competitors/{rival.pk}").status_code == 401
    assert _post(client, "/api/v1/competitors", {"name": "新"}).status_code == 401
    assert _patch(client, f"/api/v1/competitors/{rival.pk}", {"name": "改"}).status_code == 401
    assert client.delete(f"/api/v1/competitors/{rival.pk}").status_code == 401
    assert _state(rival) == before


def test_api_another_organization_gets_404(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    before = _state(rival)
    client = client_for(world.outsider)
    assert client.get("/api/v1/competitors").json()["count"] == 0
    assert client.get(f"/api/v1/competitors/{rival.pk}").status_code == 404
    assert _patch(client, f"/api/v1/competitors/{rival.pk}", {"name": "改"}).status_code == 404
    assert client.delete(f"/api/v1/competitors/{rival.pk}").status_code == 404
    assert _state(rival) == before


@pytest.mark.parametrize("who", NON_EDITORS)
def test_api_reps_read_but_get_403_on_writes(world: Any, client_for: Any, who: str) -> None:
    rival = make_competitor(world.org, "华为")
    before = _state(rival)
    client = client_for(getattr(world, who))
    assert client.get(f"/api/v1/competitors/{rival.pk}").json()["name"] == "华为"
    assert _post(client, "/api/v1/competitors", {"name": "新"}).status_code == 403
    assert _patch(client, f"/api/v1/competitors/{rival.pk}", {"active": False}).status_code == 403
    assert client.delete(f"/api/v1/competitors/{rival.pk}").status_code == 403
    assert _state(rival) == before


@pytest.mark.parametrize("who", EDITORS)
def test_api_editors_create_patch_and_deactivate(world: Any, client_for: Any, who: str) -> None:
    client = client_for(getattr(world, who))
    created = _post(client, "/api/v1/competitors", {"name": "华为", "weaknesses": "交付慢"})
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["weaknesses"], body["active"], body["deals_met"], body["win_rate"]) == (
        "华为",
        "交付慢",
        True,
        0,
        None,
    )
    url = f"/api/v1/competitors/{body['id']}"
    patched = _patch(client, url, {"notes": "注意", "active": False})
    assert patched.status_code == 200
    assert (patched.json()["notes"], patched.json()["active"], patched.json()["weaknesses"]) == (
        "注意",
        False,
        "交付慢",
    )
    renamed = _patch(client, url, {"name": "华为技术"})
    assert (renamed.json()["name"], renamed.json()["active"]) == ("华为技术", False)


def test_api_duplicate_name_and_referenced_delete_are_422(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    add_to_deal(make_deal(world.owner, make_customer(world.owner, "北京地铁")), rival)
    client = client_for(world.director)
    duplicate = _post(client, "/api/v1/competitors", {"name": "华为"})
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["loc"] == ["body", "name"]
    refused = client.delete(f"/api/v1/competitors/{rival.pk}")
    assert refused.status_code == 422
    assert (
        refused.json()["detail"][0]["msg"] == "Deals or price intelligence name this competitor; deactivate it instead."
    )
    assert Competitor.objects.filter(pk=rival.pk).exists()


def test_deleting_a_competitor_that_a_whitespace_cell_names_is_refused(world: OrgWorld) -> None:
    ensure_default_pipeline(world.org)
    rival = Competitor.objects.create(organization=world.org, name="白区竞品")
    customer = make_customer(world.owner, "白区客户有限公司")
    plan = AccountPlan.objects.create(organization=world.org, customer=customer, owner=world.owner)
    unit = BusinessUnit.objects.create(organization=world.org, plan=plan, name="华北事业部")
    WhitespaceCell.objects.create(
        organization=world.org,
        plan=plan,
        business_unit=unit,
        product_line=ProductLine.objects.filter(organization=world.org).first(),
        status="gap",
        holder="competitor",
        competitor=rival,
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        delete_competitor(world.manager_north, rival)
    assert refused.value.message_dict == {"__all__": ["Other records name this competitor; deactivate it instead."]}
    assert Competitor.objects.filter(pk=rival.pk).exists()
    assert AuditEntry.objects.count() == audits
