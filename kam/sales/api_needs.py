"""The needs of a deal over HTTP: the current version, saving a new one, the versions and their diff.

404 for a deal the caller may not open, 403 for one they may only read, 412 for a stale base
(base_version or If-Match), 422 with the field path (["body", "items", 2, "description"]).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import P, Query, Router, Status
from ninja.errors import ValidationError
from ninja.pagination import paginate
from ninja.params import HeaderEx

from kam.core.api import FieldProblem, KamLimitOffsetPagination, Problem, etag, expected_version
from kam.core.api_auth import actor
from kam.core.errors import refuse
from kam.sales.actions_needs import save_needs
from kam.sales.models import NeedsVersion
from kam.sales.queries import get_opportunity_for_user
from kam.sales.queries_needs import current_needs, get_needs_version, needs_diff_between
from kam.sales.schemas_needs import (
    DiffQuery,
    NeedsCurrentOut,
    NeedsDiffOut,
    NeedsIn,
    NeedsVersionOut,
    VersionSummaryOut,
)

router = Router(tags=["deals"])

IfMatch = HeaderEx[str | None, P(alias="If-Match", description='The current_version you read, e.g. "3"')]
READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 412: Problem, 422: FieldProblem}


def _loc(field: str) -> list[str | int]:
    """items.2.description → ["body", "items", 2, "description"], as pydantic names list positions."""
    if field == NON_FIELD_ERRORS:
        return ["body"]
    return ["body", *(int(part) if part.isdigit() else part for part in field.split("."))]


@contextmanager
def field_paths() -> Iterator[None]:
    """An action's refusal as a 422 whose `loc` walks into the requirement list."""
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


def _base(payload: NeedsIn, if_match: str | None) -> int:
    """The version the client started from: If-Match wins over base_version; one of them is required."""
    tagged = expected_version(if_match)
    if tagged is not None:
        return tagged
    if payload.base_version is None:
        raise refuse(
            _("Send base_version (the version you started from, 0 for the first) or If-Match."), "base_version"
        )
    return payload.base_version


@router.get("/deals/{int:deal_id}/needs", response={200: NeedsCurrentOut, **READ}, summary="The current needs (ETag)")
def get_needs(request: HttpRequest, deal_id: int, response: HttpResponse) -> dict[str, Any]:
    deal = get_opportunity_for_user(actor(request), deal_id)
    current = current_needs(deal)
    number = current.number if current is not None else 0
    response["ETag"] = etag(number)
    return {"deal_id": deal.pk, "current_version": number, "needs": current}


@router.post(
    "/deals/{int:deal_id}/needs",
    response={201: NeedsVersionOut, **WRITE},
    summary="Save the whole needs as the next version (reason required from V2 on)",
)
def post_needs(
    request: HttpRequest, deal_id: int, payload: NeedsIn, response: HttpResponse, if_match: IfMatch = None
) -> Status[NeedsVersion]:
    user = actor(request)
    deal = get_opportunity_for_user(user, deal_id, write=True)
    data = payload.model_dump(exclude={"items", "reason", "base_version"})
    items = [item.model_dump() for item in payload.items]
    base = _base(payload, if_match)
    with field_paths():
        version = save_needs(user, deal, data, items, reason=payload.reason, base_version=base)
    response["ETag"] = etag(version.number)
    return Status(201, get_needs_version(deal, version.number))


@router.get(
    "/deals/{int:deal_id}/needs/versions",
    response={200: list[VersionSummaryOut], **READ},
    summary="Versions of the needs, newest first",
)
@paginate(KamLimitOffsetPagination)
def list_versions(request: HttpRequest, deal_id: int) -> QuerySet[NeedsVersion]:
    deal = get_opportunity_for_user(actor(request), deal_id)
    return NeedsVersion.objects.filter(opportunity_id=deal.pk).select_related("author").order_by("-number")


@router.get(
    "/deals/{int:deal_id}/needs/versions/{number}",
    response={200: NeedsVersionOut, **READ},
    summary="One version of the needs",
)
def get_version(request: HttpRequest, deal_id: int, number: str) -> NeedsVersion:
    deal = get_opportunity_for_user(actor(request), deal_id)
    return get_needs_version(deal, number)


@router.get(
    "/deals/{int:deal_id}/needs/diff",
    response={200: NeedsDiffOut, **READ},
    summary="What changed between two versions (?from=1&to=3)",
)
def get_diff(request: HttpRequest, deal_id: int, query: Query[DiffQuery]) -> dict[str, Any]:
    deal = get_opportunity_for_user(actor(request), deal_id)
    old, new, diff = needs_diff_between(deal, query.from_version, query.to_version)
    return {
        "from_version": old.number,
        "to_version": new.number,
        "fields": [asdict(change) for change in diff.fields],
        "requirements": [asdict(change) for change in diff.requirements],
    }
