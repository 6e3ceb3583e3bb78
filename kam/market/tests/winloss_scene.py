"""A hand-built set of closed deals for the win/loss tests (not a test module itself).

Period: the first quarter of 2026 (Shanghai). The owner (北京一组) closed 5 won, 3 lost and 2 invalid
deals in it; the teammate 1 won and 1 lost; the stranger (上海一组) 2 lost; one won deal of the
owner closed in December 2025 lies outside the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.models import Customer
from kam.market.models import Competitor
from kam.market.winloss_rows import WinLossQuery
from kam.sales.models import CloseOutcome, CloseReason, DealCompetitor, Opportunity, OpportunityStatus, StageChange
from kam.sales.tests.fixtures_deals import aware, default_line, make_customer, make_deal, stage_at

Q1 = WinLossQuery(date(2026, 1, 1), date(2026, 3, 31))
WON, LOST, INVALID = OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.INVALID


def lost_reason(world: OrgWorld, position: int) -> CloseReason:
    """0 价格 (Price), 3 预算削减 (Budget cut) of the default list."""
    default_line(world.org)
    return CloseReason.objects.get(organization=world.org, outcome=CloseOutcome.LOST, position=position)


def closed_deal(
    user: User,
    customer: Customer,
    status: str,
    closed: datetime,
    *,
    days: float = 10,
    amount: int = 100000,
    **fields: Any,
) -> Opportunity:
    """A deal created `days` before it closed."""
    deal = make_deal(user, customer, status=status, closed_at=closed, amount=amount, **fields)
    Opportunity.objects.filter(pk=deal.pk).update(created_at=closed - timedelta(days=days))
    return deal


def present(deal: Opportunity, competitor: Competitor) -> None:
    DealCompetitor.objects.create(organization_id=deal.organization_id, opportunity=deal, competitor=competitor)


def moved(deal: Opportunity, *positions: int, at: datetime | None = None) -> None:
    """Stage history: the deal went on to the default line's stages at these positions."""
    when = at or aware(2026, 1, 5)
    for i, position in enumerate(positions):
        StageChange.objects.create(
            organization_id=deal.organization_id,
            opportunity=deal,
            to_stage=stage_at(deal.organization, position),
            to_status=OpportunityStatus.OPEN,
            at=when + timedelta(hours=i + 1),
        )


@dataclass
class Scene:
    alpha: Competitor
    beta: Competitor
    gamma: Competitor
    owner_deals: list[Opportunity] = field(default_factory=list)


def build(world: OrgWorld) -> Scene:
    """The set described in the module docstring (amounts, cycles and competitors as commented)."""
    customer = make_customer(world.owner, "华北钢铁集团有限公司")
    theirs = make_customer(world.teammate, "北京机床有限公司")
    far = make_customer(world.stranger, "上海港务有限公司")
    scene = Scene(*(Competitor.objects.create(organization=world.org, name=n) for n in ("甲软件", "乙科技", "丙集团")))
    price, budget = lost_reason(world, 0), lost_reason(world, 3)
    # Won: 100k…500k, 10…50 days from creation; alpha was in the first two.
    for i in range(5):
        deal = closed_deal(
            world.owner, customer, WON, aware(2026, 1 + i % 3, 10), days=10 * (i + 1), amount=100000 * (i + 1)
        )
        scene.owner_deals.append(deal)
        if i < 2:
            present(deal, scene.alpha)
    # Lost: 5, 10, 15 days; price in Jan and Feb, budget cut in Feb.
    lost = [
        closed_deal(world.owner, customer, LOST, aware(2026, 1, 20), days=5, close_reason=price, won_by=scene.beta),
        closed_deal(world.owner, customer, LOST, aware(2026, 2, 20), days=10, close_reason=price, won_by=scene.beta),
        closed_deal(world.owner, customer, LOST, aware(2026, 2, 21), days=15, close_reason=budget, won_by=scene.gamma),
    ]
    present(lost[0], scene.alpha)
    present(lost[1], scene.alpha)
    present(lost[2], scene.beta)
    scene.owner_deals.extend(lost)
    for day in (3, 4):
        scene.owner_deals.append(closed_deal(world.owner, customer, INVALID, aware(2026, 3, day), days=1))
    # Outside the period.
    closed_deal(world.owner, customer, WON, aware(2025, 12, 31, 23), amount=999)
    # The teammate's and the stranger's.
    closed_deal(world.teammate, theirs, WON, aware(2026, 3, 1), days=4, amount=Decimal(50000))
    closed_deal(world.teammate, theirs, LOST, aware(2026, 3, 2), days=6, close_reason=price)
    for day in (5, 6):
        closed_deal(world.stranger, far, LOST, aware(2026, 3, day), days=2, close_reason=budget, won_by=scene.alpha)
    return scene
