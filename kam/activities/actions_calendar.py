"""Writes of the calendar: creating or regenerating a user's secret .ics feed address."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from kam.activities.models import CalendarFeed
from kam.core import audit
from kam.core.models import AuditAction, User


def new_feed_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


@transaction.atomic
def regenerate_feed(actor: User) -> CalendarFeed:
    """Give `actor` a feed address with a fresh token; the previous address stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    created = feed is None
    if feed is None:
        try:
            with transaction.atomic():
                feed = CalendarFeed.objects.create(user=actor, token=new_feed_token())
        except IntegrityError:  # created concurrently: regenerate that one
            feed = CalendarFeed.objects.select_for_update().get(user=actor)
            created = False
    if not created:
        feed.token = new_feed_token()
        feed.created_at = timezone.now()  # when this address was made
        feed.save(update_fields=["token", "created_at"])
    # The token itself never goes into the history: the row says that the address changed.
    audit.record(actor, actor, AuditAction.CREATE if created else AuditAction.UPDATE, field="calendar_feed")
    return feed
