"""Builders for the account plan tests (not a test module): a key account of `world.owner` with a plan,
a read-only collaborator, product lines, competitors, business units and cells."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.actions import create_contact, create_customer, set_collaborator
from kam.customers.models import Contact, Customer
from kam.market.models import Competitor
from kam.planning.actions_account_plans import create_plan
from kam.planning.models.account_plans import (
    AccountPlan,
    BusinessUnit,
    PlanAction,
    PlanObjective,
    WhitespaceCell,
)
from kam.sales.models import ProductLine
from kam.sales.setup import ensure_default_pipeline


def customer_of(owner: User, name: str, tier: str = "A", **fields: Any) -> Customer:
    return create_customer(owner, {"name": name, "tier": tier, **fields}, owner=owner, confirm_duplicates=True)


def contact_of(customer: Customer, name: str, **fields: Any) -> Contact:
    assert customer.owner is not None
    return create_contact(customer.owner, customer, {"name": name, **fields})


def product_lines(org: Any) -> list[ProductLine]:
    ensure_default_pipeline(org)
    return list(ProductLine.objects.filter(organization=org).order_by("position", "pk"))


def competitor(org: Any, name: str) -> Competitor:
    return Competitor.objects.create(organization=org, name=name)


def unit(plan: AccountPlan, name: str, position: int = 0) -> BusinessUnit:
    return BusinessUnit.objects.create(organization_id=plan.organization_id, plan=plan, name=name, position=position)


def cell(
    plan: AccountPlan,
    bu: BusinessUnit,
    line: ProductLine,
    status: str,
    spend: str | None,
    holder: str = "",
    rival: Competitor | None = None,
) -> WhitespaceCell:
    return WhitespaceCell.objects.create(
        organization_id=plan.organization_id,
        plan=plan,
        business_unit=bu,
        product_line=line,
        status=status,
        annual_spend=None if spend is None else Decimal(spend),
        holder=holder,
        competitor=rival,
    )


def objective(plan: AccountPlan, owner: User, title: str, due: date, status: str = "open") -> PlanObjective:
    return PlanObjective.objects.create(
        organization_id=plan.organization_id, plan=plan, owner=owner, title=title, due_date=due, status=status
    )


def action(goal: PlanObjective, owner: User, title: str, due: date | None, done: bool = False) -> PlanAction:
    from django.utils import timezone

    return PlanAction.objects.create(
        organization_id=goal.organization_id,
        objective=goal,
        owner=owner,
        title=title,
        due_date=due,
        done_at=timezone.now() if done else None,
    )


@dataclass
class PlanWorld:
    w: OrgWorld
    customer: Customer
    plan: AccountPlan
    lines: list[ProductLine]


def make_planned(world: OrgWorld) -> PlanWorld:
    """The owner's key account 华为 with a plan; the collaborator reads it; default product lines exist."""
    customer = customer_of(world.owner, "华为技术有限公司")
    set_collaborator(world.owner, customer, world.collaborator, "read")
    plan = create_plan(world.owner, customer, {"trends": "数字化转型", "relationship_stage": "basic"})
    return PlanWorld(world, customer, plan, product_lines(world.org))


ROLES = ["anonymous", "outsider", "stranger", "collaborator", "owner", "manager"]


def user_for(world: OrgWorld, role: str) -> User | None:
    return {
        "anonymous": None,
        "outsider": world.outsider,
        "stranger": world.stranger,
        "collaborator": world.collaborator,
        "owner": world.owner,
        "manager": world.manager_north,
    }[role]


@dataclass
class Scene:
    """A plan with one of everything, a spare contact, and a key account still without a plan."""

    planned: PlanWorld
    fresh: Customer
    member: Any
    player: Any
    spare: Contact
    goal: PlanObjective
    step: PlanAction
    bu: BusinessUnit


def make_scene(world: OrgWorld) -> Scene:
    from kam.planning.actions_account_plans import add_key_player, add_team_member

    planned = make_planned(world)
    plan = planned.plan
    fresh = customer_of(world.owner, "中兴通讯股份有限公司")
    set_collaborator(world.owner, fresh, world.collaborator, "read")
    member = add_team_member(world.owner, plan, world.teammate, "技术支持")
    player = add_key_player(world.owner, plan, contact_of(planned.customer, "任总"), "sponsor")
    spare = contact_of(planned.customer, "孟总")
    goal = objective(plan, world.owner, "拿下华南", date(2026, 12, 31))
    step = action(goal, world.owner, "拜访采购", date(2026, 12, 10))
    bu = unit(plan, "华北事业部")
    return Scene(planned, fresh, member, player, spare, goal, step, bu)


def fingerprint() -> tuple[Any, ...]:
    """Everything an account plan request could change, to compare before and after a refusal."""
    from kam.core.models import AuditEntry, Notification
    from kam.planning.models.account_plans import AccountPlanReview, KeyPlayer, PlanTeamMember

    return (
        list(
            AccountPlan.objects.order_by("pk").values_list(
                "pk", "customer_id", "version", "strengths", "last_reviewed_on"
            )
        ),
        list(PlanTeamMember.objects.order_by("pk").values_list("pk", "responsibility")),
        list(KeyPlayer.objects.order_by("pk").values_list("pk", "role", "notes")),
        list(PlanObjective.objects.order_by("pk").values_list("pk", "title", "status", "due_date")),
        list(PlanAction.objects.order_by("pk").values_list("pk", "title", "done_at")),
        list(BusinessUnit.objects.order_by("pk").values_list("pk", "name", "position")),
        list(WhitespaceCell.objects.order_by("pk").values_list("pk", "status", "annual_spend", "holder")),
        AccountPlanReview.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.count(),
    )
