"""Follow-ups, visits (check-in/out), attachments and the customer timeline over HTTP.

Each handler: schema in, one action or query, schema out. 404 for what the caller may not see,
403 for what they may see but not change, 422 with the field path for refused input.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from kam.activities import actions_followups, actions_visits
from kam.activities.geo import Position
from kam.activities.models import AttachmentKind, FollowUp, Visit
from kam.activities.queries_followups import (
    followup_list,
    get_attachment_for_user,
    get_customer_for_logging,
    get_followup_for_user,
)
from kam.activities.queries_visits import get_visit_for_user, visit_list
from kam.activities.schemas_followups import (
    AttachmentOut,
    FollowUpFilterQuery,
    FollowUpIn,
    FollowUpOut,
    FollowUpPatch,
    PositionIn,
    TimelineOut,
    TimelineQuery,
    VisitFilterQuery,
    VisitIn,
    VisitOut,
    aware,
)
from kam.activities.timeline import customer_timeline
from kam.core import audit
from kam.core.api import FieldProblem, KamLimitOffsetPagination, Problem
from kam.core.api_auth import actor
from kam.core.errors import refuse
from kam.core.models import AuditEntry, User
from kam.customers.models import Contact, Customer
from kam.customers.queries import get_customer_for_user
from kam.customers.schemas import AuditRowOut

router = Router(tags=["follow-ups"])

READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}
# Action field names → the names of this API, for the `loc` of 422 answers.
API_FIELDS = {"contacts": "contact_ids", "visit": "visit_id", "attachments": "files", "opportunity": "opportunity_id"}


@contextmanager
def api_field_names() -> Iterator[None]:
    """Re-raise an action's refusal with the field named as this API names it."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {API_FIELDS.get(field, field): errors for field, errors in exc.error_dict.items()}
        ) from exc


