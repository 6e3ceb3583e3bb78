"""Writes to 待办 (tasks): create, change, done/undone, delete. Each one audited in its transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activities.models import Task, TaskPriority
from kam.activities.notify_tasks import notify_task_assigned
from kam.activities.queries_tasks import assignable_people, get_task_for_user
from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.customers.models import Contact, Customer
from kam.customers.queries import customer_access

TASK_FIELDS = ["title", "notes", "due_at", "remind_at", "priority", "customer", "contact", "owner"]


def _check_owner(actor: User, owner: User) -> None:
    if owner.pk != actor.pk and not assignable_people(actor).filter(pk=owner.pk).exists():
        raise refuse(_("Choose yourself or an active colleague in your team."), "owner")


def _check_link(actor: User, owner: User, customer: Customer | None, contact: Contact | None) -> None:
    """The customer must be one both the creator and the assignee can open; the contact one of its people."""
    if contact is not None and (customer is None or contact.customer_id != customer.pk):
        raise refuse(_("Choose a contact of the chosen customer."), "contact")
    if customer is None:
        return
    if not customer_access(actor, customer).read:
        raise refuse(_("Choose a customer you can open."), "customer")
    if owner.pk != actor.pk and not customer_access(owner, customer).read:
        raise refuse(_("%(name)s cannot open this customer; share it first.") % {"name": owner.name}, "customer")


def _check_times(due_at: datetime | None, remind_at: datetime | None) -> None:
    if due_at is not None and remind_at is not None and remind_at > due_at:
        raise refuse(_("The reminder cannot be later than the due time."), "remind_at")


TIME_FIELDS = ("due_at", "remind_at", "done_at")


def _local_times(task: Task) -> Task:
    """Times in Beijing time, so history rows read alike whether a value came from the database or a form."""
    for name in TIME_FIELDS:
        value = getattr(task, name)
        if value is not None:
            setattr(task, name, timezone.localtime(value))
    return task


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: values[name] for name in TASK_FIELDS if name in values}
    for name in ("due_at", "remind_at"):
        if data.get(name) is not None:
            data[name] = timezone.localtime(data[name])
    if "title" in data:
        data["title"] = " ".join(str(data["title"] or "").split())
        if not data["title"]:
            raise refuse(_("Enter what needs doing."), "title")
    if "priority" in data and data["priority"] not in TaskPriority.values:
        raise refuse(_("Choose a priority."), "priority")
    contact = data.get("contact")
    if contact is not None and data.get("customer") is None:
        # A contact alone says which customer the task is about.
        data["customer"] = contact.customer
    return data


@transaction.atomic
def create_task(actor: User, values: Mapping[str, Any]) -> Task:
    """A new task for the actor, or (managers, admins) for someone in their view; `values` as TASK_FIELDS."""
    data = _clean(values)
    owner: User = data.get("owner") or actor
    _check_owner(actor, owner)
    _check_link(actor, owner, data.get("customer"), data.get("contact"))
    _check_times(data.get("due_at"), data.get("remind_at"))
    task = Task.objects.create(
        organization_id=actor.organization_id,
        owner=owner,
        created_by=actor,
        title=data["title"],
        notes=data.get("notes") or "",
        due_at=data.get("due_at"),
        remind_at=data.get("remind_at"),
        priority=data.get("priority") or TaskPriority.NORMAL,
        customer=data.get("customer"),
        contact=data.get("contact"),
    )
    audit.record(actor, task, AuditAction.CREATE)
    notify_task_assigned(actor, task)
    return task


@transaction.atomic
def update_task(actor: User, task: Task, values: Mapping[str, Any]) -> Task:
    """Change the given fields (TASK_FIELDS); one audit row per changed field. A moved reminder rings again."""
    task = _local_times(get_task_for_user(actor, task.pk))
    Task.objects.select_for_update().filter(pk=task.pk).values_list("pk").get()
    data = _clean(values)
    changed = [name for name, value in data.items() if getattr(task, name) != value]
    if not changed:
        return task
    before = audit.snapshot(task, TASK_FIELDS)
    for name in changed:
        setattr(task, name, data[name])
    if {"owner", "customer", "contact"} & set(changed):
        if "owner" in changed:
            _check_owner(actor, task.owner)
        _check_link(actor, task.owner, task.customer, task.contact)
    _check_times(task.due_at, task.remind_at)
    update_fields = [*changed, "updated_at"]
    if "remind_at" in changed and task.reminded_at is not None:
        task.reminded_at = None
        update_fields.append("reminded_at")
    task.save(update_fields=update_fields)
    audit.record_changes(actor, task, before)
    if "owner" in changed:
        notify_task_assigned(actor, task)
    return task


@transaction.atomic
def set_task_done(actor: User, task: Task, done: bool, *, now: datetime | None = None) -> Task:
    """Tick a task off (or open it again). Repeating the same state changes nothing."""
    task = _local_times(get_task_for_user(actor, task.pk))
    Task.objects.select_for_update().filter(pk=task.pk).values_list("pk").get()
    if (task.done_at is not None) == done:
        return task
    before = audit.snapshot(task, ["done_at"])
    task.done_at = timezone.localtime(now or timezone.now()) if done else None
    task.save(update_fields=["done_at", "updated_at"])
    audit.record_changes(actor, task, before)
    return task


@transaction.atomic
def delete_task(actor: User, task: Task) -> None:
    """Delete a task. Tasks are personal notes, not records others rely on: the audit row keeps its trace."""
    task = get_task_for_user(actor, task.pk)
    audit.record(actor, task, AuditAction.DELETE)
    task.delete()
