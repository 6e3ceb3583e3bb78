"""Small pieces shared by the customer views: the acting user, htmx detection, error plumbing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst

from kam.core.models import User


def actor_of(request: HttpRequest) -> User:
    """The logged-in user (views are wrapped in login_required)."""
    user = request.user
    assert isinstance(user, User)
    return user


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps a fragment; boosted navigation and history restores get the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def render_page_or_partial(request: HttpRequest, page: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """The same view serves the page and its htmx fragment; caches must keep the two apart."""
    response = render(request, partial if wants_partial(request) else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def error_map(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: list(msgs) for field, msgs in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: list(exc.messages)}


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put an action's refusal onto the form: on the named field when the form has it, else on top."""
    for field, msgs in error_map(exc).items():
        form.add_error(field if field in form.fields else None, msgs)


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Show an action's refusal as messages on the next page."""
    for msgs in error_map(exc).values():
        for msg in msgs:
            messages.error(request, msg)


def flash_form_errors(request: HttpRequest, form: forms.BaseForm) -> None:
    for name, errors in form.errors.items():
        label = capfirst(form.fields[name].label) if name in form.fields else None
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def next_url(request: HttpRequest, default: str) -> str:
    """The `next` field of a POST when it points into this site, else `default`."""
    target = request.POST.get("next", "")
    # Only paths: redirect() would try to reverse anything else as a URL name.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return default
