"""Generated deals: the demo organisation's pipeline and two years of closed deals, competitors with
price intelligence and account plans (`build_demo_deals`, called by kam.customers.demo.demo_org after
the month of activities), and the large dataset's 200k opportunities (kam.sales.demo.large).

Rows are written directly with bulk_create (a generator, not user input) but keep what the actions
keep: the owner's deal-team row, splits summing to 100, one economic buyer, closed_at iff closed,
needs versions numbered 1…n, the stage history matching the deal, the gates of the deal's stage met.
The same seed gives the same deals.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from kam.core.models import Organization, Role, User
from kam.customers.demo.timestamps import manual_timestamps
from kam.market.models import Competitor, PriceIntel
from kam.planning.models.account_plans import AccountPlan, AccountPlanReview, PlanObjective
from kam.sales.demo.deals import CLOSED_YESTERDAY, Draft, add_history, add_team, plan_seller
from kam.sales.demo.market import competitors_for, create_competitors, price_history
from kam.sales.demo.plans import build_plans, save_plans
from kam.sales.demo.qualify import qualify
from kam.sales.demo.save import link_followups, mark_wins, save_deals
from kam.sales.demo.world import load_deal_world
from kam.sales.models import DealCompetitor, Opportunity, QualificationScore

# The rep whose deal's needs changed on the previous working day (the manager's briefing shows it).
NEEDS_CHANGED_YESTERDAY = "rep1"


@dataclass(frozen=True)
class DealSummary:
    open_by_stage: list[int]
    won: int
    lost: int
    invalid: int
    competitors: int
    price_intel: int
    account_plans: int
    followups_linked: int
    seconds: float

    def line(self) -> str:
        stages = "/".join(str(n) for n in self.open_by_stage)
        return (
            f"{sum(self.open_by_stage)} open deals (by stage {stages}), {self.won} won, {self.lost} lost, "
            f"{self.invalid} invalid; {self.competitors} competitors, {self.price_intel} price intel, "
            f"{self.account_plans} account plans, {self.followups_linked} follow-ups linked "
            f"in {self.seconds:.1f} s"
        )


def _needs_change_target(drafts: list[Draft], username: str) -> Draft | None:
    mine = [d for d in drafts if d.deal.owner.username == username and d.deal.status == "open" and d.stage_index >= 2]
    return mine[0] if mine else None


def build_demo_deals(org: Organization, users: dict[str, User], now: datetime, seed: int) -> DealSummary:
    """The demo's deals, competitors, price intel and account plans, saved (about a second)."""
    started = time.perf_counter()
    world = load_deal_world(org, users, now, seed)
    drafts: list[Draft] = []
    for seller in world.sellers():
        manager, peers = world.manager_above(seller), world.peers_of(seller) if seller.role == Role.REP else []
        for draft in plan_seller(world, seller):
            add_history(world, draft, manager)
            add_team(world, draft, manager, peers)
            drafts.append(draft)
    models = (Opportunity, DealCompetitor, QualificationScore, Competitor, PriceIntel, AccountPlan,
              AccountPlanReview, PlanObjective)  # fmt: skip
    with manual_timestamps(*models):
        competitors = create_competitors(org, now)
        changed = _needs_change_target(drafts, NEEDS_CHANGED_YESTERDAY)
        extras = [(qualify(world, d, d is changed), competitors_for(world, d, competitors)) for d in drafts]
        save_deals(drafts, extras)
        authors = [u for u in world.sellers() if u.role == Role.REP]
        intel = price_history(world, competitors, authors)
        PriceIntel.objects.bulk_create(intel, batch_size=500)
        plans = build_plans(world, drafts, competitors)
        save_plans(plans)
    linked = link_followups(drafts, now)
    mark_wins(drafts)
    outcomes = Counter(d.deal.status for d in drafts)
    by_stage = Counter(d.stage_index for d in drafts if d.deal.status == "open")
    return DealSummary(
        open_by_stage=[by_stage[i] for i in range(len(world.pipeline.stages))],
        won=outcomes["won"],
        lost=outcomes["lost"],
        invalid=outcomes["invalid"],
        competitors=len(competitors),
        price_intel=len(intel),
        account_plans=len(plans.plans),
        followups_linked=linked,
        seconds=time.perf_counter() - started,
    )


__all__ = ["CLOSED_YESTERDAY", "DealSummary", "build_demo_deals"]
