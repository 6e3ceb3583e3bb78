"""Template filters of the account plan pages: money in 元 and a share in percent."""

from __future__ import annotations

from decimal import Decimal

from django import template

from kam.core.money import format_wan, format_yuan

register = template.Library()


@register.filter
def plan_yuan(value: Decimal | int | str | None) -> str:
    """¥1,234,567.80; an empty value as —."""
    if value is None or value == "":
        return "—"
    return format_yuan(value)


@register.filter
def plan_wan(value: Decimal | int | str | None) -> str:
    """123.46万 for the narrow grid cells; an empty value as —."""
    if value is None or value == "":
        return "—"
    return format_wan(value)


@register.filter
def plan_percent(value: Decimal | None) -> str:
    """30.00%; no value (no spend recorded) as —."""
    return "—" if value is None else f"{value}%"
