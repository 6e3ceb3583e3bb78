"""The qualification API: buying influences and MEDDPICC. Access matrix for every endpoint (refusals
change nothing), response shapes, and 422 field paths."""

from __future__ import annotations

import pytest

from kam.core.models import AuditEntry
from kam.core.tests.api_support import call, session_client
from kam.customers.actions import set_collaborator
from kam.sales.models import BuyingInfluence, QualificationScore
from kam.sales.tests.fixtures_deals import add_member, make_customer
from kam.sales.tests.qualification_scene import BlueSheet, make_contact

READ = {
    "anonymous": 401,
    "outsider": 404,
    "stranger": 404,
    "collaborator": 200,
    "teammate": 200,
    "owner": 200,
    "manager_north": 200,
}
WRITE = {**READ, "collaborator": 403, "teammate": 403}


@pytest.fixture
def sheet(world):
    sheet = BlueSheet(world.owner)
    set_collaborator(world.owner, sheet.customer, world.collaborator, "read")
    add_member(sheet.deal, world.teammate, access="read")
    sheet.newcomer = make_contact(sheet.customer, "钱主任", title="采购主任")
    return sheet


def state(deal):
    influences = list(BuyingInfluence.objects.filter(opportunity=deal).order_by("id").values())
    scores = list(QualificationScore.objects.filter(opportunity=deal).order_by("id").values())
    return influences, scores, AuditEntry.objects.count()


def client(world, who):
    return session_client(None if who == "anonymous" else getattr(world, who))


def _cases(sheet):
    deal = sheet.deal.pk
    row = sheet.user_row.pk
    return [
        ("GET", f"/deals/{deal}/influences", None, READ),
        (
            "POST",
            f"/deals/{deal}/influences",
            {"contact_id": sheet.newcomer.pk, "role": "user"},
            {**WRITE, "owner": 201, "manager_north": 201},
        ),
        ("PATCH", f"/deals/{deal}/influences/{row}", {"rating": -1}, WRITE),
        ("DELETE", f"/deals/{deal}/influences/{row}", None, {**WRITE, "owner": 204, "manager_north": 204}),
        ("GET", f"/deals/{deal}/meddpicc", None, READ),
        ("PUT", f"/deals/{deal}/meddpicc", {"metrics": {"score": 1, "evidence": "节能 8%"}}, WRITE),
    ]


@pytest.mark.parametrize("case", range(6))
@pytest.mark.parametrize("who", list(READ))
def test_access_matrix(world, sheet, case, who):
    method, path, body, expected = _cases(sheet)[case]
    before = state(sheet.deal)
    response = call(client(world, who), method, path, body)
    assert response.status_code == expected[who]
    if expected[who] >= 400 or method == "GET":
        assert state(sheet.deal) == before


def test_list_influences_in_role_order_with_contacts(world, sheet):
    response = call(client(world, "teammate"), "GET", f"/deals/{sheet.deal.pk}/influences")
    assert [(row["contact"]["name"], row["role"], row["role_label"], row["rating"]) for row in response.data] == [
        ("王总", "economic", "经济决策人", 3),
        ("李工", "user", "使用者", 2),
        ("赵工", "technical", "技术把关人", 0),
        ("孙秘书", "coach", "教练", 5),
    ]
    assert response.data[0]["contact"] == {"id": sheet.boss.pk, "name": "王总", "title": "总经理"}
    assert response.data[0]["added_at"].endswith("+08:00")


def test_create_influence_returns_the_row(world, sheet):
    body = {
        "contact_id": sheet.newcomer.pk,
        "role": "technical",
        "influence": "high",
        "response_mode": "trouble",
        "rating": -2,
        "personal_win": "少背锅",
    }
    response = call(client(world, "owner"), "POST", f"/deals/{sheet.deal.pk}/influences", body)
    assert response.status_code == 201
    data = response.data
    assert (
        data["contact"]["id"],
        data["role"],
        data["influence"],
        data["response_mode"],
        data["rating"],
        data["personal_win"],
    ) == (
        sheet.newcomer.pk,
        "technical",
        "high",
        "trouble",
        -2,
        "少背锅",
    )


