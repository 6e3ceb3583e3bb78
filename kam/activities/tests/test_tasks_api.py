"""The tasks and requests API: the access matrix of every endpoint (refusals change nothing), what the
endpoints answer, 409 for moves the status machine refuses, 422 with the field path, and list costs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from kam.activities import actions_requests
from kam.activities.actions_tasks import create_task
from kam.activities.models import CoordinationRequest, Task
from kam.activities.tests.fixtures_tasks import (  # noqa: F401 - _english_messages is autouse
    PEOPLE,
    TODAY,
    Scene,
    _english_messages,
    at,
    db_state,
    english_client,
    make_customer,
    make_scene,
)
from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.tests.api_support import call, rolled_back

PARTS = ("anonymous", *PEOPLE)
NOBODY = {part: 404 for part in PARTS} | {"anonymous": 401}
TASK_READ = NOBODY | {"owner": 200, "manager": 200, "admin": 200}
ROLE_READ = NOBODY | {"role_user": 200, "owner": 200, "manager": 200, "admin": 200}
NAMED_READ = NOBODY | {"assignee": 200, "owner": 200, "manager": 200, "manager_east": 200, "admin": 200}


def codes(base: dict[str, int], **changes: int) -> dict[str, int]:
    return {**base, **changes}


def seen_as(base: dict[str, int], code: int, **changes: int) -> dict[str, int]:
    """`base` with every 200 replaced by `code` (those who see it but may not do it), then `changes`."""
    return {part: (code if status == 200 else status) for part, status in base.items()} | changes


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: dict[str, int]
    body: Callable[[dict[str, int]], Any] | None = None
    id: str = ""

    def __str__(self) -> str:
        return self.id or f"{self.method} {self.path}"


CASES = [
    Case("GET", "/tasks/{task}", TASK_READ),
    Case("PATCH", "/tasks/{task}", TASK_READ, lambda ids: {"title": "改了"}),
    Case("DELETE", "/tasks/{task}", seen_as(TASK_READ, 204)),
    Case("POST", "/tasks/{task}/done", TASK_READ),
    Case("POST", "/tasks/{task}/undone", TASK_READ),
    Case("GET", "/requests/{role_request}", ROLE_READ),
    Case("GET", "/requests/{named_request}", NAMED_READ),
    Case("POST", "/requests/{role_request}/accept", seen_as(ROLE_READ, 403, role_user=200)),
    Case("POST", "/requests/{named_request}/accept", seen_as(NAMED_READ, 403, assignee=200)),
    Case(
        "POST", "/requests/{role_request}/reject", seen_as(ROLE_READ, 403, role_user=200), lambda ids: {"reason": "忙"}
    ),
    Case(
        "POST",
        "/requests/{named_request}/complete",
        seen_as(NAMED_READ, 403, assignee=409),  # not accepted yet
        lambda ids: {"result": "好了"},
        id="complete before accepting",
    ),
    Case(
        "POST",
        "/requests/{accepted}/complete",
        seen_as(NAMED_READ, 403, assignee=200),
        lambda ids: {"result": "好了"},
    ),
    Case("POST", "/requests/{role_request}/cancel", seen_as(ROLE_READ, 403, owner=200)),
    Case("POST", "/requests/{done}/cancel", seen_as(NAMED_READ, 403, owner=409), id="cancel a finished one"),
    Case("GET", "/requests/{role_request}/comments", ROLE_READ),
    Case("POST", "/requests/{named_request}/comments", seen_as(NAMED_READ, 201), lambda ids: {"body": "请尽快"}),
]


def _scene_ids(world: OrgWorld) -> tuple[Scene, dict[str, int]]:
    scene = make_scene(world)
    values = {"customer": scene.customer, "assignee": scene.service, "kind": "other", "working_days": 2}
    accepted = actions_requests.create_request(world.owner, {**values, "subject": "已接受"}, today=TODAY)
    actions_requests.accept_request(scene.service, accepted)
    done = actions_requests.create_request(world.owner, {**values, "subject": "已完成"}, today=TODAY)
    actions_requests.accept_request(scene.service, done)
    actions_requests.complete_request(scene.service, done, "好了")
    return scene, {**scene.ids(), "accepted": accepted.pk, "done": done.pk}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_access_matrix(world: OrgWorld, case: Case) -> None:
    scene, ids = _scene_ids(world)
    path = case.path.format(**ids)
    body = case.body(ids) if case.body else None
    got = {}
    for part in PARTS:
        before = db_state()
        client = english_client(scene.user(part))
        response = rolled_back(partial(call, client, case.method, path, body))
        got[part] = response.status_code
        if response.status_code >= 400:
            assert db_state() == before, f"{part} was refused ({response.status_code}) but data changed"
            assert "detail" in response.data
    assert got == case.expected


def test_anyone_signed_in_may_create_tasks_and_requests_but_not_anonymous(world: OrgWorld) -> None:
    scene = make_scene(world)
    got = {}
    for part in PARTS:
        client = english_client(scene.user(part))
        task = rolled_back(partial(call, client, "POST", "/tasks", {"title": "自己的事"}))
        got[part] = task.status_code
    assert got == {part: 201 for part in PARTS} | {"anonymous": 401}
    body = {"customer_id": scene.customer.pk, "role": "finance", "kind": "price", "subject": "核价", "working_days": 2}
    asked = {part: rolled_back(partial(call, english_client(scene.user(part)), "POST", "/requests", body))
             for part in PARTS}  # fmt: skip
    # Only those who can open the customer may ask for help on it; the others get a field error.
    assert {part: r.status_code for part, r in asked.items()} == {
        "anonymous": 401,
        "outsider": 422,
        "stranger": 422,
        "collaborator": 201,
        "role_user": 422,
        "owner": 201,
        "assignee": 422,
        "manager": 201,
        "manager_east": 422,
        "admin": 201,
    }
    assert asked["stranger"].data["detail"][0]["loc"] == ["body", "customer_id"]


def _ids(world: OrgWorld, user: Any, path: str) -> Any:
    response = call(english_client(user), "GET", path)
    if response.status_code != 200:
        return response.status_code
    assert response.data["count"] == len(response.data["items"])
    return [item["id"] for item in response.data["items"]]


def test_lists_show_only_what_each_person_may_open(world: OrgWorld) -> None:
    scene = make_scene(world)
    tasks = {part: _ids(world, scene.user(part), "/tasks?scope=team") for part in PARTS}
    assert tasks == {part: [] for part in PARTS} | {
        "anonymous": 401,
        "owner": [scene.task.pk],
        "manager": [scene.task.pk],
        "admin": [scene.task.pk],
    }
    todo = {part: _ids(world, scene.user(part), "/requests?tab=todo") for part in PARTS}
    assert todo == {part: [] for part in PARTS} | {
        "anonymous": 401,
        "role_user": [scene.role_request.pk],
        "assignee": [scene.named_request.pk],
    }
    team = {part: _ids(world, scene.user(part), "/requests?tab=team") for part in PARTS}
    both = [scene.named_request.pk, scene.role_request.pk]
    assert team == {part: [] for part in PARTS} | {
        "anonymous": 401,
        "owner": both,  # a rep's "team" is themselves
        "manager": both,
        "manager_east": [scene.named_request.pk],
        "admin": both,
    }


def test_task_crud_round_trip(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    client = english_client(world.owner)
    body = {
        "title": "准备报价单",
        "due_at": "2026-09-30T17:00",
        "remind_at": "2026-09-30T01:00:00Z",
        "priority": "high",
        "customer_id": customer.pk,
    }
    created = call(client, "POST", "/tasks", body)
    assert created.status_code == 201
    data = created.data
    task_id = data["id"]
    assert {k: data[k] for k in ("title", "due_at", "remind_at", "priority", "done", "done_at", "contact")} == {
        "title": "准备报价单",
        "due_at": "2026-09-30T17:00:00+08:00",
        "remind_at": "2026-09-30T09:00:00+08:00",
        "priority": "high",
        "done": False,
        "done_at": None,
        "contact": None,
    }
    assert data["customer"] == {"id": customer.pk, "name": "北京星辰科技有限公司"}
    assert data["owner"] == data["created_by"] == {"id": world.owner.pk, "username": "owner", "name": "owner"}
    patched = call(client, "PATCH", f"/tasks/{task_id}", {"notes": "带上样品", "customer_id": None})
    assert (patched.status_code, patched.data["notes"], patched.data["customer"]) == (200, "带上样品", None)
    assert patched.data["title"] == "准备报价单"
    done = call(client, "POST", f"/tasks/{task_id}/done")
    assert (done.data["done"], done.data["overdue"]) == (True, False)
    assert call(client, "POST", f"/tasks/{task_id}/undone").data["done"] is False
    assert [t["id"] for t in call(client, "GET", "/tasks?done=false").data["items"]] == [task_id]
    assert call(client, "DELETE", f"/tasks/{task_id}").status_code == 204
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("method", "body", "loc", "msg"),
    [
        ("POST", {"title": "x", "due_at": "2026-09-30T17:00", "remind_at": "2026-09-30T18:00"}, "remind_at",
         "The reminder cannot be later than the due time."),
        ("POST", {"title": "x", "owner_id": "teammate"}, "owner_id",
         "Choose yourself or an active colleague in your team."),
        ("POST", {"title": "x", "customer_id": "hidden"}, "customer_id", "Choose a customer you can open."),
        ("POST", {"title": "x", "customer_id": 2**63 - 1}, "customer_id", "Choose a customer you can open."),
        ("POST", {"title": "x", "due_at": "9999-12-31T23:59"}, "due_at", "Choose a date between 2000 and 2100."),
        ("POST", {"title": " "}, "title", "This field is required."),
        ("PATCH", {"title": None}, "title", "This field cannot be empty."),
        ("PATCH", {"priority": "urgent"}, "priority",
         "Select a valid choice. urgent is not one of the available choices."),
    ],
)  # fmt: skip
def test_task_input_errors_name_the_field(
    world: OrgWorld, method: str, body: dict[str, Any], loc: str, msg: str
) -> None:
    task = create_task(world.owner, {"title": "原来的"})
    hidden = make_customer(world.stranger, "上海别人的客户有限公司")
    people = {"teammate": world.teammate.pk, "hidden": hidden.pk}
    body = {key: people.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    before = db_state()
    path = "/tasks" if method == "POST" else f"/tasks/{task.pk}"
    response = call(english_client(world.owner), method, path, body)
    assert response.status_code == 422
    assert response.data["detail"] == [{"loc": ["body", loc], "msg": msg, "type": "value_error"}]
    assert db_state() == before


def test_absurd_ids_and_dates_are_404_and_422_not_500(world: OrgWorld) -> None:
    client = english_client(world.owner)
    assert call(client, "GET", f"/tasks/{2**64}").status_code == 404
    assert call(client, "POST", f"/requests/{2**64}/accept").status_code == 404
    assert call(client, "GET", "/tasks?due_to=9999-12-31").status_code == 422
    assert call(client, "GET", f"/tasks?customer_id={2**64}").status_code == 422
    assert call(client, "GET", "/requests/due-date?working_days=999999999999999999999").status_code == 422


def test_request_round_trip_with_409_on_a_second_accept(world: OrgWorld) -> None:
    scene = make_scene(world)
    owner, service = english_client(world.owner), english_client(scene.service)
    body = {"customer_id": scene.customer.pk, "assignee_id": scene.service.pk, "kind": "contract",
            "subject": "合同审核", "detail": "第7条付款方式", "working_days": 3}  # fmt: skip
    created = call(owner, "POST", "/requests", body)
    assert created.status_code == 201
    item = created.data
    expected_due = workcal.add_workdays(actions_requests.shanghai_today(), 3, world.org.pk)
    assert (item["status"], item["due_date"], item["role"], item["overdue"]) == (
        "open",
        expected_due.isoformat(),
        "",
        False,
    )
    assert item["assignee"] == {"id": scene.service.pk, "username": "service", "name": "service"}
    path = f"/requests/{item['id']}"
    assert call(service, "POST", f"{path}/accept").data["status"] == "accepted"
    again = call(service, "POST", f"{path}/accept")
    assert (again.status_code, again.data) == (409, {"detail": "You have already accepted this request."})
    assert call(owner, "POST", f"{path}/comments", {"body": "周五前"}).status_code == 201
    thread = call(service, "GET", f"{path}/comments").data
    assert [(c["author"]["username"], c["body"]) for c in thread] == [("owner", "周五前")]
    empty = call(service, "POST", f"{path}/complete", {"result": ""})
    assert empty.data["detail"] == [{"loc": ["body", "result"], "msg": "Describe the result.", "type": "value_error"}]
    finished = call(service, "POST", f"{path}/complete", {"result": "已审，见附件"})
    assert (finished.data["status"], finished.data["result"]) == ("done", "已审，见附件")
    late = call(owner, "POST", f"{path}/cancel")
    assert (late.status_code, late.data) == (
        409,
        {"detail": "This request is already completed; it cannot change any more."},
    )
    assert CoordinationRequest.objects.get(pk=item["id"]).status == "done"


def test_due_date_preview_and_refusals_on_create(world: OrgWorld) -> None:
    scene = make_scene(world)
    client = english_client(world.owner)
    preview = call(client, "GET", "/requests/due-date?working_days=3")
    expected = workcal.add_workdays(actions_requests.shanghai_today(), 3, world.org.pk)
    assert preview.data == {"working_days": 3, "due_date": expected.isoformat()}
    assert call(client, "GET", "/requests/due-date?working_days=0").data["detail"][0]["loc"] == ["body", "working_days"]
    body = {"customer_id": scene.customer.pk, "assignee_id": world.teammate.pk, "role": "finance", "kind": "contract",
            "subject": "审核", "working_days": 2}  # fmt: skip
    both = call(client, "POST", "/requests", body)
    assert both.data["detail"] == [
        {"loc": ["body", "assignee_id"], "msg": "Ask either a colleague or a role, not both.", "type": "value_error"}
    ]
    stranger = call(client, "POST", "/requests", {**body, "assignee_id": world.outsider.pk, "role": ""})
    assert stranger.data["detail"][0]["loc"] == ["body", "assignee_id"]


@pytest.mark.parametrize("path", ["/tasks?scope=team", "/requests?tab=team", "/requests/{named}/comments"])
def test_list_queries_do_not_grow_with_rows(world: OrgWorld, django_assert_max_num_queries: Any, path: str) -> None:
    scene = make_scene(world)
    client = english_client(world.manager_north)
    path = path.format(named=scene.named_request.pk)

    def add_rows(n: int) -> None:
        for index in range(n):
            create_task(world.owner, {"title": f"任务{index}", "customer": scene.customer, "due_at": at(TODAY, 9)})
            actions_requests.create_request(
                world.owner,
                {"customer": scene.customer, "role": "finance", "kind": "contract", "subject": f"审{index}",
                 "working_days": 1},
                today=TODAY,
            )  # fmt: skip
            actions_requests.add_comment(world.owner, scene.named_request, f"第{index}条")

    add_rows(1)
    with django_assert_max_num_queries(8) as small:
        assert call(client, "GET", path).status_code == 200
    add_rows(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = call(client, "GET", path)
    assert response.status_code == 200
