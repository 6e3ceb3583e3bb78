"""Customers, contacts, pools, search and 查重 over HTTP. Each handler: schema in, one action or
query, schema out. Input runs through kam/customers/forms.py, so messages match the web pages.
"""

from dataclasses import replace
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, P, Query, Router, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx

from kam.core import audit
from kam.core.api import FieldProblem, KamLimitOffsetPagination, Problem, etag, expected_version
from kam.core.api_auth import actor
from kam.core.errors import StaleVersion, refuse
from kam.core.models import AuditEntry, User
from kam.core.queries import colleagues_of
from kam.customers import actions
from kam.customers.dedup import DuplicateMatch, find_duplicates
from kam.customers.list_rows import customer_rows
from kam.customers.models import Collaborator, Contact, Customer, OwnershipChange, Pool
from kam.customers.queries import (
    collaborators_of,
    contacts_of,
    customer_list,
    get_contact_for_user,
    get_customer_for_user,
    get_pool_for_user,
    ownership_history,
    pools_of,
    search,
    search_q,
    visible_contacts,
)
from kam.customers.schemas import (
    AssignIn,
    AuditRowOut,
    CollaboratorIn,
    CollaboratorOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerFilterQuery,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPageQuery,
    CustomerPatch,
    DuplicateCheckIn,
    DuplicateOut,
    DuplicatesProblem,
    MergeIn,
    OwnershipChangeOut,
    PoolOut,
    ReturnIn,
    SearchOut,
    StaleProblem,
    TransferIn,
    cleaned_data,
    contact_form,
    customer_form,
    sent_fields,
)

router = Router(tags=["customers"])

IfMatch = HeaderEx[str | None, P(alias="If-Match", description='The ETag you read, e.g. "3"')]
READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}


def install_error_handlers(api: NinjaAPI) -> None:
    """409 for possible duplicates (warn mode): the client shows them and may confirm."""

    def duplicates_found(
        request: HttpRequest, exc: actions.DuplicatesFound | type[actions.DuplicatesFound]
    ) -> HttpResponse:
        assert isinstance(exc, actions.DuplicatesFound)
        body = {
            "detail": _("Possible duplicates found. Check them, then send confirm_duplicates=true to create anyway."),
            "duplicates": [DuplicateOut.from_orm(match).model_dump() for match in exc.matches],
        }
        return api.create_response(request, body, status=409)

    api.add_exception_handler(actions.DuplicatesFound, duplicates_found)


def _check_version(current: int, if_match: str | None) -> int | None:
    """Refuse a stale If-Match before validating anything; the action re-checks under a row lock."""
    version = expected_version(if_match)
    if version is not None and version != current:
        raise StaleVersion(current)
    return version


def _colleague(user: User, user_id: int, field: str = "user_id") -> User:
    """A colleague named in the body; someone else is a field error (422), not a missing page."""
    colleague = colleagues_of(user).filter(pk=user_id).first()
    if colleague is None:
        raise refuse(_("Choose an active colleague."), field)
    return colleague


def _path_colleague(user: User, user_id: int) -> User:
    if not 0 < user_id < 2**63:
        raise Http404
    colleague = colleagues_of(user).filter(pk=user_id).first()
    if colleague is None:
        raise Http404
    return colleague


def _pool(user: User, pool_id: int | None) -> Pool | None:
    if pool_id is None:
        return None
    pool = pools_of(user).filter(pk=pool_id).first()
    if pool is None:
        raise refuse(_("Choose a public pool you belong to."), "pool_id")
    return pool


# --- customers ----------------------------------------------------------------------------------


@router.get(
    "/customers",
    response=CustomerPage,
    summary="Customers I may open, filtered and sorted",
    description="Flat rows: references as ids/codes and names. `count` needs one more query; "
    "`with_count=false` skips it and `next_offset` says whether another page follows.",
)
def list_customers(
    request: HttpRequest, filters: Query[CustomerFilterQuery], page: Query[CustomerPageQuery]
) -> dict[str, Any]:
    customers = customer_list(actor(request), filters.to_filters())
    rows, more = customer_rows(customers, page.offset, page.limit)
    count = None
    if page.with_count:
        # A short last page already tells the total; otherwise COUNT(*) over the list's scope (no joins).
        count = page.offset + len(rows) if not more and (rows or not page.offset) else customers.count()
    return {"items": rows, "count": count, "next_offset": page.offset + page.limit if more else None}


