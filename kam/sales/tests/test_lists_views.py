"""Saved views of the deal table: saved per user from the current filters, replayed as chips, replaced
by name, deleted only by their owner (anyone else gets 404), and only filter parameters kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from kam.conftest import OrgWorld
from kam.sales.actions_views import clean_params, delete_view, save_view
from kam.sales.models import SavedView
from kam.sales.queries_lists import saved_views_of
from kam.sales.tests.fixtures_deals import deals_state
from kam.sales.tests.lists_scene import english_client


def test_saving_the_current_filters_from_the_list_page(world: OrgWorld) -> None:
    client = english_client(world.owner)
    response = client.post("/deals/views/new/", {"name": "本月成交", "params": "status=open&sort=-amount&page=3"})
    assert (response.status_code, response["Location"]) == (302, "/deals/?status=open&sort=-amount")
    view = SavedView.objects.get(user=world.owner)
    assert (view.name, view.params, view.organization_id) == ("本月成交", "status=open&sort=-amount", world.org.pk)
    html = client.get("/deals/?status=open&sort=-amount").content.decode()
    assert '<a href="/deals/?status=open&amp;sort=-amount" aria-current="true">本月成交</a>' in html
    assert f'action="/deals/views/{view.pk}/delete/"' in html
    assert 'id="deal-view-params" form="deal-view-form" value="status=open&amp;sort=-amount"' in html


def test_same_name_replaces_the_filters(world: OrgWorld) -> None:
    first = save_view(world.owner, "我的", "status=won")
    second = save_view(world.owner, " 我的 ", "status=lost")
    assert first.pk == second.pk
    assert list(saved_views_of(world.owner).values_list("name", "params")) == [("我的", "status=lost")]


def test_views_are_per_user_and_others_cannot_delete_mine(world: OrgWorld) -> None:
    mine = save_view(world.owner, "我的", "status=won")
    save_view(world.teammate, "我的", "status=lost")
    assert [v.params for v in saved_views_of(world.owner)] == ["status=won"]
    assert "我的" not in english_client(world.manager_north).get("/deals/").content.decode()
    before = deals_state()
    for intruder in (world.teammate, world.manager_north, world.admin, world.outsider):
        assert english_client(intruder).post(f"/deals/views/{mine.pk}/delete/").status_code == 404
        with pytest.raises(Http404):
            delete_view(intruder, mine.pk)
    assert deals_state() == before
    response = english_client(world.owner).post(f"/deals/views/{mine.pk}/delete/")
    assert (response.status_code, response["Location"]) == (302, "/deals/")
    assert not SavedView.objects.filter(pk=mine.pk).exists()


def test_only_filter_parameters_are_kept() -> None:
    # The last of repeated values wins, as in the form that reads them.
    assert clean_params("?q=first&page=2&evil=<script>&status=won&sort=-amount&q=宝钢") == (
        "q=%E5%AE%9D%E9%92%A2&status=won&sort=-amount"
    )
    assert clean_params("owner=%00&team=&stage=7") == "stage=7"
    assert clean_params("") == ""


def test_names_are_required_short_and_views_limited(world: OrgWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        save_view(world.owner, "  ", "status=won")
    assert list(caught.value.message_dict) == ["name"]
    with pytest.raises(ValidationError):
        save_view(world.owner, "名" * 51, "status=won")
    for i in range(50):
        SavedView.objects.create(organization=world.org, user=world.owner, name=f"v{i}", params="")
    with pytest.raises(ValidationError) as caught:
        save_view(world.owner, "one more", "")
    assert caught.value.message_dict == {"name": ["You have 50 saved views; delete one before saving another."]}


def test_a_refused_save_shows_the_message_and_changes_nothing(world: OrgWorld) -> None:
    before = deals_state()
    response = english_client(world.owner).post("/deals/views/new/", {"name": "", "params": "status=won"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/deals/?status=won", 302)]
    assert "This field is required." in response.content.decode()
    assert deals_state() == before
