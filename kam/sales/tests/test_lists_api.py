"""The list, board, team and saved-view API: filters as query parameters, paging, exact board totals,
team writes with the 100 % rule as a 422 on the field, and saved views per user."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kam.conftest import OrgWorld
from kam.core.tests.api_support import call
from kam.sales.models import OpportunityMember, SavedView
from kam.sales.tests.lists_scene import Scene, english_client, make_scene


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def test_list_filters_and_pages(scene: Scene) -> None:
    client = english_client(scene.world.director)
    data = call(client, "GET", "/deals?sort=-amount").data
    assert (data["count"], data["page"], data["pages"]) == (3, 1, 1)
    assert [row["name"] for row in data["items"]] == ["华能集控平台", "宝钢冷轧线改造", "海尔仓储系统"]
    power = data["items"][0]
    assert power == {
        "id": scene.power.pk,
        "name": "华能集控平台",
        "customer": {"id": scene.customer_b.pk, "name": "华能电力"},
        "stage": {"id": scene.stages[1].pk, "name": scene.stages[1].name},
        "status": "open",
        "amount": "250000.50",
        "probability": 25,
        "weighted_amount": "62500.13",
        "expected_close_date": str(scene.power.expected_close_date),
        "overdue": True,
        "days_in_stage": 0,
        "owner": {"id": scene.world.owner.pk, "username": "owner", "name": "owner"},
        "next_step": "",
        "next_step_date": None,
        "updated_at": power["updated_at"],
    }
    assert power["updated_at"].endswith("+08:00")
    paged = call(client, "GET", "/deals?sort=name&page_size=2&page=2").data
    assert (paged["count"], paged["page"], paged["pages"], len(paged["items"])) == (3, 2, 2, 1)
    won = call(client, "GET", f"/deals?status=won&customer={scene.customer_a.pk}").data
    assert [row["name"] for row in won["items"]] == ["宝钢备件"]
    ranged = call(client, "GET", "/deals?amount_min=60000&amount_max=100000&q=宝钢").data
    assert [row["name"] for row in ranged["items"]] == ["宝钢冷轧线改造"]
    team = call(client, "GET", f"/deals?team={scene.world.east.pk}").data
    assert [row["name"] for row in team["items"]] == ["海尔仓储系统"]


def test_board_totals_are_exact(scene: Scene) -> None:
    data = call(english_client(scene.world.director), "GET", "/deals/board").data
    assert (data["count"], data["amount"], data["weighted_amount"]) == (3, "410000.50", "78500.13")
    first = data["columns"][0]
    assert (first["stage"]["name"], first["count"], first["amount"], first["weighted_amount"]) == (
        scene.stages[0].name,
        2,
        "160000.00",
        "16000.00",
    )
    assert [card["name"] for card in first["cards"]] == ["宝钢冷轧线改造", "海尔仓储系统"]
    assert [c["count"] for c in data["columns"]] == [2, 1, 0, 0, 0]
    assert call(english_client(scene.world.director), "GET", "/deals/board?business_line=999999").status_code == 404
    owner_board = call(english_client(scene.world.owner), "GET", f"/deals/board?owner={scene.world.owner.pk}").data
    assert [c["count"] for c in owner_board["columns"]] == [1, 1, 0, 0, 0]


def test_team_put_delete_and_splits(scene: Scene) -> None:
    w = scene.world
    client = english_client(w.owner)
    base = f"/deals/{scene.steel.pk}/team"
    response = call(client, "PUT", f"{base}/{w.teammate.pk}", {"role": "presales", "access": "write"})
    assert response.status_code == 200
    assert [(m["user"]["username"], m["role"], m["access"], m["split_percent"]) for m in response.data["members"]] == [
        ("owner", "owner", "write", "100.00"),
        ("collab", "sales", "read", "0.00"),
        ("teammate", "presales", "write", "0.00"),
    ]
    assert (response.data["split_total"], response.data["may_manage"]) == ("100.00", True)
    refused = call(
        client, "PUT", f"{base}/{w.teammate.pk}", {"role": "presales", "access": "write", "split_percent": "30"}
    )
    assert refused.status_code == 422
    assert refused.data["detail"] == [
        {
            "loc": ["body", "split_percent"],
            "msg": "The revenue splits of the deal team must add up to 100 %; "
            "they add up to 100 % now and would add up to 130 % with this change.",
            "type": "value_error",
        }
    ]
    splits = {
        "splits": [{"user_id": w.owner.pk, "split_percent": "70"}, {"user_id": w.teammate.pk, "split_percent": "30"}]
    }
    assert call(client, "PUT", f"{base}/splits", splits).data["split_total"] == "100.00"
    assert call(client, "DELETE", f"{base}/{w.teammate.pk}").status_code == 204
    assert dict(
        OpportunityMember.objects.filter(opportunity=scene.steel).values_list("user__username", "split_percent")
    ) == {
        "owner": Decimal("100.00"),
        "collab": Decimal("0.00"),
    }
    # Deleting someone who is not on the team is a no-op for a manager of the team.
    assert call(client, "DELETE", f"{base}/{w.stranger.pk}").status_code == 204
    assert call(client, "DELETE", f"{base}/{w.owner.pk}").status_code == 422
    assert call(client, "PUT", f"{base}/{w.outsider.pk}", {}).data["detail"][0]["loc"] == ["body", "user_id"]
    assert call(client, "GET", base).data["may_manage"] is True
    assert call(english_client(w.collaborator), "GET", base).data["may_manage"] is False


def test_saved_views_belong_to_their_user(scene: Scene) -> None:
    w = scene.world
    owner, teammate = english_client(w.owner), english_client(w.teammate)
    created = call(owner, "POST", "/deals/views", {"name": "大单", "params": "amount_min=100000&junk=1&page=4"})
    assert created.status_code == 201
    assert (created.data["name"], created.data["params"]) == ("大单", "amount_min=100000")
    assert [v["name"] for v in call(owner, "GET", "/deals/views").data] == ["大单"]
    assert call(teammate, "GET", "/deals/views").data == []
    assert call(teammate, "DELETE", f"/deals/views/{created.data['id']}").status_code == 404
    assert call(owner, "DELETE", f"/deals/views/{created.data['id']}").status_code == 204
    assert not SavedView.objects.exists()
    assert call(owner, "POST", "/deals/views", {"name": "", "params": ""}).status_code == 422