@router.post("/customers", response={201: CustomerOut, 409: DuplicatesProblem, **WRITE}, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerIn, response: HttpResponse) -> Status[Customer]:
    user = actor(request)
    data = cleaned_data(customer_form(payload.model_dump()))
    customer = actions.create_customer(
        user,
        data,
        tag_names=data["tag_names"],
        owner=_colleague(user, payload.owner_id, "owner_id") if payload.owner_id is not None else None,
        pool=_pool(user, payload.pool_id),
        confirm_duplicates=payload.confirm_duplicates,
    )
    response["ETag"] = etag(customer.version)
    return Status(201, customer)


@router.post("/customers/duplicates", response=list[DuplicateOut], summary="查重: who already holds this company")
def check_duplicates(request: HttpRequest, payload: DuplicateCheckIn) -> list[DuplicateMatch]:
    return find_duplicates(actor(request), name=payload.name, credit_code=payload.credit_code, phones=payload.phones)


@router.post("/customers/merge", response={200: CustomerOut, **WRITE}, summary="Merge a duplicate into a survivor")
def merge_customers(request: HttpRequest, payload: MergeIn) -> Customer:
    user = actor(request)
    survivor = get_customer_for_user(user, payload.survivor_id)
    return actions.merge_customers(user, survivor, get_customer_for_user(user, payload.duplicate_id))


@router.get("/customers/{int:customer_id}", response={200: CustomerOut, **READ}, summary="One customer (ETag)")
def get_customer(request: HttpRequest, customer_id: int, response: HttpResponse) -> Customer:
    customer = get_customer_for_user(actor(request), customer_id)
    response["ETag"] = etag(customer.version)
    return customer


@router.patch(
    "/customers/{int:customer_id}",
    response={200: CustomerOut, 412: StaleProblem, **WRITE},
    summary="Change some fields (If-Match optional)",
)
def patch_customer(
    request: HttpRequest, customer_id: int, payload: CustomerPatch, response: HttpResponse, if_match: IfMatch = None
) -> Customer:
    user = actor(request)
    customer = get_customer_for_user(user, customer_id, write=True)
    version = _check_version(customer.version, if_match)
    changes = payload.model_dump(exclude_unset=True)
    data = cleaned_data(customer_form(changes, instance=customer))
    tag_names = data["tag_names"] if "tags" in changes else None
    customer = actions.update_customer(
        user, customer, sent_fields(data, changes), tag_names=tag_names, expected_version=version
    )
    response["ETag"] = etag(customer.version)
    return customer


@router.delete("/customers/{int:customer_id}", response={204: None, **WRITE}, summary="Move to the recycle bin")
def delete_customer(request: HttpRequest, customer_id: int) -> Status[None]:
    user = actor(request)
    actions.delete_customer(user, get_customer_for_user(user, customer_id))
    return Status(204, None)


@router.post("/customers/{int:customer_id}/restore", response={200: CustomerOut, **WRITE}, summary="Restore")
def restore_customer(request: HttpRequest, customer_id: int) -> Customer:
    return actions.restore_customer(actor(request), customer_id)


@router.get("/customers/{int:customer_id}/history", response={200: list[AuditRowOut], **READ})
def customer_history(request: HttpRequest, customer_id: int) -> QuerySet[AuditEntry]:
    return audit.history(get_customer_for_user(actor(request), customer_id))


@router.get("/customers/{int:customer_id}/ownership", response={200: list[OwnershipChangeOut], **READ})
def customer_ownership(request: HttpRequest, customer_id: int) -> QuerySet[OwnershipChange]:
    return ownership_history(get_customer_for_user(actor(request), customer_id))


