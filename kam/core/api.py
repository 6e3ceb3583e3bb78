"""The API's shared pieces (error answers, small reference schemas) and the organization router.

Errors follow one shape everywhere: `{"detail": ...}`; field errors are 422 with
`{"detail": [{"loc": ["body", field], "msg": ..., "type": "value_error"}]}` like django-ninja's own.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, ValidationError, ValidationErrorContext
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import PlainSerializer

from kam.core.api_auth import actor
from kam.core.errors import StaleVersion
from kam.core.models import Notification, Team, User
from kam.core.notifications import mark_all_read, read_notification
from kam.core.queries import colleagues_of, teams_of
from kam.core.queries_notifications import notifications_for


def _local_iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


# Times leave the API in the organization's zone (Asia/Shanghai: +08:00), as people read them.
LocalDateTime = Annotated[datetime, PlainSerializer(_local_iso, return_type=str)]


# A database id: bounded so that an absurd number is a 422, not an overflow inside the database driver.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Deep offsets are refused as input errors; nobody pages a billion rows in.
MAX_OFFSET = 10**9


class KamLimitOffsetPagination(LimitOffsetPagination):
    """ninja's limit/offset pagination with a bounded offset."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class KamNinjaAPI(NinjaAPI):
    """NinjaAPI whose body errors name the field as `["body", field]`, without the handler's parameter name."""

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        error = super().validation_error_from_error_contexts(error_contexts)
        # `context.model` is the parameter model class (typed as an instance upstream).
        models: list[Any] = [context.model for context in error_contexts]
        body_params = [
            name for model in models if model.__ninja_param_source__ == "body" for name in model.model_fields
        ]
        if len(body_params) == 1:
            for item in error.errors:
                loc = tuple(item["loc"])
                if loc[:2] == ("body", body_params[0]):
                    item["loc"] = ("body", *loc[2:])
        return error


def field_errors(exc: DjangoValidationError, aliases: Mapping[str, str]) -> list[dict[str, Any]]:
    """A Django ValidationError as ninja-style items; NON_FIELD_ERRORS points at the whole body."""
    pairs: list[tuple[str, list[str]]]
    if hasattr(exc, "error_dict"):
        pairs = list(exc.message_dict.items())
    else:
        pairs = [(NON_FIELD_ERRORS, exc.messages)]
    detail: list[dict[str, Any]] = []
    for field, messages in pairs:
        loc = ["body"] if field == NON_FIELD_ERRORS else ["body", aliases.get(field, field)]
        detail.extend({"loc": loc, "msg": str(message), "type": "value_error"} for message in messages)
    return detail


def install_error_handlers(api: NinjaAPI, field_aliases: Mapping[str, str]) -> None:
    """Translate domain exceptions into responses. `field_aliases` maps model/form field names to API names."""

    def validation_failed(
        request: HttpRequest, exc: DjangoValidationError | type[DjangoValidationError]
    ) -> HttpResponse:
        assert isinstance(exc, DjangoValidationError)
        return api.create_response(request, {"detail": field_errors(exc, field_aliases)}, status=422)

    def not_found(request: HttpRequest, exc: Http404 | type[Http404]) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found")}, status=404)

    def forbidden(request: HttpRequest, exc: PermissionDenied | type[PermissionDenied]) -> HttpResponse:
        return api.create_response(request, {"detail": _("You do not have permission to do this.")}, status=403)

    def unauthenticated(request: HttpRequest, exc: AuthenticationError | type[AuthenticationError]) -> HttpResponse:
        response = api.create_response(
            request, {"detail": _("Sign in or send a valid API token (Authorization: Bearer …).")}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="kam"'
        return response

    def stale(request: HttpRequest, exc: StaleVersion | type[StaleVersion]) -> HttpResponse:
        assert isinstance(exc, StaleVersion)
        body = {
            "detail": _("Someone else changed this record since you loaded it. Reload it and try again."),
            "current_version": exc.current,
        }
        response = api.create_response(request, body, status=412)
        response["ETag"] = etag(exc.current)
        return response

    api.add_exception_handler(DjangoValidationError, validation_failed)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(StaleVersion, stale)


# --- versions: ETag / If-Match ----------------------------------------------------------------


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header asks for; None when absent or `*`.

    An unreadable tag can never match, so it yields 0 (versions start at 1) and the write answers 412.
    """
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        return None
    tag = if_match.split(",")[0].strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() else 0


# --- reference schemas shared by every app ------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str
    name: str


class TeamRef(Schema):
    id: int
    name: str


class Problem(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class FieldProblem(Schema):
    """422: what was wrong, field by field."""

    detail: list[FieldError]


class UserOut(Schema):
    id: int
    username: str
    name: str
    role: str
    team: TeamRef | None


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    path: str


class OrganizationRef(Schema):
    id: int
    name: str


class MeOut(UserOut):
    organization: OrganizationRef
    is_admin: bool
    supervises: bool

    @staticmethod
    def resolve_is_admin(obj: User) -> bool:
        return obj.is_org_admin


router = Router(tags=["organization"])


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> User:
    return actor(request)


@router.get("/users", response=list[UserOut], summary="Active colleagues in my organization")
def users(request: HttpRequest) -> list[User]:
    return list(colleagues_of(actor(request)))


@router.get("/teams", response=list[TeamOut], summary="The team tree, in path order")
def teams(request: HttpRequest) -> list[Team]:
    return list(teams_of(actor(request)))


# --- notifications: the signed-in user's own bell -------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: LocalDateTime
    read_at: LocalDateTime | None


class MarkedOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response=list[NotificationOut],
    tags=["notifications"],
    summary="My notifications, newest first (unread=true: only unread ones)",
)
@paginate(KamLimitOffsetPagination)
def notifications(request: HttpRequest, unread: bool = False) -> Any:
    return notifications_for(actor(request), unread_only=unread)


@router.post(
    "/notifications/read-all",
    response=MarkedOut,
    tags=["notifications"],
    summary="Mark all my unread notifications read",
)
def notifications_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": mark_all_read(actor(request))}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, 404: Problem},
    tags=["notifications"],
    summary="Mark one of my notifications read (an earlier read time is kept)",
)
def notification_read(request: HttpRequest, notification_id: DbId) -> Notification:
    return read_notification(actor(request), notification_id)
