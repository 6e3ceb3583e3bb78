"""日报 / 周报 / 月报: drafted by KAM from the period's records, edited and submitted by the rep."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Organization, Role, Team


class ReportKind(models.TextChoices):
    DAILY = "daily", _("Daily report")
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class WorkReport(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_reports", verbose_name=_("author")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ReportKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # 今日工作 as drafted from the records: [{"customer_id", "customer", "items": [{"kind", "time", "text"}]}];
    # kept as written at submission so the report does not change when records change later.
    work = models.JSONField(_("work done"), default=list, blank=True)
    # 销售简报: {"new_customers": 2, "followups": 5, "visits": 1, ...}; later modules add keys.
    stats = models.JSONField(_("sales summary"), default=dict, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    problems = models.TextField(_("problems met"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        constraints = [
            models.UniqueConstraint(fields=["author", "kind", "period_start"], name="report_unique_period"),
        ]
        indexes = [
            # The manager's view: reports of a period by kind, across the team.
            models.Index(fields=["organization", "kind", "period_start"], name="report_org_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author} · {self.get_kind_display()} · {self.period_start}"


class ReportRead(models.Model):
    """A read receipt: who opened a submitted report, first time only."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(WorkReport, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["report", "reader"], name="reportread_unique_reader")]


class ReportComment(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(WorkReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]


class ReportRule(models.Model):
    """Who must submit which report by when: users of `role` in `team`'s subtree (or everywhere).

    Daily reports are due on working days at `due_time`; weekly on the last working day of the
    week; monthly on the last working day of the month.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=ReportKind.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    due_time = models.TimeField(_("due by"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("report rule")
        verbose_name_plural = _("report rules")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "role", "team"], name="reportrule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_role_display()}"
