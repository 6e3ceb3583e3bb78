"""Reading files (xlsx, CSV in UTF-8 or GBK), the limits, and what headers and cells mean."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from django.utils import translation
from pytest_django import Settings

from kam.conftest import OrgWorld
from kam.customers.imports import reader
from kam.customers.imports.columns import IGNORE, auto_mapping, normalise_header
from kam.customers.imports.reader import ImportFileError, read_table
from kam.customers.imports.values import Lookups, cell_text, customer_form_data
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    _import_settings,
    csv_bytes,
    xlsx_bytes,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def read(content: bytes, name: str) -> reader.Table:
    return read_table(io.BytesIO(content), name, len(content))


ROWS = [["客户名称", "联系人", "手机"], ["华东精密机械有限公司", "张伟", "13800138000"]]


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding: str) -> None:
    t = read(csv_bytes(ROWS, encoding), "客户.csv")
    assert t.headers == ["客户名称", "联系人", "手机"]
    assert t.rows == [(2, ["华东精密机械有限公司", "张伟", "13800138000"])]


def test_csv_with_semicolons_or_tabs_is_split_on_them() -> None:
    content = "客户名称;联系人\n华东精密机械有限公司;张伟\n".encode()
    assert read(content, "a.csv").rows == [(2, ["华东精密机械有限公司", "张伟"])]
    content = "客户名称\t联系人\n华东精密机械有限公司\t张伟\n".encode()
    assert read(content, "a.csv").rows == [(2, ["华东精密机械有限公司", "张伟"])]


def test_xlsx_rows_keep_their_excel_row_numbers_and_skip_blank_rows() -> None:
    t = read(xlsx_bytes([[], ROWS[0], ROWS[1], [None, None], ["蓝海物流股份有限公司", "王芳", 13800138001]]), "a.xlsx")
    assert t.header_row == 2
    assert t.rows == [
        (3, ["华东精密机械有限公司", "张伟", "13800138000"]),
        (5, ["蓝海物流股份有限公司", "王芳", "13800138001"]),
    ]


def test_cells_become_text_and_the_export_quote_is_removed() -> None:
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text(date(2026, 1, 4)) == "2026-01-04"
    assert cell_text("  '=1+1 ") == "=1+1"
    assert cell_text("'quoted") == "'quoted"
    assert cell_text(None) == ""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", b"hello", "Upload an Excel workbook (.xlsx) or a CSV file."),
        ("a.xls", b"\xd0\xcf\x11\xe0", "Old .xls workbooks cannot be read; save the file as .xlsx or CSV."),
        ("a.xlsx", b"name,contact\n", "This file is not a real .xlsx workbook; save it again from Excel as .xlsx."),
        ("a.csv", b"PK\x03\x04 zip inside", "This file is not a CSV text file; save it again as CSV or .xlsx."),
        ("a.csv", b"a\x00b", "This file is not a CSV text file; save it again as CSV or .xlsx."),
        ("a.csv", b"", "The file is empty."),
        ("a.xlsx", b"PK\x03\x04 broken", "This file is not a valid Excel workbook; save it again from Excel as .xlsx."),
        ("a.csv", "客户名称\n".encode(), "The file has a header but no rows to import."),
        ("a.csv", b"\n\n", "The file has no header row."),
    ],
)
def test_files_of_the_wrong_type_or_shape_are_refused_with_a_clear_message(
    name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ImportFileError) as caught:
        read(content, name)
    assert str(caught.value) == message


def test_files_over_the_size_limit_are_refused(settings: Settings) -> None:
    settings.KAM_UPLOAD_MAX_BYTES = 100
    content = csv_bytes(ROWS * 4)
    assert len(content) == 331
    with pytest.raises(ImportFileError) as caught:
        read(content, "a.csv")
    assert str(caught.value) == "The file is 331\xa0bytes; the limit is 100\xa0bytes."


def test_files_over_the_row_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_DATA_ROWS", 3)
    assert len(read(csv_bytes([ROWS[0], *[ROWS[1]] * 3]), "a.csv").rows) == 3
    with pytest.raises(ImportFileError) as caught:
        read(csv_bytes([ROWS[0], *[ROWS[1]] * 4]), "a.csv")
    assert str(caught.value) == "The file has more than 3 rows; split it into smaller files."


def test_the_real_row_limit_is_fifty_thousand() -> None:
    assert reader.MAX_DATA_ROWS == 50_000


# --- headers ---------------------------------------------------------------------------------


def test_chinese_headers_and_their_variants_are_recognised() -> None:
    headers = [
        "公司名称", "简称", "税号", "所属行业", "省", "市", "详细地址", "官网", "总机", "等级", "客户状态", "来源",
        "标签", "备注", "负责人", "联系人姓名", "手机号", "职务", "部门", "邮箱", "微信",
    ]  # fmt: skip
    assert auto_mapping(headers) == [
        "name", "short_name", "credit_code", "industry", "province", "city", "address", "website", "phone", "tier",
        "status", "source", "tag_names", "notes", "owner", "contact_name", "contact_mobile", "contact_title",
        "contact_department", "contact_email", "contact_wechat",
    ]  # fmt: skip
    assert auto_mapping(["企业名称", "统一社会信用代码", "信用代码"]) == ["name", "credit_code", None]
    assert auto_mapping(["客户名称", "省份", "城市", "网址", "电话", "客户等级", "联系人", "手机"]) == [
        "name", "province", "city", "website", "phone", "tier", "contact_name", "contact_mobile",
    ]  # fmt: skip


def test_english_headers_and_decorated_headers_are_recognised() -> None:
    assert auto_mapping(["Company Name", "Credit Code", "Mobile", "E-mail", "WeChat"]) == [
        "name", "credit_code", "contact_mobile", "contact_email", "contact_wechat",
    ]  # fmt: skip
    assert normalise_header("客户名称（必填）*") == "客户名称"
    assert auto_mapping(["客户名称（必填）*", " 手机 号 "]) == ["name", "contact_mobile"]


def test_unknown_headers_are_asked_about_and_export_only_ones_ignored() -> None:
    assert auto_mapping(["客户名称", "年采购额", "", "联系人汇总", "创建时间"]) == [
        "name",
        None,
        IGNORE,
        IGNORE,
        IGNORE,
    ]


# --- cell values -----------------------------------------------------------------------------


def test_cells_are_read_as_the_form_expects(world: OrgWorld) -> None:
    lookups = Lookups.load(world.org.pk)
    cells = {
        "name": "华东精密机械有限公司",
        "industry": "软件和信息技术服务业",
        "province": "广东",
        "city": "深圳",
        "tier": "A类",
        "status": "合作中",
        "source": "展会",
    }
    data, errors = customer_form_data(cells, lookups)
    assert errors == {}
    assert data == {
        "name": "华东精密机械有限公司",
        "industry": "65",
        "province": "440000",
        "city": "440300",
        "tier": "A",
        "status": "active",
        "source": "exhibition",
    }
    assert lookups.province("内蒙古") == lookups.province("内蒙古自治区") == lookups.province("150000") == "150000"
    assert lookups.industry("C") == lookups.industry("制造业") == "C"
    assert lookups.industry("39") == "39"
    assert lookups.city("吉林", None) == "220200"
    assert lookups.status("潜在") == "prospect"
    assert lookups.status("Dormant") == "dormant"


def test_unreadable_cells_are_reported_per_field(world: OrgWorld) -> None:
    lookups = Lookups.load(world.org.pk)
    data, errors = customer_form_data({"name": "某公司", "province": "火星", "tier": "S", "city": "不存在"}, lookups)
    assert errors == {
        "province": ["Unknown province “火星”."],
        "tier": ["Tier must be A, B or C."],
        "city": ["Unknown city “不存在”."],
    }
    assert data == {"name": "某公司", "tier": "C", "status": "prospect"}
