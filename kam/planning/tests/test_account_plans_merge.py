"""Account plans follow their customer when duplicates merge (the merge hook)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry
from kam.customers.actions import merge_customers
from kam.planning.actions_account_plans import add_key_player, add_review, add_team_member, create_plan
from kam.planning.models.account_plans import (
    AccountPlan,
    AccountPlanReview,
    BusinessUnit,
    KeyPlayer,
    PlanAction,
    PlanObjective,
    PlanTeamMember,
    WhitespaceCell,
)
from kam.planning.tests.fixtures_account_plans import (
    action,
    cell,
    contact_of,
    customer_of,
    objective,
    product_lines,
    unit,
)


def test_the_duplicates_plan_moves_when_the_survivor_has_none(world: OrgWorld) -> None:
    survivor = customer_of(world.owner, "华为技术有限公司")
    duplicate = customer_of(world.owner, "华为技术")
    plan = create_plan(world.owner, duplicate, {"trends": "云业务扩张"})
    goal = objective(plan, world.owner, "进入云业务部", date(2026, 12, 31))

    merge_customers(world.manager_north, survivor, duplicate)

    moved = AccountPlan.objects.get()
    assert (moved.pk, moved.customer_id, moved.trends) == (plan.pk, survivor.pk, "云业务扩张")
    assert list(PlanObjective.objects.values_list("pk", "plan_id")) == [(goal.pk, plan.pk)]
    row = AuditEntry.objects.get(entity="planning.accountplan", action="merge")
    assert (row.entity_id, row.field, row.old, row.new, row.actor) == (
        plan.pk,
        "customer",
        "华为技术",
        "华为技术有限公司",
        world.manager_north,
    )


def test_both_plans_merge_into_the_survivors(world: OrgWorld) -> None:
    lines = product_lines(world.org)
    survivor = customer_of(world.owner, "华为技术有限公司")
    duplicate = customer_of(world.owner, "华为技术")
    shared = contact_of(duplicate, "任总")
    only_dup = contact_of(duplicate, "孟总")
    keep = create_plan(world.owner, survivor, {"strengths": "交付快", "relationship_stage": "cooperative"})
    gone = create_plan(
        world.owner,
        duplicate,
        {"strengths": "价格低", "vulnerabilities": "服务网点少", "revenue_goal_3y": Decimal("5000000")},
    )
    add_key_player(world.owner, keep, contact_of(survivor, "徐总"), "coach")
    add_key_player(world.owner, gone, shared, "sponsor")
    add_key_player(world.owner, gone, only_dup, "anti_sponsor")
    add_team_member(world.owner, keep, world.teammate, "方案")
    add_team_member(world.owner, gone, world.teammate, "重复")
    add_team_member(world.owner, gone, world.collaborator, "售前")
    goal = objective(gone, world.owner, "拿下终端业务", date(2026, 12, 31))
    step = action(goal, world.owner, "拜访终端采购", date(2026, 12, 10))
    unit(keep, "华北事业部")
    clash = unit(gone, "华北事业部")
    fresh = unit(gone, "华南事业部")
    cell(gone, clash, lines[0], "owned", "300000", "us")
    add_review(world.manager_north, gone, date(2026, 1, 5), "上半年目标清楚")
    # A clash cannot be made through the actions (a key player is a contact of the plan's own customer);
    # a row written directly stands for one, and the survivor's row wins.
    KeyPlayer.objects.create(organization=world.org, plan=keep, contact=shared, role="key_player")

    merge_customers(world.manager_north, survivor, duplicate)

    assert list(AccountPlan.objects.values_list("pk", "customer_id")) == [(keep.pk, survivor.pk)]
    keep.refresh_from_db()
    assert (keep.strengths, keep.vulnerabilities, keep.revenue_goal_3y, keep.relationship_stage) == (
        "交付快",
        "服务网点少",
        Decimal("5000000.00"),
        "cooperative",
    )
    assert (keep.last_reviewed_on, keep.version) == (date(2026, 1, 5), 2)
    assert sorted(KeyPlayer.objects.values_list("contact__name", "role")) == [
        ("任总", "key_player"),
        ("孟总", "anti_sponsor"),
        ("徐总", "coach"),
    ]
    assert sorted(PlanTeamMember.objects.values_list("user__username", "responsibility")) == [
        ("collab", "售前"),
        ("teammate", "方案"),
    ]
    assert list(PlanObjective.objects.values_list("pk", "plan_id")) == [(goal.pk, keep.pk)]
    assert list(PlanAction.objects.values_list("pk", "objective_id")) == [(step.pk, goal.pk)]
    assert sorted(BusinessUnit.objects.values_list("name", "plan_id")) == [
        ("华北事业部", keep.pk),
        ("华北事业部 (2)", keep.pk),
        ("华南事业部", keep.pk),
    ]
    assert list(WhitespaceCell.objects.values_list("business_unit_id", "plan_id")) == [(clash.pk, keep.pk)]
    assert list(AccountPlanReview.objects.values_list("plan_id", flat=True)) == [keep.pk]
    assert fresh.pk in BusinessUnit.objects.values_list("pk", flat=True)
    merges = AuditEntry.objects.filter(entity="planning.accountplan", action="merge").order_by("id")
    assert [(row.entity_id, row.field, row.old, row.new) for row in merges] == [
        (keep.pk, "merged", f"华为技术 (#{gone.pk})", ""),
        (gone.pk, "merged_into", "", f"华为技术有限公司 (#{keep.pk})"),
    ]
    filled = AuditEntry.objects.filter(entity="planning.accountplan", entity_id=keep.pk, action="update")
    assert sorted(filled.values_list("field", "new")) == [
        ("revenue_goal_3y", "5000000.00"),
        ("vulnerabilities", "服务网点少"),
    ]


def test_merging_without_plans_changes_nothing(world: OrgWorld) -> None:
    survivor = customer_of(world.owner, "华为技术有限公司")
    duplicate = customer_of(world.owner, "华为技术")
    keep = create_plan(world.owner, survivor, {})
    merge_customers(world.manager_north, survivor, duplicate)
    assert list(AccountPlan.objects.values_list("pk", flat=True)) == [keep.pk]
    assert AuditEntry.objects.filter(entity="planning.accountplan", action="merge").count() == 0
