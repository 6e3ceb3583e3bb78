"""Qualifying a deal: Blue Sheet buying influences, MEDDPICC scores and the competitors present."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization
from kam.customers.models import Contact
from kam.sales.models.config import MeddpiccElement
from kam.sales.models.opportunity import Opportunity


class InfluenceRole(models.TextChoices):
    ECONOMIC = "economic", _("Economic buyer")
    USER = "user", _("User buyer")
    TECHNICAL = "technical", _("Technical buyer")
    COACH = "coach", _("Coach")


class InfluenceDegree(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ResponseMode(models.TextChoices):
    GROWTH = "growth", _("Growth")
    TROUBLE = "trouble", _("Trouble")
    EVEN_KEEL = "even_keel", _("Even keel")
    OVERCONFIDENT = "overconfident", _("Overconfident")


class BuyingInfluence(models.Model):
    """A person who influences this deal's decision, with the role they play in it (Blue Sheet)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="influences")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="buying_influences", verbose_name=_("contact")
    )
    role = models.CharField(_("buying role"), max_length=10, choices=InfluenceRole.choices)
    influence = models.CharField(
        _("influence"), max_length=6, choices=InfluenceDegree.choices, default=InfluenceDegree.MEDIUM
    )
    response_mode = models.CharField(_("response mode"), max_length=13, choices=ResponseMode.choices, blank=True)
    rating = models.SmallIntegerField(_("rating (−5…+5)"), default=0)
    personal_win = models.CharField(_("personal win"), max_length=300, blank=True)
    business_result = models.CharField(_("business result"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Added after the deal had been qualified: a "new person" red flag until someone meets them.
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("buying influence")
        verbose_name_plural = _("buying influences")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact", "role"], name="influence_unique_role"),
            models.CheckConstraint(condition=models.Q(rating__gte=-5, rating__lte=5), name="influence_rating_range"),
            # Blue Sheet: exactly one economic buyer releases the money.
            models.UniqueConstraint(
                fields=["opportunity"], condition=models.Q(role="economic"), name="influence_one_economic_buyer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.get_role_display()}"


class QualificationScore(models.Model):
    """One MEDDPICC element of a deal: 0 unknown, 1 identified, 2 validated with the buyer, with evidence."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="qualification")
    element = models.CharField(_("element"), max_length=20, choices=MeddpiccElement.choices)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    evidence = models.TextField(_("evidence"), blank=True)
    # The person behind the element: the economic buyer, the champion.
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("contact")
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("MEDDPICC score")
        verbose_name_plural = _("MEDDPICC scores")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "element"], name="qualification_unique_element"),
            models.CheckConstraint(condition=models.Q(score__lte=2), name="qualification_score_0_2"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} · {self.get_element_display()} {self.score}"


class CompetitorStatus(models.TextChoices):
    INCUMBENT = "incumbent", _("Incumbent")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    ELIMINATED = "eliminated", _("Eliminated")
    WON = "won", pgettext_lazy("competitor in deal", "Won")


class DealCompetitor(models.Model):
    """A competitor present in a deal and where it stands."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="competitors")
    competitor = models.ForeignKey(
        "market.Competitor", on_delete=models.PROTECT, related_name="deals", verbose_name=_("competitor")
    )
    status = models.CharField(
        _("status"), max_length=11, choices=CompetitorStatus.choices, default=CompetitorStatus.SHORTLISTED
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("competitor in deal")
        verbose_name_plural = _("competitors in deals")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "competitor"], name="deal_competitor_unique"),
        ]
        indexes = [
            # Win rate by competitor: the deals each competitor was in.
            models.Index(fields=["competitor", "opportunity"], name="deal_competitor_comp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} · {self.competitor}"
