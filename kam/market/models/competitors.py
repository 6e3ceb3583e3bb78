"""竞争对手 (the competitor master) and 价格情报 (competitor prices seen in the market)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Organization
from kam.customers.models import Customer


class PricePositioning(models.TextChoices):
    PREMIUM = "premium", _("Premium")
    PARITY = "parity", _("On par with us")
    VALUE = "value", _("Value")
    LOW = "low", _("Low price")


class Competitor(models.Model):
    """A company we meet in deals; its profile is shared by the whole organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    products = models.TextField(_("products"), blank=True)
    price_positioning = models.CharField(
        _("price positioning"), max_length=8, choices=PricePositioning.choices, blank=True
    )
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    tactics = models.TextField(_("typical tactics"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            # One profile per competitor name, so intel and deals point at the same row.
            models.UniqueConstraint(fields=["organization", "name"], name="competitor_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceConfidence(models.TextChoices):
    HIGH = "high", _("Confirmed")
    MEDIUM = "medium", _("Likely")
    LOW = "low", _("Hearsay")


class PriceIntel(models.Model):
    """One price of a competitor's product, as seen on a date (in a tender, from a customer, …)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    competitor = models.ForeignKey(
        Competitor, on_delete=models.CASCADE, related_name="prices", verbose_name=_("competitor")
    )
    product = models.CharField(_("product"), max_length=100)
    price = models.DecimalField(_("price (yuan)"), max_digits=18, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    observed_on = models.DateField(_("date"))
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("customer")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=PriceConfidence.choices, default=PriceConfidence.MEDIUM
    )
    notes = models.TextField(_("notes"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("price intelligence")
        verbose_name_plural = _("price intelligence")
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="price_intel_price_not_negative"),
        ]
        indexes = [
            # Price history of one competitor's product, oldest to newest.
            models.Index(fields=["competitor", "product", "observed_on"], name="price_intel_history_idx"),
            # The briefing's "new competitor intel" window.
            models.Index(fields=["organization", "created_at"], name="price_intel_org_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.competitor} · {self.product}"
