"""The competitor master and price intelligence over HTTP. Each handler: schema in, one action or
query, schema out. Input runs through the same forms as the pages, so the messages match.

404 for what is not in your organization, 403 for what you may read but not change (the master is
edited by managers, directors and admins), 422 for bad input.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.core.api import FieldProblem, KamLimitOffsetPagination, Problem
from kam.core.api_auth import actor
from kam.core.errors import refuse
from kam.customers.schemas import cleaned_data
from kam.market import actions
from kam.market.models import Competitor, PriceIntel
from kam.market.queries import (
    CompetitorFilters,
    competitor_list,
    get_competitor_for_user,
    get_price_for_user,
    may_edit_competitors,
    may_record_prices,
    price_history,
    price_list,
)
from kam.market.schemas import (
    CompetitorFilterQuery,
    CompetitorIn,
    CompetitorOut,
    CompetitorPatch,
    HistoryOut,
    HistoryQuery,
    PriceFilterQuery,
    PriceIn,
    PriceOut,
    api_field_names,
    competitor_form,
    price_form,
    sent_values,
)

router = Router(tags=["market"])

READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}


# --- competitors --------------------------------------------------------------------------------


@router.get("/competitors", response=list[CompetitorOut], summary="Competitors with deal counts and our win rate")
@paginate(KamLimitOffsetPagination)
def list_competitors(request: HttpRequest, filters: Query[CompetitorFilterQuery]) -> QuerySet[Competitor]:
    return competitor_list(actor(request), CompetitorFilters(q=filters.q.strip(), state=filters.state))


@router.post("/competitors", response={201: CompetitorOut, **WRITE}, summary="Create a competitor (managers+)")
def create_competitor(request: HttpRequest, payload: CompetitorIn) -> Status[Competitor]:
    user = actor(request)
    sent = payload.model_dump()
    if not may_edit_competitors(user):
        # Refused before the input is read, so a rep learns nothing about which names exist.
        raise PermissionDenied
    data = cleaned_data(competitor_form(sent))
    competitor = actions.create_competitor(user, sent_values(data, sent))
    return Status(201, get_competitor_for_user(user, competitor.pk))


@router.get("/competitors/{int:competitor_id}", response={200: CompetitorOut, **READ}, summary="One competitor")
def get_competitor(request: HttpRequest, competitor_id: int) -> Competitor:
    return get_competitor_for_user(actor(request), competitor_id)


@router.patch(
    "/competitors/{int:competitor_id}",
    response={200: CompetitorOut, **WRITE},
    summary="Change some fields of a competitor (managers+); active=false deactivates it",
)
def patch_competitor(request: HttpRequest, competitor_id: int, payload: CompetitorPatch) -> Competitor:
    user = actor(request)
    competitor = get_competitor_for_user(user, competitor_id, write=True)
    sent = payload.model_dump(exclude_unset=True)
    for name in ("name", "active"):
        if name in sent and sent[name] is None:
            raise refuse(_("This field cannot be empty."), name)
    data = cleaned_data(competitor_form(sent, instance=competitor))
    actions.update_competitor(user, competitor, sent_values(data, sent))
    return get_competitor_for_user(user, competitor_id)


@router.delete(
    "/competitors/{int:competitor_id}",
    response={204: None, **WRITE},
    summary="Delete a competitor nothing refers to (otherwise 422: deactivate it)",
)
def delete_competitor(request: HttpRequest, competitor_id: int) -> Status[None]:
    user = actor(request)
    actions.delete_competitor(user, get_competitor_for_user(user, competitor_id, write=True))
    return Status(204, None)


# --- price intelligence -------------------------------------------------------------------------


@router.get("/price-intel", response=list[PriceOut], summary="Competitors' prices, newest first")
@paginate(KamLimitOffsetPagination)
def list_prices(request: HttpRequest, filters: Query[PriceFilterQuery]) -> QuerySet[PriceIntel]:
    return price_list(actor(request), filters.to_filters())


@router.post("/price-intel", response={201: PriceOut, **WRITE}, summary="Record a competitor's price")
def create_price(request: HttpRequest, payload: PriceIn) -> Status[PriceIntel]:
    user = actor(request)
    if not may_record_prices(user):
        raise PermissionDenied
    sent = payload.model_dump()
    with api_field_names():
        data = cleaned_data(price_form(user, sent))
        price = actions.create_price_intel(user, data)
    return Status(201, get_price_for_user(user, price.pk))


@router.get(
    "/price-intel/history",
    response={200: HistoryOut, **READ},
    summary="Price history of one competitor's product: rows oldest first, min/median/max/latest",
)
def history(request: HttpRequest, query: Query[HistoryQuery]) -> dict[str, Any]:
    user = actor(request)
    competitor = get_competitor_for_user(user, query.competitor)
    found = price_history(user, competitor, query.product)
    return {
        "competitor": {"id": competitor.pk, "name": competitor.name},
        "product": found.product,
        "rows": found.rows,
        "stats": found.stats,
    }
