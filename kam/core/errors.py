"""Domain errors that views and the API translate into responses.

Missing and hidden records raise Http404 and read-only ones PermissionDenied (Django's own
exceptions, which both the views and django-ninja answer as 404 / 403). Refusals of a business
rule raise ValidationError with a field (or NON_FIELD_ERRORS) so the user sees where and why.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class StaleVersion(Exception):
    """The record changed since the client read it (If-Match / form version mismatch)."""

    def __init__(self, current: int) -> None:
        super().__init__(f"current version is {current}")
        self.current = current


def refuse(message: str, field: str = NON_FIELD_ERRORS) -> ValidationError:
    return ValidationError({field: [message]})
