"""Deal-team membership opens that deal only: a read member sees the deal but not its customer nor the
customer's other deals; a write member edits the deal but does not manage the team. Plus the team
section's forms (htmx swaps, no-JS redirects, the colleague search)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kam.conftest import OrgWorld
from kam.sales.actions_deals import update_opportunity
from kam.sales.models import OpportunityMember
from kam.sales.queries import get_opportunity_for_user, opportunity_access, visible_opportunities
from kam.sales.tests.fixtures_deals import deals_state
from kam.sales.tests.lists_scene import Scene, english_client, htmx_client, make_scene


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def test_read_member_sees_the_deal_but_not_the_customer_nor_its_other_deals(scene: Scene) -> None:
    member = scene.world.collaborator
    client = english_client(member)
    assert client.get(f"/deals/{scene.steel.pk}/").status_code == 200
    assert client.get(f"/customers/{scene.customer_a.pk}/").status_code == 404
    assert client.get(f"/deals/{scene.won.pk}/").status_code == 404
    assert list(visible_opportunities(member).values_list("name", flat=True)) == ["宝钢冷轧线改造"]
    assert client.get("/api/v1/deals", {"status": "all", "customer": scene.customer_a.pk}).json()["count"] == 1
    access = opportunity_access(member, get_opportunity_for_user(member, scene.steel.pk))
    assert (access.read, access.write) == (True, False)
    with pytest.raises(PermissionDenied):
        get_opportunity_for_user(member, scene.steel.pk, write=True)


def test_write_member_edits_the_deal_but_does_not_manage_the_team(scene: Scene) -> None:
    writer = scene.writer
    deal = get_opportunity_for_user(writer, scene.power.pk, write=True)
    update_opportunity(writer, deal, {"next_step": "报价评审"})
    deal.refresh_from_db()
    assert deal.next_step == "报价评审"
    assert english_client(writer).get(f"/customers/{scene.customer_b.pk}/").status_code == 404
    before = deals_state()
    response = english_client(writer).post(
        f"/deals/{scene.power.pk}/team/",
        {"user": scene.world.teammate.pk, "role": "sales", "access": "read", "split_percent": "0"},
    )
    assert response.status_code == 403
    assert deals_state() == before
    section = english_client(writer).get(f"/deals/{scene.power.pk}/team/").content.decode()
    assert 'id="deal-team-add"' not in section
    assert "Remove" not in section


def test_owner_adds_a_member_with_htmx_and_gets_the_section_back(scene: Scene) -> None:
    w = scene.world
    response = htmx_client(w.owner).post(
        f"/deals/{scene.steel.pk}/team/",
        {"user": w.teammate.pk, "role": "presales", "access": "write", "split_percent": "0"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="deal-team-body"')
    assert html.count('<tr id="deal-member-') == 3
    assert OpportunityMember.objects.filter(opportunity=scene.steel, user=w.teammate, access="write").exists()


def test_a_split_that_breaks_100_shows_the_sum_on_the_field(scene: Scene) -> None:
    w = scene.world
    before = deals_state()
    response = htmx_client(w.owner).post(
        f"/deals/{scene.steel.pk}/team/",
        {"user": w.teammate.pk, "role": "sales", "access": "read", "split_percent": "20"},
    )
    assert response.status_code == 422
    assert "would add up to 120 % with this change." in response.content.decode()
    response = htmx_client(w.owner).post(
        f"/deals/{scene.steel.pk}/team/",
        {"splits": "1", f"split_{w.owner.pk}": "50", f"split_{w.collaborator.pk}": "40"},
    )
    assert response.status_code == 422
    assert "they add up to 100 % now and would add up to 90 % with this change." in response.content.decode()
    assert deals_state() == before
    response = htmx_client(w.owner).post(
        f"/deals/{scene.steel.pk}/team/",
        {"splits": "1", f"split_{w.owner.pk}": "60", f"split_{w.collaborator.pk}": "40"},
    )
    assert response.status_code == 200
    assert 'id="deal-team-split-total">100%<' in response.content.decode()
    splits = dict(
        OpportunityMember.objects.filter(opportunity=scene.steel).values_list("user__username", "split_percent")
    )
    assert splits == {"owner": Decimal("60.00"), "collab": Decimal("40.00")}


def test_without_js_the_forms_return_to_the_deal_page(scene: Scene) -> None:
    w = scene.world
    member = OpportunityMember.objects.get(opportunity=scene.steel, user=w.collaborator)
    response = english_client(w.owner).post(f"/deals/{scene.steel.pk}/team/{member.pk}/remove/")
    assert (response.status_code, response["Location"]) == (302, f"/deals/{scene.steel.pk}/#deal-team")
    assert not OpportunityMember.objects.filter(pk=member.pk).exists()


def test_a_member_row_of_another_deal_is_not_found(scene: Scene) -> None:
    other_row = OpportunityMember.objects.get(opportunity=scene.power, user=scene.writer)
    before = deals_state()
    response = english_client(scene.world.owner).post(f"/deals/{scene.steel.pk}/team/{other_row.pk}/remove/")
    assert response.status_code == 404
    assert deals_state() == before


def test_the_owner_row_cannot_be_removed_from_the_page(scene: Scene) -> None:
    owner_row = OpportunityMember.objects.get(opportunity=scene.steel, user=scene.world.owner)
    response = htmx_client(scene.world.owner).post(f"/deals/{scene.steel.pk}/team/{owner_row.pk}/remove/")
    assert response.status_code == 422
    assert "The deal owner cannot leave the deal team" in response.content.decode()


def test_colleague_search_offers_people_not_yet_on_the_team(scene: Scene) -> None:
    url = f"/deals/{scene.steel.pk}/team/"
    html = htmx_client(scene.world.owner).get(url, {"member_q": "mate"}).content.decode()
    assert f'name="user" value="{scene.world.teammate.pk}"' in html
    assert html.count('name="user"') == 1
    # The collaborator is on the team already.
    assert 'name="user"' not in htmx_client(scene.world.owner).get(url, {"member_q": "collab"}).content.decode()
    assert htmx_client(scene.world.collaborator).get(url, {"member_q": "mate"}).status_code == 403
    page = english_client(scene.world.owner).get(url, {"member_q": "writer"}).content.decode()
    assert f'value="{scene.writer.pk}" required checked' in page
