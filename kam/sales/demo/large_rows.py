"""One deal of the large dataset as tuples: the opportunity, its stage history (~3 rows), the owner's
team row, competitors on a share of deals, MEDDPICC scores of open deals meeting their gates, and for
a sample the needs versions (built with the demo's generator and saved with bulk_create after)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from kam.activities.demo.days import local_day
from kam.core.models import User
from kam.sales.demo import vocab
from kam.sales.demo.bulk import Table, day, json_writer, stamper
from kam.sales.demo.deals import CLOSE_DAYS, CLOSED_FORECAST, CLOSED_PROBABILITY, Draft, forecast_for
from kam.sales.demo.market import COMPETITOR_LOSS_POSITIONS
from kam.sales.demo.qualify import influences_for, needs_for
from kam.sales.demo.story import STAGE_DAYS, WAN, DealPath, amount_in, path_back
from kam.sales.demo.world import Account, DealWorld
from kam.sales.models import (
    BuyingInfluence,
    DealCompetitor,
    MeddpiccElement,
    Opportunity,
    OpportunityMember,
    QualificationScore,
    RequirementItem,
    StageChange,
)

OPEN_STAGE_WEIGHTS = (30, 25, 20, 15, 10)
# Lost and invalid deals mostly end early: about three history rows a deal over the whole dataset.
LOST_STAGE_WEIGHTS = (35, 30, 20, 10, 5)
INVALID_STAGE_WEIGHTS = (70, 30, 0, 0, 0)
OUTCOMES_ACTIVE = (("won", 45), ("lost", 40), ("invalid", 15))
OUTCOMES_OTHER = (("lost", 80), ("invalid", 20))
HISTORY_DAYS = 730
TIER_SCALE = {"A": 1.0, "B": 0.7, "C": 0.45}
SOURCES = ("existing", "referral", "tender", "inbound", "outbound", "partner", "event", "other")
OPPORTUNITY_FIELDS = [
    "id", "organization", "customer", "name", "amount", "expected_close_date", "business_line", "stage",
    "stage_entered_at", "probability", "probability_reason", "forecast_category", "source", "products_of_interest",
    "objective", "owner", "next_step", "next_step_date", "status", "closed_at", "close_reason", "won_by",
    "close_notes", "price_gap", "qualification_snapshot", "last_activity_at", "needs_changed_at", "created_by",
    "created_at", "updated_at", "version",
]  # fmt: skip
CHANGE_FIELDS = ["organization", "opportunity", "from_stage", "to_stage", "from_status", "to_status", "at", "actor",
                 "gate_override", "missing", "override_reason"]  # fmt: skip
MEMBER_FIELDS = ["organization", "opportunity", "user", "role", "access", "split_percent"]
COMPETITOR_FIELDS = ["organization", "opportunity", "competitor", "status", "notes", "created_at", "updated_by"]
ELEMENTS = tuple(MeddpiccElement.values)
SCORE_FIELDS = ["organization", "opportunity", "element", "score", "evidence", "contact", "updated_by", "updated_at"]


@dataclass
class Holding:
    """An owned customer as the large generator sees it, with its newest follow-up when there is one."""

    account: Account
    latest: tuple[int, int, datetime] | None  # (follow-up id, author id, occurred at)
    open_ids: list[tuple[int, datetime]] = field(default_factory=list)  # (deal id, created at)
    first_win: datetime | None = None


@dataclass
class Counts:
    open: int = 0
    won: int = 0
    lost: int = 0
    invalid: int = 0
    linked: int = 0


class DealRows:
    """Builds and queues every tuple of the large deals; `sample` keeps the drafts that get needs and people."""

    def __init__(self, world: DealWorld, users: dict[int, User], competitors: list[int], shares: dict[str, float]):
        self.world, self.rng, self.users, self.competitors = world, world.rng, users, competitors
        self.shares = shares
        self.org_id = world.org.pk
        self.stages = world.pipeline.stages
        self.reasons = {o: [(r.pk, r.position) for r in rs] for o, rs in world.pipeline.reasons.items()}
        self.deals = Table(Opportunity, OPPORTUNITY_FIELDS)
        self.changes = Table(StageChange, CHANGE_FIELDS)
        self.members = Table(OpportunityMember, MEMBER_FIELDS)
        self.deal_competitors = Table(DealCompetitor, COMPETITOR_FIELDS)
        self.scores = Table(QualificationScore, SCORE_FIELDS)
        self.json = json_writer(Opportunity, "qualification_snapshot")
        self.empty_json = self.json({})
        self.stamp = stamper()
        self.sample: list[tuple[Draft, list[tuple[Any, list[RequirementItem]]]]] = []
        self.links: list[tuple[int, int]] = []  # (deal id, follow-up id)
        self.counts = Counts()

    def tables(self) -> list[Table]:
        """Parents first."""
        return [self.deals, self.changes, self.members, self.deal_competitors, self.scores]

    def flush(self, force: bool = False) -> None:
        """Write the queued rows, deals before the rows that point at them (see Table.add)."""
        if force or any(table.full for table in self.tables()):
            for table in self.tables():
                table.flush()

    # --- one deal --------------------------------------------------------------------------------

    def add(self, customer: Holding, open_deal: bool) -> None:
        rng, world, account = self.rng, self.world, customer.account
        earliest = account.since + timedelta(days=1)
        if open_deal:
            status, stage_index = "open", rng.choices(range(len(self.stages)), OPEN_STAGE_WEIGHTS)[0]
            days = rng.uniform(60, 120) if rng.random() < 0.15 else rng.uniform(1, STAGE_DAYS[stage_index][1] * 1.2)
            last = max(world.now - timedelta(days=days), earliest + timedelta(hours=stage_index + 1))
            path = DealPath(path_back(rng, world.office, stage_index, min(last, world.now), earliest))
        else:
            status, path = self._closed(customer)
            stage_index = path.stage_index
        self._write(customer, status, stage_index, path)
        self.flush()

    def _closed(self, customer: Holding) -> tuple[str, DealPath]:
        rng, world = self.rng, self.world
        first, last = self.customer_window(customer)
        outcomes = OUTCOMES_ACTIVE if customer.account.status == "active" else OUTCOMES_OTHER
        status = rng.choices([o for o, _w in outcomes], [w for _o, w in outcomes])[0]
        top = len(self.stages) - 1
        weights = LOST_STAGE_WEIGHTS if status == "lost" else INVALID_STAGE_WEIGHTS
        stage_index = top if status == "won" else min(top, rng.choices(range(5), weights)[0])
        closed = first + (last - first) * rng.random()
        closed = min(world.office.snap(closed), world.now - timedelta(minutes=5))
        earliest = customer.account.since + timedelta(days=1)
        entered_last = max(closed - timedelta(days=rng.uniform(*STAGE_DAYS[stage_index])), earliest)
        entered = path_back(rng, world.office, stage_index, entered_last, earliest)
        if entered[-1] >= closed:
            closed = entered[-1] + timedelta(minutes=30)
        return status, DealPath(entered, closed)

    def customer_window(self, customer: Holding) -> tuple[datetime, datetime]:
        now = self.world.now
        first = max(now - timedelta(days=HISTORY_DAYS), customer.account.since + timedelta(days=20))
        return first, now - timedelta(days=1)

    def _write(self, customer: Holding, status: str, stage_index: int, path: DealPath) -> None:
        rng, world, account = self.rng, self.world, customer.account
        template, product, (low, high), _line = rng.choice(vocab.PROJECTS)
        amount = amount_in(rng, low, high, TIER_SCALE.get(account.tier, 0.6))
        stage, owner, deal_id = self.stages[stage_index], account.owner_id, self.deals.last_id + 1
        draft = self._sampled(deal_id, customer, status, path, product, amount)
        scores = self._scores(deal_id, stage_index, status, owner, path)
        reason, won_by, gap = self._competitors(deal_id, status, stage_index, path, amount, owner)
        expected, probability, forecast, next_step, next_date, last_activity = self._terms(
            customer, deal_id, status, stage_index, path
        )
        name = template.format(region=rng.choice(vocab.REGIONS), short=account.label, site=account.site,
                               year=world.today.year + 1)  # fmt: skip
        source = "existing" if account.status == "active" else SOURCES[rng.randrange(len(SOURCES))]
        stamp = self.stamp
        self.deals.add(
            self.org_id, account.pk, name, amount, day(expected), world.pipeline.line.pk, stage.pk,
            stamp(path.stage_entered_at), probability, "", forecast, source, product,
            f"{product}1套，{amount / WAN:.0f}万元", owner, next_step, day(next_date), status,
            stamp(path.closed_at), reason, won_by, "", gap,
            self.json(scores) if status != "open" else self.empty_json, stamp(last_activity),
            stamp(draft.deal.needs_changed_at) if draft is not None else None, owner, stamp(path.created_at),
            stamp(path.last_moment), 1,
        )  # fmt: skip
        self._history(deal_id, status, path, owner)
        self.members.add(self.org_id, deal_id, owner, "owner", "write", Decimal(100))
        setattr(self.counts, status, getattr(self.counts, status) + 1)

    def _terms(self, customer: Holding, deal_id: int, status: str, stage_index: int, path: DealPath) -> tuple[Any, ...]:
        """(expected close, probability, forecast, next step, its date, last activity) of an open or closed deal."""
        rng, world = self.rng, self.world
        if status == "open":
            ahead = -rng.randint(3, 40) if rng.random() < 0.12 else rng.randint(*CLOSE_DAYS[stage_index])
            customer.open_ids.append((deal_id, path.created_at))
            return (
                world.today + timedelta(days=ahead), self.stages[stage_index].default_probability,
                forecast_for(world, stage_index), rng.choice(vocab.NEXT_STEPS),
                world.today + timedelta(days=rng.randint(-5, 14)), self._link(customer, deal_id, path.created_at),
            )  # fmt: skip
        assert path.closed_at is not None
        if status == "won":
            customer.first_win = min(customer.first_win or path.closed_at, path.closed_at)
        expected = local_day(path.closed_at) + timedelta(days=rng.randint(-20, 30))
        return expected, CLOSED_PROBABILITY[status], CLOSED_FORECAST[status], "", None, path.created_at  # type: ignore[index]

    def _history(self, deal_id: int, status: str, path: DealPath, owner: int) -> None:
        add, stages = self.changes.add, self.stages
        add(self.org_id, deal_id, None, stages[0].pk, "", "open", self.stamp(path.entered[0]), owner, False, "", "")
        for index in range(1, len(path.entered)):
            add(self.org_id, deal_id, stages[index - 1].pk, stages[index].pk, "open", "open",
                self.stamp(path.entered[index]), owner, False, "", "")  # fmt: skip
        if path.closed_at is not None:
            stage = stages[path.stage_index].pk
            add(self.org_id, deal_id, stage, stage, "open", status, self.stamp(path.closed_at), owner, False, "", "")

    def _scores(self, deal_id: int, stage_index: int, status: str, owner: int, path: DealPath) -> dict[str, int]:
        """{element: score}: the gates up to the stage, plus what the rep learnt; rows for open deals."""
        rng, required = self.rng, self.world.pipeline.required[stage_index]
        scores = {}
        for element in ELEMENTS:
            bonus = rng.randint(1, 2) if rng.random() < 0.1 + 0.15 * stage_index else 0
            scores[element] = min(2, max(required.get(element, 0), bonus))
        if status == "open":
            at = self.stamp(path.stage_entered_at)
            for element, score in scores.items():
                if score:
                    self.scores.add(self.org_id, deal_id, element, score, "", None, owner, at)
        return scores

    def _competitors(
        self, deal_id: int, status: str, stage_index: int, path: DealPath, amount: Decimal, owner: int
    ) -> tuple[int | None, int | None, Decimal | None]:
        """(close reason, winning competitor, price gap); DealCompetitor rows on a share of deals."""
        rng = self.rng
        reason = None
        if status != "open" and self.reasons.get(status):
            reason_id, position = rng.choice(self.reasons[status])
            reason = reason_id
        else:
            position = -1
        lost_to_one = status == "lost" and position in COMPETITOR_LOSS_POSITIONS
        if not lost_to_one and rng.random() >= self.shares["competitors"]:
            return reason, None, None
        present = rng.sample(self.competitors, 1 if rng.random() < 0.6 else 2)
        won_by = present[0] if lost_to_one else None
        gap: Decimal | None = None
        if lost_to_one and rng.random() < 0.6:
            gap = (amount * Decimal(rng.choice((3, 5, 8, 10, 15))) / 100).quantize(Decimal(1000))
        at = self.stamp(path.entered[min(1, stage_index)])
        for _index, competitor in enumerate(present):
            state = "won" if won_by == competitor else "shortlisted" if status == "open" else "eliminated"
            self.deal_competitors.add(self.org_id, deal_id, competitor, state, "", at, owner)
        return reason, won_by, gap

    def _link(self, customer: Holding, deal_id: int, created: datetime) -> datetime:
        """The customer's newest follow-up is about an open deal of its author that existed by then."""
        latest = customer.latest
        if latest is None or latest[1] != customer.account.owner_id or latest[2] < created:
            return created
        customer.latest = None  # one deal per follow-up; an older open deal keeps its creation
        self.counts.linked += 1
        self.links.append((deal_id, latest[0]))
        return latest[2]

    def _sampled(
        self, deal_id: int, customer: Holding, status: str, path: DealPath, product: str, amount: Decimal
    ) -> Draft | None:
        if self.rng.random() >= self.shares["sample"]:
            return None
        owner = self.users[customer.account.owner_id]
        deal = Opportunity(pk=deal_id, organization_id=self.org_id, customer_id=customer.account.pk, owner=owner,
                           status=status, amount=amount)  # fmt: skip
        draft = Draft(deal, customer.account, path, product, 0)
        self.sample.append((draft, needs_for(self.world, draft)))
        return draft


def sample_influences(world: DealWorld, sample: list[tuple[Draft, Any]]) -> list[BuyingInfluence]:
    """Buying influences of the sampled deals (their customers' contacts must be loaded on the accounts)."""
    rows = []
    for draft, _versions in sample:
        if len(draft.account.people) < 2:
            continue
        for influence in influences_for(world, draft):
            influence.opportunity_id = draft.deal.pk
            rows.append(influence)
    return rows
