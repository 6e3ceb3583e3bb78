"""The deals of the sweep's scene (issue 4), made through the actions.

For the owner, the stranger (another team) and the outsider (another organization) each: an open deal
with needs V1 and V2, two buying influences, MEDDPICC scores, a move to the second stage, a deal
competitor and a deal-team member; a saved view; a deal closed as lost; a price; and an account plan
with a team member, a key player, an objective with an action, a business unit, a whitespace cell and
a manager's review. The organization's competitors (one referenced, one spare), and sales settings an
admin added: a second business line with a stage and its gate, a close reason and a product line.
Rows at the edges of what the actions allow: scene_edges.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers import actions as customer_actions
from kam.customers.models import Contact, Customer
from kam.market import actions as market
from kam.market.models import Competitor
from kam.planning import actions_account_plans as plans
from kam.planning import actions_plan_objectives as objectives
from kam.planning import actions_whitespace as whitespace
from kam.sales import actions_config as config
from kam.sales.actions_competitors import add_deal_competitor
from kam.sales.actions_deals import close_opportunity, create_opportunity, move_stage
from kam.sales.actions_needs import save_needs
from kam.sales.actions_qualification import add_influence, set_scores
from kam.sales.actions_team import set_member
from kam.sales.actions_views import save_view
from kam.sales.models import CloseReason, Opportunity, ProductLine, Stage
from kam.sales.setup import ensure_default_pipeline
from kam.web.tests.no500.scene_edges import edge_rows

Ids = dict[str, int | str]


@dataclass
class Person:
    """One person's side of the scene: who acts, on which customer, with whom."""

    actor: User
    customer: Customer
    buyer: Contact  # the economic buyer and the plan's sponsor
    coach: Contact
    colleague: User  # on the deal team and the account team
    reviewer: User  # the manager above (or the admin) who reviews the plan
    competitor: Competitor  # in the open deal, and the winner of the lost one
    prefix: str


def _organization_rows(w: OrgWorld) -> tuple[Ids, Competitor, Competitor]:
    """Competitors of both organizations and the sales settings an admin added (the default pipeline
    comes from ensure_default_pipeline, as on a first deal)."""
    default_line = ensure_default_pipeline(w.org)
    ensure_default_pipeline(w.outsider.organization)
    default_stages = Stage.objects.filter(business_line=default_line).order_by("position", "id")
    lost = CloseReason.objects.filter(organization=w.org, outcome="lost").order_by("position", "id").first()
    assert lost is not None
    profile = {"products": "服务器\n存储", "price_positioning": "value", "strengths": "渠道广", "tactics": "低价"}
    competitor = market.create_competitor(w.manager_north, {"name": "华为😀", **profile})
    spare = market.create_competitor(w.admin, {"name": "闲置竞品"})  # nothing names it: it may be deleted
    outsider_competitor = market.create_competitor(w.outsider, {"name": "别家竞品", **profile})
    line = config.create_business_line(w.admin, "渠道业务😀")
    stage = config.create_stage(w.admin, line, {"name": "报备", "default_probability": 10, "exit_criteria": "报备通过"})
    gate = config.set_gate(w.admin, stage, "metrics", 1)
    reason = config.create_close_reason(w.admin, "lost", "交期太长😀")
    product_line = config.create_product_line(w.admin, "云服务😀")
    outsider_line = config.create_business_line(w.outsider, "别家业务")
    outsider_stage = config.create_stage(w.outsider, outsider_line, {"name": "别家阶段", "default_probability": 5})
    outsider_gate = config.set_gate(w.outsider, outsider_stage, "champion", 1)
    outsider_reason = config.create_close_reason(w.outsider, "won", "别家原因")
    outsider_product_line = config.create_product_line(w.outsider, "别家产品线")
    ids: Ids = {
        "competitor": competitor.pk,
        "spare_competitor": spare.pk,
        "outsider_competitor": outsider_competitor.pk,
        "business_line": line.pk,
        "default_line": default_line.pk,
        "first_stage": default_stages[0].pk,
        "deal_stage": default_stages[1].pk,  # where the open deals are
        "next_stage": default_stages[2].pk,  # its gate (economic buyer, champion) passes
        "lost_reason": lost.pk,
        "stage": stage.pk,
        "gate": gate.pk,
        "close_reason": reason.pk,
        "product_line": product_line.pk,
        "outsider_business_line": outsider_line.pk,
        "outsider_stage": outsider_stage.pk,
        "outsider_gate": outsider_gate.pk,
        "outsider_close_reason": outsider_reason.pk,
        "outsider_product_line": outsider_product_line.pk,
    }
    return ids, competitor, outsider_competitor


