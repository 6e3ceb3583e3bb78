"""Field-level audit history: who changed which field, when, from what to what."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models.org import Organization


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Moved to recycle bin")
    RESTORE = "restore", _("Restored")
    PURGE = "purge", _("Purged")
    MERGE = "merge", _("Merged")
    OWNER = "owner", _("Owner changed")


class AuditEntry(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # "customers.customer" — a label, not a generic FK, so purged rows keep their history.
    entity = models.CharField(max_length=50)
    entity_id = models.BigIntegerField()
    entity_repr = models.CharField(max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=AuditAction.choices)
    field = models.CharField(_("field"), max_length=50, blank=True)
    old = models.TextField(_("old value"), blank=True)
    new = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            # History panel of one record, newest first.
            models.Index(fields=["entity", "entity_id", "-at"], name="audit_entity_at_idx"),
        ]
