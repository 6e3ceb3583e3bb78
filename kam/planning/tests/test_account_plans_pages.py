"""The account plan pages: list, create, the plan page with its sections, edit, htmx in-place edits, the
customer 360 panel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.customers.actions import set_collaborator
from kam.planning.actions_account_plans import add_key_player, add_team_member, update_plan
from kam.planning.models.account_plans import AccountPlan, AccountPlanReview, PlanAction, WhitespaceCell
from kam.planning.tests.fixtures_account_plans import (
    PlanWorld,
    action,
    cell,
    competitor,
    contact_of,
    customer_of,
    fingerprint,
    make_planned,
    objective,
    unit,
)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def planned(world: OrgWorld) -> PlanWorld:
    return make_planned(world)


@pytest.fixture
def english(client_for: Any) -> Any:
    """A signed-in browser that reads the pages in English."""

    def login(user: Any) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return login


def test_plan_page_shows_every_section(planned: PlanWorld, client_for: Any) -> None:
    plan, (software, hardware, *_rest) = planned.plan, planned.lines
    add_key_player(
        planned.w.owner, plan, contact_of(planned.customer, "任总", attitude="support", title="CEO"), "sponsor"
    )
    add_team_member(planned.w.owner, plan, planned.w.teammate, "技术支持")
    goal = objective(plan, planned.w.owner, "进入华南事业部", date(2026, 12, 31))
    action(goal, planned.w.owner, "拜访华南采购", date(2026, 12, 10))
    north = unit(plan, "华北事业部")
    cell(plan, north, software, "owned", "300000", "us")
    cell(plan, north, hardware, "gap", "700000", "competitor", competitor(planned.w.org, "竞品甲"))

    html = client_for(planned.w.owner).get(reverse("account-plan-detail", args=[plan.pk])).content.decode()

    for marker in (
        'id="plan-overview"',
        'id="plan-goals"',
        'id="plan-team"',
        'id="plan-players"',
        'id="plan-objectives"',
        'id="plan-whitespace"',
        'id="plan-reviews"',
        "任总",
        "技术支持",
        "进入华南事业部",
        "拜访华南采购",
        "竞品甲",
        "30.00%",
        "badge-support",
        "whitespace-owned",
        "whitespace-gap",
        'class="table-wrap whitespace-scroll"',
        f'id="cell-{north.pk}-{software.pk}"',
    ):
        assert marker in html, marker
    assert 'id="plan-review-form"' not in html


def test_readers_see_no_forms_and_reviewers_see_the_review_form(planned: PlanWorld, client_for: Any) -> None:
    url = reverse("account-plan-detail", args=[planned.plan.pk])
    unit(planned.plan, "华北事业部")
    reader = client_for(planned.w.collaborator).get(url).content.decode()
    manager = client_for(planned.w.manager_north).get(url).content.decode()
    assert (
        "account-plan-team-add" not in reader,
        "whitespace-link" not in reader,
        'id="plan-review-form"' in reader,
    ) == (
        True,
        True,
        False,
    )
    assert 'id="plan-review-form"' in manager
    assert reverse("account-plan-team-add", args=[planned.plan.pk]) in manager


def test_creating_a_plan_from_the_page(world: OrgWorld, client_for: Any) -> None:
    customer = customer_of(world.owner, "比亚迪股份有限公司", tier="B")
    client = client_for(world.owner)
    form = client.get(reverse("account-plan-create") + f"?customer={customer.pk}")
    assert form.status_code == 200
    assert "warning-box" in form.content.decode()

    response = client.post(
        reverse("account-plan-create"),
        {
            "customer": customer.pk,
            "trends": "新能源",
            "relationship_stage": "basic",
            "revenue_goal_3y": "1000000",
            "share_of_wallet_goal": "30",
        },
    )

    plan = AccountPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("account-plan-detail", args=[plan.pk])
    assert (plan.customer, plan.owner, plan.trends, plan.revenue_goal_3y, plan.share_of_wallet_goal) == (
        customer,
        world.owner,
        "新能源",
        Decimal("1000000.00"),
        Decimal("30.00"),
    )
    again = client.get(reverse("account-plan-create") + f"?customer={customer.pk}")
    assert (again.status_code, again["Location"]) == (302, reverse("account-plan-detail", args=[plan.pk]))
    twice = client.post(reverse("account-plan-create"), {"customer": customer.pk, "relationship_stage": "basic"})
    assert twice.status_code == 422
    assert AccountPlan.objects.count() == 1


def test_the_create_page_without_a_customer_lists_key_accounts_missing_a_plan(world: OrgWorld, client_for: Any) -> None:
    missing = customer_of(world.teammate, "格力电器")
    customer_of(world.teammate, "小客户", tier="C")
    html = client_for(world.manager_north).get(reverse("account-plan-create")).content.decode()
    assert "格力电器" in html
    assert f"?customer={missing.pk}" in html
    assert "小客户" not in html


def test_a_stale_edit_is_refused_and_changes_nothing(planned: PlanWorld, english: Any) -> None:
    update_plan(planned.w.manager_north, planned.plan, {"strengths": "经理先改"})
    before = fingerprint()
    response = english(planned.w.owner).post(
        reverse("account-plan-edit", args=[planned.plan.pk]),
        {"strengths": "我后改", "relationship_stage": "basic", "version": "1"},
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "Someone else changed this plan since you opened it. Reload it and try again."
    ]
    assert fingerprint() == before


def test_editing_saves_and_lists_the_change(planned: PlanWorld, english: Any) -> None:
    client = english(planned.w.owner)
    url = reverse("account-plan-edit", args=[planned.plan.pk])
    assert client.get(url).context["form"].initial["version"] == 1
    response = client.post(url, {"strengths": "交付快", "relationship_stage": "integrated", "version": "1"})
    assert response.status_code == 302
    planned.plan.refresh_from_db()
    assert (planned.plan.strengths, planned.plan.relationship_stage, planned.plan.version) == (
        "交付快",
        "integrated",
        2,
    )
    assert [row.label for row in client.get(url).context["history"]][:2] == ["relationship stage", "our strengths"]


def test_a_cell_is_edited_in_place_with_htmx(planned: PlanWorld, english: Any) -> None:
    plan, (software, hardware, *_rest) = planned.plan, planned.lines
    north = unit(plan, "华北事业部")
    cell(plan, north, hardware, "gap", "700000", "unspent")
    client = english(planned.w.owner)
    url = reverse("account-plan-cell", args=[plan.pk, north.pk, software.pk])

    form = client.get(url, **HX)
    assert form.status_code == 200
    assert [t.name for t in form.templates][0] == "planning/_whitespace_cell_form.html"

    saved = client.post(url, {"status": "owned", "annual_spend": "300000", "holder": ""}, **HX)
    assert saved.status_code == 200
    assert [t.name for t in saved.templates][0] == "planning/_whitespace.html"
    assert saved.context["grid"].share == Decimal("30.00")

    # htmx swaps only 2xx answers: the refused form comes back as 200, retargeted into its cell.
    refused = client.post(url, {"status": "gap", "annual_spend": "1", "holder": "competitor"}, **HX)
    assert (refused.status_code, refused["HX-Retarget"], refused["HX-Reswap"]) == (
        200,
        f"#cell-{north.pk}-{software.pk}",
        "innerHTML",
    )
    assert refused.context["form"].errors == {"competitor": ["Name the competitor who gets this spend."]}
    assert WhitespaceCell.objects.get(product_line=software).status == "owned"


def test_the_cell_page_is_the_fallback_without_htmx(planned: PlanWorld, english: Any) -> None:
    plan, software = planned.plan, planned.lines[0]
    north = unit(plan, "华北事业部")
    client = english(planned.w.owner)
    url = reverse("account-plan-cell", args=[plan.pk, north.pk, software.pk])
    assert [t.name for t in client.get(url).templates][0] == "planning/account_plan_cell.html"
    bad = client.post(url, {"status": "pipeline", "holder": "us"})
    assert bad.status_code == 422
    assert bad.context["form"].errors == {"holder": ["Spend goes to us only in an owned cell."]}
    good = client.post(url, {"status": "na", "annual_spend": "5", "holder": "unspent"})
    assert (good.status_code, good["Location"]) == (
        302,
        reverse("account-plan-detail", args=[plan.pk]) + "#plan-whitespace",
    )


def test_an_action_is_ticked_off_with_htmx(planned: PlanWorld, client_for: Any) -> None:
    goal = objective(planned.plan, planned.w.owner, "拿下华南", date(2026, 12, 31))
    step = action(goal, planned.w.owner, "拜访采购", date(2026, 12, 10))
    url = reverse("account-plan-action-toggle", args=[planned.plan.pk, step.pk])
    client = client_for(planned.w.owner)

    done = client.post(url, {"done": "1"}, **HX)
    assert done.status_code == 200
    html = done.content.decode()
    assert html.startswith(f'<li id="action-{step.pk}" class="account-plan-done">')
    assert " checked" in html
    assert PlanAction.objects.get().done_at is not None
    client.post(url, {}, **HX)
    assert PlanAction.objects.get().done_at is None


def test_the_review_form_records_and_refuses(planned: PlanWorld, english: Any) -> None:
    client = english(planned.w.manager_north)
    url = reverse("account-plan-review", args=[planned.plan.pk])
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client.post(url, {"reviewed_on": future, "comments": "提前"})
    assert refused.status_code == 422
    assert refused.context["review_form"].errors == {"reviewed_on": ["A review cannot be dated in the future."]}
    ok = client.post(url, {"reviewed_on": timezone.localdate().isoformat(), "comments": "季度评审：加快华南"})
    assert ok.status_code == 302
    assert list(AccountPlanReview.objects.values_list("comments", flat=True)) == ["季度评审：加快华南"]


def test_small_form_refusals_come_back_as_messages(planned: PlanWorld, english: Any) -> None:
    add_team_member(planned.w.owner, planned.plan, planned.w.teammate, "技术")
    client = english(planned.w.owner)
    response = client.post(
        reverse("account-plan-team-add", args=[planned.plan.pk]), {"user": planned.w.teammate.pk}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["teammate is on the account team already."]
    response = client.post(
        reverse("account-plan-objective-add", args=[planned.plan.pk]),
        {"title": "x", "owner": planned.w.owner.pk, "due_date": "2026-02-30", "status": "open"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Due date: Enter a valid date."]


def test_the_list_filters_and_flags(planned: PlanWorld, client_for: Any) -> None:
    other = make_planned_other(planned)
    client = client_for(planned.w.manager_north)
    everything = client.get(reverse("account-plan-list"))
    assert [row.plan.pk for row in everything.context["rows"]] == [other.pk, planned.plan.pk]
    assert [row.review_stale for row in everything.context["rows"]] == [True, True]
    staged = client.get(reverse("account-plan-list") + "?stage=basic", **HX)
    assert [t.name for t in staged.templates][0] == "planning/_account_plan_table.html"
    assert [row.plan.pk for row in staged.context["rows"]] == [planned.plan.pk]
    by_owner = client.get(reverse("account-plan-list") + f"?owner={planned.w.teammate.pk}")
    assert [row.plan.pk for row in by_owner.context["rows"]] == [other.pk]
    by_team = client.get(reverse("account-plan-list") + f"?team={planned.w.east.pk}")
    assert by_team.context["rows"] == []


def make_planned_other(planned: PlanWorld) -> AccountPlan:
    from kam.planning.actions_account_plans import create_plan

    return create_plan(
        planned.w.teammate, customer_of(planned.w.teammate, "阿里巴巴"), {"relationship_stage": "integrated"}
    )


def test_the_customer_panel_shows_the_plan_or_a_create_link(planned: PlanWorld, client_for: Any) -> None:
    w = planned.w
    objective(planned.plan, w.owner, "逾期目标", date(2020, 1, 1))
    shown = client_for(w.collaborator).get(reverse("customer-detail", args=[planned.customer.pk]))
    html = shown.content.decode()
    assert 'id="customer-account-plan"' in html
    assert reverse("account-plan-detail", args=[planned.plan.pk]) in html
    [panel] = [p for p in shown.context["panels"] if p.key == "account_plan"]
    assert (panel.context["open_objectives"], panel.context["overdue_objectives"], panel.context["share_now"]) == (
        1,
        1,
        None,
    )

    bare = customer_of(w.owner, "无规划客户")
    set_collaborator(w.owner, bare, w.collaborator, "read")
    writer = client_for(w.owner).get(reverse("customer-detail", args=[bare.pk])).content.decode()
    assert f"{reverse('account-plan-create')}?customer={bare.pk}" in writer
    reader = client_for(w.collaborator).get(reverse("customer-detail", args=[bare.pk])).content.decode()
    assert 'id="customer-account-plan"' not in reader
