"""The shapes of the win/loss analysis and the small roll-ups done on already aggregated rows
(owners × statuses, months × reasons): never on individual deals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from kam.core.models import Role, Team, User
from kam.sales.models import BusinessLine, OpportunityStatus
from kam.sales.queries_deals import win_rate

PERCENT = Decimal("0.01")
TENTH = Decimal("0.1")
BAR_STEP = 5  # bar widths are CSS classes winloss-w-0 … winloss-w-100 in steps of 5 (no inline styles)


def average(total: Decimal | float, count: int, places: Decimal = PERCENT) -> Decimal | None:
    if count <= 0:
        return None
    return (Decimal(str(total)) / Decimal(count)).quantize(places, rounding=ROUND_HALF_UP)


def bar_width(value: int, largest: int) -> int:
    """A bar's width in percent, rounded to the CSS step; a non-zero value is at least one step."""
    if largest <= 0 or value <= 0:
        return 0
    return max(BAR_STEP, round(value * 100 / largest / BAR_STEP) * BAR_STEP)


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every month from start's month to end's month."""
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


@dataclass(frozen=True)
class WinLossQuery:
    start: date
    end: date  # inclusive
    team: Team | None = None
    business_line: BusinessLine | None = None


@dataclass(frozen=True)
class OwnerTotals:
    """One aggregated row: one owner's deals of one status closed in the period."""

    owner_id: int
    status: str
    deals: int
    amount: Decimal
    cycle_days: float  # summed over the deals


@dataclass(frozen=True)
class Totals:
    won: int = 0
    lost: int = 0
    invalid: int = 0
    won_amount: Decimal = Decimal("0.00")
    won_cycle_days: float = 0.0
    lost_cycle_days: float = 0.0

    @property
    def win_rate(self) -> Decimal | None:
        return win_rate(self.won, self.lost)

    @property
    def closed(self) -> int:
        return self.won + self.lost + self.invalid

    @property
    def average_won_amount(self) -> Decimal | None:
        return average(self.won_amount, self.won)

    @property
    def average_won_cycle(self) -> Decimal | None:
        """Days from creation to closing, won deals (one decimal)."""
        return average(self.won_cycle_days, self.won, TENTH)

    @property
    def average_lost_cycle(self) -> Decimal | None:
        return average(self.lost_cycle_days, self.lost, TENTH)

    def plus(self, row: OwnerTotals) -> Totals:
        if row.status == OpportunityStatus.WON:
            return replace(
                self,
                won=self.won + row.deals,
                won_amount=self.won_amount + row.amount,
                won_cycle_days=self.won_cycle_days + row.cycle_days,
            )
        if row.status == OpportunityStatus.LOST:
            return replace(self, lost=self.lost + row.deals, lost_cycle_days=self.lost_cycle_days + row.cycle_days)
        return replace(self, invalid=self.invalid + row.deals)


def totals_of(rows: list[OwnerTotals]) -> Totals:
    totals = Totals()
    for row in rows:
        totals = totals.plus(row)
    return totals


@dataclass(frozen=True)
class CompetitorRow:
    competitor_id: int
    name: str
    won: int  # decided deals it was present in that we won
    lost: int  # … that we lost
    win_rate: Decimal | None
    lost_to: int  # lost deals it won

    def with_lost_to(self, deals: int) -> CompetitorRow:
        return replace(self, lost_to=deals)


@dataclass(frozen=True)
class ReasonTotal:
    reason_id: int | None
    label: str
    counts: list[int]  # per month
    total: int
    color: int  # CSS class index winloss-c-<n>


@dataclass(frozen=True)
class MonthSegment:
    label: str
    count: int
    width: int
    color: int


@dataclass(frozen=True)
class MonthBar:
    month: date
    total: int
    width: int
    segments: list[MonthSegment]


@dataclass(frozen=True)
class ReasonMonths:
    months: list[date]
    reasons: list[ReasonTotal]
    bars: list[MonthBar]

    @classmethod
    def build(
        cls, months: list[date], counts: list[tuple[int, int | None, int]], labels: list[dict[str, Any]]
    ) -> ReasonMonths:
        """From (month index, reason id, deals) rows and the organization's loss reasons in order."""
        grid: dict[int | None, list[int]] = defaultdict(lambda: [0] * len(months))
        for month, reason_id, deals in counts:
            grid[reason_id][month] += deals
        named = [(r["id"], r["label"]) for r in labels if r["id"] in grid]
        if None in grid:
            named.append((None, _("No reason given")))
        reasons = [ReasonTotal(rid, label, grid[rid], sum(grid[rid]), i % 8) for i, (rid, label) in enumerate(named)]
        month_totals = [sum(r.counts[i] for r in reasons) for i in range(len(months))]
        largest = max(month_totals, default=0)
        bars = [
            MonthBar(
                month,
                month_totals[i],
                bar_width(month_totals[i], largest),
                [
                    MonthSegment(r.label, r.counts[i], _share(r.counts[i], month_totals[i]), r.color)
                    for r in reasons
                    if r.counts[i]
                ],
            )
            for i, month in enumerate(months)
        ]
        return cls(months, reasons, bars)


