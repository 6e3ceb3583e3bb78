"""Competitors of the demo: nine profiles, two years of price intelligence with prices drifting down,
the competitors present in deals, and who won the deals we lost (with the price gap when known)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from kam.core.models import Organization, User
from kam.market.models import Competitor, PriceConfidence, PriceIntel
from kam.sales.demo import vocab
from kam.sales.demo.deals import Draft
from kam.sales.demo.world import Account, DealWorld
from kam.sales.models import CompetitorStatus, DealCompetitor, OpportunityStatus

HISTORY_DAYS = 730
# Lost for these reasons (by position in the default list): a competitor took the deal.
COMPETITOR_LOSS_POSITIONS = (0, 1, 2)
PRICE_GAP_CHANCE = 0.6


def create_competitors(org: Organization, now: datetime) -> list[Competitor]:
    """The competitor master, known for two years."""
    since = now - timedelta(days=HISTORY_DAYS + 30)
    rows = [
        Competitor(
            organization=org,
            name=name,
            products=products,
            price_positioning=positioning,
            strengths=strengths,
            weaknesses=weaknesses,
            tactics=tactics,
            notes=notes,
            created_at=since,
            updated_at=since + timedelta(days=400),
        )  # fmt: skip
        for name, products, positioning, strengths, weaknesses, tactics, notes in vocab.COMPETITORS
    ]
    return Competitor.objects.bulk_create(rows)


def _sold_by(competitor: Competitor) -> list[tuple[str, str, int]]:
    """The priced products this competitor sells (by the product names in its profile)."""
    found = [p for p in vocab.PRICED_PRODUCTS if p[0][:4] in competitor.products or p[0][:2] in competitor.products]
    return found or [vocab.PRICED_PRODUCTS[-1]]


def _round_price(value: float) -> Decimal:
    step = 100 if value < 20_000 else 1000
    return Decimal(max(step, round(value / step) * step))


def price_history(world: DealWorld, competitors: list[Competitor], authors: list[User]) -> list[PriceIntel]:
    """A price every two to three months per competitor and product, drifting down 1–4 % a quarter;
    two observations arrive on the previous working day (the briefing's new intel)."""
    rng = world.rng
    customers = [a for accounts in world.accounts.values() for a in accounts]
    rows: list[PriceIntel] = []
    for competitor in competitors:
        factor = vocab.POSITIONING_FACTOR.get(competitor.price_positioning, 1.0)
        for product, unit, list_price in _sold_by(competitor):
            price = list_price * factor * rng.uniform(0.95, 1.08)
            day = world.today - timedelta(days=HISTORY_DAYS - rng.randint(0, 60))
            while day < world.today - timedelta(days=5):
                rows.append(_intel(world, competitor, product, unit, price, day, customers, authors))
                day += timedelta(days=rng.randint(55, 95))
                price *= 1 - rng.uniform(0.01, 0.04) + rng.uniform(-0.015, 0.015)
    for competitor in rng.sample(competitors, 2):
        product, unit, list_price = rng.choice(_sold_by(competitor))
        factor = vocab.POSITIONING_FACTOR.get(competitor.price_positioning, 1.0) * 0.9
        rows.append(_intel(world, competitor, product, unit, list_price * factor, world.yesterday, customers, authors,
                           fresh=True))  # fmt: skip
    return rows


def _intel(
    world: DealWorld, competitor: Competitor, product: str, unit: str, price: float, day: date,
    customers: list[Account], authors: list[User], *, fresh: bool = False,
) -> PriceIntel:  # fmt: skip
    rng = world.rng
    author = rng.choice(authors)
    mine = [a for a in customers if a.owner_id == author.pk]
    customer = rng.choice(mine) if mine and rng.random() < 0.6 else None
    observed = day if fresh else day + timedelta(days=rng.randint(0, 3))
    created = world.office.moment(observed if fresh else observed + timedelta(days=rng.randint(0, 2)))
    return PriceIntel(
        organization=world.org,
        competitor=competitor,
        product=product,
        price=_round_price(price),
        unit=unit,
        observed_on=observed,
        customer_id=customer.pk if customer else None,
        source=rng.choice(vocab.PRICE_SOURCES),
        confidence=rng.choice(list(PriceConfidence.values)),
        author=author,
        created_at=min(created, world.now),
    )


def _lost_to_competitor(draft: Draft) -> bool:
    reason = draft.deal.close_reason
    return reason is not None and reason.position in COMPETITOR_LOSS_POSITIONS


def competitors_for(world: DealWorld, draft: Draft, competitors: list[Competitor]) -> list[DealCompetitor]:
    """Competitors present in the deal; on a deal lost to a competitor, the winner (and maybe the price gap)."""
    rng, deal = world.rng, draft.deal
    lost_to_one = deal.status == OpportunityStatus.LOST and _lost_to_competitor(draft)
    if draft.stage_index == 0 and not lost_to_one and rng.random() < 0.7:
        return []
    if not lost_to_one and rng.random() < 0.3:
        return []
    present = rng.sample(competitors, rng.choice((1, 1, 2, 2, 3)))
    rows = []
    for index, competitor in enumerate(present):
        status = CompetitorStatus.SHORTLISTED
        if deal.status == OpportunityStatus.OPEN:
            if "运维" in draft.product and index == 0:
                status = CompetitorStatus.INCUMBENT
            elif draft.stage_index >= 3 and index > 0:
                status = CompetitorStatus.ELIMINATED
        elif lost_to_one and index == 0:
            status = CompetitorStatus.WON
            deal.won_by = competitor
            if rng.random() < PRICE_GAP_CHANCE:
                share = Decimal(rng.choice((3, 5, 8, 10, 12, 15, 20))) / 100
                sign = 1 if rng.random() < 0.85 else -1  # mostly we were dearer; sometimes cheaper and still lost
                deal.price_gap = (deal.amount * share * sign).quantize(Decimal(1000))
        else:
            status = CompetitorStatus.ELIMINATED
        added = draft.path.entered[min(1, draft.stage_index)]
        rows.append(
            DealCompetitor(
                organization=world.org,
                competitor=competitor,
                status=status,
                notes=competitor.tactics if index == 0 else "",
                updated_by=deal.owner,
                created_at=added,
            )  # fmt: skip
        )
    return rows
