"""API authentication: a personal bearer token, or the browser session with its CSRF token.

Both answer None for anyone who is not an active member of an organization, so django-ninja
replies 401. Handlers read the acting user with `actor(request)`, never from global state.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kam.core.actions import user_for_token
from kam.core.models import User


def _member(user: Any) -> User | None:
    if isinstance(user, User) and user.is_authenticated and user.is_active and user.organization_id is not None:
        return user
    return None


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer kam_…` — a personal token created on the settings page or with `kam token`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = _member(user_for_token(token.strip()))
        if user is not None:
            # Code below the API (messages, logging) may read request.user; make it the token's owner.
            request.user = user
        return user


class OrgSessionAuth(APIKeyCookie):
    """The logged-in browser session. Unsafe methods need the CSRF token, as on the web pages.

    The CSRF check runs only when there is a member session to protect, so an anonymous call
    answers 401 (not a CSRF 403) and tells the client to authenticate.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User | None:
        user = _member(getattr(request, "user", None))
        if user is None:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed. Reload the page and try again."))
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _member(getattr(request, "user", None))


API_AUTH = [BearerTokenAuth(), OrgSessionAuth()]


def actor(request: HttpRequest) -> User:
    """The authenticated member behind this API request."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "API handler reached without authentication"
    return user
