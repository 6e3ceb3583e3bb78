"""Follow-ups name the deal they were about (web form and API); the deal's last activity moves forward;
the deal page lists them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kam.activities.actions_followups import create_followup, update_followup
from kam.activities.models import FollowUp
from kam.conftest import OrgWorld
from kam.core.tests.api_support import bearer_client, call
from kam.sales.models import Opportunity, OpportunityStatus
from kam.sales.queries import opportunity_access
from kam.sales.sections_needs import followups_section
from kam.sales.tests.fixtures_deals import make_deal
from kam.sales.tests.fixtures_needs import Scene, client, db_state, make_scene


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def data(**fields: Any) -> dict[str, Any]:
    return {"kind": "call", "occurred_at": timezone.now() - timedelta(minutes=5), "content": "电话沟通方案",
            "feedback": "", "next_step": "", "next_followup_at": None, **fields}  # fmt: skip


def last_activity(deal: Opportunity) -> Any:
    return Opportunity.objects.get(pk=deal.pk).last_activity_at


def test_follow_up_about_a_deal_moves_its_last_activity(scene: Scene) -> None:
    Opportunity.objects.filter(pk=scene.deal.pk).update(last_activity_at=timezone.now() - timedelta(days=20))
    values = data()
    followup = create_followup(scene.world.owner, scene.customer, values, opportunity=scene.deal)
    assert followup.opportunity_id == scene.deal.pk
    assert last_activity(scene.deal) == values["occurred_at"]


def test_a_backdated_follow_up_never_moves_last_activity_back(scene: Scene) -> None:
    now = last_activity(scene.deal)
    create_followup(
        scene.world.owner, scene.customer, data(occurred_at=now - timedelta(days=3)), opportunity=scene.deal
    )
    assert last_activity(scene.deal) == now


def test_deal_of_another_customer_is_refused(scene: Scene) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        create_followup(scene.world.stranger, scene.hidden_customer, data(), opportunity=scene.deal)
    assert list(caught.value.message_dict) == ["opportunity"]
    assert db_state() == before


def test_closed_deal_is_refused_but_a_kept_link_stays(scene: Scene) -> None:
    followup = create_followup(scene.world.owner, scene.customer, data(), opportunity=scene.deal)
    Opportunity.objects.filter(pk=scene.deal.pk).update(status=OpportunityStatus.WON, closed_at=timezone.now())
    closed = Opportunity.objects.select_related("customer", "owner", "owner__team").get(pk=scene.deal.pk)
    update_followup(scene.world.owner, followup, {"content": "改写内容"}, opportunity=closed)  # unchanged link: fine
    with pytest.raises(ValidationError) as caught:
        create_followup(scene.world.owner, scene.customer, data(), opportunity=closed)
    assert list(caught.value.message_dict) == ["opportunity"]


def test_linking_on_update_moves_last_activity(scene: Scene) -> None:
    Opportunity.objects.filter(pk=scene.deal.pk).update(last_activity_at=timezone.now() - timedelta(days=20))
    values = data()
    followup = create_followup(scene.world.owner, scene.customer, values)
    update_followup(scene.world.owner, followup, {}, opportunity=scene.deal)
    assert FollowUp.objects.get(pk=followup.pk).opportunity_id == scene.deal.pk
    assert last_activity(scene.deal) == values["occurred_at"]
    update_followup(scene.world.owner, followup, {}, opportunity=None)
    assert FollowUp.objects.get(pk=followup.pk).opportunity_id is None


def _web_post(deal_id: Any) -> dict[str, Any]:
    when = timezone.localtime() - timedelta(minutes=5)
    return {"kind": "call", "occurred_at": when.strftime("%Y-%m-%dT%H:%M"), "content": "电话沟通方案",
            "opportunity": deal_id}  # fmt: skip


def test_web_form_offers_the_customers_open_deals(scene: Scene) -> None:
    page = client(scene.world.owner).get(f"/followups/new/?customer={scene.customer.pk}&opportunity={scene.deal.pk}")
    html = page.content.decode()
    assert f'<option value="{scene.deal.pk}" selected>星河数据中台项目</option>' in html
    assert "远景ERP项目" not in html


def test_web_form_links_and_refuses_a_foreign_deal(scene: Scene) -> None:
    browser = client(scene.world.owner)
    refused = browser.post(f"/followups/new/?customer={scene.customer.pk}", _web_post(scene.hidden_deal.pk))
    assert refused.status_code == 422
    assert refused.context["form"].errors["opportunity"]
    assert FollowUp.objects.count() == 0
    saved = browser.post(f"/followups/new/?customer={scene.customer.pk}", _web_post(scene.deal.pk))
    assert saved.status_code == 302
    assert FollowUp.objects.get().opportunity_id == scene.deal.pk


def test_form_without_deals_has_no_deal_field(world: OrgWorld) -> None:
    from kam.sales.tests.fixtures_deals import make_customer

    customer = make_customer(world.owner, "天津海港物流有限公司")
    html = client(world.owner).get(f"/followups/new/?customer={customer.pk}").content.decode()
    assert 'name="opportunity"' not in html


def test_api_links_and_refuses_with_the_field_path(scene: Scene) -> None:
    browser = bearer_client(scene.world.owner)
    when = (timezone.now() - timedelta(minutes=5)).isoformat()
    body = {"customer_id": scene.customer.pk, "occurred_at": when, "content": "电话沟通方案"}
    refused = call(browser, "POST", "/followups", {**body, "opportunity_id": scene.hidden_deal.pk})
    assert refused.status_code == 422
    assert refused.data["detail"][0]["loc"] == ["body", "opportunity_id"]
    created = call(browser, "POST", "/followups", {**body, "opportunity_id": scene.deal.pk})
    assert created.status_code == 201
    followup = FollowUp.objects.get()
    assert followup.opportunity_id == scene.deal.pk
    other = make_deal(scene.world.owner, scene.customer, name="星河二期")
    patched = call(browser, "PATCH", f"/followups/{followup.pk}", {"opportunity_id": other.pk})
    assert patched.status_code == 200
    assert FollowUp.objects.get().opportunity_id == other.pk
    assert call(browser, "PATCH", f"/followups/{followup.pk}", {"opportunity_id": None}).status_code == 200
    assert FollowUp.objects.get().opportunity_id is None


def test_deal_section_lists_its_follow_ups_newest_first(scene: Scene) -> None:
    older = create_followup(scene.world.owner, scene.customer, data(occurred_at=timezone.now() - timedelta(days=2)),
                            opportunity=scene.deal)  # fmt: skip
    newer = create_followup(scene.world.owner, scene.customer, data(), opportunity=scene.deal)
    create_followup(scene.world.owner, scene.customer, data())  # not about the deal
    access = opportunity_access(scene.world.owner, scene.deal)
    assert followups_section(scene.deal, scene.world.owner, access)["followups"] == [newer, older]
    # The deal-team read member cannot open the customer, so its follow-ups stay hidden from them.
    member = scene.world.teammate
    assert followups_section(scene.deal, member, opportunity_access(member, scene.deal))["followups"] == []
