"""Account plans (大客户规划) for every owned A-tier customer of the demo: trends, strengths and
vulnerabilities, our team, the customer's key players, objectives with actions, the whitespace grid
of business units × product lines (spend and who gets it), and a manager's review on some."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from kam.core.models import Role, User
from kam.market.models import Competitor
from kam.planning.models.account_plans import (
    AccountPlan,
    AccountPlanReview,
    BusinessUnit,
    CellStatus,
    KeyPlayer,
    KeyPlayerRole,
    ObjectiveStatus,
    PlanAction,
    PlanObjective,
    PlanTeamMember,
    RelationshipStage,
    SpendHolder,
    WhitespaceCell,
)
from kam.sales.demo import vocab
from kam.sales.demo.deals import Draft
from kam.sales.demo.story import WAN, round_amount
from kam.sales.demo.world import Account, DealWorld

STAGE_WEIGHTS = {RelationshipStage.EXPLORATORY: 10, RelationshipStage.BASIC: 30, RelationshipStage.COOPERATIVE: 35,
                 RelationshipStage.INTERDEPENDENT: 20, RelationshipStage.INTEGRATED: 5}  # fmt: skip
CELL_WEIGHTS = {CellStatus.OWNED: 30, CellStatus.GAP: 40, CellStatus.NOT_ELIGIBLE: 15, CellStatus.PIPELINE: 15}


@dataclass
class PlanRows:
    plans: list[AccountPlan] = field(default_factory=list)
    team: list[PlanTeamMember] = field(default_factory=list)
    players: list[KeyPlayer] = field(default_factory=list)
    objectives: list[tuple[PlanObjective, list[PlanAction]]] = field(default_factory=list)
    reviews: list[AccountPlanReview] = field(default_factory=list)
    units: list[tuple[BusinessUnit, list[WhitespaceCell]]] = field(default_factory=list)


def _players(world: DealWorld, plan: AccountPlan, account: Account) -> list[KeyPlayer]:
    rng, people = world.rng, account.people
    roles = [(people[0], KeyPlayerRole.SPONSOR if people[0].attitude != "oppose" else KeyPlayerRole.KEY_PLAYER)]
    opponent = next((p for p in people[1:] if p.attitude == "oppose"), None)
    if opponent is not None:
        roles.append((opponent, KeyPlayerRole.ANTI_SPONSOR))
    coach = next((p for p in people[1:] if p.attitude == "support"), None)
    if coach is not None:
        roles.append((coach, KeyPlayerRole.STRATEGIC_COACH))
    others = [p for p in people[1:] if p not in (opponent, coach)]
    roles += [(p, KeyPlayerRole.KEY_PLAYER) for p in others[: rng.randint(0, 2)]]
    return [KeyPlayer(organization=world.org, plan=plan, contact_id=p.pk, role=role,
                      notes=rng.choice(vocab.KEY_PLAYER_NOTES)) for p, role in roles]  # fmt: skip


def _objectives(
    world: DealWorld, plan: AccountPlan, owner: User, helpers: list[User]
) -> list[tuple[PlanObjective, list[PlanAction]]]:
    rng, today = world.rng, world.today
    rows = []
    for title, actions in rng.sample(vocab.OBJECTIVES, rng.randint(2, 3)):
        done = rng.random() < 0.2
        due = today + timedelta(days=rng.randint(-60, -5) if done else rng.randint(2, 180))
        objective = PlanObjective(organization=world.org, plan=plan, title=title,
                                  owner=owner if rng.random() < 0.8 or not helpers else rng.choice(helpers),
                                  due_date=due, status=ObjectiveStatus.DONE if done else ObjectiveStatus.OPEN,
                                  created_at=plan.created_at)  # fmt: skip
        steps = []
        for n, action in enumerate(actions):
            step_due = min(due, today + timedelta(days=7 * (n + 1) - rng.randint(0, 20)))
            finished = done or step_due < today - timedelta(days=3) and rng.random() < 0.7
            steps.append(PlanAction(organization=world.org, title=action, owner=objective.owner, due_date=step_due,
                                    done_at=world.office.moment(min(step_due, today - timedelta(days=1)))
                                    if finished else None))  # fmt: skip
        rows.append((objective, steps))
    return rows


def _grid(
    world: DealWorld, plan: AccountPlan, competitors: list[Competitor], pipeline_lines: set[int]
) -> list[tuple[BusinessUnit, list[WhitespaceCell]]]:
    rng = world.rng
    lines = world.pipeline.product_lines
    units = []
    for position, name in enumerate(rng.sample(vocab.BUSINESS_UNITS, rng.randint(3, 4))):
        unit = BusinessUnit(organization=world.org, plan=plan, name=name, position=position)
        cells = []
        for index, line in enumerate(lines):
            status = CellStatus.PIPELINE if index in pipeline_lines and position == 0 else None
            status = status or rng.choices(list(CELL_WEIGHTS), weights=list(CELL_WEIGHTS.values()))[0]
            cell = WhitespaceCell(organization=world.org, plan=plan, product_line=line, status=status)
            if status != CellStatus.NOT_ELIGIBLE:
                cell.annual_spend = round_amount(rng.uniform(20, 400))
                if status == CellStatus.OWNED:
                    cell.holder = SpendHolder.US
                elif rng.random() < 0.6:
                    cell.holder, cell.competitor = SpendHolder.COMPETITOR, rng.choice(competitors)
                else:
                    cell.holder = SpendHolder.UNSPENT
            cells.append(cell)
        units.append((unit, cells))
    return units


def _reviewer(world: DealWorld, owner: User) -> User | None:
    manager = world.manager_above(owner)
    return manager if manager is not None and manager.role in (Role.MANAGER, Role.DIRECTOR) else None


def build_plans(world: DealWorld, drafts: list[Draft], competitors: list[Competitor]) -> PlanRows:
    """One plan per owned A-tier customer; half of them reviewed (some longer than 90 days ago)."""
    rng, rows = world.rng, PlanRows()
    owners = {u.pk: u for u in world.users.values()}
    open_lines: dict[int, set[int]] = {}
    won: dict[int, Decimal] = {}
    for draft in drafts:
        if draft.deal.status == "open":
            open_lines.setdefault(draft.account.pk, set()).add(draft.product_line)
        elif draft.deal.status == "won":
            won[draft.account.pk] = won.get(draft.account.pk, Decimal(0)) + draft.deal.amount
    helpers = [u for u in (world.helper(Role.PRESALES), world.helper(Role.SERVICE)) if u is not None]
    accounts = sorted((a for items in world.accounts.values() for a in items if a.tier == "A"), key=lambda a: a.pk)
    for account in accounts:
        owner = owners[account.owner_id]
        written = max(account.since, world.now - timedelta(days=rng.randint(30, 300)))
        plan = AccountPlan(
            organization=world.org, customer_id=account.pk, owner=owner, trends=rng.choice(vocab.TRENDS),
            strengths=rng.choice(vocab.STRENGTHS), vulnerabilities=rng.choice(vocab.VULNERABILITIES),
            relationship_stage=rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0],
            revenue_goal_3y=round_amount(float(won.get(account.pk, Decimal(200) * WAN) / WAN) * rng.uniform(1.5, 3)),
            share_of_wallet_goal=Decimal(rng.choice((20, 30, 40, 50, 60))), created_at=written,
            updated_at=written + (world.now - written) * rng.uniform(0.2, 1.0),
        )  # fmt: skip
        rows.plans.append(plan)
        duties = rng.sample(vocab.TEAM_DUTIES, len(helpers))
        rows.team += [PlanTeamMember(organization=world.org, plan=plan, user=u, responsibility=d)
                      for u, d in zip(helpers, duties, strict=True)]  # fmt: skip
        rows.players += _players(world, plan, account)
        rows.objectives += _objectives(world, plan, owner, helpers)
        rows.units += _grid(world, plan, competitors, open_lines.get(account.pk, set()))
        reviewer = _reviewer(world, owner)
        if reviewer is not None and rng.random() < 0.5:
            day = world.today - timedelta(days=rng.choice((7, 20, 45, 75, 120)))
            day = max(day, written.date() + timedelta(days=1))
            if day <= world.today:
                rows.reviews.append(AccountPlanReview(organization=world.org, plan=plan, reviewer=reviewer,
                                                      reviewed_on=day, comments=rng.choice(vocab.REVIEW_COMMENTS),
                                                      created_at=world.office.moment(day)))  # fmt: skip
                plan.last_reviewed_on = day
    return rows


def save_plans(rows: PlanRows) -> None:
    AccountPlan.objects.bulk_create(rows.plans)
    for group in (rows.team, rows.players, rows.reviews):
        for row in group:
            row.plan_id = row.plan.pk
    PlanTeamMember.objects.bulk_create(rows.team)
    KeyPlayer.objects.bulk_create(rows.players)
    AccountPlanReview.objects.bulk_create(rows.reviews)
    objectives = [objective for objective, _actions in rows.objectives]
    for objective in objectives:
        objective.plan_id = objective.plan.pk
    PlanObjective.objects.bulk_create(objectives)
    actions = []
    for objective, steps in rows.objectives:
        for step in steps:
            step.objective_id = objective.pk
            actions.append(step)
    PlanAction.objects.bulk_create(actions)
    units = [unit for unit, _cells in rows.units]
    for unit in units:
        unit.plan_id = unit.plan.pk
    BusinessUnit.objects.bulk_create(units)
    cells = []
    for unit, unit_cells in rows.units:
        for cell in unit_cells:
            cell.plan_id, cell.business_unit_id = unit.plan_id, unit.pk
            cells.append(cell)
    WhitespaceCell.objects.bulk_create(cells)
