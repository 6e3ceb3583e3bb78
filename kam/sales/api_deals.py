"""One deal over HTTP: create, read (ETag), change (If-Match), move stage, close, reopen, stage history,
and the sales configuration (business lines, stages, gates, close reasons) read-only.

Status codes: 404 for what you may not see, 403 for what you may see but not change, 412 for a stale
If-Match, 422 for bad input and refused moves (a gate refusal lists the missing elements in `shortfalls`).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import P, Router, Status
from ninja.params import HeaderEx

from kam.core.api import FieldProblem, Problem, etag, expected_version, field_errors
from kam.core.api_auth import actor
from kam.core.errors import StaleVersion, refuse
from kam.customers.schemas import cleaned_data
from kam.sales.actions_deals import (
    close_opportunity,
    create_opportunity,
    move_stage,
    reopen_opportunity,
    update_opportunity,
)
from kam.sales.models import Opportunity, Stage
from kam.sales.queries import get_opportunity_for_user
from kam.sales.queries_deals import StageSpan, business_lines, close_reasons, stage_spans
from kam.sales.schemas_deals import (
    API_NAMES,
    BusinessLineOut,
    CloseIn,
    DealIn,
    DealOut,
    DealPatch,
    GateProblem,
    ReopenIn,
    StageMoveIn,
    StageSpanOut,
    api_field_names,
    close_form,
    deal_form,
    reopen_form,
    sent_values,
)
from kam.sales.setup import ensure_default_pipeline

router = Router(tags=["deals"])

IfMatch = HeaderEx[str | None, P(alias="If-Match", description='The ETag you read, e.g. "3"')]
READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}
CLOSED_FIXED = ("probability", "probability_reason", "forecast_category")


def _fresh(user: Any, deal_id: int, response: HttpResponse) -> Opportunity:
    """The deal as stored now (with its relations), its version in the ETag header."""
    deal = get_opportunity_for_user(user, deal_id)
    response["ETag"] = etag(deal.version)
    return deal


@router.post("/deals", response={201: DealOut, **WRITE}, summary="Create a deal for a customer")
def create_deal(request: HttpRequest, payload: DealIn, response: HttpResponse) -> Status[Opportunity]:
    user = actor(request)
    sent = payload.model_dump()
    with api_field_names():
        form = deal_form(user, sent)
        data = cleaned_data(form)
        deal = create_opportunity(user, data["customer"], form.values())
    return Status(201, _fresh(user, deal.pk, response))


@router.get("/deals/{int:deal_id}", response={200: DealOut, **READ}, summary="One deal (ETag: its version)")
def get_deal(request: HttpRequest, deal_id: int, response: HttpResponse) -> Opportunity:
    return _fresh(actor(request), deal_id, response)


@router.patch(
    "/deals/{int:deal_id}",
    response={200: DealOut, 412: Problem, **WRITE},
    summary="Change some fields (If-Match optional; 412 when stale)",
)
def patch_deal(
    request: HttpRequest, deal_id: int, payload: DealPatch, response: HttpResponse, if_match: IfMatch = None
) -> Opportunity:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id, write=True)
    version = expected_version(if_match)
    if version is not None and version != deal.version:
        raise StaleVersion(deal.version)
    sent = payload.model_dump(exclude_unset=True)
    if not deal.is_open:
        for name in CLOSED_FIXED:
            if name in sent:
                raise refuse(_("A closed deal keeps the probability and forecast of its outcome."), name)
    with api_field_names():
        form = deal_form(user, sent, deal)
        cleaned_data(form)
        update_opportunity(user, deal, sent_values(form, sent), expected_version=version)
    return _fresh(user, deal_id, response)


def _refused_move(request: HttpRequest, exc: ValidationError) -> Status[dict[str, Any]]:
    shortfalls = [vars(s) for s in getattr(exc, "shortfalls", [])]
    return Status(422, {"detail": field_errors(exc, API_NAMES), "shortfalls": shortfalls})


@router.post(
    "/deals/{int:deal_id}/stage",
    response={200: DealOut, 401: Problem, 403: Problem, 404: Problem, 422: GateProblem},
    summary="Move to another stage of its line (forward moves pass the stage gate)",
)
def move_deal(request: HttpRequest, deal_id: int, payload: StageMoveIn, response: HttpResponse) -> Any:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id, write=True)
    stage = Stage.objects.filter(organization_id=user.organization_id, pk=payload.stage_id).first()
    try:
        if stage is None:
            raise refuse(_("Choose an active stage of the deal's business line."), "stage")
        move_stage(user, deal, stage, override_reason=payload.override_reason)
    except ValidationError as exc:
        return _refused_move(request, exc)
    return _fresh(user, deal_id, response)


@router.post("/deals/{int:deal_id}/close", response={200: DealOut, **WRITE}, summary="Close as won, lost or invalid")
def close_deal(request: HttpRequest, deal_id: int, payload: CloseIn, response: HttpResponse) -> Opportunity:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id, write=True)
    with api_field_names():
        form = close_form(user, payload)
        cleaned_data(form)
        close_opportunity(user, deal, form.cleaned_data["outcome"], **form.values())
    return _fresh(user, deal_id, response)


@router.post("/deals/{int:deal_id}/reopen", response={200: DealOut, **WRITE}, summary="Open a closed deal again")
def reopen_deal(
    request: HttpRequest, deal_id: int, response: HttpResponse, payload: ReopenIn | None = None
) -> Opportunity:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id, write=True)
    with api_field_names():
        form = reopen_form(deal, payload or ReopenIn(stage_id=None))
        cleaned_data(form)
        reopen_opportunity(user, deal, stage=form.cleaned_data.get("stage"))
    return _fresh(user, deal_id, response)


@router.get(
    "/deals/{int:deal_id}/stages",
    response={200: list[StageSpanOut], **READ},
    summary="Stage history: each stay with entered, left and duration",
)
def deal_stage_history(request: HttpRequest, deal_id: int) -> list[StageSpan]:
    return stage_spans(get_opportunity_for_user(actor(request), deal_id))


@router.get(
    "/sales/stages",
    response=list[BusinessLineOut],
    summary="Business lines with their stages, stage gates and the close reasons (read-only)",
)
def sales_stages(request: HttpRequest) -> list[Any]:
    user = actor(request)
    ensure_default_pipeline(user.organization)  # type: ignore[arg-type]
    reasons = list(close_reasons(user.organization_id))  # type: ignore[arg-type]
    lines = list(business_lines(user.organization_id))  # type: ignore[arg-type]
    for line in lines:
        line.close_reasons = reasons  # type: ignore[attr-defined]
    return lines
