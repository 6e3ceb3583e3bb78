"""Typed shapes of the follow-up, visit and attachment API. Business rules stay in the actions,
whose refusals come back as 422 with the field path."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import JsonValue

from kam.activities.models import Attachment, FollowUp, FollowUpKind, Visit, VisitStatus
from kam.activities.queries_followups import FollowUpFilters, Scope
from kam.activities.queries_visits import VisitFilters, When
from kam.core.api import DbId, LocalDateTime, UserRef

TIME_HELP = "ISO 8601; without an offset it is read as Beijing time"


def _enum(*values: str) -> dict[str, JsonValue]:
    return {"enum": list(values)}


def aware(value: datetime | None) -> datetime | None:
    """A time from the client: naive ones are Beijing time (the organization's zone)."""
    if value is None or timezone.is_aware(value):
        return value
    try:
        return timezone.make_aware(value)
    except (OverflowError, ValueError):
        return value.replace(tzinfo=timezone.get_current_timezone())


class IdName(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    kind: str = Field(json_schema_extra=_enum("photo", "file"))
    name: str
    content_type: str
    size: int
    url: str = Field(description="GET it with the same credentials; photos inline, files as downloads")
    created_at: LocalDateTime

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("api:download_attachment", args=[obj.pk])


class FollowUpOut(Schema):
    id: int
    customer: IdName
    author: UserRef
    kind: str = Field(json_schema_extra=_enum(*FollowUpKind.values))
    occurred_at: LocalDateTime
    content: str
    feedback: str
    next_step: str
    next_followup_at: LocalDateTime | None
    contacts: list[IdName]
    attachments: list[AttachmentOut]
    visit_id: int | None = Field(description="The visit this follow-up records, if any")
    opportunity: IdName | None = Field(description="The deal this follow-up was about, if any")
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_contacts(obj: FollowUp) -> list[Any]:
        return sorted(obj.contacts.all(), key=lambda contact: (contact.name, contact.pk))

    @staticmethod
    def resolve_attachments(obj: FollowUp) -> list[Any]:
        return sorted(obj.attachments.all(), key=lambda attachment: attachment.pk)

    @staticmethod
    def resolve_visit_id(obj: FollowUp) -> int | None:
        visit = getattr(obj, "visit", None)
        return visit.pk if visit is not None else None


class FollowUpIn(Schema):
    customer_id: DbId | None = Field(None, description="Required unless visit_id is given")
    visit_id: DbId | None = Field(
        None, description="Record a checked-out visit of yours: the customer and the type follow from it"
    )
    kind: str = Field(str(FollowUpKind.CALL), json_schema_extra=_enum(*FollowUpKind.values))
    occurred_at: datetime = Field(description=f"{TIME_HELP}; at most a few minutes in the future")
    content: str = Field(max_length=5000)
    feedback: str = Field("", max_length=5000, description="客户反馈: collected by the morning briefing")
    next_step: str = Field("", max_length=200)
    next_followup_at: datetime | None = Field(None, description=f"{TIME_HELP}; after occurred_at")
    contact_ids: list[DbId] = Field(default_factory=list, max_length=100, description="Contacts of this customer")
    opportunity_id: DbId | None = Field(None, description="An open deal of this customer that you may open")


class FollowUpPatch(Schema):
    """Only the fields sent change."""

    kind: str | None = Field(None, json_schema_extra=_enum(*FollowUpKind.values))
    occurred_at: datetime | None = None
    content: str | None = Field(None, max_length=5000)
    feedback: str | None = Field(None, max_length=5000)
    next_step: str | None = Field(None, max_length=200)
    next_followup_at: datetime | None = None
    contact_ids: list[DbId] | None = Field(None, max_length=100)
    opportunity_id: DbId | None = Field(None, description="Send null to unlink the deal")


# The range every date field of KAM accepts (as the HTML forms do); outside it date arithmetic overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


class FollowUpFilterQuery(Schema):
    scope: str = Field("", description="mine, team (managers) or all I can see; default: team for managers, else mine",
                       json_schema_extra=_enum("", Scope.MINE, Scope.TEAM, Scope.ALL))  # fmt: skip
    customer: DbId | None = None
    kind: str = Field("", json_schema_extra=_enum("", *FollowUpKind.values))
    date_from: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY, description="From this Beijing day on")
    date_to: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY, description="Up to and including this Beijing day")

    def to_filters(self) -> FollowUpFilters:
        return FollowUpFilters(
            scope=self.scope, customer=self.customer, kind=self.kind, date_from=self.date_from, date_to=self.date_to
        )


class VisitOut(Schema):
    id: int
    customer: IdName
    owner: UserRef
    purpose: str
    planned_at: LocalDateTime
    planned_minutes: int
    status: str = Field(json_schema_extra=_enum(*VisitStatus.values))
    check_in_at: LocalDateTime | None
    check_in_latitude: float | None
    check_in_longitude: float | None
    check_in_distance_m: int | None = Field(description="Metres to the customer's stored point; null without one")
    check_in_out_of_range: bool = Field(description="Beyond the check-in radius, or checked in without a position")
    check_out_at: LocalDateTime | None
    check_out_latitude: float | None
    check_out_longitude: float | None
    check_out_distance_m: int | None
    check_out_out_of_range: bool
    stay_minutes: int | None
    followup_id: int | None
    attachments: list[AttachmentOut]
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_attachments(obj: Visit) -> list[Any]:
        return sorted(obj.attachments.all(), key=lambda attachment: attachment.pk)


class VisitIn(Schema):
    customer_id: DbId
    planned_at: datetime = Field(description=TIME_HELP)
    planned_minutes: int = Field(60, ge=5, le=720)
    purpose: str = Field("", max_length=200)


class PositionIn(Schema):
    """The browser's reading. Send nulls (or nothing) when there is none: the visit is then flagged."""

    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=12, decimal_places=9)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=13, decimal_places=9)
    accuracy_m: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False)


class VisitFilterQuery(Schema):
    scope: str = Field("", json_schema_extra=_enum("", Scope.MINE, Scope.TEAM, Scope.ALL))
    when: str = Field(When.UPCOMING, json_schema_extra=_enum(When.UPCOMING, When.PAST))
    customer: DbId | None = None
    status: str = Field("", json_schema_extra=_enum("", *VisitStatus.values))

    def to_filters(self) -> VisitFilters:
        return VisitFilters(scope=self.scope, when=self.when, customer=self.customer, status=self.status)


class TimelineEntryOut(Schema):
    at: LocalDateTime
    kind: str
    title: str
    body: str
    url: str
    icon: str
    source: str
    details: list[tuple[str, str]]


class TimelineOut(Schema):
    items: list[TimelineEntryOut]
    next_offset: int | None


class TimelineQuery(Schema):
    offset: int = Field(0, ge=0, le=2000)
    limit: int = Field(20, ge=1, le=100)
