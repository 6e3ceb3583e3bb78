"""Reads of the notification centre: a user's own notifications only, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from kam.core.models import Notification, User

PAGE_SIZE = 30
# Nobody pages this deep; a larger number is treated as this page (it shows an empty list).
MAX_PAGE = 100_000


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications (optionally only unread ones), newest first."""
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    number: int
    has_previous: bool
    has_next: bool

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything unreadable is page 1, anything huge the last allowed."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    if len(text) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(text), 1), MAX_PAGE)


def notification_page(
    user: User, *, unread_only: bool = False, number: int = 1, per_page: int = PAGE_SIZE
) -> NotificationPage:
    """One page of the user's notifications in one query (one row past the page tells whether there is a next)."""
    start = (number - 1) * per_page
    rows = list(notifications_for(user, unread_only=unread_only)[start : start + per_page + 1])
    return NotificationPage(
        items=rows[:per_page], number=number, has_previous=number > 1, has_next=len(rows) > per_page
    )
