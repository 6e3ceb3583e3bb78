"""Building blocks for briefing sections (built-in and those of later modules): a LIMITed read
with its total, record links, and the table a section returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone

from kam.core.models import User
from kam.planning.registry import BriefingBlock

ROWS = 50  # rows a section shows; `total` tells how many there were
TEXT_CHARS = 120  # long texts are cut to this in a table cell

_M = TypeVar("_M", bound=Model)
_Row = TypeVar("_Row")


def take(queryset: QuerySet[_M], limit: int = ROWS) -> tuple[list[_M], int | None]:
    """At most `limit` rows in one query; the total costs a second query only when there are more."""
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], queryset.count()


_PK_MARK = 987654321987


@lru_cache(maxsize=64)
def _url_pattern(name: str, script_prefix: str) -> str:
    try:
        return reverse(name, args=[_PK_MARK])
    except NoReverseMatch:
        return ""


def link(name: str, pk: int) -> str:
    """The URL of a record page, or "" while the page's module is not installed.

    Reversed once per page name and filled in per row: a briefing has hundreds of links and
    reverse() costs a walk over the URLconf each time.
    """
    pattern = _url_pattern(name, get_script_prefix())
    return pattern.replace(str(_PK_MARK), str(pk)) if pattern else ""


def local_time(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M") if moment is not None else ""


def local_day(day: date | datetime | None) -> str:
    if isinstance(day, datetime):
        day = timezone.localdate(day)
    return day.isoformat() if day is not None else ""


def shorten(text: str, limit: int = TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def person_name(user: User | None) -> str:
    return user.name if user is not None else ""


def table(
    columns: list[str],
    items: Iterable[_Row],
    total: int | None,
    row: Callable[[_Row], list[str]],
    url: Callable[[_Row], str],
    flag: Callable[[_Row], bool] = lambda item: False,
) -> BriefingBlock:
    """A section's table: one row, link and highlight per item."""
    block = BriefingBlock(columns=columns, total=total)
    for item in items:
        block.rows.append(row(item))
        block.links.append(url(item))
        block.highlight.append(flag(item))
    return block
