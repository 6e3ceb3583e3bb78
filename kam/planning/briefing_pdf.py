"""The morning briefing as a PDF with Chinese text (reportlab).

Chinese needs a font with CJK glyphs. A TrueType CJK font installed on the server is embedded
(subset), so every viewer shows the same glyphs; reportlab reads only TrueType outlines, so the
CFF-based Noto Sans CJK / Source Han .otf/.ttc files are skipped. Without one, the PDF names
Adobe's standard CID font STSong-Light, which PDF viewers supply themselves (nothing embedded).

Setting KAM_PDF_CJK_FONT: unset = search the usual paths; a path = that TrueType file; "" = never
embed (always STSong-Light).
"""

from __future__ import annotations

import io
import os
import unicodedata
import zlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFError, TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]

from kam.planning.briefing import Briefing, BriefingPart

CID_FONT = "STSong-Light"
# TrueType CJK fonts of common Linux packages, macOS and Windows; the first that loads wins.
CJK_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/google-droid/DroidSansFallback.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
)
_PROBE = "晨会客户"  # glyphs a usable font must have

PAGE = A4
MARGIN = 14 * mm
HIGHLIGHT = colors.HexColor("#fff4e5")
HEADER_BG = colors.HexColor("#eef2f6")
GRID = colors.HexColor("#c9d2dc")


@lru_cache(maxsize=8)
def _embedded(path: str) -> str | None:
    """Register the TrueType font at `path` (first face of a collection); None when it is unusable."""
    name = f"KamCJK{zlib.crc32(path.encode()):08x}"
    try:
        font = TTFont(name, path, subfontIndex=0)
    except (TTFError, OSError, ValueError):
        return None  # e.g. "postscript outlines are not supported" for CFF collections
    glyphs = font.face.charToGlyph
    if any(ord(char) not in glyphs for char in _PROBE):
        return None
    pdfmetrics.registerFont(font)
    return name


def cjk_font(embed: bool = True) -> str:
    """The font name to write Chinese with: an embedded TrueType font, else the CID font."""
    configured: str | None = getattr(settings, "KAM_PDF_CJK_FONT", None)
    if embed and configured != "":
        for path in [configured] if configured else CJK_FONT_PATHS:
            if os.path.isfile(path) and (name := _embedded(path)) is not None:
                return name
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=21, spaceAfter=2 * mm),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, textColor=colors.HexColor("#5b6675")),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=16, spaceBefore=5 * mm, spaceAfter=2 * mm),
        "cell": base,
        "head": ParagraphStyle("head", parent=base, textColor=colors.HexColor("#37414d")),
        "empty": ParagraphStyle("empty", parent=base, textColor=colors.HexColor("#5b6675")),
    }


def _text_width(text: str) -> int:
    """Width in half-width cells: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _widths(columns: Sequence[object], rows: list[list[str]], available: float) -> list[float]:
    """Share the width by how long each column's texts are (capped, so one long text cannot starve the rest)."""
    weights = []
    for index, column in enumerate(columns):
        longest = max([_text_width(str(column)), *(_text_width(row[index]) for row in rows if index < len(row))])
        weights.append(min(longest, 44) + 3)
    total = sum(weights)
    return [available * weight / total for weight in weights]


def _section(part: BriefingPart, styles: dict[str, ParagraphStyle], available: float) -> list[Any]:
    heading = Paragraph(escape(f"{part.title} ({part.count})"), styles["h2"])
    block = part.block
    if not block.rows:
        return [KeepTogether([heading, Paragraph(escape(_("Nothing to report.")), styles["empty"])])]
    data = [[Paragraph(escape(str(column)), styles["head"]) for column in block.columns]]
    data += [[Paragraph(escape(cell), styles["cell"]) for cell in row] for row in block.rows]
    table = Table(data, colWidths=_widths(block.columns, block.rows, available), repeatRows=1)
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    commands += [
        ("BACKGROUND", (0, index + 1), (-1, index + 1), HIGHLIGHT)
        for index, flagged in enumerate(block.highlight)
        if flagged
    ]
    table.setStyle(TableStyle(commands))
    flow: list[Any] = [KeepTogether([heading, table]) if len(block.rows) <= 8 else heading]
    if len(block.rows) > 8:
        flow.append(table)
    if block.total is not None:
        note = _("Showing %(shown)d of %(total)d.") % {"shown": len(block.rows), "total": block.total}
        flow.append(Paragraph(escape(note), styles["empty"]))
    return flow


def briefing_title(briefing: Briefing) -> str:
    who = briefing.team.name if briefing.team is not None else briefing.viewer.name
    return _("Morning briefing %(day)s · %(who)s") % {"day": briefing.day.isoformat(), "who": who}


def render_briefing_pdf(briefing: Briefing, *, embed: bool = True) -> bytes:
    """The briefing as PDF bytes; `embed=False` forces the CID font (nothing embedded)."""
    font = cjk_font(embed)
    styles = _styles(font)
    buffer = io.BytesIO()
    title = briefing_title(briefing)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="KAM",
    )
    window = briefing.window
    covers = _("Covers %(since)s to %(until)s (Beijing time), %(people)d people.") % {
        "since": timezone.localtime(window.since).strftime("%Y-%m-%d %H:%M"),
        "until": timezone.localtime(window.until).strftime("%Y-%m-%d %H:%M"),
        "people": len(window.member_ids),
    }
    story: list[Any] = [Paragraph(escape(title), styles["title"]), Paragraph(escape(covers), styles["meta"])]
    available = PAGE[0] - 2 * MARGIN
    for part in briefing.parts:
        story += _section(part, styles, available)
    story.append(Spacer(1, 4 * mm))

    def page_number(canvas: Canvas, document: Any) -> None:
        canvas.setFont(font, 8)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN / 2, str(document.page))

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()
