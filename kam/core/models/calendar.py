"""The admin-editable override of China's working calendar (company days off, extra workdays)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models.org import Organization


class HolidayOverride(models.Model):
    """One date whose working status differs from the statutory calendar for this organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("date"))
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="holidayoverride_unique_day")]
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}"
