"""Reads of the deal table, the kanban board, the deal team, saved views and the customer's deals.

Every read starts from `visible_opportunities(user)`. The board and the table must stay fast for a
director over an organization of 200k deals, so totals are one GROUP BY in SQL, and rows are picked
as ids first (the scope and the sort need no joins) and loaded with their joins only for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from kam.core.models import Role, Team, User
from kam.core.money import CENT, format_yuan
from kam.core.queries import get_or_404
from kam.customers.models import Collaborator, CollaboratorAccess, Customer
from kam.customers.queries import customer_scope, search_q
from kam.sales.models import (
    BusinessLine,
    MemberAccess,
    Opportunity,
    OpportunityMember,
    OpportunityStatus,
    SavedView,
    Stage,
)
from kam.sales.queries import visible_opportunities

# Sort key → ORDER BY; every order ends with the id so pages never overlap.
SORTS: dict[str, tuple[str, str]] = {
    "close": ("expected_close_date", "id"),
    "-close": ("-expected_close_date", "-id"),
    "amount": ("amount", "id"),
    "-amount": ("-amount", "-id"),
    "updated": ("-updated_at", "-id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
}
DEFAULT_SORT = "close"

# Status filter values beyond the stored ones.
STATUS_CLOSED = "closed"
STATUS_ANY = "all"
STATUS_FILTERS = (*OpportunityStatus.values, STATUS_CLOSED, STATUS_ANY)

BOARD_CARDS_PER_COLUMN = 20

# A deal's status as the lists say it ("Open" alone is 查看 elsewhere; a deal is 进行中, 赢单, 输单, 无效).
DEAL_STATUS_LABELS: dict[str, Any] = {
    OpportunityStatus.OPEN: pgettext_lazy("deal status", "Open"),
    OpportunityStatus.WON: pgettext_lazy("deal status", "Won"),
    OpportunityStatus.LOST: pgettext_lazy("deal status", "Lost"),
    OpportunityStatus.INVALID: pgettext_lazy("deal status", "Invalid"),
}

# What a table row and a board card show (the deal's own columns and the joined names).
ROW_FIELDS = (
    "id",
    "name",
    "amount",
    "probability",
    "expected_close_date",
    "next_step",
    "next_step_date",
    "status",
    "stage_entered_at",
    "updated_at",
    "customer_id",
    "owner_id",
    "stage_id",
    "customer__id",
    "customer__name",
    "customer__owner_id",
    "owner__id",
    "owner__username",
    "owner__display_name",
    "stage__id",
    "stage__name",
)


@dataclass
class DealFilters:
    """The filters of the deal table and board; empty values filter nothing."""

    q: str = ""
    owner: int | None = None
    team: int | None = None
    business_line: int | None = None
    stage: int | None = None
    status: str = OpportunityStatus.OPEN
    forecast_category: str = ""
    close_from: date | None = None
    close_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    customer: int | None = None
    sort: str = DEFAULT_SORT


def weighted_amount(amount: Decimal, probability: int) -> Decimal:
    """Amount × probability ÷ 100, to the 分."""
    return (Decimal(amount) * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _status_q(status: str) -> Q:
    if status == STATUS_ANY:
        return Q()
    if status == STATUS_CLOSED:
        return ~Q(status=OpportunityStatus.OPEN)
    if status in OpportunityStatus.values:
        return Q(status=status)
    return Q(status=OpportunityStatus.OPEN)


def _own_deal_ids(user: User) -> Q:
    """For a user who oversees no team: a condition every deal of `visible_opportunities(user)` meets
    (their own deals, their customers' deals, their deal-team memberships, as ids).

    It narrows nothing; it gives SQLite a way in from the user's few hundred deals instead of the
    organization's open deals by stage, where it evaluates the scope's OR on every row (200k deals:
    rep board 460 → 20 ms). Admins and managers see most of the organization, so they get nothing.
    """
    own = Opportunity.objects.filter(owner_id=user.pk).values("pk")
    customers = Customer.objects.filter(customer_scope(user)).values("pk")
    of_customers = Opportunity.objects.filter(customer_id__in=customers).values("pk")
    joined = OpportunityMember.objects.filter(user_id=user.pk).values("opportunity_id")
    # One IN over a UNION: the planner pairs the rowid list with the (organization, status, stage)
    # index, where an OR of three lists loses to that index alone.
    return Q(pk__in=own.union(of_customers, joined, all=True))


def _sees_few(user: User) -> bool:
    """Reps, presales and the like: they see their own, their customers' and their teams' deals only."""
    return user.is_authenticated and user.role != Role.ADMIN and not user.supervises


def filtered_deals(user: User, filters: DealFilters, *, with_status: bool = True) -> QuerySet[Opportunity]:
    """The deals `user` may open that match `filters` (unordered, nothing joined beyond the scope)."""
    qs = visible_opportunities(user)
    if _sees_few(user):
        qs = qs.filter(_own_deal_ids(user))
    if with_status:
        qs = qs.filter(_status_q(filters.status))
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q.strip()) | search_q(filters.q, "customer__"))
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team:
        team = Team.objects.filter(pk=filters.team, organization_id=user.organization_id).only("path").first()
        if team is None:
            return qs.none()
        qs = qs.filter(owner__team__path__startswith=team.path)
    exact = {
        "business_line_id": filters.business_line,
        "stage_id": filters.stage,
        "forecast_category": filters.forecast_category,
        "customer_id": filters.customer,
        "expected_close_date__gte": filters.close_from,
        "expected_close_date__lte": filters.close_to,
        "amount__gte": filters.amount_min,
        "amount__lte": filters.amount_max,
    }
    conditions = {key: value for key, value in exact.items() if value not in (None, "")}
    return qs.filter(**conditions) if conditions else qs


def deal_list(user: User, filters: DealFilters) -> QuerySet[Opportunity]:
    """The deal table: visible deals matching `filters`, sorted, with customer, owner and stage joined."""
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return filtered_deals(user, filters).select_related("customer", "owner", "stage").only(*ROW_FIELDS).order_by(*order)


def deal_ids(user: User, filters: DealFilters) -> QuerySet[Opportunity, int]:
    """Ids of the deal table in order, for paging without the joins (see `rows_by_id`)."""
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    deals = filtered_deals(user, filters)
    if _sees_few(user):
        # Without a stage term the planner walks (organization, status) over every open deal for each
        # query; a rep's ids, read once, make the count and the page cheap.
        deals = Opportunity.objects.filter(pk__in=list(deals.values_list("pk", flat=True)))
    return deals.order_by(*order).values_list("id", flat=True)


def rows_by_id(ids: list[int]) -> list[Opportunity]:
    """The table rows of already visible deal ids, in the order given."""
    found = Opportunity.objects.filter(pk__in=ids).select_related("customer", "owner", "stage").only(*ROW_FIELDS)
    by_id = {deal.pk: deal for deal in found}
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass
class DealRow:
    """A deal as a table row or a board card shows it."""

    deal: Opportunity
    weighted: Decimal
    overdue: bool
    days_in_stage: int

    @property
    def amount_text(self) -> str:
        return format_yuan(self.deal.amount)

    @property
    def status_label(self) -> str:
        return str(DEAL_STATUS_LABELS.get(self.deal.status, self.deal.status))

    @property
    def weighted_text(self) -> str:
        return format_yuan(self.weighted)


def rows_of(deals: list[Opportunity], today: date | None = None) -> list[DealRow]:
    today = today or timezone.localdate()
    return [
        DealRow(
            deal=deal,
            weighted=weighted_amount(deal.amount, deal.probability),
            overdue=deal.status == OpportunityStatus.OPEN and deal.expected_close_date < today,
            days_in_stage=max((today - timezone.localtime(deal.stage_entered_at).date()).days, 0),
        )
        for deal in deals
    ]


# --- the kanban board ---------------------------------------------------------------------------


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    amount: Decimal = Decimal("0.00")
    weighted: Decimal = Decimal("0.00")
    cards: list[DealRow] = field(default_factory=list)

    @property
    def amount_text(self) -> str:
        return format_yuan(self.amount)

    @property
    def weighted_text(self) -> str:
        return format_yuan(self.weighted)

    @property
    def hidden(self) -> int:
        """Deals counted in the totals but not shown as cards (past the per-column cap)."""
        return self.count - len(self.cards)


@dataclass
class Board:
    business_line: BusinessLine
    columns: list[BoardColumn]

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)

    @property
    def amount(self) -> Decimal:
        return sum((c.amount for c in self.columns), Decimal("0.00"))

    @property
    def weighted(self) -> Decimal:
        return sum((c.weighted for c in self.columns), Decimal("0.00"))

    @property
    def amount_text(self) -> str:
        return format_yuan(self.amount)

    @property
    def weighted_text(self) -> str:
        return format_yuan(self.weighted)


def business_lines_of(user: User) -> list[BusinessLine]:
    """The organization's active business lines, default first."""
    return list(
        BusinessLine.objects.filter(organization_id=user.organization_id, active=True).order_by(
            "-is_default", "position", "id"
        )
    )


def board_line(user: User, lines: list[BusinessLine], line_id: int | None) -> BusinessLine:
    """The chosen line among `lines`, else the default one; 404 for a line of no use to the user."""
    if line_id is not None:
        chosen = next((line for line in lines if line.pk == line_id), None)
        if chosen is None:
            raise Http404
        return chosen
    if not lines:
        raise Http404
    return lines[0]


def stage_totals(deals: QuerySet[Opportunity]) -> dict[int, dict[str, Any]]:
    """Count (n), amount (total) and amount × probability (weighted_x100) per stage, in one GROUP BY."""
    money = DecimalField(max_digits=24, decimal_places=2)
    rows: Any = (
        deals.order_by()
        .values("stage_id")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            # ÷ 100 in Python: Decimal stays exact there whatever the database does with NUMERIC.
            weighted_x100=Sum(ExpressionWrapper(F("amount") * F("probability"), output_field=money)),
        )
    )
    return {row["stage_id"]: row for row in rows}


