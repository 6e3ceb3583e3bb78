"""客户公海: pools, their members and admins, and the rules that return customers to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Organization


class Pool(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    claim_daily_cap = models.PositiveIntegerField(_("claims per user per day"), default=5)
    reclaim_cooldown_days = models.PositiveIntegerField(_("days before a previous owner may reclaim"), default=30)
    warn_days_before = models.PositiveIntegerField(_("warn owners this many days before recycling"), default=3)

    class Meta:
        verbose_name = _("public pool")
        verbose_name_plural = _("public pools")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="pool_unique_name")]

    def __str__(self) -> str:
        return self.name


class PoolMember(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pool_memberships")
    is_admin = models.BooleanField(_("pool admin"), default=False)

    class Meta:
        verbose_name = _("pool member")
        verbose_name_plural = _("pool members")
        constraints = [models.UniqueConstraint(fields=["pool", "user"], name="poolmember_unique_user")]


class RecycleReason(models.TextChoices):
    NO_FOLLOWUP = "no_followup", _("No follow-up")
    NOT_WON = "not_won", _("Not won")
    # The deals module registers this clock (kam/sales/pool_clock.py); without it nothing is due.
    NO_OPEN_DEAL = "no_open_deal", _("No open deal")


class PoolRule(models.Model):
    """Return an owned customer to `pool` after `days` without follow-up / without a win / without a deal.

    A rule applies to customers whose owner is a member of the pool, optionally only to one tier.
    """

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="rules")
    reason = models.CharField(_("rule"), max_length=12, choices=RecycleReason.choices)
    tier = models.CharField(_("tier"), max_length=1, blank=True, help_text=_("Empty means every tier."))
    days = models.PositiveIntegerField(_("days"))
    exempt_locked = models.BooleanField(_("locked customers are exempt"), default=True)
    exempt_won = models.BooleanField(_("won customers are exempt"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pool rule")
        verbose_name_plural = _("pool rules")
        constraints = [
            models.UniqueConstraint(fields=["pool", "reason", "tier"], name="poolrule_unique_reason_tier"),
        ]
