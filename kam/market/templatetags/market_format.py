"""Template filters of the market pages: money in 元 (¥1,234.50) and a win rate in percent."""

from __future__ import annotations

from decimal import Decimal

from django import template

from kam.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(value: Decimal | int | str | None) -> str:
    """¥1,234,567.80; an empty value as —."""
    if value is None or value == "":
        return "—"
    return format_yuan(value)


@register.filter
def percent(value: Decimal | None) -> str:
    """66.67%; no value (nothing decided yet) as —."""
    return "—" if value is None else f"{value}%"
