"""The deal table, the board, the deal team and saved views over HTTP. Each handler: schema in, one
query or action, schema out; the same scope and rules as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Status

from kam.core.api import FieldProblem, Problem
from kam.core.api_auth import actor
from kam.core.errors import refuse
from kam.core.models import User
from kam.sales import actions_team, actions_views
from kam.sales.api_deals import router as deals_router
from kam.sales.models import Opportunity, OpportunityMember, SavedView
from kam.sales.queries import get_opportunity_for_user, may_manage_deal_team
from kam.sales.queries_lists import (
    DealRow,
    board,
    board_line,
    business_lines_of,
    deal_ids,
    rows_by_id,
    rows_of,
    saved_views_of,
)
from kam.sales.queries_team import colleague_of, split_total, team_of
from kam.sales.schemas_lists import (
    BoardOut,
    BoardQuery,
    DealFilterQuery,
    DealPage,
    DealPageQuery,
    MemberIn,
    SavedViewIn,
    SavedViewOut,
    SplitsIn,
    TeamOut,
)
from kam.sales.setup import ensure_default_pipeline

router = Router(tags=["deals"])

READ = {401: Problem, 404: Problem, 422: FieldProblem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}


def _user_ref(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "name": user.name}


def _row_out(row: DealRow) -> dict[str, Any]:
    deal = row.deal
    return {
        "id": deal.pk,
        "name": deal.name,
        "customer": {"id": deal.customer.pk, "name": deal.customer.name},
        "stage": {"id": deal.stage.pk, "name": deal.stage.name},
        "status": deal.status,
        "amount": deal.amount,
        "probability": deal.probability,
        "weighted_amount": row.weighted,
        "expected_close_date": deal.expected_close_date,
        "overdue": row.overdue,
        "days_in_stage": row.days_in_stage,
        "owner": _user_ref(deal.owner),
        "next_step": deal.next_step,
        "next_step_date": deal.next_step_date,
        "updated_at": deal.updated_at,
    }


def list_deals(request: HttpRequest, filters: Query[DealFilterQuery], paging: Query[DealPageQuery]) -> dict[str, Any]:
    """Deals I may open, filtered, sorted and paged (GET /deals)."""
    paginator = Paginator(deal_ids(actor(request), filters.to_filters()), paging.page_size)
    page = paginator.get_page(paging.page)
    rows = rows_of(rows_by_id(list(page.object_list)))
    return {
        "items": [_row_out(row) for row in rows],
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
    }


# django-ninja answers a path from the first router that declares it (405 for its other methods), and
# POST /deals (create) is declared in api_deals.py; so the list joins that router's "/deals" path.
deals_router.get("/deals", response={200: DealPage, **READ}, summary="Deals I may open, filtered, sorted and paged")(
    list_deals
)


@router.get(
    "/deals/board",
    response={200: BoardOut, **READ},
    summary="The kanban board of a business line: open deals by stage with count, amount and weighted amount",
)
def deal_board(request: HttpRequest, filters: Query[BoardQuery]) -> dict[str, Any]:
    user = actor(request)
    ensure_default_pipeline(user.organization)
    line = board_line(user, business_lines_of(user), filters.business_line)
    query = filters.to_filters()
    query.business_line = None  # the line is the board's, not a filter
    result = board(user, line, query)
    return {
        "business_line": {"id": line.pk, "name": line.name},
        "count": result.count,
        "amount": result.amount,
        "weighted_amount": result.weighted,
        "columns": [
            {
                "stage": column.stage,
                "count": column.count,
                "amount": column.amount,
                "weighted_amount": column.weighted,
                "cards": [_row_out(row) for row in column.cards],
            }
            for column in result.columns
        ],
    }


def _team_out(user: User, deal: Opportunity) -> dict[str, Any]:
    members = team_of(deal)
    return {
        "members": [_member_out(m) for m in members],
        "split_total": split_total(members),
        "may_manage": may_manage_deal_team(user, deal),
    }


def _member_out(member: OpportunityMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "user": _user_ref(member.user),
        "role": member.role,
        "access": member.access,
        "split_percent": member.split_percent,
    }


@router.get("/deals/{int:deal_id}/team", response={200: TeamOut, **READ}, summary="The deal team")
def get_team(request: HttpRequest, deal_id: int) -> dict[str, Any]:
    user = actor(request)
    return _team_out(user, get_opportunity_for_user(user, deal_id))


@router.put(
    "/deals/{int:deal_id}/team/splits",
    response={200: TeamOut, **WRITE},
    summary="Set several members' revenue splits at once (they must add up to 100)",
)
def put_splits(request: HttpRequest, deal_id: int, payload: SplitsIn) -> dict[str, Any]:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id)
    splits: dict[int, Decimal] = {item.user_id: item.split_percent for item in payload.splits}
    actions_team.set_splits(user, deal, splits)
    return _team_out(user, deal)


@router.put(
    "/deals/{int:deal_id}/team/{int:user_id}",
    response={200: TeamOut, **WRITE},
    summary="Add a colleague to the deal team or change their role, access or split",
)
def put_member(request: HttpRequest, deal_id: int, user_id: int, payload: MemberIn) -> dict[str, Any]:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id)
    actions_team.check_manager(user, deal)  # 403 before saying anything about the colleague
    colleague = colleague_of(user, user_id)
    if colleague is None:
        raise refuse(actions_team.no_colleague_message(), "user")
    actions_team.set_member(
        user, deal, colleague, role=payload.role, access=payload.access, split_percent=payload.split_percent
    )
    return _team_out(user, deal)


@router.delete(
    "/deals/{int:deal_id}/team/{int:user_id}",
    response={204: None, **WRITE},
    summary="Take someone off the deal team (their split goes back to the owner)",
)
def delete_member(request: HttpRequest, deal_id: int, user_id: int) -> Status[None]:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id)
    member = next((m for m in team_of(deal) if m.user_id == user_id), None)
    if member is None:
        actions_team.check_manager(user, deal)
        return Status(204, None)
    actions_team.remove_member(user, deal, member.user)
    return Status(204, None)


@router.get(
    "/deals/views", response={200: list[SavedViewOut], 401: Problem}, summary="My saved views of the deal table"
)
def list_views(request: HttpRequest) -> list[SavedView]:
    return list(saved_views_of(actor(request)))


@router.post(
    "/deals/views",
    response={201: SavedViewOut, 401: Problem, 422: FieldProblem},
    summary="Save filters under a name (the same name replaces that view)",
)
def create_view(request: HttpRequest, payload: SavedViewIn) -> Status[SavedView]:
    return Status(201, actions_views.save_view(actor(request), payload.name, payload.params))


@router.delete("/deals/views/{int:view_id}", response={204: None, 401: Problem, 404: Problem}, summary="Delete my view")
def delete_saved_view(request: HttpRequest, view_id: int) -> Status[None]:
    actions_views.delete_view(actor(request), view_id)
    return Status(204, None)
