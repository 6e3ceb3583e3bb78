"""明日计划 (the next-day plan): ranked candidates from the plan sources, accepted by the rep."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Organization
from kam.customers.models import Customer


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACCEPTED = "accepted", _("Accepted")


class DayPlan(models.Model):
    """The plan of one user for one working day; once accepted it is that day's agenda."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="day_plans")
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("day plan")
        verbose_name_plural = _("day plans")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="dayplan_unique_user_day")]

    def __str__(self) -> str:
        return f"{self.user} · {self.day}"


class PlanItem(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(DayPlan, on_delete=models.CASCADE, related_name="items")
    # Which plan source proposed it ("followup_due", "cadence", ...; "manual" for the rep's own).
    source = models.CharField(_("source"), max_length=30)
    # The source's key for the underlying record ("customer:12", "task:7"), so a re-draft does not duplicate.
    ref = models.CharField(max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    score = models.FloatField(_("score"), default=0)
    position = models.PositiveIntegerField(_("position"), default=0)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    url = models.CharField(max_length=300, blank=True)
    dropped = models.BooleanField(_("dropped"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["position", "id"]
        constraints = [
            # One item per underlying record in a plan; manual items have no ref and may repeat.
            models.UniqueConstraint(fields=["plan", "ref"], condition=~models.Q(ref=""), name="planitem_unique_ref"),
        ]

    def __str__(self) -> str:
        return self.title
