"""needs_diff: the readable diff between two needs versions, as exact values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kam.sales.needs_diff import (
    ADDED,
    REMOVED,
    SAME,
    AttributeChange,
    FieldChange,
    ItemSnapshot,
    NeedsSnapshot,
    RequirementChange,
    TextPiece,
    budget_text,
    diff_needs,
    text_diff,
    tokens,
)


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def snap(*items: ItemSnapshot, **fields: object) -> NeedsSnapshot:
    return NeedsSnapshot(items=items, **fields)  # type: ignore[arg-type]


def req(
    key: int, description: str, priority: str = "medium", necessity: str = "must", fit: str = "met"
) -> ItemSnapshot:
    return ItemSnapshot(key, description, priority, necessity, fit)


def test_tokens_split_chinese_by_character_and_latin_by_word() -> None:
    assert tokens("支持MySQL 8.0集群") == ["支", "持", "MySQL", " ", "8.0", "集", "群"]


def test_text_diff_chinese_is_character_level() -> None:
    # 年 stays: only 底 → 三月 and the new 明 in front are marked.
    assert text_diff("年底前上线", "明年三月前上线") == (
        TextPiece(ADDED, "明"),
        TextPiece(SAME, "年"),
        TextPiece(REMOVED, "底"),
        TextPiece(ADDED, "三月"),
        TextPiece(SAME, "前上线"),
    )


def test_text_diff_english_is_word_level() -> None:
    assert text_diff("go live in June", "go live in late September") == (
        TextPiece(SAME, "go live in "),
        TextPiece(REMOVED, "June"),
        TextPiece(ADDED, "late September"),
    )


def test_text_diff_of_equal_texts_is_one_same_piece() -> None:
    assert text_diff("统一平台", "统一平台") == (TextPiece(SAME, "统一平台"),)


def test_identical_versions_have_an_empty_diff() -> None:
    version = snap(req(1, "统一数据平台"), pain="数据分散")
    diff = diff_needs(version, version)
    assert diff.is_empty
    assert diff.fields == ()
    assert diff.requirements == ()


def test_added_removed_and_changed_requirements() -> None:
    old = snap(req(1, "统一数据平台"), req(2, "支持国产数据库", priority="high"), req(3, "移动端报表"))
    new = snap(
        req(2, "支持国产数据库和信创服务器", priority="high", fit="partly"),
        req(1, "统一数据平台"),
        req(4, "数据安全审计", necessity="nice"),
    )
    assert diff_needs(old, new).requirements == (
        RequirementChange(
            2,
            "changed",
            "支持国产数据库和信创服务器",
            (
                AttributeChange("description", "Requirement", "支持国产数据库", "支持国产数据库和信创服务器"),
                AttributeChange("fit", "Our fit", "Met", "Partly met"),
            ),
            (TextPiece(SAME, "支持国产数据库"), TextPiece(ADDED, "和信创服务器")),
        ),
        RequirementChange(4, "added", "数据安全审计"),
        RequirementChange(3, "removed", "移动端报表"),
    )


def test_priority_and_must_nice_changes_name_both_labels() -> None:
    old = snap(req(1, "统一数据平台", priority="low", necessity="nice"))
    new = snap(req(1, "统一数据平台", priority="high", necessity="must"))
    assert diff_needs(old, new).requirements == (
        RequirementChange(
            1,
            "changed",
            "统一数据平台",
            (
                AttributeChange("priority", "Priority", "Low", "High"),
                AttributeChange("necessity", "Must or nice", "Nice to have", "Must have"),
            ),
        ),
    )


def test_budget_change_is_one_field_with_old_and_new_range() -> None:
    old = snap(budget_min=Decimal("500000"), budget_max=Decimal("800000"))
    new = snap(budget_min=Decimal("300000"), budget_max=Decimal("800000"))
    assert diff_needs(old, new).fields == (
        FieldChange("budget", "Budget", "¥500,000.00 – ¥800,000.00", "¥300,000.00 – ¥800,000.00", ()),
    )


def test_text_fields_carry_their_word_diff_in_field_order() -> None:
    old = snap(pain="数据分散", timeline="年底前", solution_notes="")
    new = snap(pain="数据分散且不准", timeline="年底前", solution_notes="先做试点")
    assert diff_needs(old, new).fields == (
        FieldChange(
            "pain", "Pain", "数据分散", "数据分散且不准", (TextPiece(SAME, "数据分散"), TextPiece(ADDED, "且不准"))
        ),
        FieldChange("solution_notes", "Solution notes", "", "先做试点", (TextPiece(ADDED, "先做试点"),)),
    )


def test_first_version_lists_everything_as_added() -> None:
    new = snap(req(1, "统一数据平台"), pain="数据分散", budget_max=Decimal("800000"))
    diff = diff_needs(None, new)
    assert [(c.field, c.old, c.new) for c in diff.fields] == [
        ("pain", "", "数据分散"),
        ("budget", "", "up to ¥800,000.00"),
    ]
    assert diff.requirements == (RequirementChange(1, "added", "统一数据平台"),)


def test_budget_text_of_open_and_equal_ranges() -> None:
    assert budget_text(None, None) == ""
    assert budget_text(Decimal("100000"), None) == "from ¥100,000.00"
    assert budget_text(Decimal("100000"), Decimal("100000")) == "¥100,000.00"
