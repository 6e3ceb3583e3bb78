"""Rows of issue 4 at the edges of what the actions allow, added to the deal scene (scene_deals.py):

- the largest amount KAM accepts (kam.core.money.MAX_AMOUNT), twice where lists, boards and reports
  add amounts up;
- a competitor that only a whitespace cell names (nothing else refers to it);
- a buying influence and a key player whose contact went to the recycle bin;
- a deal of the merge candidate (`other`), and a deal and a plan of a customer in the recycle bin.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.core.money import MAX_AMOUNT
from kam.customers import actions as customer_actions
from kam.customers.models import Customer
from kam.market import actions as market
from kam.market.models import Competitor
from kam.planning import actions_account_plans as plans
from kam.planning import actions_whitespace as whitespace
from kam.planning.models.account_plans import AccountPlan, BusinessUnit
from kam.sales.actions_deals import close_opportunity, create_opportunity
from kam.sales.actions_qualification import add_influence
from kam.sales.models import CloseReason, Opportunity, ProductLine

Ids = dict[str, int | str]


def _product_lines(owner: User) -> list[ProductLine]:
    return list(
        ProductLine.objects.filter(organization_id=owner.organization_id, active=True).order_by("position", "id")
    )


def _deal(owner: User, customer: Customer, name: str, amount: Decimal, today: date) -> Opportunity:
    values = {"name": name, "amount": amount, "expected_close_date": today + timedelta(days=1)}
    return create_opportunity(owner, customer, values)


def _extremes(owner: User, plan: AccountPlan, competitor_id: int, today: date) -> Ids:
    """Two open and two won deals of a new customer, two prices, a whitespace cell and the plan's goal,
    all at the largest amount."""
    largest = MAX_AMOUNT
    customer = customer_actions.create_customer(owner, {"name": "巨额客户有限公司"}, confirm_duplicates=True)
    deals = [_deal(owner, customer, f"巨额商机{n}", largest, today) for n in range(4)]
    won = CloseReason.objects.filter(organization_id=owner.organization_id, outcome="won").order_by("id").first()
    for deal in deals[2:]:
        close_opportunity(owner, deal, "won", reason=won)
    competitor = Competitor.objects.get(pk=competitor_id)
    for _ in range(2):
        market.create_price_intel(
            owner, {"competitor": competitor, "product": "服务器X1😀", "price": largest, "observed_on": today}
        )
    plans.update_plan(owner, plan, {"revenue_goal_3y": largest})
    unit = whitespace.create_business_unit(owner, plan, "巨额事业部")
    whitespace.set_cell(owner, plan, unit, _product_lines(owner)[-1], {"status": "owned", "annual_spend": largest})
    return {"whale_customer": customer.pk, "whale_deal": deals[0].pk, "whale_won_deal": deals[2].pk}


def _only_in_a_cell(w: OrgWorld, plan: AccountPlan, unit_id: int) -> Ids:
    """A competitor that only a whitespace cell names (deleting it must be refused, not fail)."""
    competitor = market.create_competitor(w.manager_north, {"name": "白区竞品😀"})
    unit = BusinessUnit.objects.get(pk=unit_id)
    cell = {"status": "gap", "holder": "competitor", "competitor": competitor, "annual_spend": Decimal("300000")}
    whitespace.set_cell(w.owner, plan, unit, _product_lines(w.owner)[1], cell)
    return {"cell_competitor": competitor.pk}


def _gone_contact(owner: User, customer: Customer, deal_id: int, plan: AccountPlan) -> Ids:
    """A technical buyer and key player who then went to the recycle bin with their contact."""
    contact = customer_actions.create_contact(owner, customer, {"name": "离职工程师"})
    deal = Opportunity.objects.get(pk=deal_id)
    influence = add_influence(owner, deal, {"contact": contact, "role": "technical", "rating": 1})
    player = plans.add_key_player(owner, plan, contact, "key_player", "已离职")
    customer_actions.delete_contact(owner, contact)
    return {"gone_influence": influence.pk, "gone_key_player": player.pk}


def _binned(owner: User, other: Customer, today: date) -> Ids:
    """A deal of the merge candidate; a deal and a plan of a customer then moved to the recycle bin."""
    other_deal = _deal(owner, other, "合并候选商机", Decimal("50000"), today)
    binned = customer_actions.create_customer(owner, {"name": "回收站客户有限公司"}, confirm_duplicates=True)
    deal = _deal(owner, binned, "回收站商机", Decimal("60000"), today)
    plan = plans.create_plan(owner, binned, {"trends": "已停业"})
    customer_actions.delete_customer(owner, binned)
    return {"other_deal": other_deal.pk, "binned_customer": binned.pk, "binned_deal": deal.pk, "binned_plan": plan.pk}


def edge_rows(w: OrgWorld, ids: Ids, customers: dict[str, Customer], today: date) -> Ids:
    """The edge rows of the owner's organization; keys as in bindings_deals.py."""
    plan = AccountPlan.objects.get(pk=ids["plan"])
    rows = _extremes(w.owner, plan, int(ids["competitor"]), today)
    rows |= _only_in_a_cell(w, plan, int(ids["business_unit"]))
    rows |= _gone_contact(w.owner, customers["customer"], int(ids["deal"]), plan)
    return rows | _binned(w.owner, customers["other"], today)
