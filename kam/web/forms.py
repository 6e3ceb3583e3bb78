"""Forms of the web shell: login that tells a locked account apart, API token names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kam.core.auth import AccountLocked


class LoginForm(AuthenticationForm):
    """Django's login form; a throttled account answers with its unlock time, not "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password. After %(max_failures)d failed attempts in a row "
            "the account is locked for %(lock_minutes)d minutes."
        ),
        "locked": _("Too many failed logins: this account is locked until %(until)s. Try again later."),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except AccountLocked as exc:
            until = formats.date_format(timezone.localtime(exc.until), "Y-m-d H:i")
            raise ValidationError(self.error_messages["locked"], code="locked", params={"until": until}) from exc

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "max_failures": settings.KAM_LOGIN_MAX_FAILURES,
                "lock_minutes": settings.KAM_LOGIN_LOCK_MINUTES,
            },
        )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script or tool that uses it."),
    )
