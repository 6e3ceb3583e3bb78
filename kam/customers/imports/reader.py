"""Reading an uploaded customer file: .xlsx (openpyxl, read-only) or .csv (UTF-8, or GBK/GB18030).

Excel in China saves "CSV" as GBK unless the user picks "CSV UTF-8", so a CSV that is not valid
UTF-8 (with or without BOM) is read as GB18030, the superset of GBK. The first non-empty row is
the header; row numbers are those the user sees in Excel (the header is usually row 1).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kam.customers.imports.values import cell_text

MAX_DATA_ROWS = 50_000
EXTENSIONS = (".xlsx", ".csv")
ZIP_MAGIC = b"PK\x03\x04"


class ImportFileError(Exception):
    """The file cannot be imported at all (type, size, encoding, no header, too many rows)."""


@dataclass
class Table:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]  # (row number, cells); blank rows are left out


def check_upload(name: str, size: int, head: bytes) -> str:
    """The lower-case extension, or ImportFileError with a message the user can act on."""
    limit = settings.KAM_UPLOAD_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    extension = Path(name).suffix.lower()
    if extension == ".xls":
        raise ImportFileError(_("Old .xls workbooks cannot be read; save the file as .xlsx or CSV."))
    if extension not in EXTENSIONS:
        raise ImportFileError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
    if extension == ".xlsx" and not head.startswith(ZIP_MAGIC):
        raise ImportFileError(_("This file is not a real .xlsx workbook; save it again from Excel as .xlsx."))
    if extension == ".csv" and (head.startswith(ZIP_MAGIC) or b"\x00" in head):
        raise ImportFileError(_("This file is not a CSV text file; save it again as CSV or .xlsx."))
    return extension


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK text; save it again as “CSV UTF-8”."))


def _csv_rows(fh: IO[bytes]) -> Iterator[list[str]]:
    text = _decode(fh.read())
    # Excel writes commas; some exports use tabs or semicolons: take the one the header uses most.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [cell_text(c) for c in row]


def _xlsx_rows(fh: IO[bytes]) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(_("This file is not a valid Excel workbook; save it again from Excel as .xlsx.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(c) for c in row]
    finally:
        workbook.close()


def read_table(fh: IO[bytes], name: str, size: int) -> Table:
    """Check the file and read it whole: the header and every non-blank row, at most MAX_DATA_ROWS."""
    head = fh.read(8)
    fh.seek(0)
    extension = check_upload(name, size, head)
    rows = _xlsx_rows(fh) if extension == ".xlsx" else _csv_rows(fh)
    headers: list[str] | None = None
    header_row = 0
    data: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(rows, start=1):
        if not any(cells):
            continue
        if headers is None:
            headers, header_row = cells, number
            continue
        if len(data) >= MAX_DATA_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)s rows; split it into smaller files.") % {"max": f"{MAX_DATA_ROWS:,}"}
            )
        data.append((number, cells))
    if headers is None:
        raise ImportFileError(_("The file has no header row."))
    while headers and not headers[-1]:
        headers.pop()
    if not data:
        raise ImportFileError(_("The file has a header but no rows to import."))
    return Table(headers=headers, header_row=header_row, rows=data)


def read_path(path: str | Path) -> Table:
    file = Path(path)
    with file.open("rb") as fh:
        return read_table(fh, file.name, file.stat().st_size)
