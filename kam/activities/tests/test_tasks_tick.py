"""The periodic jobs of `kam tick`: task reminders and the overdue-request flag, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kam.activities import actions_requests
from kam.activities.actions_tasks import create_task, set_task_done, update_task
from kam.activities.models import CoordinationRequest
from kam.activities.tests.fixtures_tasks import (  # noqa: F401 - _english_messages is autouse
    TODAY,
    _english_messages,
    at,
    make_scene,
)
from kam.activities.tick_jobs import flag_overdue_requests, send_task_reminders
from kam.conftest import OrgWorld
from kam.core.models import Notification, User
from kam.core.tick import tick_jobs


def bell(kind: str) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(kind=kind).order_by("user__username", "id")
    return [(note.user.username, note.url) for note in rows.select_related("user")]


def test_both_jobs_are_registered_for_kam_tick() -> None:
    jobs = dict(tick_jobs())
    assert jobs["activities.task_reminders"] is send_task_reminders
    assert jobs["activities.overdue_requests"] is flag_overdue_requests


def test_reminders_ring_once_when_their_time_has_come(world: OrgWorld) -> None:
    due = create_task(world.owner, {"title": "提交方案", "due_at": at(TODAY, 17), "remind_at": at(TODAY, 9)})
    later = create_task(world.owner, {"title": "回访", "remind_at": at(TODAY, 9, 1)})
    done = create_task(world.teammate, {"title": "已完成", "remind_at": at(TODAY, 8)})
    set_task_done(world.teammate, done, True)
    create_task(world.teammate, {"title": "无提醒", "due_at": at(TODAY, 8)})

    assert send_task_reminders(at(TODAY, 8, 59)) == 0
    assert send_task_reminders(at(TODAY, 9)) == 1
    assert send_task_reminders(at(TODAY, 9)) == 0
    note = Notification.objects.get(kind="task.reminder")
    assert (note.user, note.url, note.title, note.body) == (
        world.owner,
        f"/tasks/{due.pk}/",
        "提醒：提交方案",
        "截止 2026-09-30 17:00",
    )
    due.refresh_from_db()
    assert due.reminded_at == at(TODAY, 9)
    assert send_task_reminders(at(TODAY, 12)) == 1
    assert bell("task.reminder") == [("owner", f"/tasks/{due.pk}/"), ("owner", f"/tasks/{later.pk}/")]


def test_a_moved_reminder_rings_again(world: OrgWorld) -> None:
    task = create_task(world.owner, {"title": "提交方案", "remind_at": at(TODAY, 9)})
    assert send_task_reminders(at(TODAY, 9)) == 1
    update_task(world.owner, task, {"remind_at": at(TODAY, 15)})
    assert send_task_reminders(at(TODAY, 14)) == 0
    assert send_task_reminders(at(TODAY, 15)) == 1


def test_overdue_requests_are_flagged_once_to_both_sides_and_the_manager(world: OrgWorld) -> None:
    scene = make_scene(world)  # role request due 2026-10-10, named request due 2026-10-09
    Notification.objects.all().delete()
    done = actions_requests.create_request(
        world.owner,
        {"customer": scene.customer, "assignee": world.teammate, "kind": "other", "subject": "已办", "working_days": 1},
        today=TODAY,
    )
    actions_requests.accept_request(world.teammate, done)
    actions_requests.complete_request(world.teammate, done, "好了")
    Notification.objects.all().delete()

    # 2026-10-09 23:59 in Beijing: the named request is due today, not yet overdue.
    assert flag_overdue_requests(at(date(2026, 10, 9), 23, 59)) == 0
    # 2026-10-09 16:30 UTC is already 2026-10-10 00:30 in Beijing: the named request is late.
    assert flag_overdue_requests(datetime(2026, 10, 9, 16, 30, tzinfo=UTC)) == 1
    named = f"/requests/{scene.named_request.pk}/"
    assert bell("request.overdue") == [("mgr_north", named), ("owner", named), ("service", named)]

    assert flag_overdue_requests(at(date(2026, 10, 12), 8)) == 1
    assert flag_overdue_requests(at(date(2026, 10, 13), 8)) == 0
    role = f"/requests/{scene.role_request.pk}/"
    # Nobody has taken the role request: the presales role hears of it instead of an assignee.
    assert [row for row in bell("request.overdue") if row[1] == role] == [
        ("collab", role),
        ("mgr_north", role),
        ("owner", role),
    ]
    note = Notification.objects.filter(kind="request.overdue", url=role).first()
    assert note is not None
    assert (note.title, note.body) == (
        "逾期的协调请求：技术方案",
        "客户：北京星辰科技有限公司。截止日期为 2026-10-10。",
    )
    flagged = CoordinationRequest.objects.filter(overdue_notified_at__isnull=False)
    assert sorted(flagged.values_list("pk", flat=True)) == sorted([scene.role_request.pk, scene.named_request.pk])


def test_overdue_flag_skips_finished_requests_and_requesters_without_manager(world: OrgWorld) -> None:
    scene = make_scene(world)
    actions_requests.cancel_request(world.owner, scene.role_request)
    User.objects.filter(pk=world.manager_north.pk).update(is_active=False)
    User.objects.filter(pk=world.director.pk).update(is_active=False)
    Notification.objects.all().delete()
    assert flag_overdue_requests(at(date(2026, 10, 12), 8)) == 1
    named = f"/requests/{scene.named_request.pk}/"
    assert bell("request.overdue") == [("owner", named), ("service", named)]
    assert flag_overdue_requests(at(date(2026, 10, 12), 8) + timedelta(days=30)) == 0
