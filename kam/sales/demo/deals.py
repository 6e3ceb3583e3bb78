"""The demo's deals: every seller's open pipeline over all five stages, two years of closed deals, and
a few moves, a win and a loss on the previous working day for the briefing.

Each deal is planned as a `Draft` (the row, its past, its team, its history); the other modules add
needs, influences, scores and competitors to the drafts, and `save_drafts` writes them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import translation

from kam.activities.demo.days import local_day
from kam.core.models import Role, User
from kam.sales.demo import vocab
from kam.sales.demo.story import STAGE_DAYS, WAN, DealPath, amount_in, path_back
from kam.sales.demo.world import Account, DealWorld
from kam.sales.gates import GateShortfall, describe_all, element_label
from kam.sales.models import (
    DealSource,
    ForecastCategory,
    MemberAccess,
    Opportunity,
    OpportunityMember,
    OpportunityStatus,
    StageChange,
    TeamRole,
)

OPEN_STAGE_WEIGHTS = (30, 25, 20, 15, 10)
LOST_STAGE_WEIGHTS = (10, 25, 30, 25, 10)
INVALID_STAGE_WEIGHTS = (60, 40, 0, 0, 0)
OUTCOME_WEIGHTS = {OpportunityStatus.WON: 40, OpportunityStatus.LOST: 45, OpportunityStatus.INVALID: 15}
TIER_SCALE = {"A": 1.0, "B": 0.7, "C": 0.45}
CLOSE_DAYS = ((60, 180), (45, 150), (30, 120), (15, 75), (5, 45))  # expected close, days ahead, by stage
# What closing leaves on a deal (kam.sales.actions_deals.close_opportunity does the same).
CLOSED_PROBABILITY = {OpportunityStatus.WON: 100, OpportunityStatus.LOST: 0, OpportunityStatus.INVALID: 0}
CLOSED_FORECAST = {
    OpportunityStatus.WON: ForecastCategory.CLOSED,
    OpportunityStatus.LOST: ForecastCategory.OMITTED,
    OpportunityStatus.INVALID: ForecastCategory.OMITTED,
}
# The previous working day in the briefing: deals that moved (per rep) and deals closed.
MOVED_YESTERDAY = {"rep1": 2, "rep2": 1, "rep5": 1, "rep9": 1}
CLOSED_YESTERDAY = {"rep1": OpportunityStatus.WON, "rep3": OpportunityStatus.LOST, "rep6": OpportunityStatus.WON}
HISTORY_DAYS = 730


@dataclass
class Draft:
    """One deal being generated, with everything written for it."""

    deal: Opportunity
    account: Account
    path: DealPath
    product: str
    product_line: int
    changes: list[StageChange] = field(default_factory=list)
    members: list[OpportunityMember] = field(default_factory=list)

    @property
    def stage_index(self) -> int:
        return self.path.stage_index


def forecast_for(world: DealWorld, stage_index: int) -> str:
    rng = world.rng
    if stage_index <= 1:
        return ForecastCategory.PIPELINE
    if stage_index == 2:
        return ForecastCategory.BEST_CASE if rng.random() < 0.3 else ForecastCategory.PIPELINE
    if stage_index == 3:
        return ForecastCategory.COMMIT if rng.random() < 0.4 else ForecastCategory.BEST_CASE
    return ForecastCategory.COMMIT


def _name(world: DealWorld, account: Account, template: str) -> str:
    return template.format(
        region=world.rng.choice(vocab.REGIONS), short=account.label, site=account.site, year=world.today.year + 1
    )


def _deal(world: DealWorld, owner: User, account: Account, path: DealPath, status: str) -> Draft:
    rng, stage_index = world.rng, path.stage_index
    template, product, (low, high), line = rng.choice(vocab.PROJECTS)
    amount = amount_in(rng, low, high, TIER_SCALE.get(account.tier, 0.6))
    stage = world.pipeline.stages[stage_index]
    deal = Opportunity(
        organization=world.org,
        customer_id=account.pk,
        name=_name(world, account, template),
        amount=amount,
        business_line=world.pipeline.line,
        stage=stage,
        stage_entered_at=path.stage_entered_at,
        probability=stage.default_probability,
        forecast_category=forecast_for(world, stage_index),
        source=DealSource.EXISTING if account.status == "active" else rng.choice(list(DealSource.values)),
        products_of_interest=product,
        objective=f"{product}1套，{amount / WAN:.0f}万元",
        owner=owner,
        status=status,
        closed_at=path.closed_at,
        last_activity_at=path.created_at,
        created_by=owner,
        created_at=path.created_at,
        updated_at=path.last_moment,
    )
    return Draft(deal, account, path, product, line)


def _open_details(world: DealWorld, draft: Draft) -> None:
    rng, deal, today = world.rng, draft.deal, world.today
    low, high = CLOSE_DAYS[min(draft.stage_index, len(CLOSE_DAYS) - 1)]
    past_due = rng.random() < 0.12
    ahead = -rng.randint(3, 40) if past_due else rng.randint(low, high)
    deal.expected_close_date = today + timedelta(days=ahead)
    deal.objective += f"，{deal.expected_close_date:%Y年%m月}前签约"
    if rng.random() < 0.15:
        deal.probability = max(5, min(95, deal.probability + rng.choice((-20, -10, 10, 20))))
        deal.probability_reason = rng.choice(vocab.PROBABILITY_REASONS)
    deal.next_step = rng.choice(vocab.NEXT_STEPS)
    deal.next_step_date = today + timedelta(days=rng.randint(-5, 14))


def _closed_details(world: DealWorld, draft: Draft) -> None:
    rng, deal = world.rng, draft.deal
    closed = draft.path.closed_at
    assert closed is not None
    deal.expected_close_date = local_day(closed) + timedelta(days=rng.randint(-20, 30))
    deal.probability = CLOSED_PROBABILITY[OpportunityStatus(deal.status)]
    deal.forecast_category = CLOSED_FORECAST[OpportunityStatus(deal.status)]
    reasons = world.pipeline.reasons.get(deal.status, [])
    if reasons:
        weights = (35, 15, 20, 12, 8, 10) if deal.status == OpportunityStatus.LOST else (40, 25, 20, 15)
        deal.close_reason = rng.choices(reasons, weights=[weights[i % len(weights)] for i in range(len(reasons))])[0]
    notes = {OpportunityStatus.WON: vocab.WON_NOTES, OpportunityStatus.LOST: vocab.LOST_NOTES}
    deal.close_notes = rng.choice(notes.get(OpportunityStatus(deal.status), vocab.INVALID_NOTES))


def _earliest(account: Account) -> datetime:
    return account.since + timedelta(days=1)


def _open_path(world: DealWorld, account: Account, stage_index: int, yesterday: bool) -> DealPath:
    rng = world.rng
    if yesterday:
        last = world.office.moment(world.yesterday)
    else:
        stuck = rng.random() < 0.15
        days = rng.uniform(60, 120) if stuck else rng.uniform(1, STAGE_DAYS[stage_index][1] * 1.2)
        last = world.office.snap(world.now - timedelta(days=days))
    last = max(last, _earliest(account) + timedelta(hours=stage_index + 1))
    return DealPath(path_back(rng, world.office, stage_index, min(last, world.now), _earliest(account)))


def _closed_path(world: DealWorld, account: Account, outcome: str, yesterday: bool) -> DealPath | None:
    rng = world.rng
    weights: dict[str, tuple[int, ...]] = {"lost": LOST_STAGE_WEIGHTS, "invalid": INVALID_STAGE_WEIGHTS}
    last_stage = len(world.pipeline.stages) - 1
    stage_index = last_stage if outcome == OpportunityStatus.WON else rng.choices(range(5), weights[outcome])[0]
    stage_index = min(stage_index, last_stage)
    first = max(world.today - timedelta(days=HISTORY_DAYS), local_day(_earliest(account)) + timedelta(days=20))
    last = world.today - timedelta(days=2)
    if yesterday:
        closed = world.office.moment(world.yesterday)
    elif first > last:
        return None
    else:
        closed = world.office.moment(first + timedelta(days=rng.randint(0, (last - first).days)))
    entered_last = closed - timedelta(days=rng.uniform(*STAGE_DAYS[stage_index]))
    entered_last = max(entered_last, _earliest(account) + timedelta(hours=stage_index + 1))
    if entered_last >= closed:
        return None
    entered = path_back(rng, world.office, stage_index, world.office.snap(entered_last), _earliest(account))
    if entered[-1] >= closed:
        return None
    return DealPath(entered, closed)


def _weight(world: DealWorld, account: Account, closed: bool) -> float:
    """Key accounts hold more deals; open deals sit with customers the rep talks to, closed ones with
    customers held long enough to have a past."""
    weight = float({"A": 4, "B": 2}.get(account.tier, 1))
    if closed:
        return weight * min(HISTORY_DAYS, max(1, (world.now - account.since).days))
    recent = account.last_followup is not None and world.now - account.last_followup < timedelta(days=21)
    return weight * (4 if recent else 1)


def _pick_account(
    world: DealWorld, accounts: list[Account], open_deals: dict[int, int], outcome: str
) -> Account | None:
    won, closed = outcome == OpportunityStatus.WON, outcome != OpportunityStatus.OPEN
    fit = [a for a in accounts if (a.status == "active" if won else a.status != "lost") and open_deals[a.pk] < 2]
    if not fit:
        return None
    return world.rng.choices(fit, weights=[_weight(world, a, closed) for a in fit])[0]


def plan_seller(world: DealWorld, seller: User) -> list[Draft]:
    """A seller's open deals (8–15 for a rep, every stage at least once) and their closed deals."""
    rng, accounts = world.rng, world.accounts.get(seller.pk, [])
    rep = seller.role == Role.REP
    stages = list(range(len(world.pipeline.stages))) if rep else []
    total = rng.randint(8, 15) if rep else rng.randint(2, 4)
    stages += rng.choices(range(len(world.pipeline.stages)), weights=OPEN_STAGE_WEIGHTS, k=total - len(stages))
    moved = MOVED_YESTERDAY.get(seller.username, 0)
    per_account: dict[int, int] = {a.pk: 0 for a in accounts}
    drafts: list[Draft] = []
    for stage_index in sorted(stages, reverse=True):
        account = _pick_account(world, accounts, per_account, OpportunityStatus.OPEN)
        if account is None:
            break
        yesterday = moved > 0 and stage_index > 0
        moved -= yesterday
        draft = _deal(world, seller, account, _open_path(world, account, stage_index, yesterday), "open")
        _open_details(world, draft)
        per_account[account.pk] += 1
        drafts.append(draft)
    closing = CLOSED_YESTERDAY.get(seller.username)
    for _index in range(rng.randint(10, 18) if rep else rng.randint(3, 6)):
        outcome = closing or rng.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
        account = _pick_account(world, accounts, dict.fromkeys(per_account, 0), outcome)
        path = _closed_path(world, account, outcome, closing is not None) if account else None
        if account is None or path is None:
            continue
        closing = None
        draft = _deal(world, seller, account, path, outcome)
        _closed_details(world, draft)
        drafts.append(draft)
    return drafts


