"""Reference data shipped as fixtures: GB/T 4754 industries, GB/T 2260 regions, city tiers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.Model):
    """GB/T 4754-2017: a 门类 (section, one letter) or a 大类 (division, two digits)."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    section = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="divisions", verbose_name=_("section")
    )

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")


class Region(models.Model):
    """GB/T 2260: provinces and prefecture-level cities, with a centre point."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=8, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="cities", verbose_name=_("province")
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CityTier(models.Model):
    """城市等级 by list version (there is no official list; lists are republished yearly)."""

    version = models.CharField(_("version"), max_length=20)
    city = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="tiers")
    tier = models.CharField(_("city tier"), max_length=10)

    class Meta:
        verbose_name = _("city tier")
        verbose_name_plural = _("city tiers")
        constraints = [
            models.UniqueConstraint(fields=["version", "city"], name="citytier_unique_version_city"),
        ]
