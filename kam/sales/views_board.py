"""商机看板: the kanban board of one business line, a column per stage.

Moving a card posts to deal-move (kam/sales/urls_deals.py), which checks the stage gates; board.js
drags cards there and re-fetches the board partial, and every card also has a "move to" form for
phones and keyboards (no drag and drop there).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from kam.customers.views.helpers import actor_of, render_page_or_partial
from kam.sales.forms_lists import BoardLineForm, DealFilterForm
from kam.sales.queries_lists import Board, BoardColumn, DealRow, board, board_line, business_lines_of, writable_deal_ids
from kam.sales.setup import ensure_default_pipeline

_PK = 987654321  # stands for the deal id in a reversed URL


@lru_cache(maxsize=8)
def _url_pattern(name: str) -> str:
    """`name` reversed once with a stand-in id ("" when the URL is not installed)."""
    try:
        return reverse(name, args=[_PK])
    except NoReverseMatch:
        return ""


def _deal_url(name: str, pk: int) -> str:
    # A hundred cards reverse two URLs each; one reverse and a replace per card is a tenth of it.
    return _url_pattern(name).replace(str(_PK), str(pk))


@dataclass
class Card:
    """One card as the board shows it; `move_url` is empty when the viewer may not move the deal."""

    row: DealRow
    detail_url: str
    move_url: str
    days_text: str


@dataclass
class Column:
    column: BoardColumn
    cards: list[Card]
    # The "move to" <option>s with this column's stage selected, shared by its cards.
    options: SafeString


def _options(the_board: Board, selected: int) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((c.stage.pk, " selected" if c.stage.pk == selected else "", c.stage.name) for c in the_board.columns),
    )


def board_columns(the_board: Board, movable: set[int]) -> list[Column]:
    """The columns with their cards' links and texts worked out once, not per template tag."""
    columns = []
    for column in the_board.columns:
        cards = [
            Card(
                row=row,
                detail_url=_deal_url("deal-detail", row.deal.pk),
                move_url=_deal_url("deal-move", row.deal.pk) if row.deal.pk in movable else "",
                days_text=ngettext("%(count)d day in stage", "%(count)d days in stage", row.days_in_stage)
                % {"count": row.days_in_stage},
            )
            for row in column.cards
        ]
        columns.append(Column(column, cards, _options(the_board, column.stage.pk)))
    return columns


@login_required
@require_GET
def deal_board(request: HttpRequest) -> HttpResponse:
    """看板: open deals of the chosen business line by stage, with count, amount and weighted amount per column."""
    user = actor_of(request)
    ensure_default_pipeline(user.organization)
    lines = business_lines_of(user)
    line_form = BoardLineForm(request.GET, lines=lines)
    line_id = line_form.cleaned_data.get("business_line") if line_form.is_valid() else None
    line = board_line(user, lines, line_id)
    form = DealFilterForm(request.GET, user=user, for_board=True)
    form.is_valid()
    the_board = board(user, line, form.filters())
    cards = [row.deal for column in the_board.columns for row in column.cards]
    context: dict[str, Any] = {
        "form": form,
        "line_form": line_form,
        "lines": lines,
        "board": the_board,
        "columns": board_columns(the_board, writable_deal_ids(user, cards)),
        "board_url": request.get_full_path(),
    }
    return render_page_or_partial(request, "sales/deal_board.html", "sales/_board.html", context)
