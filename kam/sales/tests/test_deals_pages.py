"""The deal pages: create (from a customer and with the picker), edit with versions, the deal page
(chevrons, next gate, controls by role), moves from the page and from the board, close, reopen,
history, and the deal page's query count."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.sales.models import CloseReason, Opportunity, OpportunityMember, QualificationScore, StageChange
from kam.sales.tests.fixtures_deals import add_member, make_customer, make_deal, stage_at

EN = {"Accept-Language": "en"}


def _deal(world, position=2, **fields):
    return make_deal(
        world.owner, make_customer(world.owner, "北京冶金集团"), stage=stage_at(world.org, position), **fields
    )


def test_create_from_customer_prefills_and_creates(world, client_for):
    customer = make_customer(world.owner, "北京冶金集团")
    client = client_for(world.owner)
    page = client.get(reverse("deal-create") + f"?customer={customer.pk}", headers=EN)
    assert page.status_code == 200
    assert f'name="customer" value="{customer.pk}" checked' in page.content.decode()
    data = {"customer": customer.pk, "name": "轧线改造", "amount": "500000", "expected_close_date": "2026-06-30"}
    response = client.post(reverse("deal-create"), data)
    deal = Opportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("deal-detail", args=[deal.pk])
    assert (deal.customer_id, deal.owner_id, deal.probability, deal.forecast_category) == (
        customer.pk,
        world.owner.pk,
        10,
        "pipeline",
    )


def test_create_refusal_shows_on_the_field(world, client_for):
    customer = make_customer(world.owner, "北京冶金集团")
    data = {"customer": customer.pk, "name": "轧线改造", "amount": "1", "expected_close_date": "2026-06-30"}
    response = client_for(world.owner).post(reverse("deal-create"), {**data, "probability": "60"}, headers=EN)
    assert response.status_code == 422
    assert "Say why the probability differs from the stage default (10%)." in response.content.decode()
    assert Opportunity.objects.count() == 0


def test_create_without_customer_shows_the_picker(world, client_for):
    response = client_for(world.owner).get(reverse("deal-create"))
    assert response.status_code == 200
    assert reverse("work-customer-picker") in response.content.decode()


def test_edit_saves_and_detects_stale_version(world, client_for):
    deal = _deal(world)
    client = client_for(world.owner)
    assert client.get(reverse("deal-edit", args=[deal.pk])).status_code == 200
    data = {"name": "新名字", "amount": "100000", "expected_close_date": "2026-06-30", "probability": "20"}
    response = client.post(reverse("deal-edit", args=[deal.pk]), {**data, "version": "1"})
    assert response.status_code == 302
    stale = client.post(reverse("deal-edit", args=[deal.pk]), {**data, "name": "再改", "version": "1"}, headers=EN)
    assert stale.status_code == 409
    assert "Someone else changed this deal" in stale.content.decode()
    assert Opportunity.objects.get(pk=deal.pk).name == "新名字"


def test_detail_shows_chevrons_next_gate_and_controls(world, client_for):
    deal = _deal(world)
    QualificationScore.objects.create(organization=world.org, opportunity=deal, element="champion", score=1)
    html = client_for(world.owner).get(reverse("deal-detail", args=[deal.pk]), headers=EN).content.decode()
    assert 'class="deals-step deals-step-current" aria-current="step"' in html
    assert html.count("deals-step deals-step-done") == 1
    assert html.count("deals-step deals-step-todo") == 3
    assert 'id="deal-gate-economic_buyer"' in html
    assert 'class="deals-gate-pass" id="deal-gate-champion"' in html
    assert "¥100,000.00" in html
    for control in ('id="deal-move-form"', 'id="deal-close-won"', 'id="deal-close-lost"', 'id="deal-edit-link"'):
        assert control in html
    assert 'id="deal-stage-history"' in html


def test_read_member_sees_the_deal_without_controls_or_customer_link(world, client_for):
    deal = _deal(world, members=((world.stranger, "read"),))
    html = client_for(world.stranger).get(reverse("deal-detail", args=[deal.pk])).content.decode()
    assert 'id="deal-move-form"' not in html
    assert 'id="deal-edit-link"' not in html
    assert reverse("customer-detail", args=[deal.customer_id]) not in html


def test_move_from_page_redirects_on_success(world, client_for):
    deal = _deal(world, position=1)
    QualificationScore.objects.create(organization=world.org, opportunity=deal, element="identified_pain", score=1)
    response = client_for(world.owner).post(reverse("deal-move", args=[deal.pk]), {"stage": stage_at(world.org, 2).pk})
    assert (response.status_code, response["Location"]) == (302, reverse("deal-detail", args=[deal.pk]))
    assert Opportunity.objects.get(pk=deal.pk).stage_id == stage_at(world.org, 2).pk


def test_move_gate_failure_names_elements_and_offers_override_to_managers_only(world, client_for):
    deal = _deal(world)
    url = reverse("deal-move", args=[deal.pk])
    target = {"stage": stage_at(world.org, 3).pk}
    rep = client_for(world.owner).post(url, target, headers=EN)
    assert rep.status_code == 422
    html = rep.content.decode()
    assert 'id="deal-gate-missing-economic_buyer"' in html
    assert "Economic buyer ≥ 1 (now 0)" in html
    assert "Champion ≥ 1 (now 0)" in html
    assert 'id="deal-override-form"' not in html
    manager = client_for(world.manager_north).post(url, target)
    assert manager.status_code == 422
    assert 'id="deal-override-form"' in manager.content.decode()
    done = client_for(world.manager_north).post(url, {**target, "override_reason": "董事长特批"})
    assert done.status_code == 302
    change = StageChange.objects.filter(opportunity=deal).latest("id")
    assert (change.gate_override, change.override_reason) == (True, "董事长特批")


def test_board_move_answers_htmx_without_a_page(world, client_for):
    deal = _deal(world, position=3)
    client = client_for(world.owner)
    url = reverse("deal-move", args=[deal.pk])
    back = client.post(url, {"stage": stage_at(world.org, 1).pk, "card": "1"}, headers={"HX-Request": "true"})
    assert (back.status_code, back.content, back["HX-Trigger"]) == (200, b"", "deal-moved")
    refused = client.post(url, {"stage": stage_at(world.org, 3).pk, "card": "1"}, headers={"HX-Request": "true", **EN})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert html.lstrip().startswith('<div class="warning-box deals-gate-failure"')
    assert "Economic buyer ≥ 1 (now 0)" in html
    assert Opportunity.objects.get(pk=deal.pk).stage_id == stage_at(world.org, 1).pk


def test_close_page_and_close(world, client_for):
    deal = _deal(world)
    client = client_for(world.owner)
    assert client.get(reverse("deal-close", args=[deal.pk]) + "?outcome=lost").status_code == 200
    reason = CloseReason.objects.filter(organization=world.org, outcome="won").first()
    bad = client.post(reverse("deal-close", args=[deal.pk]), {"outcome": "won"})
    assert bad.status_code == 422
    response = client.post(
        reverse("deal-close", args=[deal.pk]), {"outcome": "won", "reason": reason.pk, "notes": "好"}
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.close_reason_id, deal.close_notes) == ("won", reason.pk, "好")
    html = client.get(reverse("deal-detail", args=[deal.pk])).content.decode()
    assert 'id="deal-reopen-form"' in html
    assert 'id="deal-move-form"' not in html


def test_reopen_from_page(world, client_for):
    deal = _deal(world, status="lost")
    client = client_for(world.owner)
    response = client.post(reverse("deal-reopen", args=[deal.pk]), {"stage": stage_at(world.org, 1).pk})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.stage_id) == ("open", stage_at(world.org, 1).pk)
    again = client.post(reverse("deal-reopen", args=[deal.pk]), {})
    assert again.status_code == 422


def test_history_page_lists_audit_rows(world, client_for):
    deal = _deal(world, position=5)
    client = client_for(world.owner)
    client.post(reverse("deal-move", args=[deal.pk]), {"stage": stage_at(world.org, 1).pk})
    html = client.get(reverse("deal-history", args=[deal.pk])).content.decode()
    assert stage_at(world.org, 5).name in html
    assert stage_at(world.org, 1).name in html


def _count_queries(client, deal):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("deal-detail", args=[deal.pk])).status_code == 200
    return len(queries)


def _grow(world, deal, people):
    """More deal-team members (`people`) and three stage changes for each."""
    for user in people:
        add_member(deal, user)
    start = timezone.now()
    for i in range(3 * len(people)):
        StageChange.objects.create(
            organization=world.org,
            opportunity=deal,
            from_stage=stage_at(world.org, 1 + i % 2),
            to_stage=stage_at(world.org, 2 - i % 2),
            to_status="open",
            at=start + timedelta(minutes=i),
            actor=world.owner,
        )


def test_deal_page_queries_do_not_grow_with_history_or_team(world, client_for, django_assert_max_num_queries):
    deal = _deal(world, position=1)
    client = client_for(world.owner)
    _count_queries(client, deal)  # warm per-process caches
    _grow(world, deal, [world.teammate])
    small = _count_queries(client, deal)
    _grow(world, deal, [world.stranger, world.collaborator, world.manager_east, world.director])
    assert OpportunityMember.objects.filter(opportunity=deal).count() == 6
    assert StageChange.objects.filter(opportunity=deal).count() == 16
    with django_assert_max_num_queries(small):
        assert client.get(reverse("deal-detail", args=[deal.pk])).status_code == 200


def test_close_page_of_a_closed_deal_goes_back_to_the_deal(world, client_for):
    deal = _deal(world, status="won")
    response = client_for(world.owner).post(reverse("deal-close", args=[deal.pk]), {"outcome": "lost"})
    assert (response.status_code, response["Location"]) == (302, reverse("deal-detail", args=[deal.pk]))
    assert Opportunity.objects.get(pk=deal.pk).status == "won"


def test_close_page_shows_a_bad_outcome_on_top(world, client_for):
    deal = _deal(world)
    response = client_for(world.owner).post(reverse("deal-close", args=[deal.pk]), {"outcome": "maybe"}, headers=EN)
    assert response.status_code == 422
    assert 'class="errorlist nonfield"' in response.content.decode()