def _stages(deal: Opportunity) -> list[Stage]:
    return list(Stage.objects.filter(business_line_id=deal.business_line_id, active=True).order_by("position", "id"))


def _needs(p: Person, deal: Opportunity) -> None:
    """V1, then V2 with a changed budget and one more requirement."""
    data = {"pain": "数据分散在五个系统😀", "budget_min": Decimal("500000"), "budget_max": Decimal("800000"),
            "timeline": "年底前上线", "decision_criteria": "国产化", "solution_notes": "分两期"}  # fmt: skip
    items = [
        {"key": None, "description": "统一数据平台", "priority": "high", "necessity": "must", "fit": "met"},
        {"key": None, "description": "支持国产数据库😀", "priority": "medium", "necessity": "nice", "fit": "partly"},
    ]
    save_needs(p.actor, deal, data, items, base_version=0)
    kept = [{**item, "key": key} for key, item in enumerate(items, start=1)]
    extra = {"key": None, "description": "等保三级", "priority": "low", "necessity": "must", "fit": "not_met"}
    changed = {**data, "budget_max": Decimal("650000")}
    save_needs(p.actor, deal, changed, [*kept, extra], reason="客户预算削减😀", base_version=1)


def _qualification(p: Person, deal: Opportunity) -> Ids:
    """Two buying influences, four MEDDPICC scores, and the move to the second stage they open."""
    buyer = add_influence(
        p.actor,
        deal,
        {"contact": p.buyer, "role": "economic", "influence": "high", "response_mode": "growth", "rating": 3,
         "personal_win": "升职😀", "business_result": "降本"},
    )  # fmt: skip
    coach = add_influence(p.actor, deal, {"contact": p.coach, "role": "coach", "rating": -2, "notes": "内线"})
    scores = {
        "identified_pain": (2, "五个系统数据分散"),
        "metrics": (1, "降本20%😀"),
        "economic_buyer": (1, "见过面", p.buyer.pk),
        "champion": (1, "支持我们", p.coach.pk),
    }
    set_scores(p.actor, deal, scores)
    move_stage(p.actor, deal, _stages(deal)[1])
    return {"influence": buyer.pk, "coach_influence": coach.pk}


def _open_deal(p: Person, today: date) -> Ids:
    soon, later = today + timedelta(days=7), today + timedelta(days=60)
    values = {"name": "数据中台项目😀", "amount": Decimal("880000.00"), "source": "referral", "next_step": "发方案",
              "expected_close_date": later, "next_step_date": soon}  # fmt: skip
    deal = create_opportunity(p.actor, p.customer, values)
    _needs(p, deal)
    ids = _qualification(p, deal)
    row = add_deal_competitor(p.actor, deal, p.competitor, {"status": "shortlisted", "notes": "报价低😀"})
    member = set_member(p.actor, deal, p.colleague, role="presales", access="read", split_percent=0)
    view = save_view(p.actor, "我的商机😀", f"status=open&customer={p.customer.pk}&sort=-amount")
    owner_row = deal.members.get(user_id=p.actor.pk)
    rows = {"deal": deal.pk, "deal_competitor": row.pk, "deal_member": member.pk, "deal_owner_member": owner_row.pk}
    return {**ids, **rows, "view": view.pk}


