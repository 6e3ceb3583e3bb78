"""What every page's layout needs: the unread badge of the bell and the language switch."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from kam.core.models import User
from kam.core.queries import unread_count


def layout(request: HttpRequest) -> dict[str, Any]:
    """The unread count is a cached callable: one query, and only when a template shows it."""
    user = getattr(request, "user", None)
    unread: Callable[[], int] | int = 0
    if isinstance(user, User) and user.is_authenticated:
        unread = cache(lambda: unread_count(user))
    return {
        "unread_notifications": unread,
        "current_language": get_language(),
        "kam_languages": settings.LANGUAGES,
    }
