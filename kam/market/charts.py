"""A small price-history line chart drawn on the server as inline SVG (no JavaScript, no library).

Every value that reaches the markup goes through format_html, so a product or unit typed by a user
cannot inject markup; coordinates are numbers we compute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from kam.core.money import format_yuan

WIDTH = 480
HEIGHT = 200
PAD_X = 16
PAD_TOP = 24
PAD_BOTTOM = 28


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str


def _span(low: float, high: float, value: float) -> float:
    """Where `value` falls between `low` and `high` (0…1); a flat series sits in the middle."""
    return 0.5 if high == low else (value - low) / (high - low)


def chart_points(series: Sequence[tuple[date, Decimal]]) -> list[ChartPoint]:
    """Place (date, price) pairs on the canvas: x by day, y by price (higher price, higher point)."""
    if not series:
        return []
    days = [day.toordinal() for day, _ in series]
    prices = [float(price) for _, price in series]
    first, last = min(days), max(days)
    low, high = min(prices), max(prices)
    width = WIDTH - 2 * PAD_X
    height = HEIGHT - PAD_TOP - PAD_BOTTOM
    points = []
    for (day, price), ordinal, value in zip(series, days, prices, strict=True):
        x = PAD_X + _span(first, last, ordinal) * width
        y = PAD_TOP + (1 - _span(low, high, value)) * height
        points.append(ChartPoint(round(x, 1), round(y, 1), f"{day:%Y-%m-%d} {format_yuan(price)}"))
    return points


def price_chart(series: Sequence[tuple[date, Decimal]], title: str) -> SafeString:
    """The <svg> of a price history: a polyline through the points, a dot per price, the range as labels."""
    points = chart_points(series)
    if not points:
        return SafeString("")
    line = " ".join(f"{point.x:g},{point.y:g}" for point in points)
    dots = format_html_join(
        "",
        '<circle class="competitors-chart-dot" cx="{}" cy="{}" r="4"><title>{}</title></circle>',
        ((f"{point.x:g}", f"{point.y:g}", point.label) for point in points),
    )
    prices = [price for _, price in series]
    return format_html(
        '<svg class="competitors-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        "<title>{}</title>"
        '<line class="competitors-chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
        '<polyline class="competitors-chart-line" points="{}"></polyline>{}'
        '<text class="competitors-chart-label" x="{}" y="16">{}</text>'
        '<text class="competitors-chart-label" x="{}" y="{}">{}</text>'
        '<text class="competitors-chart-label competitors-chart-end" x="{}" y="{}">{}</text>'
        "</svg>",
        WIDTH,
        HEIGHT,
        title,
        title,
        PAD_X,
        HEIGHT - PAD_BOTTOM + 6,
        WIDTH - PAD_X,
        HEIGHT - PAD_BOTTOM + 6,
        line,
        dots,
        PAD_X,
        f"{format_yuan(min(prices))} – {format_yuan(max(prices))}",
        PAD_X,
        HEIGHT - 6,
        f"{series[0][0]:%Y-%m-%d}",
        WIDTH - PAD_X,
        HEIGHT - 6,
        f"{series[-1][0]:%Y-%m-%d}",
    )
