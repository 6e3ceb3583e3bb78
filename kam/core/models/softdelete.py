"""Soft delete: rows go to the 回收站 and can be restored for 30 days."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models

RECYCLE_BIN_DAYS = 30


_M = TypeVar("_M", bound=models.Model)


class AliveManager(models.Manager[_M]):
    """The default manager hides deleted rows, so no query forgets to."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