# --- history and team -------------------------------------------------------------------------------


def _override(world: DealWorld, draft: Draft, index: int, manager: User | None, change: StageChange) -> None:
    """Now and then a manager moved the deal past a gate that was not met at the time."""
    gates = world.pipeline.required[index]
    if manager is None or not gates or world.rng.random() >= 0.06:
        return
    element, required = sorted(gates.items())[world.rng.randrange(len(gates))]
    with translation.override(settings.LANGUAGE_CODE):
        missing = describe_all([GateShortfall(element, element_label(element), required, required - 1)])
    change.gate_override, change.missing, change.actor = True, missing[:300], manager
    change.override_reason = world.rng.choice(vocab.OVERRIDE_REASONS)


def add_history(world: DealWorld, draft: Draft, manager: User | None) -> None:
    """StageChange rows: created in the first stage, one row per move, and the closing row."""
    deal, stages, entered = draft.deal, world.pipeline.stages, draft.path.entered
    rows = [StageChange(organization=world.org, from_stage=None, to_stage=stages[0], from_status="",
                        to_status=OpportunityStatus.OPEN, at=entered[0], actor=deal.owner)]  # fmt: skip
    for index in range(1, len(entered)):
        change = StageChange(organization=world.org, from_stage=stages[index - 1], to_stage=stages[index],
                             from_status=OpportunityStatus.OPEN, to_status=OpportunityStatus.OPEN, at=entered[index],
                             actor=deal.owner)  # fmt: skip
        if index >= 2:
            _override(world, draft, index, manager, change)
        rows.append(change)
    if draft.path.closed_at is not None:
        stage = stages[draft.stage_index]
        rows.append(StageChange(organization=world.org, from_stage=stage, to_stage=stage,
                                from_status=OpportunityStatus.OPEN, to_status=deal.status, at=draft.path.closed_at,
                                actor=deal.owner))  # fmt: skip
    draft.changes = rows


