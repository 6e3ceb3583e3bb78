"""A deal's competitors over HTTP: list, add, change status/notes, remove.

404 when the deal (or the row) is hidden or missing, 403 when you may read the deal but not change it,
422 for bad input (the same form and action as the deal page).
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kam.core.api import FieldProblem, Problem
from kam.core.api_auth import actor
from kam.core.errors import refuse
from kam.core.models import User
from kam.customers.schemas import cleaned_data
from kam.market.schemas import api_field_names, form_data
from kam.sales import actions_competitors
from kam.sales.forms_competitors import DealCompetitorForm
from kam.sales.models import DealCompetitor
from kam.sales.queries import get_opportunity_for_user
from kam.sales.queries_competitors import competitors_of, get_deal_competitor_for_user
from kam.sales.schemas_competitors import DealCompetitorIn, DealCompetitorOut, DealCompetitorPatch

router = Router(tags=["deals"])

READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}


def _row(user: User, deal_id: int, row_id: int) -> DealCompetitor:
    deal, row = get_deal_competitor_for_user(user, deal_id, row_id)
    row.opportunity = deal  # shown_status reads the deal; it is loaded already
    return row


@router.get(
    "/deals/{int:deal_id}/competitors",
    response={200: list[DealCompetitorOut], **READ},
    summary="The competitors present in a deal",
)
def list_deal_competitors(request: HttpRequest, deal_id: int) -> list[DealCompetitor]:
    deal = get_opportunity_for_user(actor(request), deal_id)
    rows = competitors_of(deal)
    for row in rows:
        row.opportunity = deal  # shown_status reads the deal; it is loaded already
    return rows


@router.post(
    "/deals/{int:deal_id}/competitors",
    response={201: DealCompetitorOut, **WRITE},
    summary="Add a competitor of the master to a deal",
)
def add_deal_competitor(request: HttpRequest, deal_id: int, payload: DealCompetitorIn) -> Status[DealCompetitor]:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id, write=True)
    with api_field_names():
        data = cleaned_data(DealCompetitorForm(data=form_data(payload.model_dump()), actor=user, deal=deal))
        row = actions_competitors.add_deal_competitor(
            user, deal, data["competitor"], {"status": data["status"], "notes": data["notes"]}
        )
    return Status(201, _row(user, deal_id, row.pk))


@router.patch(
    "/deals/{int:deal_id}/competitors/{int:row_id}",
    response={200: DealCompetitorOut, **WRITE},
    summary="Change a competitor's status in a deal or the notes about it",
)
def patch_deal_competitor(
    request: HttpRequest, deal_id: int, row_id: int, payload: DealCompetitorPatch
) -> DealCompetitor:
    user = actor(request)
    _deal, row = get_deal_competitor_for_user(user, deal_id, row_id, write=True)
    sent = payload.model_dump(exclude_unset=True)
    if "status" in sent and sent["status"] is None:
        raise refuse(_("This field cannot be empty."), "status")
    merged = {"status": row.status, "notes": row.notes, **sent}
    data = cleaned_data(DealCompetitorForm(data=form_data(merged), actor=user, editing=True))
    actions_competitors.update_deal_competitor(user, row, {name: data[name] for name in sent})
    return _row(user, deal_id, row_id)


@router.delete(
    "/deals/{int:deal_id}/competitors/{int:row_id}",
    response={204: None, **WRITE},
    summary="Take a competitor off a deal",
)
def delete_deal_competitor(request: HttpRequest, deal_id: int, row_id: int) -> Status[None]:
    user = actor(request)
    _deal, row = get_deal_competitor_for_user(user, deal_id, row_id, write=True)
    actions_competitors.remove_deal_competitor(user, row)
    return Status(204, None)