def test_second_economic_buyer_is_a_422_on_role(world, sheet):
    body = {"contact_id": sheet.newcomer.pk, "role": "economic"}
    response = call(client(world, "owner"), "POST", f"/deals/{sheet.deal.pk}/influences", body)
    assert response.status_code == 422
    assert response.data["detail"] == [
        {
            "loc": ["body", "role"],
            "msg": "王总已是这个商机的经济决策人；一个商机只有一位经济决策人。",
            "type": "value_error",
        }
    ]


def test_patch_changes_only_the_sent_fields(world, sheet):
    response = call(
        client(world, "owner"),
        "PATCH",
        f"/deals/{sheet.deal.pk}/influences/{sheet.user_row.pk}",
        {"response_mode": "growth"},
    )
    assert response.status_code == 200
    assert (response.data["response_mode"], response.data["rating"], response.data["role"]) == ("growth", 2, "user")


def test_meddpicc_shows_elements_total_and_red_flags(world, sheet):
    sheet.coach_row.delete()
    QualificationScore.objects.create(
        organization=world.org,
        opportunity=sheet.deal,
        element="champion",
        score=2,
        evidence="主动约见",
        contact=sheet.coach,
    )
    response = call(client(world, "teammate"), "GET", f"/deals/{sheet.deal.pk}/meddpicc")
    assert response.status_code == 200
    data = response.data
    assert [e["element"] for e in data["elements"]] == [
        "metrics",
        "economic_buyer",
        "decision_criteria",
        "decision_process",
        "paper_process",
        "identified_pain",
        "champion",
        "competition",
    ]
    assert data["elements"][6] == {
        "element": "champion",
        "label": "内部支持者",
        "score": 2,
        "evidence": "主动约见",
        "contact": {"id": sheet.coach.pk, "name": "孙秘书", "title": "总经理秘书"},
    }
    assert data["elements"][0] == {
        "element": "metrics",
        "label": "量化指标",
        "score": 0,
        "evidence": "",
        "contact": None,
    }
    assert (data["total"], data["max_total"]) == (2, 16)
    assert data["red_flags"] == [
        {"code": "no_coach", "message": "没有教练：没有人指引我们推进这个商机。", "contact_id": None}
    ]


def test_put_meddpicc_sets_sent_elements_and_answers_the_new_state(world, sheet):
    body = {
        "champion": {"score": 1, "evidence": "主动约见", "contact_id": sheet.coach.pk},
        "identified_pain": {"score": 2, "evidence": "停机损失"},
    }
    response = call(client(world, "owner"), "PUT", f"/deals/{sheet.deal.pk}/meddpicc", body)
    assert response.status_code == 200
    assert response.data["total"] == 3
    assert response.data["elements"][6]["contact"]["id"] == sheet.coach.pk
    assert response.data["elements"][1]["contact"]["id"] == sheet.boss.pk  # defaulted from the economic buyer


def test_put_meddpicc_names_the_failing_fields(world, sheet):
    elsewhere = make_contact(make_customer(world.owner, "上海港务集团"), "周总")
    body = {
        "metrics": {"score": 1, "evidence": ""},
        "champion": {"score": 0, "contact_id": elsewhere.pk},
        "competition": {"score": 0, "contact_id": sheet.boss.pk},
    }
    before = state(sheet.deal)
    response = call(client(world, "owner"), "PUT", f"/deals/{sheet.deal.pk}/meddpicc", body)
    assert response.status_code == 422
    assert sorted((tuple(e["loc"]), e["msg"]) for e in response.data["detail"]) == [
        (("body", "champion", "contact_id"), "请选择这个客户的联系人。"),
        (("body", "competition", "contact_id"), "只有经济决策人和内部支持者需要指定联系人。"),
        (("body", "metrics", "evidence"), "请写明依据"),
    ]
    assert state(sheet.deal) == before


def test_influence_of_another_deal_is_404(world, sheet):
    other = BlueSheet(world.owner, customer_name="上海港务集团")
    response = call(
        client(world, "owner"), "PATCH", f"/deals/{sheet.deal.pk}/influences/{other.user_row.pk}", {"rating": 1}
    )
    assert response.status_code == 404
    other.user_row.refresh_from_db()
    assert other.user_row.rating == 2
