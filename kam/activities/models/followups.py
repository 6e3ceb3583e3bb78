"""跟进记录 (follow-ups) and their attachments: the communication record of a customer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization
from kam.customers.models import Contact, Customer


class FollowUpKind(models.TextChoices):
    CALL = "call", _("Phone call")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    EMAIL = "email", pgettext_lazy("follow-up kind", "Email")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    EVENT = "event", _("Event")


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def between(self, start: object, end: object) -> FollowUpQuerySet:
        """Follow-ups that happened in [start, end)."""
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)


class FollowUp(models.Model):
    """One contact with a customer. Saving one moves the customer's last follow-up (the pool clock)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="followups", verbose_name=_("customer")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="followups", verbose_name=_("recorded by")
    )
    kind = models.CharField(_("type"), max_length=8, choices=FollowUpKind.choices)
    occurred_at = models.DateTimeField(_("time"))
    content = models.TextField(_("content"))
    # 客户反馈 is its own field because the morning briefing collects it across the team.
    feedback = models.TextField(_("customer feedback"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_followup_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    contacts = models.ManyToManyField(Contact, blank=True, related_name="followups", verbose_name=_("contacts met"))
    # The deal this contact was about, if any: keeps the deal's "last activity" (stale deals) honest.
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("deal"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            # The customer timeline, newest first.
            models.Index(fields=["customer", "-occurred_at"], name="followup_customer_time_idx"),
            # A user's day (日报, briefing): follow-ups by author in a time window.
            models.Index(fields=["organization", "author", "occurred_at"], name="followup_author_time_idx"),
            # The briefing's team-wide window (yesterday's follow-ups of every team member).
            models.Index(fields=["organization", "occurred_at"], name="followup_org_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_kind_display()}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    FILE = "file", _("File")


class Attachment(models.Model):
    """A photo or file of a follow-up or a visit; served only through an access-checked view."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    visit = models.ForeignKey(
        "activities.Visit", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=5, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            # Exactly one parent: a follow-up or a visit.
            models.CheckConstraint(
                condition=models.Q(followup__isnull=False, visit__isnull=True)
                | models.Q(followup__isnull=True, visit__isnull=False),
                name="attachment_one_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name
