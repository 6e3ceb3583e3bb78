"""Periodic jobs of tasks and coordination requests, run by `kam tick` (registered at import, from
AppConfig.ready()). Each takes `now` and returns how many records it handled; each record is claimed
with a conditional UPDATE first, so two ticks running at once never notify twice.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from kam.activities.actions_requests import shanghai_today
from kam.activities.models import CoordinationRequest, Task
from kam.activities.notify_tasks import notify_request_overdue, notify_task_reminder
from kam.core.queries import manager_of
from kam.core.tick import register_tick_job

BATCH = 500


def send_task_reminders(now: datetime) -> int:
    """Ring the owner of every open task whose reminder time has come, once per reminder time."""
    due = (
        Task.objects.filter(remind_at__lte=now, reminded_at__isnull=True, done_at__isnull=True)
        .select_related("owner")
        .order_by("remind_at", "id")
    )
    sent = 0
    for task in due[:BATCH]:
        with transaction.atomic():
            if Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=now):
                notify_task_reminder(task)
                sent += 1
    return sent


def flag_overdue_requests(now: datetime) -> int:
    """Tell both sides and the requester's manager, once, that a pending request passed its due date.

    "Both sides" of a request nobody has taken yet is the requester and every active user of the
    role asked: they are the ones who should pick it up.
    """
    today = shanghai_today(now)
    late = (
        CoordinationRequest.objects.pending()
        .filter(due_date__lt=today, overdue_notified_at__isnull=True)
        .select_related("customer", "requester", "requester__team", "assignee")
        .order_by("due_date", "id")
    )
    flagged = 0
    for request in late[:BATCH]:
        with transaction.atomic():
            if CoordinationRequest.objects.filter(pk=request.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            ):
                notify_request_overdue(request, manager_of(request.requester))
                flagged += 1
    return flagged


register_tick_job("activities.task_reminders", send_task_reminders)
register_tick_job("activities.overdue_requests", flag_overdue_requests)