@router.post("/customers/{int:customer_id}/lock", response={200: CustomerOut, **WRITE}, summary="锁定")
def lock_customer(request: HttpRequest, customer_id: int) -> Customer:
    user = actor(request)
    return actions.set_locked(user, get_customer_for_user(user, customer_id), True)


@router.post("/customers/{int:customer_id}/unlock", response={200: CustomerOut, **WRITE}, summary="Unlock")
def unlock_customer(request: HttpRequest, customer_id: int) -> Customer:
    user = actor(request)
    return actions.set_locked(user, get_customer_for_user(user, customer_id), False)


@router.post("/customers/{int:customer_id}/transfer", response={200: CustomerOut, **WRITE}, summary="转移")
def transfer_customer(request: HttpRequest, customer_id: int, payload: TransferIn) -> Customer:
    user = actor(request)
    customer = get_customer_for_user(user, customer_id, write=True)
    return actions.transfer_customer(user, customer, _colleague(user, payload.user_id), payload.reason)


@router.post("/customers/{int:customer_id}/return", response={200: CustomerOut, **WRITE}, summary="退回公海")
def return_customer(request: HttpRequest, customer_id: int, payload: ReturnIn) -> Customer:
    user = actor(request)
    customer = get_customer_for_user(user, customer_id, write=True)
    return actions.return_to_pool(user, customer, payload.reason, pool=_pool(user, payload.pool_id))


# --- collaborators ------------------------------------------------------------------------------


@router.get("/customers/{int:customer_id}/collaborators", response={200: list[CollaboratorOut], **READ})
def list_collaborators(request: HttpRequest, customer_id: int) -> QuerySet[Collaborator]:
    return collaborators_of(get_customer_for_user(actor(request), customer_id))


@router.get("/customers/{int:customer_id}/collaborators/{int:user_id}", response={200: CollaboratorOut, **READ})
def get_collaborator(request: HttpRequest, customer_id: int, user_id: int) -> Collaborator:
    customer = get_customer_for_user(actor(request), customer_id)
    if not 0 < user_id < 2**63:  # SQLite cannot even compare a foreign key with a larger number
        raise Http404
    collaborator = collaborators_of(customer).filter(user_id=user_id).first()
    if collaborator is None:
        raise Http404
    return collaborator


@router.put(
    "/customers/{int:customer_id}/collaborators/{int:user_id}",
    response={200: CollaboratorOut, **WRITE},
    summary="Add a collaborator or change their access",
)
def put_collaborator(request: HttpRequest, customer_id: int, user_id: int, payload: CollaboratorIn) -> Collaborator:
    user = actor(request)
    customer = get_customer_for_user(user, customer_id, write=True)
    return actions.set_collaborator(user, customer, _path_colleague(user, user_id), payload.access)


@router.delete("/customers/{int:customer_id}/collaborators/{int:user_id}", response={204: None, **WRITE})
def delete_collaborator(request: HttpRequest, customer_id: int, user_id: int) -> Status[None]:
    user = actor(request)
    customer = get_customer_for_user(user, customer_id, write=True)
    actions.remove_collaborator(user, customer, _path_colleague(user, user_id))
    return Status(204, None)


# --- contacts -----------------------------------------------------------------------------------


@router.get("/customers/{int:customer_id}/contacts", response={200: list[ContactOut], **READ}, tags=["contacts"])
def list_customer_contacts(request: HttpRequest, customer_id: int) -> QuerySet[Contact]:
    return contacts_of(get_customer_for_user(actor(request), customer_id))


@router.post("/customers/{int:customer_id}/contacts", response={201: ContactOut, **WRITE}, tags=["contacts"])
def create_contact(
    request: HttpRequest, customer_id: int, payload: ContactIn, response: HttpResponse
) -> Status[Contact]:
    user = actor(request)
    customer = get_customer_for_user(user, customer_id, write=True)
    data = cleaned_data(contact_form(payload.model_dump(), customer))
    contact = actions.create_contact(user, customer, data)
    response["ETag"] = etag(contact.version)
    return Status(201, contact)


