"""市场动态 (market news): what the team heard in the market, shown in the morning briefing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization, Team
from kam.customers.models import Industry, Region


class MarketNews(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    # The team it is shared with (and every team below it); null shares it with the whole organization.
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("shared with")
    )
    title = models.CharField(pgettext_lazy("record", "title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("industry")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("market news")
        verbose_name_plural = _("market news")
        indexes = [
            # Briefing and news list: newest first within an organization.
            models.Index(fields=["organization", "-created_at"], name="news_org_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title
