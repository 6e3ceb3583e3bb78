"""Writes to in-app notifications (the bell in the header): marking them read.

Only the notification's own user may mark it; anyone else gets the same answer as for a missing one.
Sending notifications is kam.core.notify.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kam.core.models import Notification, User
from kam.core.queries import get_or_404


@transaction.atomic
def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False when it is not theirs or does not exist.

    Already-read notifications keep their first read time, so the call is idempotent.
    """
    now = Value(timezone.now(), output_field=DateTimeField())
    matched = Notification.objects.filter(pk=notification_id, user=user).update(read_at=Coalesce(F("read_at"), now))
    return matched > 0


@transaction.atomic
def read_notification(user: User, notification_id: int, *, now: datetime | None = None) -> Notification:
    """Mark one of the user's notifications read (keeping an earlier read time) and return it; 404 otherwise."""
    notification = get_or_404(Notification.objects.filter(user=user), notification_id)
    if notification.read_at is None:
        now = now or timezone.now()
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    """Mark every unread notification of the user read; returns how many there were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now or timezone.now())
