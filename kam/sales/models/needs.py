"""需求分析 as versions: every change to a deal's needs is a new version, so 需求变化 has a history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization
from kam.sales.models.opportunity import Opportunity


class NeedsVersion(models.Model):
    """The whole needs analysis of a deal as it stood after one change (V1, V2 …). The newest is current."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="needs_versions")
    number = models.PositiveIntegerField(_("version"))
    pain = models.TextField(_("pain"), blank=True)
    budget_min = models.DecimalField(_("budget from (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(_("budget to (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    timeline = models.CharField(_("timeline"), max_length=200, blank=True)
    decision_criteria = models.TextField(_("decision criteria"), blank=True)
    solution_notes = models.TextField(_("solution notes"), blank=True)
    # Why the needs changed (required from V2 on): the customer's words, a new stakeholder, a budget cut …
    reason = models.CharField(_("reason for change"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    created_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("needs version")
        verbose_name_plural = _("needs versions")
        constraints = [
            # Two concurrent edits cannot both become version n.
            models.UniqueConstraint(fields=["opportunity", "number"], name="needs_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="needs_budget_range_ordered",
            ),
        ]
        indexes = [
            # The briefing's need changes: versions created in a window.
            models.Index(fields=["organization", "created_at"], name="needs_version_org_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} V{self.number}"


class RequirementPriority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Necessity(models.TextChoices):
    MUST = "must", _("Must have")
    NICE = "nice", _("Nice to have")


class Fit(models.TextChoices):
    MET = "met", pgettext_lazy("requirement fit", "Met")
    PARTLY = "partly", pgettext_lazy("requirement fit", "Partly met")
    NOT_MET = "not_met", pgettext_lazy("requirement fit", "Not met")
    WORKAROUND = "workaround", pgettext_lazy("requirement fit", "Workaround")


class RequirementItem(models.Model):
    """One requirement of one needs version. `key` follows the same requirement across versions for the diff."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(NeedsVersion, on_delete=models.CASCADE, related_name="items")
    key = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("requirement"), max_length=500)
    priority = models.CharField(
        _("priority"), max_length=6, choices=RequirementPriority.choices, default=RequirementPriority.MEDIUM
    )
    necessity = models.CharField(_("must or nice"), max_length=4, choices=Necessity.choices, default=Necessity.MUST)
    fit = models.CharField(_("our fit"), max_length=10, choices=Fit.choices, default=Fit.MET)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="requirement_unique_key_in_version"),
        ]

    def __str__(self) -> str:
        return self.description
