"""拜访 (visits): planned on the calendar, checked in and out on the phone, ending in a follow-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.activities.models.followups import FollowUp
from kam.core.models import Organization
from kam.customers.models import Customer


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CHECKED_IN = "in", _("Checked in")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Visit(models.Model):
    """A customer visit. Positions come from the browser; distances are to the customer's stored point."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="visits", verbose_name=_("customer"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("visitor")
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    planned_at = models.DateTimeField(_("planned time"))
    planned_minutes = models.PositiveIntegerField(_("planned duration (minutes)"), default=60)
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    check_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Metres to the customer's stored coordinates; null when the customer has none.
    check_in_distance_m = models.PositiveIntegerField(_("check-in distance (m)"), null=True, blank=True)
    check_in_out_of_range = models.BooleanField(_("check-in out of range"), default=False)
    check_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_out_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_distance_m = models.PositiveIntegerField(_("check-out distance (m)"), null=True, blank=True)
    check_out_out_of_range = models.BooleanField(_("check-out out of range"), default=False)
    stay_minutes = models.PositiveIntegerField(_("stay (minutes)"), null=True, blank=True)
    followup = models.OneToOneField(
        FollowUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="visit", verbose_name=_("follow-up")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            # Calendar and briefing: a user's visits in a time window.
            models.Index(fields=["organization", "owner", "planned_at"], name="visit_owner_planned_idx"),
            # Customer timeline and the tier-cadence check (last visit of a customer).
            models.Index(fields=["customer", "-planned_at"], name="visit_customer_planned_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.planned_at:%Y-%m-%d}"
