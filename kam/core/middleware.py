"""Refuse requests carrying NUL characters before any view runs.

PostgreSQL text cannot hold U+0000, so such a value would fail deep inside a query (a 500) instead
of as bad input. No real form field, query parameter or JSON string of KAM needs one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def _has_nul(request: HttpRequest) -> bool:
    for query in (request.GET, request.POST if request.method == "POST" else None):
        if query is not None:
            for key, values in query.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return True
    if request.content_type == "application/json":
        body = request.body
        # JSON spells NUL as the escape \u0000; a raw NUL byte is invalid JSON anyway.
        return b"\\u0000" in body or b"\x00" in body
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request):
            message = _("The request contains a NUL character, which no field accepts.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message)
        return self.get_response(request)
