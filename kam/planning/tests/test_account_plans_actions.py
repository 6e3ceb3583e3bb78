"""Writes to account plans: one plan per customer, Gold Sheet fields audited and versioned, team, key
players, objectives and actions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.errors import StaleVersion
from kam.core.models import AuditEntry
from kam.customers.actions import return_to_pool
from kam.planning import actions_plan_objectives as objectives
from kam.planning.actions_account_plans import (
    add_key_player,
    add_team_member,
    create_plan,
    remove_key_player,
    update_key_player,
    update_plan,
)
from kam.planning.models.account_plans import AccountPlan, KeyPlayer, PlanAction, PlanObjective, PlanTeamMember
from kam.planning.tests.fixtures_account_plans import PlanWorld, contact_of, customer_of, make_planned


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Refusals compared in English; history is stored in the organization's language (Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def planned(world: OrgWorld) -> PlanWorld:
    return make_planned(world)


def test_creating_a_plan_makes_the_customer_owner_its_owner(world: OrgWorld) -> None:
    customer = customer_of(world.owner, "比亚迪股份有限公司", tier="B")
    plan = create_plan(
        world.manager_north,
        customer,
        {"trends": "  新能源扩产 ", "revenue_goal_3y": Decimal("3000000"), "share_of_wallet_goal": Decimal("40")},
    )
    assert (plan.owner, plan.customer, plan.trends, plan.relationship_stage, plan.version) == (
        world.owner,
        customer,
        "新能源扩产",
        "exploratory",
        1,
    )
    assert list(AuditEntry.objects.filter(entity="planning.accountplan").values_list("action", "actor")) == [
        ("create", world.manager_north.pk)
    ]


def test_a_customer_has_one_plan(planned: PlanWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        create_plan(planned.w.owner, planned.customer, {})
    assert caught.value.message_dict == {"customer": ["This customer has an account plan already."]}
    assert AccountPlan.objects.count() == 1


def test_a_pool_customer_cannot_get_a_plan(world: OrgWorld) -> None:
    from kam.customers.models import Pool, PoolMember

    pool = Pool.objects.create(organization=world.org, name="公海")
    PoolMember.objects.create(pool=pool, user=world.owner, is_admin=True)
    customer = customer_of(world.owner, "美的集团")
    return_to_pool(world.owner, customer, "不跟了", pool=pool)
    with pytest.raises(ValidationError) as caught:
        create_plan(world.owner, customer, {})
    assert caught.value.message_dict == {"customer": ["Only a customer with an owner can have an account plan."]}


def test_only_writers_create_plans(world: OrgWorld) -> None:
    customer = customer_of(world.owner, "格力电器")
    from kam.customers.actions import set_collaborator

    set_collaborator(world.owner, customer, world.collaborator, "read")
    with pytest.raises(PermissionDenied):
        create_plan(world.collaborator, customer, {})
    with pytest.raises(Http404):
        create_plan(world.stranger, customer, {})
    with pytest.raises(Http404):
        create_plan(world.outsider, customer, {})
    assert AccountPlan.objects.count() == 0


def test_updating_a_plan_audits_each_field_and_bumps_the_version(planned: PlanWorld) -> None:
    plan = update_plan(
        planned.w.owner,
        planned.plan,
        {"relationship_stage": "cooperative", "share_of_wallet_goal": Decimal("35.5"), "trends": "数字化转型"},
        expected_version=1,
    )
    assert (plan.version, plan.relationship_stage, plan.share_of_wallet_goal) == (2, "cooperative", Decimal("35.50"))
    rows = AuditEntry.objects.filter(entity="planning.accountplan", action="update").order_by("id")
    assert [(row.field, row.old, row.new) for row in rows] == [
        ("relationship_stage", "基础", "合作"),
        ("share_of_wallet_goal", "", "35.50"),
    ]


def test_a_stale_version_is_refused(planned: PlanWorld) -> None:
    update_plan(planned.w.owner, planned.plan, {"strengths": "交付快"})
    with pytest.raises(StaleVersion) as caught:
        update_plan(planned.w.manager_north, planned.plan, {"strengths": "价格低"}, expected_version=1)
    assert caught.value.current == 2
    planned.plan.refresh_from_db()
    assert planned.plan.strengths == "交付快"


def test_read_only_users_cannot_update(planned: PlanWorld) -> None:
    with pytest.raises(PermissionDenied):
        update_plan(planned.w.collaborator, planned.plan, {"strengths": "x"})
    with pytest.raises(Http404):
        update_plan(planned.w.teammate, planned.plan, {"strengths": "x"})
    planned.plan.refresh_from_db()
    assert (planned.plan.strengths, planned.plan.version) == ("", 1)


def test_team_members_are_unique_per_colleague(planned: PlanWorld) -> None:
    add_team_member(planned.w.owner, planned.plan, planned.w.collaborator, "售前方案")
    with pytest.raises(ValidationError) as caught:
        add_team_member(planned.w.owner, planned.plan, planned.w.collaborator, "再来一次")
    assert caught.value.message_dict == {"user": ["collab is on the account team already."]}
    with pytest.raises(ValidationError) as caught:
        add_team_member(planned.w.owner, planned.plan, planned.w.outsider)
    assert caught.value.message_dict == {"user": ["Choose an active colleague."]}
    assert list(PlanTeamMember.objects.values_list("user__username", "responsibility")) == [("collab", "售前方案")]


def test_key_players_are_contacts_of_this_customer_once_each(planned: PlanWorld) -> None:
    boss = contact_of(planned.customer, "任总")
    elsewhere = contact_of(customer_of(planned.w.owner, "中兴通讯"), "侯总")
    player = add_key_player(planned.w.owner, planned.plan, boss, "sponsor", "支持我们")
    with pytest.raises(ValidationError) as caught:
        add_key_player(planned.w.owner, planned.plan, boss, "coach")
    assert caught.value.message_dict == {"contact": ["任总 is a key player already."]}
    with pytest.raises(ValidationError) as caught:
        add_key_player(planned.w.owner, planned.plan, elsewhere, "coach")
    assert caught.value.message_dict == {"contact": ["Choose a contact of this customer."]}
    with pytest.raises(ValidationError) as caught:
        update_key_player(planned.w.owner, player, {"role": "boss"})
    assert caught.value.message_dict == {"role": ["Choose a role."]}

    update_key_player(planned.w.owner, player, {"role": "anti_sponsor", "notes": "转向竞品"})
    player.refresh_from_db()
    assert (player.role, player.notes) == ("anti_sponsor", "转向竞品")
    remove_key_player(planned.w.owner, player)
    assert KeyPlayer.objects.count() == 0


def test_objectives_and_actions_have_colleague_owners(planned: PlanWorld) -> None:
    owner = planned.w.owner
    goal = objectives.create_objective(
        owner, planned.plan, {"title": " 拿下 华南 ", "owner": planned.w.teammate, "due_date": date(2026, 12, 31)}
    )
    assert (goal.title, goal.owner, goal.status) == ("拿下 华南", planned.w.teammate, "open")
    with pytest.raises(ValidationError) as caught:
        objectives.create_objective(
            owner, planned.plan, {"title": "x", "owner": planned.w.outsider, "due_date": date(2026, 1, 1)}
        )
    assert caught.value.message_dict == {"owner": ["Choose an active colleague."]}
    with pytest.raises(ValidationError) as caught:
        objectives.create_objective(owner, planned.plan, {"title": "  ", "owner": owner, "due_date": date(2026, 1, 1)})
    assert caught.value.message_dict == {"title": ["Enter the objective."]}

    step = objectives.create_plan_action(owner, goal, {"title": "约采购总监", "owner": owner, "due_date": None})
    objectives.set_action_done(owner, step, True)
    step.refresh_from_db()
    assert step.done_at is not None
    objectives.set_action_done(owner, step, False)
    step.refresh_from_db()
    assert step.done_at is None

    objectives.update_objective(owner, goal, {"status": "done"})
    goal.refresh_from_db()
    assert goal.status == "done"
    objectives.delete_objective(owner, goal)
    assert (PlanObjective.objects.count(), PlanAction.objects.count()) == (0, 0)
    fields = list(
        AuditEntry.objects.filter(entity="planning.planaction", action="update").values_list("field", flat=True)
    )
    assert fields == ["done_at", "done_at"]