@router.get("/contacts", response=list[ContactOut], tags=["contacts"], summary="Search contacts I may open")
@paginate(KamLimitOffsetPagination)
def list_contacts(request: HttpRequest, q: str = "") -> QuerySet[Contact]:
    user = actor(request)
    contacts = visible_contacts(user).select_related("customer", "relationship_owner")
    return (contacts.filter(search_q(q, user=user)) if q.strip() else contacts).order_by("name_pinyin", "id")


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **READ}, tags=["contacts"])
def get_contact(request: HttpRequest, contact_id: int, response: HttpResponse) -> Contact:
    contact = get_contact_for_user(actor(request), contact_id)
    response["ETag"] = etag(contact.version)
    return contact


@router.patch("/contacts/{int:contact_id}", response={200: ContactOut, 412: StaleProblem, **WRITE}, tags=["contacts"])
def patch_contact(
    request: HttpRequest, contact_id: int, payload: ContactPatch, response: HttpResponse, if_match: IfMatch = None
) -> Contact:
    user = actor(request)
    contact = get_contact_for_user(user, contact_id, write=True)
    version = _check_version(contact.version, if_match)
    changes = payload.model_dump(exclude_unset=True)
    data = cleaned_data(contact_form(changes, contact.customer, instance=contact))
    contact = actions.update_contact(user, contact, sent_fields(data, changes), expected_version=version)
    response["ETag"] = etag(contact.version)
    return contact


@router.delete("/contacts/{int:contact_id}", response={204: None, **WRITE}, tags=["contacts"])
def delete_contact(request: HttpRequest, contact_id: int) -> Status[None]:
    user = actor(request)
    actions.delete_contact(user, get_contact_for_user(user, contact_id))
    return Status(204, None)


# --- search -------------------------------------------------------------------------------------


@router.get("/search", response=SearchOut, tags=["search"], summary="The search box: customers and contacts")
def search_all(request: HttpRequest, q: str = "") -> dict[str, list[Any]]:
    customers, contacts = search(actor(request), q)
    return {"customers": customers, "contacts": contacts}


# --- pools --------------------------------------------------------------------------------------


@router.get("/pools", response=list[PoolOut], tags=["pools"], summary="Public pools I belong to")
def list_pools(request: HttpRequest) -> QuerySet[Pool]:
    return pools_of(actor(request)).order_by("name")


@router.get("/pools/{int:pool_id}/customers", response=list[CustomerOut], tags=["pools"])
@paginate(KamLimitOffsetPagination)
def list_pool_customers(request: HttpRequest, pool_id: int, filters: Query[CustomerFilterQuery]) -> QuerySet[Customer]:
    user = actor(request)
    pool = get_pool_for_user(user, pool_id)
    return customer_list(user, replace(filters.to_filters(), pool=pool.pk))


def _pool_customer(user: User, pool_id: int, customer_id: int) -> Customer:
    pool = get_pool_for_user(user, pool_id)
    customer = get_customer_for_user(user, customer_id)
    if customer.pool_id is not None and customer.pool_id != pool.pk:
        raise Http404
    return customer


@router.post("/pools/{int:pool_id}/customers/{int:customer_id}/claim", response={200: CustomerOut, **WRITE},
             tags=["pools"], summary="领取")  # fmt: skip
def claim_customer(request: HttpRequest, pool_id: int, customer_id: int) -> Customer:
    user = actor(request)
    return actions.claim_customer(user, _pool_customer(user, pool_id, customer_id))


@router.post("/pools/{int:pool_id}/customers/{int:customer_id}/assign", response={200: CustomerOut, **WRITE},
             tags=["pools"], summary="分配 (pool admins)")  # fmt: skip
def assign_customer(request: HttpRequest, pool_id: int, customer_id: int, payload: AssignIn) -> Customer:
    user = actor(request)
    customer = _pool_customer(user, pool_id, customer_id)
    return actions.assign_customer(user, customer, _colleague(user, payload.user_id))
