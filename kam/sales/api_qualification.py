"""A deal's qualification over HTTP: buying influences (Blue Sheet) and MEDDPICC with its red flags.

404 for a deal (or influence) the caller may not open, 403 for a deal they may only read,
422 with the field path (["body", "contact_id"], ["body", "champion", "evidence"]).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import ValidationError

from kam.core.api import FieldProblem, Problem
from kam.core.api_auth import actor
from kam.sales.actions_qualification import add_influence, remove_influence, set_scores, update_influence
from kam.sales.models import BuyingInfluence, MeddpiccElement, Opportunity
from kam.sales.queries import get_opportunity_for_user
from kam.sales.queries_qualification import (
    CONTACT_ELEMENTS,
    MAX_TOTAL,
    element_scores,
    get_influence_for_user,
    influences_of,
    total_of,
)
from kam.sales.redflags import red_flags
from kam.sales.schemas_qualification import InfluenceIn, InfluenceOut, InfluencePatch, MeddpiccIn, MeddpiccOut

router = Router(tags=["deals"])

READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}
ELEMENT_PARTS = ("score", "evidence", "contact")


def _loc(field: str) -> list[str | int]:
    """An action's field name as the body path the client sent: contact → contact_id,
    champion_evidence → champion.evidence, champion_contact → champion.contact_id."""
    if field == NON_FIELD_ERRORS:
        return ["body"]
    if field == "contact":
        return ["body", "contact_id"]
    for element in MeddpiccElement.values:
        for part in ELEMENT_PARTS:
            if field == f"{element}_{part}":
                return ["body", element, "contact_id" if part == "contact" else part]
    return ["body", field]


@contextmanager
def field_paths() -> Iterator[None]:
    """An action's refusal as a 422 naming the body fields."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        errors = [
            {"loc": _loc(field), "msg": str(message), "type": "value_error"}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        raise ValidationError(errors) from exc


@router.get("/deals/{int:deal_id}/influences", response={200: list[InfluenceOut], **READ}, summary="Buying influences")
def list_influences(request: HttpRequest, deal_id: int) -> list[BuyingInfluence]:
    return influences_of(get_opportunity_for_user(actor(request), deal_id))


@router.post("/deals/{int:deal_id}/influences", response={201: InfluenceOut, **WRITE}, summary="Add a buying influence")
def create_influence(request: HttpRequest, deal_id: int, payload: InfluenceIn) -> Status[BuyingInfluence]:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id, write=True)
    with field_paths():
        influence = add_influence(user, deal, payload.values())
    return Status(201, influence)


@router.patch(
    "/deals/{int:deal_id}/influences/{int:influence_id}",
    response={200: InfluenceOut, **WRITE},
    summary="Change a buying influence",
)
def patch_influence(request: HttpRequest, deal_id: int, influence_id: int, payload: InfluencePatch) -> BuyingInfluence:
    user = actor(request)
    deal, influence = get_influence_for_user(user, deal_id, influence_id, write=True)
    with field_paths():
        return update_influence(user, deal, influence, payload.values())


@router.delete(
    "/deals/{int:deal_id}/influences/{int:influence_id}",
    response={204: None, 401: Problem, 403: Problem, 404: Problem},
    summary="Remove a buying influence",
)
def delete_influence(request: HttpRequest, deal_id: int, influence_id: int) -> Status[None]:
    user = actor(request)
    deal, influence = get_influence_for_user(user, deal_id, influence_id, write=True)
    remove_influence(user, deal, influence)
    return Status(204, None)


def _meddpicc(deal: Opportunity) -> dict[str, Any]:
    scores = element_scores(deal)
    return {"elements": scores, "total": total_of(scores), "max_total": MAX_TOTAL, "red_flags": red_flags(deal)}


@router.get(
    "/deals/{int:deal_id}/meddpicc",
    response={200: MeddpiccOut, **READ},
    summary="MEDDPICC scores, total and red flags",
)
def get_meddpicc(request: HttpRequest, deal_id: int) -> dict[str, Any]:
    return _meddpicc(get_opportunity_for_user(actor(request), deal_id))


@router.put(
    "/deals/{int:deal_id}/meddpicc",
    response={200: MeddpiccOut, **WRITE},
    summary="Set MEDDPICC elements",
    description="Send the elements to change; each needs `score` (0–2), `evidence` (required for 1 or 2) and, "
    f"for {', '.join(CONTACT_ELEMENTS)} only, an optional `contact_id`.",
)
def put_meddpicc(request: HttpRequest, deal_id: int, payload: MeddpiccIn) -> dict[str, Any]:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id, write=True)
    with field_paths():
        set_scores(user, deal, payload.scores())
    return _meddpicc(deal)