def _closed_deal(p: Person, today: date) -> Ids:
    values = {"name": "旧系统替换", "amount": Decimal("120000"), "expected_close_date": today}
    deal = create_opportunity(p.actor, p.customer, values)
    reason = CloseReason.objects.filter(organization_id=deal.organization_id, outcome="lost").order_by("id").first()
    close_opportunity(
        p.actor, deal, "lost", reason=reason, won_by=p.competitor, notes="价格😀", price_gap=Decimal("-50000.50")
    )
    price = market.create_price_intel(
        p.actor,
        {"competitor": p.competitor, "product": "服务器X1😀", "price": Decimal("99999.99"), "unit": "台",
         "observed_on": today - timedelta(days=3), "customer": p.customer, "source": "招标文件", "confidence": "high"},
    )  # fmt: skip
    return {"closed_deal": deal.pk, "price": price.pk}


def _account_plan(p: Person, today: date) -> Ids:
    values = {"trends": "扩张华南😀", "strengths": "服务", "vulnerabilities": "价格",
              "relationship_stage": "cooperative", "revenue_goal_3y": Decimal("3000000"),
              "share_of_wallet_goal": Decimal("40")}  # fmt: skip
    plan = plans.create_plan(p.actor, p.customer, values)
    member = plans.add_team_member(p.actor, plan, p.colleague, "技术支持😀")
    player = plans.add_key_player(p.actor, plan, p.buyer, "sponsor", "拍板人")
    objective = objectives.create_objective(
        p.actor, plan, {"title": "拿下二期😀", "owner": p.actor, "due_date": today + timedelta(days=90)}
    )
    action = objectives.create_plan_action(
        p.actor, objective, {"title": "约见CIO", "owner": p.colleague, "due_date": today + timedelta(days=10)}
    )
    unit = whitespace.create_business_unit(p.actor, plan, "华北事业部😀")
    line = ProductLine.objects.filter(organization_id=plan.organization_id).order_by("position", "id").first()
    assert line is not None
    cell = {"status": "gap", "annual_spend": Decimal("1200000"), "holder": "competitor", "competitor": p.competitor}
    whitespace.set_cell(p.actor, plan, unit, line, cell)
    review = plans.add_review(p.reviewer, plan, today, "目标清楚，行动太少😀")
    return {
        "plan": plan.pk,
        "plan_member": member.pk,
        "key_player": player.pk,
        "objective": objective.pk,
        "plan_action": action.pk,
        "business_unit": unit.pk,
        "cell_line": line.pk,
        "plan_review": review.pk,
    }


def _person(p: Person, today: date) -> Ids:
    rows = {**_open_deal(p, today), **_closed_deal(p, today), **_account_plan(p, today)}
    return {p.prefix + key: value for key, value in rows.items()}


def _contacts(actor: User, customer: Customer, *names: str) -> list[Contact]:
    return [customer_actions.create_contact(actor, customer, {"name": name}) for name in names]


def deal_rows(w: OrgWorld, customers: dict[str, Customer], contacts: dict[str, Contact]) -> Ids:
    """Every row of issue 4 the routes point at; keys as in bindings_deals.py."""
    today = timezone.localdate()
    ids, competitor, outsider_competitor = _organization_rows(w)
    stranger_buyer, stranger_coach = _contacts(w.stranger, customers["stranger_customer"], "孙总😀", "周工")
    (outsider_coach,) = _contacts(w.outsider, customers["outsider_customer"], "别家内线")
    outsider_colleague = User.objects.get(username="outsider_presales")  # made by scene_day
    people = [
        Person(w.owner, customers["customer"], contacts["boss"], contacts["contact"], w.teammate, w.manager_north,
               competitor, ""),
        Person(w.stranger, customers["stranger_customer"], stranger_buyer, stranger_coach, w.collaborator,
               w.manager_east, competitor, "stranger_"),
        Person(w.outsider, customers["outsider_customer"], contacts["outsider_contact"], outsider_coach,
               outsider_colleague, w.outsider, outsider_competitor, "outsider_"),
    ]  # fmt: skip
    for person in people:
        ids |= _person(person, today)
    ids |= edge_rows(w, ids, customers, today)
    extra: dict[str, Any] = {
        "stranger_buyer": stranger_buyer.pk,
        # API needs versions by number; a third one does not exist.
        "needs_v1": 1,
        "needs_v2": 2,
        "needs_v3": 3,
        "row_index": 3,
        "price_product": "服务器X1😀",
        "outcome_lost": "lost",
        "outcome_won": "won",
    }
    return {**ids, **extra}
