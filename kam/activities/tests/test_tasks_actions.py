"""Writes to tasks: who may assign, which customer and contact may be linked, reminder before due, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from kam.activities.actions_tasks import create_task, delete_task, set_task_done, update_task
from kam.activities.models import Task, TaskPriority
from kam.activities.tests.fixtures_tasks import (  # noqa: F401 - _english_messages is autouse
    TODAY,
    _english_messages,
    at,
    make_customer,
)
from kam.conftest import OrgWorld
from kam.core.models import AuditAction, AuditEntry, Notification
from kam.customers.actions import create_contact


def fields_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_rep_creates_a_task_for_themselves_with_an_audit_row(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    task = create_task(world.owner, {"title": "  准备  报价单 ", "customer": customer, "priority": TaskPriority.HIGH})
    assert (task.owner, task.created_by, task.title, task.priority) == (world.owner, world.owner, "准备 报价单", "high")
    assert task.organization_id == world.org.pk
    entry = AuditEntry.objects.get(entity="activities.task", entity_id=task.pk)
    assert (entry.action, entry.actor) == (AuditAction.CREATE, world.owner)
    assert not Notification.objects.exists()


def test_rep_cannot_give_a_task_to_a_teammate(world: OrgWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        create_task(world.owner, {"title": "帮我打电话", "owner": world.teammate})
    assert fields_of(exc) == {"owner": ["Choose yourself or an active colleague in your team."]}
    assert not Task.objects.exists()


def test_manager_assigns_a_task_in_their_team_and_the_assignee_is_told(world: OrgWorld) -> None:
    task = create_task(world.manager_north, {"title": "回访客户", "owner": world.owner})
    assert (task.owner, task.created_by) == (world.owner, world.manager_north)
    note = Notification.objects.get()
    assert (note.user, note.kind, note.url) == (world.owner, "task.assigned", f"/tasks/{task.pk}/")
    assert note.title == "mgr_north给你安排了待办：回访客户"


def test_manager_cannot_assign_outside_their_subtree(world: OrgWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        create_task(world.manager_north, {"title": "回访客户", "owner": world.stranger})
    assert list(fields_of(exc)) == ["owner"]


def test_linked_customer_must_be_visible_to_creator_and_assignee(world: OrgWorld) -> None:
    mine = make_customer(world.manager_north, "经理自己的客户有限公司")
    hidden = make_customer(world.stranger, "上海别人的客户有限公司")
    with pytest.raises(ValidationError) as exc:
        create_task(world.owner, {"title": "看看", "customer": hidden})
    assert fields_of(exc) == {"customer": ["Choose a customer you can open."]}
    with pytest.raises(ValidationError) as exc:
        create_task(world.manager_north, {"title": "跟进", "customer": mine, "owner": world.owner})
    assert fields_of(exc) == {"customer": ["owner cannot open this customer; share it first."]}
    assert not Task.objects.exists()


def test_contact_must_belong_to_the_customer_and_alone_implies_it(world: OrgWorld) -> None:
    first = make_customer(world.owner, "北京星辰科技有限公司")
    second = make_customer(world.owner, "北京月光科技有限公司")
    contact = create_contact(world.owner, first, {"name": "张伟"})
    with pytest.raises(ValidationError) as exc:
        create_task(world.owner, {"title": "约见", "customer": second, "contact": contact})
    assert fields_of(exc) == {"contact": ["Choose a contact of the chosen customer."]}
    task = create_task(world.owner, {"title": "约见", "contact": contact})
    assert (task.customer, task.contact) == (first, contact)


def test_reminder_may_not_be_later_than_due_time(world: OrgWorld) -> None:
    due = at(TODAY, 17)
    with pytest.raises(ValidationError) as exc:
        create_task(world.owner, {"title": "提交", "due_at": due, "remind_at": due + timedelta(minutes=1)})
    assert fields_of(exc) == {"remind_at": ["The reminder cannot be later than the due time."]}
    task = create_task(world.owner, {"title": "提交", "due_at": due, "remind_at": due})
    assert task.remind_at == due
    with pytest.raises(ValidationError):
        update_task(world.owner, task, {"due_at": due - timedelta(hours=1)})
    task.refresh_from_db()
    assert task.due_at == due


def test_update_audits_each_changed_field_and_rearms_a_moved_reminder(world: OrgWorld) -> None:
    task = create_task(world.owner, {"title": "提交", "due_at": at(TODAY, 17), "remind_at": at(TODAY, 9)})
    Task.objects.filter(pk=task.pk).update(reminded_at=at(TODAY, 9))
    update_task(world.owner, task, {"title": "提交方案", "remind_at": at(TODAY, 15), "priority": "normal"})
    task.refresh_from_db()
    assert (task.title, task.remind_at, task.reminded_at) == ("提交方案", at(TODAY, 15), None)
    changes = AuditEntry.objects.filter(entity_id=task.pk, action=AuditAction.UPDATE).order_by("field")
    assert [(e.field, e.old, e.new) for e in changes] == [
        ("remind_at", "2026-09-30 09:00", "2026-09-30 15:00"),
        ("title", "提交", "提交方案"),
    ]


def test_done_and_undone_are_audited_and_idempotent(world: OrgWorld) -> None:
    task = create_task(world.owner, {"title": "提交"})
    now = at(TODAY, 10)
    set_task_done(world.owner, task, True, now=now)
    set_task_done(world.owner, task, True, now=now + timedelta(hours=1))
    task.refresh_from_db()
    assert task.done_at == now
    set_task_done(world.manager_north, task, False)
    task.refresh_from_db()
    assert task.done_at is None
    rows = AuditEntry.objects.filter(entity_id=task.pk, field="done_at").order_by("id")
    assert [(e.actor, e.old, e.new) for e in rows] == [
        (world.owner, "", "2026-09-30 10:00"),
        (world.manager_north, "2026-09-30 10:00", ""),
    ]


def test_delete_keeps_an_audit_row_and_others_cannot_delete(world: OrgWorld) -> None:
    task = create_task(world.owner, {"title": "提交"})
    with pytest.raises(Http404):
        delete_task(world.teammate, task)
    delete_task(world.owner, task)
    assert not Task.objects.exists()
    entry = AuditEntry.objects.get(entity_id=task.pk, action=AuditAction.DELETE)
    assert (entry.entity, entry.entity_repr, entry.actor) == ("activities.task", "提交", world.owner)
