"""Exporting the customer list (exactly what customer_list shows the user) and the import template.

The web export reads its filters with the list's own CustomerFilterForm (imports/views.py), so a
value the list drops is dropped here too; the CLI passes CustomerFilters directly.

Formula injection (CSV/DDE injection): a spreadsheet treats a cell that starts with = + - @
(and tab or carriage return, which some spreadsheets skip before such a character) as a
formula. Every text cell that starts with one of these gets a leading single quote: "=1+1"
is written as "'=1+1", so Excel shows text and runs nothing. The import removes that quote
again before one of these characters, so an exported file imports unchanged.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kam.core.china import credit_code_check_char, org_code_check_char
from kam.core.models import User
from kam.customers.imports.columns import export_headers, template_headers
from kam.customers.imports.values import FORMULA_PREFIXES, SOURCE_EXPORT, STATUS_EXPORT
from kam.customers.models import Contact, Customer
from kam.customers.queries import CustomerFilters, customer_list

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_NAME = "客户导出"  # file names follow the Chinese headers of the file (see columns.py)
TEMPLATE_NAME = "客户导入模板"
CHUNK = 2000


def escape_cell(value: Any) -> str:
    """Text for one cell, neutralised against formula injection (see the module docstring)."""
    text = str(ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _contacts_summary(customer: Customer) -> str:
    parts = []
    for contact in customer.contacts.all():
        bits = [contact.name]
        if contact.title:
            bits.append(f"({contact.title})")
        bits.extend(x for x in (contact.mobile, contact.phone, contact.email) if x)
        parts.append(" ".join(bits))
    return "；".join(parts)


def customer_row(customer: Customer) -> list[str]:
    """One customer as export cells, in the order of export_headers()."""
    return [
        customer.name,
        customer.short_name,
        customer.credit_code,
        customer.industry.name if customer.industry else "",
        customer.province.name if customer.province else "",
        customer.city.name if customer.city else "",
        customer.address,
        customer.website,
        customer.phone,
        customer.tier,
        STATUS_EXPORT.get(customer.status, customer.status),
        SOURCE_EXPORT.get(customer.source, customer.source),
        "、".join(sorted(t.name for t in customer.tags.all())),
        customer.notes,
        customer.owner.name if customer.owner else "",
        _contacts_summary(customer),
        customer.city_tier,
        _local(customer.last_followup_at),
        _local(customer.created_at),
    ]


def export_rows(user: User, filters: CustomerFilters) -> Iterator[list[str]]:
    """Header then one row per customer of customer_list(user, filters); a fixed number of queries per chunk."""
    yield export_headers()
    contacts = Prefetch("contacts", queryset=Contact.objects.order_by("name", "id"))
    for customer in customer_list(user, filters).prefetch_related(contacts).iterator(chunk_size=CHUNK):
        yield customer_row(customer)


class _Line:
    """A write-only file for csv.writer that hands back what was written."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """UTF-8 with BOM (so Excel opens it as UTF-8), CRLF lines, every cell escaped."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode()
    for row in rows:
        yield str(writer.writerow([escape_cell(c) for c in row])).encode()


def write_xlsx(rows: Iterable[list[str]], title: str, fh: IO[bytes]) -> None:
    """A write-only workbook (constant memory) with every cell as escaped text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append([escape_cell(c) for c in row])
    workbook.save(fh)


def xlsx_file(rows: Iterable[list[str]], title: str) -> IO[bytes]:
    """The workbook in a temporary file (deleted when closed), rewound for a FileResponse."""
    fh = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    write_xlsx(rows, title, fh)
    fh.seek(0)
    return fh


def export_filename(extension: str, base: str = EXPORT_NAME) -> str:
    return f"{base}-{timezone.localdate():%Y%m%d}.{extension}"


def example_credit_code() -> str:
    body = "MA01X2Y3"
    first17 = "91110108" + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


TEMPLATE_EXAMPLE = {
    "客户名称": "示例科技有限公司",
    "简称": "示例科技",
    "所属行业": "软件和信息技术服务业",
    "省份": "北京市",
    "城市": "北京市",
    "地址": "北京市海淀区中关村大街1号",
    "网址": "https://www.example.com",
    "电话": "010-62345678",
    "客户等级": "B",
    "客户状态": "潜在",
    "客户来源": "展会",
    "标签": "重点行业、华北",
    "备注": "示例行：导入前请替换为真实客户",
    "负责人": "",
    "联系人": "张三",
    "手机": "13800138000",
    "职务": "采购经理",
    "部门": "采购部",
    "邮箱": "zhangsan@example.com",
    "微信": "zhangsan_wx",
    "联系人电话": "010-62345678-8001",
}


def template_file() -> IO[bytes]:
    """The import template as an .xlsx file (named TEMPLATE_NAME.xlsx when downloaded)."""
    return xlsx_file(template_rows(), "客户")


def template_rows() -> list[list[str]]:
    """The import template: the Chinese headers and one example row that imports as it is."""
    headers = template_headers()
    example = {**TEMPLATE_EXAMPLE, "统一社会信用代码": example_credit_code()}
    return [headers, [example.get(h, "") for h in headers]]
