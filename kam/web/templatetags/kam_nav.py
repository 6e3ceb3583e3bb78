"""The main menu's links: shown only for pages that exist, marked current for the whole section."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(
    context: dict[str, Any], url_name: str, label: str, exact: bool = False, section: str = ""
) -> SafeString | str:
    """`<a>` to `url_name`, aria-current when the request is in that section (its path prefix).

    `exact` for a section whose path prefixes other sections (/customers/ holds the pool pages);
    `section` when the section is wider than the link (the week view links /calendar/week/).
    """
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == url if exact or url == "/" else path.startswith(section or url)
    if current:
        return format_html('<a href="{}" aria-current="page">{}</a>', url, label)
    return format_html('<a href="{}">{}</a>', url, label)
