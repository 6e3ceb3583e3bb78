"""Authentication: a model backend that locks an account after repeated failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from kam.core.models import User


class AccountLocked(Exception):
    """Raised so the login form can tell a locked account from a wrong password."""

    def __init__(self, until: Any) -> None:
        super().__init__(str(until))
        self.until = until


class ThrottledModelBackend(ModelBackend):
    """After KAM_LOGIN_MAX_FAILURES wrong passwords the account is locked for KAM_LOGIN_LOCK_MINUTES."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or password is None:
            return None
        user = User.objects.filter(username=username).first()
        now = timezone.now()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            raise AccountLocked(user.locked_until)
        authenticated = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if authenticated is None:
            # A deactivated account is refused without counting a failure: locking it would
            # only get in the way of an admin who reactivates it.
            if user.is_active:
                register_failed_login(user)
            return None
        if user.failed_logins or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        return authenticated  # type: ignore[return-value]


def register_failed_login(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins"])
    if user.failed_logins >= settings.KAM_LOGIN_MAX_FAILURES:
        until = timezone.now() + timedelta(minutes=settings.KAM_LOGIN_LOCK_MINUTES)
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=until)
