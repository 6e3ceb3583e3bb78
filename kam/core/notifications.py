"""Writes to in-app notifications (the bell in the header)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kam.core.models import Notification, User


@transaction.atomic
def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False when it is not theirs or does not exist.

    Already-read notifications keep their first read time, so the call is idempotent.
    """
    now = Value(timezone.now(), output_field=DateTimeField())
    matched = Notification.objects.filter(pk=notification_id, user=user).update(read_at=Coalesce(F("read_at"), now))
    return matched > 0