def _cards(deals: QuerySet[Opportunity], stage_ids: list[int], cap: int) -> list[Opportunity]:
    """The first `cap` deals of every stage by close date, with their joins, in one query: an id
    subquery with LIMIT per stage, so an index on (…, stage, expected_close_date) can stop early."""
    if not stage_ids:
        return []
    firsts = Q()
    for stage_id in stage_ids:
        ids = deals.filter(stage_id=stage_id).order_by("expected_close_date", "id").values("pk")[:cap]
        firsts |= Q(pk__in=ids)
    found = Opportunity.objects.filter(firsts).select_related("customer", "owner", "stage").only(*ROW_FIELDS)
    return sorted(found, key=lambda d: (d.expected_close_date, d.pk))


def _first_per_stage(keys: list[tuple[int, int, date]], cap: int) -> list[int]:
    """Ids of the first `cap` deals of each stage by (close date, id), in that order."""
    taken: dict[int, int] = {}
    chosen = []
    for pk, stage_id, _close in sorted(keys, key=lambda key: (key[2], key[0])):
        if taken.get(stage_id, 0) < cap:
            taken[stage_id] = taken.get(stage_id, 0) + 1
            chosen.append(pk)
    return chosen


def board(user: User, business_line: BusinessLine, filters: DealFilters, *, cap: int = BOARD_CARDS_PER_COLUMN) -> Board:
    """The kanban board of one line: a column per active stage with its open deals' count, amount,
    weighted amount and the first `cap` cards by close date. Status filters do not apply (open only)."""
    stages = list(Stage.objects.filter(business_line=business_line, active=True).order_by("position", "id"))
    deals = filtered_deals(user, filters, with_status=False).filter(
        status=OpportunityStatus.OPEN, business_line=business_line, stage__in=[s.pk for s in stages]
    )
    keys: list[tuple[int, int, date]] | None = None
    if _sees_few(user):
        # A rep's few hundred deals: read them once; count them by id and pick the cards here.
        keys = list(deals.values_list("pk", "stage_id", "expected_close_date"))
        deals = Opportunity.objects.filter(pk__in=[pk for pk, _stage, _close in keys])
    columns = {stage.pk: BoardColumn(stage) for stage in stages}
    for stage_id, totals in stage_totals(deals).items():
        column = columns[stage_id]
        column.count = totals["n"]
        column.amount = Decimal(totals["total"] or 0).quantize(CENT)
        column.weighted = (Decimal(totals["weighted_x100"] or 0) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if keys is None:
        cards = _cards(deals, [stage_id for stage_id, c in columns.items() if c.count], cap)
    else:
        cards = rows_by_id(_first_per_stage(keys, cap))
    for row in rows_of(cards):
        columns[row.deal.stage_id].cards.append(row)
    return Board(business_line, list(columns.values()))


def stage_choices(user: User) -> list[Stage]:
    """Active stages of the organization's active lines, grouped by line, for the filters."""
    return list(
        Stage.objects.filter(organization_id=user.organization_id, active=True, business_line__active=True)
        .select_related("business_line")
        .order_by("business_line__position", "business_line_id", "position", "id")
    )


def deal_owner_choices(user: User) -> QuerySet[User]:
    """People whose deals `user` may see, for the owner filter: a rep gets the owners of the deals
    they see; managers and directors their subtree; admins everyone (active or still owning deals)."""
    base = User.objects.filter(organization_id=user.organization_id)
    if user.role == Role.ADMIN:
        people = base.filter(Q(is_active=True) | Q(Exists(Opportunity.objects.filter(owner_id=OuterRef("pk")))))
    elif user.supervises:
        subtree = Team.objects.filter(organization_id=user.organization_id, path__startswith=user.team.path)  # type: ignore[union-attr]
        people = base.filter(Q(pk=user.pk) | Q(team__in=subtree))
    else:
        deals = filtered_deals(user, DealFilters(status=STATUS_ANY))
        people = base.filter(Q(pk=user.pk) | Q(pk__in=deals.values("owner_id")))
    return people.only("id", "username", "display_name").order_by("username")


def writable_deal_ids(user: User, deals: list[Opportunity]) -> set[int]:
    """Which of these visible deals `user` may change (opportunity_access for a whole page of cards,
    in at most three queries): admins all; owners, the managers above the deal's or the customer's
    owner, write members of the deal and write collaborators of an owned customer."""
    if user.role == Role.ADMIN:
        return {deal.pk for deal in deals}
    if not deals:
        return set()
    people = {user.pk}
    if user.supervises:
        subtree = Team.objects.filter(organization_id=user.organization_id, path__startswith=user.team.path)  # type: ignore[union-attr]
        people |= set(User.objects.filter(team__in=subtree).values_list("id", flat=True))
    writable = {deal.pk for deal in deals if deal.owner_id in people or deal.customer.owner_id in people}
    rest = [deal for deal in deals if deal.pk not in writable]
    if rest:
        writable |= set(
            OpportunityMember.objects.filter(
                user_id=user.pk, access=MemberAccess.WRITE, opportunity_id__in=[d.pk for d in rest]
            ).values_list("opportunity_id", flat=True)
        )
        owned = {d.customer_id for d in rest if d.customer.owner_id is not None}
        shared = set(
            Collaborator.objects.filter(
                user_id=user.pk, access=CollaboratorAccess.WRITE, customer_id__in=owned
            ).values_list("customer_id", flat=True)
        )
        writable |= {d.pk for d in rest if d.customer_id in shared}
    return writable


# --- saved views --------------------------------------------------------------------------------


def saved_views_of(user: User) -> QuerySet[SavedView]:
    """The user's own saved views of the deal table, by name."""
    return SavedView.objects.filter(user_id=user.pk, organization_id=user.organization_id).order_by("name", "id")


def get_saved_view_for_user(user: User, pk: Any) -> SavedView:
    """One of the user's own saved views; anyone else's answers 404."""
    return get_or_404(saved_views_of(user), pk)
