"""待办 (tasks): a user's to-dos, optionally about a customer or contact."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization
from kam.customers.models import Contact, Customer


class TaskPriority(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.filter(done_at__isnull=True)


class Task(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("assignee")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    title = models.CharField(pgettext_lazy("record", "title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    remind_at = models.DateTimeField(_("reminder"), null=True, blank=True)
    # Set when the reminder notification went out, so `kam tick` sends it once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    priority = models.CharField(_("priority"), max_length=6, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name=_("customer")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("contact")
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # My open tasks by due time (task list, plan source, calendar).
            models.Index(fields=["owner", "done_at", "due_at"], name="task_owner_open_due_idx"),
            # Reminder sweep of `kam tick`: reminders not yet sent (reminded_at null) that are due.
            models.Index(fields=["reminded_at", "remind_at"], name="task_reminder_idx"),
        ]

    def __str__(self) -> str:
        return self.title
