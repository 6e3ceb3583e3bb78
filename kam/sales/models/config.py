"""What an admin configures for deals: business lines with their stages, stage gates, close reasons, product lines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization


class BusinessLine(models.Model):
    """业务线: a line of business with its own stage group (项目型 and 标准品 sell differently)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("business line")
        verbose_name_plural = _("business lines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="business_line_unique_name"),
            # New deals take the default line; there is at most one.
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(is_default=True), name="business_line_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """An open stage of a business line. Closing (赢单/输单/无效) is the deal's status, not a stage."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    business_line = models.ForeignKey(
        BusinessLine, on_delete=models.CASCADE, related_name="stages", verbose_name=_("business line")
    )
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("order"))
    default_probability = models.PositiveSmallIntegerField(_("default win rate (%)"))
    exit_criteria = models.TextField(_("exit criteria"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["business_line_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business_line", "name"], name="stage_unique_name_in_line"),
            models.CheckConstraint(
                condition=models.Q(default_probability__lte=100), name="stage_probability_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeddpiccElement(models.TextChoices):
    METRICS = "metrics", _("Metrics")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    DECISION_CRITERIA = "decision_criteria", _("Decision criteria")
    DECISION_PROCESS = "decision_process", _("Decision process")
    PAPER_PROCESS = "paper_process", _("Paper process")
    IDENTIFIED_PAIN = "identified_pain", _("Identified pain")
    CHAMPION = "champion", _("Champion")
    COMPETITION = "competition", _("Competition")


class StageGate(models.Model):
    """A minimum MEDDPICC score a deal needs before it may enter `stage`."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="gates", verbose_name=_("stage"))
    element = models.CharField(_("element"), max_length=20, choices=MeddpiccElement.choices)
    min_score = models.PositiveSmallIntegerField(_("minimum score"), default=1)

    class Meta:
        verbose_name = _("stage gate")
        verbose_name_plural = _("stage gates")
        constraints = [
            models.UniqueConstraint(fields=["stage", "element"], name="stage_gate_unique_element"),
            models.CheckConstraint(
                condition=models.Q(min_score__gte=1, min_score__lte=2), name="stage_gate_score_1_or_2"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} · {self.get_element_display()} ≥ {self.min_score}"


class CloseOutcome(models.TextChoices):
    WON = "won", pgettext_lazy("deal outcome", "Won")
    LOST = "lost", pgettext_lazy("deal outcome", "Lost")
    INVALID = "invalid", pgettext_lazy("deal outcome", "Invalid")


class CloseReason(models.Model):
    """An entry of the editable reason-code list for one outcome (输单原因: 价格, 关系 …)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=8, choices=CloseOutcome.choices)
    label = models.CharField(_("reason"), max_length=50)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("close reason")
        verbose_name_plural = _("close reasons")
        ordering = ["outcome", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "outcome", "label"], name="close_reason_unique_label"),
        ]

    def __str__(self) -> str:
        return self.label


class ProductLine(models.Model):
    """产品线: what we sell, in broad lines. The whitespace grid's columns; the catalog's products join it later."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="product_line_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
