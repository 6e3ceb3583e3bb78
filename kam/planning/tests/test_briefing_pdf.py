"""The briefing PDF carries its Chinese text, with an embedded TrueType CJK font or the CID font."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.utils import translation
from pypdf import PdfReader
from pytest_django import Settings

from kam.conftest import OrgWorld
from kam.planning.briefing import briefing_for
from kam.planning.briefing_pdf import CID_FONT, CJK_FONT_PATHS, cjk_font, render_briefing_pdf
from kam.planning.tests.fixtures_briefing import MONDAY, _fast_hasher, _fresh_workcal, make_scene  # noqa: F401

CHINESE_TITLES = [
    "晨会",
    "昨日拜访",
    "重点跟进",
    "客户反馈",
    "新客户",
    "即将退回公海",
    "逾期待办",
    "逾期协调请求",
    "市场动态",
]
INSTALLED_TTF = next((path for path in CJK_FONT_PATHS if os.path.isfile(path)), None)
NOTO_CFF = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def text_and_fonts(pdf: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # reportlab's canvas always lists Helvetica as its initial font; no text is written in it.
    return text, fonts - {"/Helvetica"}


def chinese_pdf(world: OrgWorld, **kwargs: Any) -> bytes:
    make_scene(world)
    with translation.override("zh-hans"):
        return render_briefing_pdf(briefing_for(world.manager_north, MONDAY), **kwargs)


def _assert_content(text: str) -> None:
    compact = "".join(text.split())
    for title in CHINESE_TITLES:
        assert title in compact, title
    assert "北京远航物流有限公司" in compact
    assert "价格偏高，希望九折" in compact
    assert "2026-11-16" in compact


def test_cid_font_pdf_has_the_chinese_text(world: OrgWorld) -> None:
    text, fonts = text_and_fonts(chinese_pdf(world, embed=False))
    _assert_content(text)
    assert fonts == {f"/{CID_FONT}"}


def test_the_setting_can_turn_embedding_off(world: OrgWorld, settings: Settings) -> None:
    settings.KAM_PDF_CJK_FONT = ""
    assert cjk_font() == CID_FONT
    text, fonts = text_and_fonts(chinese_pdf(world))
    _assert_content(text)
    assert fonts == {f"/{CID_FONT}"}


# Under CI (.ci/run installs the fonts) a missing font fails the test instead of skipping it.
@pytest.mark.skipif(
    INSTALLED_TTF is None and not os.environ.get("CI"),
    reason="no TrueType CJK font installed (e.g. apt install fonts-wqy-microhei)",
)
def test_embedded_truetype_pdf_has_the_chinese_text(world: OrgWorld, settings: Settings) -> None:
    settings.KAM_PDF_CJK_FONT = None
    assert cjk_font() != CID_FONT
    text, fonts = text_and_fonts(chinese_pdf(world))
    _assert_content(text)
    # reportlab embeds subsets of up to 256 glyphs, each named "AAAAAA+<font name>", "AAAAAB+...".
    assert fonts
    assert all("+" in name for name in fonts), fonts


def test_a_configured_font_that_cannot_be_embedded_falls_back_to_cid(settings: Settings, tmp_path: Any) -> None:
    broken = tmp_path / "not-a-font.ttf"
    broken.write_bytes(b"no font here")
    settings.KAM_PDF_CJK_FONT = str(broken)
    assert cjk_font() == CID_FONT
    settings.KAM_PDF_CJK_FONT = str(tmp_path / "missing.ttf")
    assert cjk_font() == CID_FONT


@pytest.mark.skipif(
    not os.path.isfile(NOTO_CFF) and not os.environ.get("CI"), reason="Noto Sans CJK (CFF outlines) not installed"
)
def test_cff_outline_collections_are_not_embedded(settings: Settings) -> None:
    settings.KAM_PDF_CJK_FONT = NOTO_CFF
    assert cjk_font() == CID_FONT


def test_long_sections_and_markup_in_user_text_render(world: OrgWorld) -> None:
    scene = make_scene(world)
    scene.visit_far.feedback = "<b>加粗</b> & 报价 " + "很长的反馈" * 200
    scene.visit_far.save(update_fields=["feedback"])
    with translation.override("zh-hans"):
        pdf = render_briefing_pdf(briefing_for(world.manager_north, MONDAY), embed=False)
    text, _fonts = text_and_fonts(pdf)
    assert "<b>加粗</b>&报价" in "".join(text.split())
