"""Qualification pages: the deal page sections, influence and MEDDPICC forms, the coverage page.

Access matrix for each page: anonymous → login, outsider and same-org stranger → 404, read-only
(customer read collaborator, deal-team read member) → may read, 403 on writes, owner and the
manager above may write. Every refusal leaves the data as it was.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.customers.actions import set_collaborator
from kam.sales.deal_sections import deal_sections
from kam.sales.models import BuyingInfluence, QualificationScore
from kam.sales.queries import get_opportunity_for_user, opportunity_access
from kam.sales.tests.fixtures_deals import add_member, make_customer, make_deal
from kam.sales.tests.qualification_scene import BlueSheet, make_contact, make_influence, meet

READERS = ["collaborator", "teammate"]
WRITERS = ["owner", "manager_north", "admin"]
HIDDEN = ["stranger", "outsider"]


@pytest.fixture
def sheet(world):
    sheet = BlueSheet(world.owner)
    set_collaborator(world.owner, sheet.customer, world.collaborator, "read")
    add_member(sheet.deal, world.teammate, access="read")
    return sheet


def state(deal):
    influences = list(
        BuyingInfluence.objects.filter(opportunity=deal).order_by("id").values_list("contact_id", "role", "rating")
    )
    scores = list(
        QualificationScore.objects.filter(opportunity=deal).order_by("element").values_list("element", "score")
    )
    audits = AuditEntry.objects.filter(entity="sales.opportunity", entity_id=deal.pk).count()
    return influences, scores, audits


def url(name, sheet, *extra):
    return reverse(name, args=[sheet.deal.pk, *extra])


# --- deal page sections -------------------------------------------------------------------------


def test_deal_page_shows_influences_flags_and_meddpicc(world, sheet, client_for):
    sheet.user_row.rating = -5
    sheet.user_row.save(update_fields=["rating"])
    response = client_for(world.owner).get(reverse("deal-detail", args=[sheet.deal.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="deal-influences"' in html
    assert 'id="deal-meddpicc"' in html
    assert 'role="alert"' in html
    assert 'data-flag="low_rating"' in html
    assert "李工强烈反对我们的方案（评分 −5）。" in html
    assert 'class="badge qualification-rating qualification-rating-neg2"' in html
    assert html.count('id="deal-influence-') == 4 + 1  # four rows and the add link
    assert reverse("deal-influence-edit", args=[sheet.deal.pk, sheet.user_row.pk]) in html
    assert reverse("deal-meddpicc", args=[sheet.deal.pk]) in html
    assert "总分 0/16" in html


def test_deal_page_for_a_read_member_has_no_edit_controls(world, sheet, client_for):
    html = client_for(world.teammate).get(reverse("deal-detail", args=[sheet.deal.pk])).content.decode()
    assert 'id="deal-influences-table"' in html
    assert 'id="deal-influence-add-link"' not in html
    assert 'id="deal-meddpicc-edit-link"' not in html
    assert reverse("deal-influence-delete", args=[sheet.deal.pk, sheet.user_row.pk]) not in html
    # The read member may not open the customer: names without links to contact pages.
    assert reverse("contact-detail", args=[sheet.boss.pk]) not in html


def test_meddpicc_section_shows_scores_evidence_contact_and_gate(world, sheet, client_for):
    QualificationScore.objects.create(
        organization=world.org,
        opportunity=sheet.deal,
        element="champion",
        score=2,
        evidence="提供评标信息",
        contact=sheet.coach,
    )
    html = client_for(world.owner).get(reverse("deal-detail", args=[sheet.deal.pk])).content.decode()
    assert "总分 2/16" in html
    assert "提供评标信息" in html
    assert html.count("qualification-pip qualification-pip-on") == 2
    # Next stage 需求分析 needs identified pain ≥ 1.
    assert 'id="deal-gate-status"' in html
    assert 'data-element="identified_pain"' in html


def _section_queries(world, deal):
    deal = get_opportunity_for_user(world.owner, deal.pk)
    access = opportunity_access(world.owner, deal)
    mine = [s for s in deal_sections() if s.key in ("influences", "meddpicc")]
    with CaptureQueriesContext(connection) as queries:
        contexts = [s.context(deal, world.owner, access) for s in mine]
    return len(queries), contexts


def _deal_with(world, customer_name, people):
    customer = make_customer(world.owner, customer_name)
    deal = make_deal(world.owner, customer)
    roles = ["economic", "user", "technical", "coach"]
    for i in range(people):
        contact = make_contact(customer, f"联系人{i}")
        make_influence(deal, contact, roles[i] if i < 4 else "user", rating=-4, added_at=timezone.now())
        meet(world.owner, [contact], timezone.now() - timedelta(days=120))
    QualificationScore.objects.create(
        organization=world.org, opportunity=deal, element="metrics", score=1, evidence="x"
    )
    return deal


def test_sections_cost_the_same_queries_for_3_and_9_influences(world):
    small = _deal_with(world, "北京冶金集团", 3)
    large = _deal_with(world, "上海港务集团", 9)
    small_count, small_contexts = _section_queries(world, small)
    large_count, large_contexts = _section_queries(world, large)
    # Influences: rows, first-stage check, contact audit, meetings. MEDDPICC: scores, then the gate's three.
    assert (small_count, large_count) == (8, 8)
    assert (len(small_contexts[0]["rows"]), len(large_contexts[0]["rows"])) == (3, 9)
    assert (len(small_contexts[0]["flags"]), len(large_contexts[0]["flags"])) == (1 + 3 * 2, 9 * 2)


def test_deal_page_costs_the_same_queries_for_3_and_9_influences(world, client_for):
    small = _deal_with(world, "北京冶金集团", 3)
    large = _deal_with(world, "上海港务集团", 9)
    client = client_for(world.owner)
    client.get(reverse("deal-detail", args=[small.pk]))  # warm the session and caches
    counts = []
    for deal in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("deal-detail", args=[deal.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- influence forms ----------------------------------------------------------------------------


def test_add_influence_page_lists_only_the_customers_contacts(world, sheet, client_for):
    make_contact(make_customer(world.owner, "上海港务集团"), "周总")
    make_contact(sheet.customer, "已删除", deleted_at=timezone.now())
    html = client_for(world.owner).get(url("deal-influence-add", sheet)).content.decode()
    assert [name for name in ("王总", "李工", "赵工", "孙秘书", "周总", "已删除") if f">{name}</option>" in html] == [
        "王总",
        "李工",
        "赵工",
        "孙秘书",
    ]


def test_add_influence_by_form_redirects_to_the_deal(world, sheet, client_for):
    newcomer = make_contact(sheet.customer, "钱主任")
    data = {
        "contact": newcomer.pk,
        "role": "user",
        "influence": "high",
        "response_mode": "",
        "rating": "-2",
        "personal_win": "少加班",
    }
    response = client_for(world.owner).post(url("deal-influence-add", sheet), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("deal-detail", args=[sheet.deal.pk]) + "#deal-influences"
    row = BuyingInfluence.objects.get(contact=newcomer)
    assert (row.role, row.influence, row.rating, row.personal_win) == ("user", "high", -2, "少加班")


def test_second_economic_buyer_by_form_shows_the_field_error(world, sheet, client_for):
    newcomer = make_contact(sheet.customer, "钱总")
    before = state(sheet.deal)
    response = client_for(world.owner).post(
        url("deal-influence-add", sheet),
        {"contact": newcomer.pk, "role": "economic", "influence": "high", "rating": "0"},
    )
    assert response.status_code == 422
    assert "王总已是这个商机的经济决策人；一个商机只有一位经济决策人。" in response.content.decode()
    assert state(sheet.deal) == before


def test_edit_influence_by_form(world, sheet, client_for):
    edit = url("deal-influence-edit", sheet, sheet.tech_row.pk)
    page = client_for(world.owner).get(edit)
    assert page.status_code == 200
    assert 'value="technical" selected' in page.content.decode()
    data = {
        "contact": sheet.tech.pk,
        "role": "technical",
        "influence": "low",
        "response_mode": "even_keel",
        "rating": "-1",
    }
    response = client_for(world.owner).post(edit, data)
    assert response.status_code == 302
    sheet.tech_row.refresh_from_db()
    assert (sheet.tech_row.influence, sheet.tech_row.response_mode, sheet.tech_row.rating) == ("low", "even_keel", -1)


def test_delete_influence_by_form(world, sheet, client_for):
    response = client_for(world.manager_north).post(url("deal-influence-delete", sheet, sheet.coach_row.pk))
    assert response.status_code == 302
    assert BuyingInfluence.objects.filter(pk=sheet.coach_row.pk).exists() is False


def test_influence_of_another_deal_is_missing(world, sheet, client_for):
    other = make_deal(world.owner, sheet.customer, name="二期")
    row = make_influence(other, sheet.boss, "economic")
    assert client_for(world.owner).get(url("deal-influence-edit", sheet, row.pk)).status_code == 404
    assert client_for(world.owner).post(url("deal-influence-delete", sheet, row.pk)).status_code == 404
    assert BuyingInfluence.objects.filter(pk=row.pk).exists() is True


# --- MEDDPICC form ------------------------------------------------------------------------------


def _meddpicc_data(**changes):
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
    data.update(changes)
    return data


def test_meddpicc_form_saves_all_elements(world, sheet, client_for):
    data = _meddpicc_data(
        identified_pain_score="2",
        identified_pain_evidence="停机每小时损失 20 万",
        champion_score="1",
        champion_evidence="孙秘书主动约见",
        champion_contact=str(sheet.coach.pk),
    )
    response = client_for(world.owner).post(url("deal-meddpicc", sheet), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("deal-detail", args=[sheet.deal.pk]) + "#deal-meddpicc"
    rows = {r.element: (r.score, r.contact_id) for r in QualificationScore.objects.filter(opportunity=sheet.deal)}
    assert rows["identified_pain"] == (2, None)
    assert rows["champion"] == (1, sheet.coach.pk)
    # The economic buyer defaults to the deal's economic-buyer influence.
    assert rows["economic_buyer"] == (0, sheet.boss.pk)


def test_meddpicc_form_shows_missing_evidence_on_the_element(world, sheet, client_for):
    before = state(sheet.deal)
    response = client_for(world.owner).post(url("deal-meddpicc", sheet), _meddpicc_data(metrics_score="1"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "请写明依据" in html
    assert state(sheet.deal) == before


def test_meddpicc_form_prefills_current_values(world, sheet, client_for):
    QualificationScore.objects.create(
        organization=world.org, opportunity=sheet.deal, element="metrics", score=2, evidence="节能 8%"
    )
    html = client_for(world.owner).get(url("deal-meddpicc", sheet)).content.decode()
    assert "节能 8%</textarea>" in html
    assert 'id="deal-meddpicc-field-champion"' in html


# --- coverage -----------------------------------------------------------------------------------


def test_coverage_shows_the_whole_map_to_who_may_open_the_customer(world, sheet, client_for):
    make_contact(sheet.customer, "周会计", reports_to=sheet.boss)
    response = client_for(world.owner).get(url("deal-coverage", sheet))
    html = response.content.decode()
    assert response.status_code == 200
    assert "周会计" in html
    assert html.count("qualification-marked") == 4 + 1  # four marked people and the legend sample
    assert f'id="deal-coverage-contact-{sheet.boss.pk}"' in html
    assert reverse("contact-detail", args=[sheet.boss.pk]) in html
    assert 'data-role="coach"' in html
    assert 'data-warning="no_decision_maker"' in html


def test_coverage_shows_only_the_deals_people_to_a_member_without_customer_access(world, sheet, client_for):
    make_contact(sheet.customer, "周会计", reports_to=sheet.boss)
    response = client_for(world.teammate).get(url("deal-coverage", sheet))
    html = response.content.decode()
    assert response.status_code == 200
    assert "周会计" not in html
    assert all(name in html for name in ("王总", "李工", "赵工", "孙秘书"))
    assert reverse("contact-detail", args=[sheet.boss.pk]) not in html
    assert "本商机相关人" in html
    assert 'id="deal-coverage-warnings"' not in html


def test_coverage_lists_uncovered_roles_and_unmet_people(world, client_for):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    boss = make_contact(deal.customer, "王总")
    make_influence(deal, boss, "economic")
    html = client_for(world.owner).get(reverse("deal-coverage", args=[deal.pk])).content.decode()
    assert html.count("未识别</span>") == 3
    assert f'data-contact="{boss.pk}"' in html
    assert "从未见面" in html


# --- access matrix ------------------------------------------------------------------------------

PAGES = [
    ("deal-coverage", "get", False),
    ("deal-influence-add", "get", True),
    ("deal-influence-add", "post", True),
    ("deal-influence-edit", "get", True),
    ("deal-influence-edit", "post", True),
    ("deal-influence-delete", "post", True),
    ("deal-meddpicc", "get", True),
    ("deal-meddpicc", "post", True),
]


def _request(client, sheet, name, method):
    extra = [sheet.user_row.pk] if name in ("deal-influence-edit", "deal-influence-delete") else []
    target = url(name, sheet, *extra)
    if method == "get":
        return client.get(target)
    role = "coach" if name == "deal-influence-add" else "user"
    payload = {"contact": sheet.user.pk, "role": role, "influence": "low", "rating": "5"}
    if name == "deal-meddpicc":
        payload = _meddpicc_data(metrics_score="2", metrics_evidence="已确认")
    return client.post(target, payload)


@pytest.mark.parametrize(("name", "method", "writes"), PAGES)
def test_anonymous_is_sent_to_login(world, sheet, client_for, name, method, writes):
    before = state(sheet.deal)
    response = _request(client_for(None), sheet, name, method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert state(sheet.deal) == before


@pytest.mark.parametrize("who", HIDDEN)
@pytest.mark.parametrize(("name", "method", "writes"), PAGES)
def test_hidden_deal_answers_404(world, sheet, client_for, name, method, writes, who):
    before = state(sheet.deal)
    assert _request(client_for(getattr(world, who)), sheet, name, method).status_code == 404
    assert state(sheet.deal) == before


@pytest.mark.parametrize("who", READERS)
@pytest.mark.parametrize(("name", "method", "writes"), PAGES)
def test_read_only_may_read_but_not_write(world, sheet, client_for, name, method, writes, who):
    before = state(sheet.deal)
    response = _request(client_for(getattr(world, who)), sheet, name, method)
    assert response.status_code == (403 if writes else 200)
    assert state(sheet.deal) == before


@pytest.mark.parametrize("who", WRITERS)
@pytest.mark.parametrize(("name", "method", "writes"), PAGES)
def test_owner_manager_and_admin_may_write(world, sheet, client_for, name, method, writes, who):
    response = _request(client_for(getattr(world, who)), sheet, name, method)
    assert response.status_code == (302 if method == "post" else 200)


def test_write_member_of_the_deal_team_may_edit_influences(world, sheet, client_for):
    add_member(sheet.deal, world.stranger, access="write")
    response = _request(client_for(world.stranger), sheet, "deal-influence-edit", "post")
    assert response.status_code == 302
    sheet.user_row.refresh_from_db()
    assert (sheet.user_row.influence, sheet.user_row.rating) == ("low", 5)


def test_meddpicc_form_proposes_the_economic_buyer_influence(world, sheet, client_for):
    html = client_for(world.owner).get(url("deal-meddpicc", sheet)).content.decode()
    assert f'<option value="{sheet.boss.pk}" selected>王总</option>' in html
