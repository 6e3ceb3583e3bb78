"""Reads of tasks and requests: who sees what, list order and filters, and the cheap queries other
modules (plan, briefing, calendar) call for many people at once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.activities import actions_requests
from kam.activities.actions_tasks import create_task, set_task_done
from kam.activities.models import Task
from kam.activities.queries_requests import (
    RequestState,
    RequestTab,
    overdue_requests,
    pending_requests_due,
    request_list,
    visible_requests,
)
from kam.activities.queries_tasks import (
    TaskFilters,
    TaskScope,
    open_tasks_due,
    overdue_tasks,
    task_list,
    visible_tasks,
)
from kam.activities.tests.fixtures_tasks import (  # noqa: F401 - _english_messages is autouse
    PEOPLE,
    TODAY,
    _english_messages,
    at,
    make_scene,
)
from kam.conftest import OrgWorld


def titles(tasks: Any) -> list[str]:
    return [task.title for task in tasks]


def test_tasks_are_seen_by_owner_managers_above_and_admins_only(world: OrgWorld) -> None:
    scene = make_scene(world)
    seen = {part: scene.task in visible_tasks(scene.user(part)) for part in PEOPLE}  # type: ignore[arg-type]
    assert seen == {
        "outsider": False,
        "stranger": False,
        "collaborator": False,  # reading the customer does not show its owner's to-dos
        "role_user": False,
        "owner": True,
        "assignee": False,
        "manager": True,
        "manager_east": False,
        "admin": True,
    }
    assert world.director is not None
    assert scene.task in visible_tasks(world.director)


def test_requests_are_seen_by_the_parties_the_role_and_managers_above_either(world: OrgWorld) -> None:
    scene = make_scene(world)
    seen = {
        part: sorted(
            name
            for name, item in (("role", scene.role_request), ("named", scene.named_request))
            if item in visible_requests(scene.user(part))  # type: ignore[arg-type]
        )
        for part in PEOPLE
    }
    assert seen == {
        "outsider": [],
        "stranger": [],
        "collaborator": [],
        "role_user": ["role"],
        "owner": ["named", "role"],
        "assignee": ["named"],
        "manager": ["named", "role"],
        "manager_east": ["named"],  # above the assignee
        "admin": ["named", "role"],
    }


def test_open_tasks_come_by_due_time_with_undated_last_and_done_ones_on_their_tab(world: OrgWorld) -> None:
    def make(title: str, **values: Any) -> Task:
        return create_task(world.owner, {"title": title, **values})

    make("无截止")
    make("明天", due_at=at(TODAY + timedelta(days=1), 9))
    make("今天", due_at=at(TODAY, 9))
    first = make("早完成", due_at=at(TODAY, 8))
    second = make("晚完成")
    set_task_done(world.owner, first, True, now=at(TODAY, 10))
    set_task_done(world.owner, second, True, now=at(TODAY, 11))
    create_task(world.teammate, {"title": "别人的"})
    assert titles(task_list(world.owner, TaskFilters())) == ["今天", "明天", "无截止"]
    assert titles(task_list(world.owner, TaskFilters(done=True))) == ["晚完成", "早完成"]


def test_team_scope_filters_by_person_customer_priority_and_beijing_days(world: OrgWorld) -> None:
    scene = make_scene(world)  # the owner's task 准备报价单 is due 2026-09-30 17:00
    create_task(world.teammate, {"title": "深夜", "due_at": at(TODAY, 23, 30), "priority": "high"})
    create_task(world.teammate, {"title": "次日零点", "due_at": at(TODAY + timedelta(days=1), 0, 10)})
    create_task(world.stranger, {"title": "华东的"})
    manager = world.manager_north
    assert titles(task_list(manager, TaskFilters())) == []
    team = TaskFilters(scope=TaskScope.TEAM)
    assert titles(task_list(manager, team)) == ["准备报价单", "深夜", "次日零点"]
    assert titles(task_list(manager, TaskFilters(scope="team", owner=world.teammate.pk))) == ["深夜", "次日零点"]
    assert titles(task_list(manager, TaskFilters(scope="team", customer=scene.customer.pk))) == ["准备报价单"]
    assert titles(task_list(manager, TaskFilters(scope="team", priority="high"))) == ["深夜"]
    assert titles(task_list(manager, TaskFilters(scope="team", due_to=TODAY))) == ["准备报价单", "深夜"]
    tomorrow = TaskFilters(scope="team", due_from=TODAY + timedelta(days=1))
    assert titles(task_list(manager, tomorrow)) == ["次日零点"]
    # A rep asking for the team's list gets their own.
    assert titles(task_list(world.teammate, team)) == ["深夜", "次日零点"]


def test_request_tabs(world: OrgWorld) -> None:
    scene = make_scene(world)
    role, named = scene.role_request, scene.named_request

    def ids(user: Any, tab: str, state: str = RequestState.PENDING) -> list[int]:
        return [item.pk for item in request_list(user, tab, state)]

    assert ids(world.owner, RequestTab.MINE) == [named.pk, role.pk]  # by due date: 10-09, 10-10
    assert ids(world.owner, RequestTab.TODO) == []
    assert ids(world.collaborator, RequestTab.TODO) == [role.pk]
    assert ids(scene.service, RequestTab.TODO) == [named.pk]
    assert ids(world.manager_north, RequestTab.TEAM) == [named.pk, role.pk]
    assert ids(world.manager_east, RequestTab.TEAM) == [named.pk]
    assert ids(world.owner, RequestTab.TEAM) == [named.pk, role.pk]  # a rep falls back to their own
    actions_requests.reject_request(world.collaborator, role, "没空")
    assert ids(world.collaborator, RequestTab.TODO) == []
    assert ids(world.collaborator, RequestTab.TODO, RequestState.FINISHED) == [role.pk]
    assert ids(world.owner, RequestTab.MINE, RequestState.FINISHED) == [role.pk]
    assert ids(world.owner, RequestTab.MINE, RequestState.ALL) == [named.pk, role.pk]


# --- the queries other modules call -----------------------------------------------------------------


def test_open_and_overdue_tasks_of_many_people_in_one_query(world: OrgWorld) -> None:
    create_task(world.owner, {"title": "逾期", "due_at": at(TODAY, 9)})
    create_task(world.teammate, {"title": "今天", "due_at": at(TODAY, 17)})
    create_task(world.teammate, {"title": "明天", "due_at": at(TODAY + timedelta(days=1), 9)})
    create_task(world.owner, {"title": "无截止"})
    done = create_task(world.owner, {"title": "完成的", "due_at": at(TODAY, 8)})
    set_task_done(world.owner, done, True)
    create_task(world.stranger, {"title": "别人", "due_at": at(TODAY, 8)})
    people = [world.owner.pk, world.teammate.pk]
    with CaptureQueriesContext(connection) as ctx:
        due = [(t.title, t.owner.name, t.customer) for t in open_tasks_due(people, at(TODAY + timedelta(days=1), 0))]
        late = titles(overdue_tasks(people, at(TODAY, 12)))
    assert due == [("逾期", "owner", None), ("今天", "teammate", None)]
    assert late == ["逾期"]
    assert len(ctx.captured_queries) == 2


def test_pending_and_overdue_requests_of_many_people(world: OrgWorld) -> None:
    scene = make_scene(world)  # named due 10-09 (service), role due 10-10 (nobody yet)
    presales = world.collaborator
    actions_requests.accept_request(presales, scene.role_request)
    with CaptureQueriesContext(connection) as ctx:
        asked = [
            (r.pk, r.customer.name, r.requester.name) for r in pending_requests_due([world.owner.pk], date(2026, 10, 9))
        ]
    assert asked == [(scene.named_request.pk, "北京星辰科技有限公司", "owner")]
    assert len(ctx.captured_queries) == 1
    both = [r.pk for r in pending_requests_due([scene.service.pk, presales.pk], date(2026, 10, 10))]
    assert both == [scene.named_request.pk, scene.role_request.pk]
    assert [r.pk for r in overdue_requests([presales.pk], date(2026, 10, 10))] == []
    assert [r.pk for r in overdue_requests([presales.pk], date(2026, 10, 11))] == [scene.role_request.pk]
    actions_requests.cancel_request(world.owner, scene.named_request)
    assert [r.pk for r in overdue_requests([world.owner.pk], date(2026, 12, 1))] == [scene.role_request.pk]
    assert list(overdue_requests([world.stranger.pk], date(2026, 12, 1))) == []


@pytest.mark.parametrize("rows", [1, 12])
def test_plan_queries_do_not_grow_with_rows(world: OrgWorld, rows: int) -> None:
    scene = make_scene(world)
    for index in range(rows):
        create_task(world.owner, {"title": f"任务{index}", "customer": scene.customer, "due_at": at(TODAY, 9)})
    with CaptureQueriesContext(connection) as ctx:
        for task in open_tasks_due([world.owner.pk], at(TODAY, 23)):
            assert task.customer is not None
            assert task.customer.name
            assert task.owner.name
        for item in overdue_requests([world.owner.pk], date(2026, 12, 1)):
            assert item.customer.name
            assert item.requester.name
    assert len(ctx.captured_queries) == 2
    assert Task.objects.count() == rows + 1