def _followups(queryset: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """What FollowUpOut reads, loaded in a fixed number of queries."""
    return queryset.select_related("customer", "author", "visit", "opportunity").prefetch_related(
        "contacts", "attachments"
    )


def _visits(queryset: QuerySet[Visit]) -> QuerySet[Visit]:
    return queryset.select_related("customer", "owner").prefetch_related("attachments")


def _contacts(customer: Customer, ids: list[int]) -> list[Contact]:
    """Contacts named in the body; any id that is not a live contact of this customer is a 422."""
    wanted = set(ids)
    found = list(Contact.objects.filter(customer_id=customer.pk, pk__in=wanted))
    if len(found) != len(wanted):
        raise refuse(_("Choose contacts of this customer."), "contact_ids")
    return found


def _deal(user: User, deal_id: int | None) -> Any:
    """The deal named in the body; one the caller may not open is the same 422 as a wrong one."""
    if deal_id is None:
        return None
    from kam.sales.queries import visible_opportunities

    deal = visible_opportunities(user).select_related("customer", "owner", "owner__team").filter(pk=deal_id).first()
    if deal is None:
        raise refuse(_("Choose an open deal of this customer."), "opportunity_id")
    return deal


def _position(payload: PositionIn | None) -> Position | None:
    if payload is None or (payload.latitude is None and payload.longitude is None):
        return None
    if payload.latitude is None or payload.longitude is None:
        raise refuse(_("Give both latitude and longitude, or neither."), "longitude")
    return Position(payload.latitude, payload.longitude, payload.accuracy_m)


def _values(payload: FollowUpIn | FollowUpPatch, sent: set[str]) -> dict[str, Any]:
    values = {name: getattr(payload, name) for name in actions_followups.FOLLOWUP_FIELDS if name in sent}
    for name in ("occurred_at", "next_followup_at"):
        if name in values:
            values[name] = aware(values[name])
    for name in ("content", "feedback", "next_step"):
        if name in values and values[name] is None:
            values[name] = ""
    return values


# --- follow-ups ---------------------------------------------------------------------------------


@router.get("/followups", response=list[FollowUpOut], summary="Follow-ups I may see, newest first")
@paginate(KamLimitOffsetPagination)
def list_followups(request: HttpRequest, filters: Query[FollowUpFilterQuery]) -> QuerySet[FollowUp]:
    return _followups(followup_list(actor(request), filters.to_filters()))


@router.post("/followups", response={201: FollowUpOut, **WRITE}, summary="Log a follow-up (or record a visit)")
def create_followup(request: HttpRequest, payload: FollowUpIn) -> Status[FollowUp]:
    user = actor(request)
    visit = get_visit_for_user(user, payload.visit_id) if payload.visit_id is not None else None
    if visit is not None:
        customer = get_customer_for_logging(user, visit.customer_id)
    elif payload.customer_id is not None:
        customer = get_customer_for_logging(user, payload.customer_id)
    else:
        raise refuse(_("Name the customer (customer_id) or the visit (visit_id)."), "customer_id")
    with api_field_names():
        followup = actions_followups.create_followup(
            user,
            customer,
            _values(payload, set(actions_followups.FOLLOWUP_FIELDS)),
            contacts=_contacts(customer, payload.contact_ids),
            visit=visit,
            opportunity=_deal(user, payload.opportunity_id),
        )
    return Status(201, _followups(FollowUp.objects.filter(pk=followup.pk)).get())


@router.get("/followups/{int:followup_id}", response={200: FollowUpOut, **READ}, summary="One follow-up")
def get_followup(request: HttpRequest, followup_id: int) -> FollowUp:
    followup = get_followup_for_user(actor(request), followup_id)
    return _followups(FollowUp.objects.filter(pk=followup.pk)).get()


@router.patch("/followups/{int:followup_id}", response={200: FollowUpOut, **WRITE}, summary="Change some fields")
def patch_followup(request: HttpRequest, followup_id: int, payload: FollowUpPatch) -> FollowUp:
    user = actor(request)
    followup = get_followup_for_user(user, followup_id, write=True)
    sent = set(payload.model_dump(exclude_unset=True))
    for name in ("kind", "occurred_at", "content"):
        if name in sent and getattr(payload, name) is None:
            raise refuse(_("This field cannot be empty."), name)
    contacts = _contacts(followup.customer, payload.contact_ids) if payload.contact_ids is not None else None
    deal = _deal(user, payload.opportunity_id) if "opportunity_id" in sent else actions_followups.KEEP
    with api_field_names():
        actions_followups.update_followup(user, followup, _values(payload, sent), contacts=contacts, opportunity=deal)
    return _followups(FollowUp.objects.filter(pk=followup.pk)).get()


@router.delete("/followups/{int:followup_id}", response={204: None, **WRITE}, summary="Delete a follow-up")
def delete_followup(request: HttpRequest, followup_id: int) -> Status[None]:
    user = actor(request)
    actions_followups.delete_followup(user, get_followup_for_user(user, followup_id, write=True))
    return Status(204, None)


@router.get("/followups/{int:followup_id}/history", response={200: list[AuditRowOut], **READ})
def followup_history(request: HttpRequest, followup_id: int) -> QuerySet[AuditEntry]:
    return audit.history(get_followup_for_user(actor(request), followup_id))


@router.post(
    "/followups/{int:followup_id}/attachments",
    response={201: list[AttachmentOut], **WRITE},
    summary="Add photos or files (multipart, field `files`; at most 9 per follow-up)",
)
def upload_followup_attachments(
    request: HttpRequest, followup_id: int, files: File[list[UploadedFile]]
) -> Status[list[Any]]:
    user = actor(request)
    followup = get_followup_for_user(user, followup_id, write=True)
    with api_field_names():
        return Status(201, actions_followups.add_attachments(user, followup, files))


# --- visits -------------------------------------------------------------------------------------


@router.get("/visits", response=list[VisitOut], tags=["visits"], summary="Upcoming or past visits")
@paginate(KamLimitOffsetPagination)
def list_visits(request: HttpRequest, filters: Query[VisitFilterQuery]) -> QuerySet[Visit]:
    return _visits(visit_list(actor(request), filters.to_filters()))


@router.post("/visits", response={201: VisitOut, **WRITE}, tags=["visits"], summary="Plan a visit")
def create_visit(request: HttpRequest, payload: VisitIn) -> Status[Visit]:
    user = actor(request)
    customer = get_customer_for_logging(user, payload.customer_id)
    visit = actions_visits.plan_visit(
        user, customer, aware(payload.planned_at), payload.planned_minutes, payload.purpose
    )
    return Status(201, _visits(Visit.objects.filter(pk=visit.pk)).get())


@router.get("/visits/{int:visit_id}", response={200: VisitOut, **READ}, tags=["visits"], summary="One visit")
def get_visit(request: HttpRequest, visit_id: int) -> Visit:
    visit = get_visit_for_user(actor(request), visit_id)
    return _visits(Visit.objects.filter(pk=visit.pk)).get()


@router.post("/visits/{int:visit_id}/check-in", response={200: VisitOut, **WRITE}, tags=["visits"],
             summary="签到 (the visitor only)")  # fmt: skip
def check_in(request: HttpRequest, visit_id: int, payload: PositionIn) -> Visit:
    user = actor(request)
    visit = actions_visits.check_in(user, get_visit_for_user(user, visit_id), _position(payload))
    return _visits(Visit.objects.filter(pk=visit.pk)).get()


@router.post("/visits/{int:visit_id}/check-out", response={200: VisitOut, **WRITE}, tags=["visits"],
             summary="签退 (the visitor only); then POST /followups with visit_id")  # fmt: skip
def check_out(request: HttpRequest, visit_id: int, payload: PositionIn) -> Visit:
    user = actor(request)
    visit = actions_visits.check_out(user, get_visit_for_user(user, visit_id), _position(payload))
    return _visits(Visit.objects.filter(pk=visit.pk)).get()


@router.post("/visits/{int:visit_id}/cancel", response={200: VisitOut, **WRITE}, tags=["visits"],
             summary="Cancel a planned visit")  # fmt: skip
def cancel_visit(request: HttpRequest, visit_id: int) -> Visit:
    user = actor(request)
    visit = actions_visits.cancel_visit(user, get_visit_for_user(user, visit_id, write=True))
    return _visits(Visit.objects.filter(pk=visit.pk)).get()


@router.post(
    "/visits/{int:visit_id}/attachments",
    response={201: list[AttachmentOut], **WRITE},
    tags=["visits"],
    summary="Add photos or files to a visit (multipart, field `files`; at most 9)",
)
def upload_visit_attachments(request: HttpRequest, visit_id: int, files: File[list[UploadedFile]]) -> Status[list[Any]]:
    user = actor(request)
    visit = get_visit_for_user(user, visit_id, write=True)
    with api_field_names():
        return Status(201, actions_visits.add_visit_photos(user, visit, files))


# --- attachments and the timeline ---------------------------------------------------------------


@router.get(
    "/attachments/{int:attachment_id}",
    response={200: None, **READ},
    url_name="download_attachment",
    summary="Download an attachment (photos inline)",
)
def download_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = get_attachment_for_user(actor(request), attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.kind != AttachmentKind.PHOTO,
        filename=attachment.name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@router.delete("/attachments/{int:attachment_id}", response={204: None, **WRITE}, summary="Remove an attachment")
def delete_attachment(request: HttpRequest, attachment_id: int) -> Status[None]:
    user = actor(request)
    actions_followups.delete_attachment(user, get_attachment_for_user(user, attachment_id))
    return Status(204, None)


@router.get(
    "/customers/{int:customer_id}/timeline",
    response={200: TimelineOut, **READ},
    tags=["customers"],
    summary="The customer 360 timeline, newest first",
)
def timeline(request: HttpRequest, customer_id: int, page: Query[TimelineQuery]) -> dict[str, Any]:
    user = actor(request)
    customer = get_customer_for_user(user, customer_id)
    result = customer_timeline(customer, user, offset=page.offset, limit=page.limit)
    return {"items": result.entries, "next_offset": result.next_offset}
