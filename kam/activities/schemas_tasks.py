"""Typed shapes of the tasks and coordination-requests API, and how input values reach the shared forms.

Input schemas only type the values: the rules live in kam/activities/forms_*.py and the actions,
which the API runs exactly as the web pages do.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Schema
from pydantic import JsonValue, field_validator

from kam.activities.actions_requests import shanghai_today
from kam.activities.forms_requests import RequestForm
from kam.activities.forms_tasks import TaskForm
from kam.activities.models import CoordinationRequest, HelpRole, RequestKind, Task, TaskPriority
from kam.activities.queries_requests import is_overdue as request_is_overdue
from kam.activities.queries_tasks import TaskFilters, TaskScope
from kam.activities.queries_tasks import is_overdue as task_is_overdue
from kam.core.api import DbId, LocalDateTime, UserRef
from kam.core.models import User

# Form and action field names → the names the API speaks (the `_id` of a reference).
API_NAMES = {"customer": "customer_id", "contact": "contact_id", "owner": "owner_id", "assignee": "assignee_id"}
FORM_NAMES = {api: form for form, api in API_NAMES.items()}


def _codes(values: list[str], blank: bool = False) -> dict[str, JsonValue]:
    codes: list[JsonValue] = ["", *values] if blank else list(values)
    return {"enum": codes}


@contextmanager
def api_field_names() -> Iterator[None]:
    """Refusals name the API's fields (customer_id …), not the form's (customer)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({API_NAMES.get(name, name): errors for name, errors in exc.error_dict.items()}) from exc


def _form_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """API values as form data: references by id under the form's name, None as empty."""
    data = {}
    for name, value in values.items():
        data[FORM_NAMES.get(name, name)] = "" if value is None else value
    return data


class IdName(Schema):
    id: int
    name: str


# --- tasks --------------------------------------------------------------------------------------

TASK_INPUT = ["title", "notes", "due_at", "remind_at", "priority", "customer_id", "contact_id", "owner_id"]


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    due_at: LocalDateTime | None
    remind_at: LocalDateTime | None
    priority: str = Field(json_schema_extra=_codes(TaskPriority.values))
    customer: IdName | None
    contact: IdName | None
    owner: UserRef
    created_by: UserRef | None
    done: bool
    done_at: LocalDateTime | None
    overdue: bool = Field(description="Open and past its due time")
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_done(obj: Task) -> bool:
        return obj.done_at is not None

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return task_is_overdue(obj, timezone.now())


class TaskIn(Schema):
    title: str
    notes: str = ""
    due_at: datetime | None = Field(None, description="ISO 8601; without an offset it is read as Beijing time")
    remind_at: datetime | None = Field(None, description="When to ring the owner; not later than due_at")
    priority: str = Field(str(TaskPriority.NORMAL), json_schema_extra=_codes(TaskPriority.values))
    customer_id: DbId | None = Field(None, description="A customer both you and the assignee can open")
    contact_id: DbId | None = Field(None, description="A contact of that customer (send customer_id too)")
    owner_id: DbId | None = Field(None, description="The assignee (default: you); managers may pick their team")


class TaskPatch(Schema):
    """Only the fields sent are changed; send null to clear an optional one."""

    title: str | None = None
    notes: str | None = None
    due_at: datetime | None = None
    remind_at: datetime | None = None
    priority: str | None = Field(None, json_schema_extra=_codes(TaskPriority.values))
    customer_id: DbId | None = None
    contact_id: DbId | None = None
    owner_id: DbId | None = None


def _day_in_range(value: date | None) -> date | None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValueError("choose a date between 2000 and 2100")
    return value


class TaskFilterQuery(Schema):
    done: bool = Field(False, description="true lists finished tasks (newest first) instead of open ones")
    scope: Literal["mine", "team"] = Field("mine", description="team: everyone below you (managers, admins)")
    owner_id: DbId | None = Field(None, description="With scope=team: one person's tasks")
    customer_id: DbId | None = None
    priority: Literal["", "high", "normal", "low"] = ""
    due_from: date | None = Field(None, description="Due on or after this day (Beijing time)")
    due_to: date | None = Field(None, description="Due on or before this day (Beijing time)")

    _check_from = field_validator("due_from")(_day_in_range)
    _check_to = field_validator("due_to")(_day_in_range)

    def to_filters(self) -> TaskFilters:
        return TaskFilters(
            done=self.done,
            scope=TaskScope.TEAM if self.scope == "team" else TaskScope.MINE,
            owner=self.owner_id,
            customer=self.customer_id,
            priority=self.priority,
            due_from=self.due_from,
            due_to=self.due_to,
        )


def _stored_task(task: Task) -> dict[str, Any]:
    return {
        "title": task.title,
        "notes": task.notes,
        "due_at": task.due_at,
        "remind_at": task.remind_at,
        "priority": task.priority,
        "customer_id": task.customer_id,
        "contact_id": task.contact_id,
        "owner_id": task.owner_id,
    }


def task_form(actor: User, sent: Mapping[str, Any], instance: Task | None = None) -> TaskForm:
    """TaskForm bound to API values; for a PATCH the stored values fill in what was not sent."""
    merged = {**(_stored_task(instance) if instance is not None else {}), **sent}
    return TaskForm(data=_form_data(merged), actor=actor, current=instance)


def task_values(cleaned: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values of the fields sent, under the form's (and the action's) names."""
    names = {FORM_NAMES.get(name, name) for name in sent}
    return {name: value for name, value in cleaned.items() if name in names}


# --- coordination requests ----------------------------------------------------------------------


class RequestOut(Schema):
    id: int
    customer: IdName
    requester: UserRef
    assignee: UserRef | None = Field(description="Who took it (or was asked by name); null while a role is asked")
    role: str = Field(json_schema_extra=_codes(HelpRole.values, blank=True))
    kind: str = Field(json_schema_extra=_codes(RequestKind.values))
    subject: str
    detail: str
    working_days: int
    due_date: date
    status: str = Field(json_schema_extra=_codes(["open", "accepted", "rejected", "done", "cancelled"]))
    overdue: bool = Field(description="Pending and past its due date (Beijing time)")
    accepted_at: LocalDateTime | None
    reject_reason: str
    result: str
    completed_at: LocalDateTime | None
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_overdue(obj: CoordinationRequest) -> bool:
        return request_is_overdue(obj, shanghai_today())


class RequestIn(Schema):
    customer_id: DbId
    assignee_id: DbId | None = Field(None, description="A named colleague; or leave null and give a role")
    role: str = Field("", json_schema_extra=_codes(HelpRole.values, blank=True))
    kind: str = Field(json_schema_extra=_codes(RequestKind.values))
    subject: str
    detail: str = ""
    working_days: int = Field(description="Due this many working days from today (weekends, holidays skipped)")


class RequestFilterQuery(Schema):
    tab: Literal["mine", "todo", "team"] = Field(
        "mine", description="mine: asked by me; todo: asked of me or my role; team: managers"
    )
    state: Literal["pending", "finished", "all"] = "pending"


class RejectIn(Schema):
    reason: str


class CompleteIn(Schema):
    result: str


class CommentIn(Schema):
    body: str


class CommentOut(Schema):
    id: int
    author: UserRef
    body: str
    created_at: LocalDateTime


class DueDateOut(Schema):
    working_days: int
    due_date: date


def request_form(actor: User, sent: Mapping[str, Any]) -> RequestForm:
    return RequestForm(data=_form_data(sent), actor=actor)
