"""Builders for the import and export tests (not a test module itself): files, uploads, DB fingerprints."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from pytest_django import Settings

from kam.core.china import credit_code_check_char, org_code_check_char
from kam.core.models import AuditEntry, User
from kam.customers.imports.columns import auto_mapping
from kam.customers.imports.reader import Table, read_table
from kam.customers.models import Contact, Customer, OwnershipChange, Tag

HEADERS = ["客户名称", "统一社会信用代码", "省份", "城市", "客户等级", "联系人", "手机", "职务"]


@pytest.fixture(autouse=True)
def _import_settings(settings: Settings, tmp_path: Path) -> None:
    """Uploads go to a temporary MEDIA_ROOT; MD5 keeps the world fixture's ten passwords fast."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def credit_code(seed: int) -> str:
    """A valid 统一社会信用代码 (工商, 北京海淀) whose organization code body is `seed`."""
    body = f"{seed:08d}"
    first17 = "91110108" + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def table(rows: list[list[Any]], name: str = "客户.xlsx") -> Table:
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return read_table(io.BytesIO(content), name, len(content))


def mapping_of(t: Table) -> list[str]:
    return [f or "" for f in auto_mapping(t.headers)]


def upload(rows: list[list[Any]], name: str = "客户.xlsx") -> SimpleUploadedFile:
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return SimpleUploadedFile(name, content)


def read_xlsx(content: bytes) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.worksheets[0]
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def fingerprint() -> dict[str, int]:
    """Row counts of everything an import writes (deleted rows included)."""
    return {
        "customers": Customer.all_objects.count(),
        "contacts": Contact.all_objects.count(),
        "audit": AuditEntry.objects.count(),
        "ownership": OwnershipChange.objects.count(),
        "tags": Tag.objects.count(),
        "customer_tags": Customer.tags.through.objects.count(),
    }


NAMES = [
    "华东精密机械有限公司",
    "蓝海物流股份有限公司",
    "青松医药科技有限公司",
    "星河电子有限责任公司",
    "远航建设集团有限公司",
]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静"]


def five_rows(bad_row: int | None = None) -> list[list[Any]]:
    """A header and five customers (spreadsheet rows 2–6); the one on `bad_row` has a bad mobile."""
    rows: list[list[Any]] = [HEADERS]
    for i, name in enumerate(NAMES):
        mobile = "12345" if bad_row == i + 2 else f"1380013800{i}"
        rows.append([name, credit_code(100 + i), "北京", "北京市", "B", PEOPLE[i], mobile, "经理"])
    return rows


def user_holding(user: User, limit: int) -> User:
    user.holding_limit = limit
    user.save(update_fields=["holding_limit"])
    return user
