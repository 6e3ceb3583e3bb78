"""The routes of the sweep: every URL pattern of the project (Django pages, the admin console, the
ninja routes under /api/v1/), one entry per distinct route; ninja registers one pattern per operation
of a path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    """One distinct URL route: its pattern text, URL names, path converters and (API) methods."""

    route: str  # "customers/<int:pk>/edit/"
    names: tuple[str, ...]  # URL names of every pattern with this route (ninja: one per operation)
    converters: dict[str, Any] = field(hash=False, compare=False)
    methods: tuple[str, ...] = ()  # the ninja operations' methods; empty for Django views (unknown)

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def __str__(self) -> str:
        return self.route or "/"


def _ninja_methods(callback: Any) -> tuple[str, ...]:
    """The HTTP methods of a ninja PathView behind a URL callback (empty for plain Django views)."""
    # ninja's view wrapper is a closure over its PathView, whose operations know their methods.
    for cell in getattr(callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations:
            return tuple(sorted({method for op in operations for method in op.methods}))
    return ()


def _walk(
    patterns: list[Any], prefix: str, converters: dict[str, Any]
) -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
    for pattern in patterns:
        merged = {**converters, **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), merged)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or "", pattern.callback, merged


def all_routes() -> list[Route]:
    """Every route of the project, in resolver order, one entry per distinct route text."""
    found: dict[str, Route] = {}
    for route, name, callback, converters in _walk(get_resolver().url_patterns, "", {}):
        methods = _ninja_methods(callback)
        if route in found:
            known = found[route]
            found[route] = Route(
                route, (*known.names, name), known.converters, tuple(sorted({*known.methods, *methods}))
            )
        else:
            found[route] = Route(route, (name,), converters, methods)
    return list(found.values())


PARAM_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<param>[^>]+)>")


def route_params(route: Route) -> list[str]:
    return [m.group("param") for m in PARAM_RE.finditer(route.route)]


def fill(route: Route, values: dict[str, Any]) -> str:
    return "/" + PARAM_RE.sub(lambda m: str(values[m.group("param")]), route.route)


def converter_accepts(route: Route, param: str, value: Any) -> bool:
    converter = route.converters.get(param)
    regex = getattr(converter, "regex", "[^/]+")
    return re.fullmatch(regex, str(value)) is not None
