"""The whitespace grid of an account plan: the customer's business units × our active product lines.

Each cell says where we stand (owned / in pipeline / gap / not eligible), what the unit spends on that
line a year and who gets the money (us, a named competitor, nobody yet).

Share of wallet (份额, KAM_METHOD.md "Account plan")::

    our revenue     = Σ annual_spend of the cells whose spend goes to us
    category spend  = Σ annual_spend of the cells that are not "not eligible"
    share of wallet = our revenue ÷ category spend × 100, a Decimal % to 2 places (half up);
                      None when the category spend is 0 (nothing to have a share of)

A cell without a spend counts as 0. The rules of kam/planning/actions_whitespace.py keep "us" out of
not-eligible cells, so our revenue is part of the category spend and the share never passes 100 %.
Only active product lines count: a retired line leaves the grid, its totals and the share together.
Cells "in pipeline" may show the customer's open deals of that line once deals name product lines
(their products are free text today).

The grid costs three queries whatever its size: units, product lines, cells (with their competitor).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from kam.market.models import Competitor
from kam.planning.models.account_plans import AccountPlan, BusinessUnit, CellStatus, SpendHolder, WhitespaceCell
from kam.sales.models import ProductLine

ZERO = Decimal("0.00")
PERCENT_PLACES = Decimal("0.01")


def share_of_wallet(our_revenue: Decimal | None, category_spend: Decimal | None) -> Decimal | None:
    """our revenue ÷ category spend in %, 2 places (half up); None when the category spend is 0 or unknown."""
    if not category_spend:
        return None
    share = (our_revenue or ZERO) * 100 / category_spend
    return share.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Totals:
    """Spend of a row, a column or the whole grid: the category (eligible cells) and ours."""

    category: Decimal = ZERO
    ours: Decimal = ZERO

    def add(self, cell: WhitespaceCell) -> None:
        if cell.status == CellStatus.NOT_ELIGIBLE:
            return
        spend = cell.annual_spend or ZERO
        self.category += spend
        if cell.holder == SpendHolder.US:
            self.ours += spend

    @property
    def share(self) -> Decimal | None:
        return share_of_wallet(self.ours, self.category)


@dataclass
class GridCell:
    """One position of the grid; `cell` is None where nothing was recorded yet (shown as a gap)."""

    unit: BusinessUnit
    line: ProductLine
    cell: WhitespaceCell | None

    @property
    def status(self) -> str:
        return self.cell.status if self.cell is not None else CellStatus.GAP

    @property
    def status_label(self) -> str:
        return str(CellStatus(self.status).label)

    @property
    def recorded(self) -> bool:
        return self.cell is not None


@dataclass
class GridRow:
    unit: BusinessUnit
    cells: list[GridCell]
    totals: Totals


@dataclass
class CompetitorSpend:
    competitor: Competitor
    spend: Decimal


@dataclass
class WhitespaceGrid:
    lines: list[ProductLine]
    rows: list[GridRow]
    columns: list[Totals]
    totals: Totals
    unspent: Decimal
    competitors: list[CompetitorSpend] = field(default_factory=list)

    @property
    def share(self) -> Decimal | None:
        return self.totals.share

    @property
    def empty(self) -> bool:
        return not self.rows or not self.lines


def active_product_lines(organization_id: int) -> list[ProductLine]:
    return list(ProductLine.objects.filter(organization_id=organization_id, active=True).order_by("position", "pk"))


def build_grid(plan: AccountPlan) -> WhitespaceGrid:
    """The grid of `plan` with row, column and grand totals, unspent money and each competitor's take."""
    units = list(plan.business_units.order_by("position", "pk"))
    lines = active_product_lines(plan.organization_id)
    line_ids = {line.pk for line in lines}
    cells = WhitespaceCell.objects.filter(plan_id=plan.pk, product_line_id__in=line_ids).select_related("competitor")
    by_position = {(cell.business_unit_id, cell.product_line_id): cell for cell in cells}
    columns = {line.pk: Totals() for line in lines}
    grand = Totals()
    unspent = ZERO
    taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
    competitors: dict[int, Competitor] = {}
    rows = []
    for unit in units:
        row_totals = Totals()
        row_cells = []
        for line in lines:
            cell = by_position.get((unit.pk, line.pk))
            row_cells.append(GridCell(unit, line, cell))
            if cell is None:
                continue
            for totals in (row_totals, columns[line.pk], grand):
                totals.add(cell)
            if cell.status == CellStatus.NOT_ELIGIBLE:
                continue
            spend = cell.annual_spend or ZERO
            if cell.holder == SpendHolder.UNSPENT:
                unspent += spend
            elif cell.holder == SpendHolder.COMPETITOR and cell.competitor is not None:
                taken[cell.competitor.pk] += spend
                competitors[cell.competitor.pk] = cell.competitor
        rows.append(GridRow(unit, row_cells, row_totals))
    ranked = sorted(taken.items(), key=lambda item: (-item[1], competitors[item[0]].name))
    return WhitespaceGrid(
        lines=lines,
        rows=rows,
        columns=[columns[line.pk] for line in lines],
        totals=grand,
        unspent=unspent,
        competitors=[CompetitorSpend(competitors[pk], spend) for pk, spend in ranked],
    )