def _share(part: int, whole: int) -> int:
    # Segments are shares of their month's bar, so a stacked bar fills exactly its own width.
    return round(part * 100 / whole / BAR_STEP) * BAR_STEP if whole else 0


@dataclass(frozen=True)
class ConversionStep:
    stage_id: int
    stage: str
    reached: int
    advanced: int  # reached the next stage shown, or won (last stage)
    rate: Decimal | None

    @property
    def bar(self) -> int:
        """The rate as a CSS width step."""
        return 0 if self.rate is None else bar_width(round(self.rate), 100)


@dataclass(frozen=True)
class LineConversion:
    line_id: int
    line: str
    deals: int  # created in the period
    won: int
    steps: list[ConversionStep]


@dataclass(frozen=True)
class TeamRow:
    kind: str  # team | direct | rep | none
    key: int | None
    label: str
    totals: Totals


@dataclass(frozen=True)
class TeamTable:
    root: Team | None
    per_rep: bool
    rows: list[TeamRow] = field(default_factory=list)


def _table_root(user: User, query: WinLossQuery) -> Team | None:
    if query.team is not None:
        return query.team
    if user.role in (Role.ADMIN, Role.DIRECTOR):
        tops = list(Team.objects.filter(organization_id=user.organization_id, parent__isnull=True)[:2])
        return tops[0] if len(tops) == 1 else None
    return user.team


def team_rows(user: User, query: WinLossQuery, owners: list[OwnerTotals]) -> TeamTable:
    """Rows per child team of the chosen team (the viewer's own, or the organization's top team), or
    per rep when that team has no children. Two queries (teams, owners), on aggregated rows only."""
    root = _table_root(user, query)
    if not owners:
        return TeamTable(root, False)
    children = list(
        Team.objects.filter(organization_id=user.organization_id, parent=root)
        .only("id", "name", "path")
        .order_by("name", "id")
    )
    people = {
        u.pk: u
        for u in User.objects.filter(pk__in={row.owner_id for row in owners})
        .select_related("team")
        .only("id", "username", "display_name", "team__id", "team__name", "team__path")
    }
    if root is not None and not children:
        return TeamTable(root, True, _rep_rows(owners, people))
    return TeamTable(root, False, _child_rows(root, children, owners, people))


def _rep_rows(owners: list[OwnerTotals], people: dict[int, User]) -> list[TeamRow]:
    per_owner: dict[int, Totals] = defaultdict(Totals)
    for row in owners:
        per_owner[row.owner_id] = per_owner[row.owner_id].plus(row)
    rows = [TeamRow("rep", pk, people[pk].name, totals) for pk, totals in per_owner.items()]
    return sorted(rows, key=lambda r: (r.label, r.key or 0))


def _child_rows(
    root: Team | None, children: list[Team], owners: list[OwnerTotals], people: dict[int, User]
) -> list[TeamRow]:
    per_key: dict[tuple[str, int | None], Totals] = defaultdict(Totals)
    for row in owners:
        team = people[row.owner_id].team
        key: tuple[str, int | None] = ("none", None)
        if team is not None:
            child = next((c for c in children if team.path.startswith(c.path)), None)
            if child is not None:
                key = ("team", child.pk)
            elif root is not None and team.pk == root.pk:
                key = ("direct", root.pk)
        per_key[key] = per_key[key].plus(row)
    rows = [TeamRow("team", c.pk, c.name, per_key[("team", c.pk)]) for c in children]
    if root is not None and ("direct", root.pk) in per_key:
        label = _("%(team)s (directly)") % {"team": root.name}
        rows.append(TeamRow("direct", root.pk, label, per_key[("direct", root.pk)]))
    if ("none", None) in per_key:
        rows.append(TeamRow("none", None, _("No team"), per_key[("none", None)]))
    return rows


@dataclass(frozen=True)
class WinLossReport:
    query: WinLossQuery
    totals: Totals
    competitors: list[CompetitorRow]
    reasons: ReasonMonths
    conversion: list[LineConversion]
    teams: TeamTable