def add_team(world: DealWorld, draft: Draft, manager: User | None, peers: list[User]) -> None:
    """The owner (write, 100 % unless a co-seller takes 30 %), presales on some, the manager on big deals."""
    rng, deal = world.rng, draft.deal
    owner = OpportunityMember(organization=world.org, user=deal.owner, role=TeamRole.OWNER,
                              access=MemberAccess.WRITE, split_percent=Decimal(100))  # fmt: skip
    members = [owner]
    presales = world.helper(Role.PRESALES)
    if presales is not None and draft.stage_index >= 2 and rng.random() < 0.3:
        members.append(OpportunityMember(organization=world.org, user=presales, role=TeamRole.PRESALES,
                                         access=MemberAccess.WRITE, split_percent=Decimal(0)))  # fmt: skip
    if peers and rng.random() < 0.1:
        owner.split_percent = Decimal(70)
        members.append(OpportunityMember(organization=world.org, user=rng.choice(peers), role=TeamRole.SALES,
                                         access=MemberAccess.WRITE, split_percent=Decimal(30)))  # fmt: skip
    if manager is not None and deal.amount >= 500 * WAN:
        members.append(OpportunityMember(organization=world.org, user=manager, role=TeamRole.SPONSOR,
                                         access=MemberAccess.READ, split_percent=Decimal(0)))  # fmt: skip
    draft.members = members
