"""Tasks (待办) and coordination requests (协调请求) over HTTP. Each handler: schema in, one action or
query, schema out. Input runs through the same forms as the pages, so the messages match.

Status codes: 404 for what you may not see, 403 for what you may see but not do, 409 when a request
is not in a state that allows the step (already taken, already finished), 422 for bad input.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.activities import actions_requests, actions_tasks
from kam.activities.models import CoordinationRequest, RequestComment, Task
from kam.activities.queries_requests import comments_of, get_request_for_user, request_list
from kam.activities.queries_tasks import get_task_for_user, task_list
from kam.activities.schemas_tasks import (
    CommentIn,
    CommentOut,
    CompleteIn,
    DueDateOut,
    RejectIn,
    RequestFilterQuery,
    RequestIn,
    RequestOut,
    TaskFilterQuery,
    TaskIn,
    TaskOut,
    TaskPatch,
    api_field_names,
    request_form,
    task_form,
    task_values,
)
from kam.core.api import FieldProblem, KamLimitOffsetPagination, Problem
from kam.core.api_auth import actor
from kam.core.errors import refuse
from kam.customers.schemas import cleaned_data

router = Router(tags=["tasks"])

READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}
STEP = {**WRITE, 409: Problem}


# --- tasks --------------------------------------------------------------------------------------


@router.get("/tasks", response=list[TaskOut], summary="My tasks (or my team's), open by due time or done")
@paginate(KamLimitOffsetPagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilterQuery]) -> QuerySet[Task]:
    return task_list(actor(request), filters.to_filters())


@router.post("/tasks", response={201: TaskOut, **WRITE}, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Task]:
    user = actor(request)
    sent = payload.model_dump()
    with api_field_names():
        data = cleaned_data(task_form(user, sent))
        task = actions_tasks.create_task(user, task_values(data, sent))
    return Status(201, get_task_for_user(user, task.pk))


@router.get("/tasks/{int:task_id}", response={200: TaskOut, **READ}, summary="One task")
def get_task(request: HttpRequest, task_id: int) -> Task:
    return get_task_for_user(actor(request), task_id)


@router.patch("/tasks/{int:task_id}", response={200: TaskOut, **WRITE}, summary="Change some fields of a task")
def patch_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    user = actor(request)
    task = get_task_for_user(user, task_id)
    sent = payload.model_dump(exclude_unset=True)
    for name in ("title", "priority", "owner_id"):
        if name in sent and sent[name] is None:
            raise refuse(_("This field cannot be empty."), name)
    with api_field_names():
        data = cleaned_data(task_form(user, sent, instance=task))
        actions_tasks.update_task(user, task, task_values(data, sent))
    return get_task_for_user(user, task_id)


@router.delete("/tasks/{int:task_id}", response={204: None, **WRITE}, summary="Delete a task")
def delete_task(request: HttpRequest, task_id: int) -> Status[None]:
    user = actor(request)
    actions_tasks.delete_task(user, get_task_for_user(user, task_id))
    return Status(204, None)


@router.post("/tasks/{int:task_id}/done", response={200: TaskOut, **WRITE}, summary="Tick a task off")
def mark_done(request: HttpRequest, task_id: int) -> Task:
    user = actor(request)
    actions_tasks.set_task_done(user, get_task_for_user(user, task_id), True)
    return get_task_for_user(user, task_id)


@router.post("/tasks/{int:task_id}/undone", response={200: TaskOut, **WRITE}, summary="Open a done task again")
def mark_undone(request: HttpRequest, task_id: int) -> Task:
    user = actor(request)
    actions_tasks.set_task_done(user, get_task_for_user(user, task_id), False)
    return get_task_for_user(user, task_id)


# --- coordination requests ----------------------------------------------------------------------


@router.get(
    "/requests", response=list[RequestOut], tags=["requests"], summary="Requests I asked, waiting for me, or my team's"
)
@paginate(KamLimitOffsetPagination)
def list_requests(request: HttpRequest, filters: Query[RequestFilterQuery]) -> QuerySet[CoordinationRequest]:
    return request_list(actor(request), filters.tab, filters.state)


@router.get(
    "/requests/due-date", response=DueDateOut, tags=["requests"], summary="The due date N working days from today"
)
def request_due_date(request: HttpRequest, working_days: int) -> dict[str, Any]:
    user = actor(request)
    days = actions_requests.check_working_days(working_days)
    assert user.organization_id is not None
    due: date = actions_requests.due_date_for(user.organization_id, days, actions_requests.shanghai_today())
    return {"working_days": days, "due_date": due}


@router.post("/requests", response={201: RequestOut, **WRITE}, tags=["requests"], summary="Ask for help")
def create_request(request: HttpRequest, payload: RequestIn) -> Status[CoordinationRequest]:
    user = actor(request)
    with api_field_names():
        data = cleaned_data(request_form(user, payload.model_dump()))
        created = actions_requests.create_request(user, data)
    return Status(201, get_request_for_user(user, created.pk))


@router.get("/requests/{int:request_id}", response={200: RequestOut, **READ}, tags=["requests"])
def get_request(request: HttpRequest, request_id: int) -> CoordinationRequest:
    return get_request_for_user(actor(request), request_id)


def _step(
    request: HttpRequest, request_id: int, step: Callable[[Any, CoordinationRequest], CoordinationRequest]
) -> Any:
    """One move of the status machine; a move the state does not allow answers 409."""
    user = actor(request)
    item = get_request_for_user(user, request_id)
    try:
        step(user, item)
    except actions_requests.RequestConflict as exc:
        return Status(409, {"detail": exc.message})
    return get_request_for_user(user, request_id)


@router.post("/requests/{int:request_id}/accept", response={200: RequestOut, **STEP}, tags=["requests"])
def accept_request(request: HttpRequest, request_id: int) -> Any:
    return _step(request, request_id, actions_requests.accept_request)


@router.post("/requests/{int:request_id}/reject", response={200: RequestOut, **STEP}, tags=["requests"])
def reject_request(request: HttpRequest, request_id: int, payload: RejectIn) -> Any:
    return _step(request, request_id, lambda user, item: actions_requests.reject_request(user, item, payload.reason))


@router.post("/requests/{int:request_id}/complete", response={200: RequestOut, **STEP}, tags=["requests"])
def complete_request(request: HttpRequest, request_id: int, payload: CompleteIn) -> Any:
    return _step(request, request_id, lambda user, item: actions_requests.complete_request(user, item, payload.result))


@router.post("/requests/{int:request_id}/cancel", response={200: RequestOut, **STEP}, tags=["requests"])
def cancel_request(request: HttpRequest, request_id: int) -> Any:
    return _step(request, request_id, actions_requests.cancel_request)


@router.get("/requests/{int:request_id}/comments", response={200: list[CommentOut], **READ}, tags=["requests"])
def list_comments(request: HttpRequest, request_id: int) -> QuerySet[RequestComment]:
    return comments_of(get_request_for_user(actor(request), request_id))


@router.post("/requests/{int:request_id}/comments", response={201: CommentOut, **WRITE}, tags=["requests"])
def create_comment(request: HttpRequest, request_id: int, payload: CommentIn) -> Status[RequestComment]:
    user = actor(request)
    item = get_request_for_user(user, request_id)
    return Status(201, actions_requests.add_comment(user, item, payload.body))
