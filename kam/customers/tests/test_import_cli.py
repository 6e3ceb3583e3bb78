"""`kam import customers FILE` and `kam export customers`."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kam.conftest import OrgWorld
from kam.customers.actions import create_customer
from kam.customers.models import Customer
from kam.customers.models.imports import ImportJob, ImportStatus
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    _import_settings,
    csv_bytes,
    fingerprint,
    five_rows,
    read_xlsx,
    xlsx_bytes,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def write(tmp_path: Path, rows: list[list[Any]], name: str = "客户.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows, "gbk"))
    return str(path)


def kam(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_changes_nothing(world: OrgWorld, tmp_path: Path) -> None:
    before = fingerprint()
    out, err = kam("import", "customers", write(tmp_path, five_rows()), "--user", "owner", "--dry-run")
    assert out == ("dry run: 5 rows, 5 customers; 0 with possible duplicates; would create 5, merge 0, skip 0\n")
    assert "checking: 100%" in err  # the tqdm bar
    assert fingerprint() == before
    assert ImportJob.objects.count() == 0


def test_dry_run_with_errors_prints_them_and_fails(world: OrgWorld, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        kam("import", "customers", write(tmp_path, five_rows(bad_row=4)), "--user", "owner", "--dry-run")
    assert str(caught.value) == "1 rows have errors; nothing would be imported"


def test_import_creates_the_customers_of_a_gbk_csv(world: OrgWorld, tmp_path: Path) -> None:
    out, _err = kam("import", "customers", write(tmp_path, five_rows(), "客户.csv"), "--user", "owner")
    job = ImportJob.objects.get()
    assert out == f"import job {job.pk}: created 5, merged 0, skipped 0 customers; added 5 contacts\n"
    assert (job.status, job.created_by) == (ImportStatus.DONE, world.owner)
    assert Customer.objects.filter(owner=world.owner).count() == 5


def test_failing_import_prints_the_errors_table_and_imports_nothing(
    world: OrgWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint()
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "customers", write(tmp_path, five_rows(bad_row=6)), "--user", "owner", stdout=out)
    job = ImportJob.objects.get()
    assert str(caught.value) == f"import job {job.pk}: Nothing was imported: 1 rows have errors."
    assert out.getvalue().splitlines() == [
        "   row  field                     message",
        "     6  contact mobile            Enter a valid phone number.",
    ]
    assert fingerprint() == before


def test_on_duplicate_decides_for_rows_with_duplicates(world: OrgWorld, tmp_path: Path) -> None:
    existing = create_customer(world.owner, {"name": "华东精密机械有限公司"})
    kam("import", "customers", write(tmp_path, five_rows()), "--user", "owner", "--on-duplicate", "merge")
    existing.refresh_from_db()
    assert existing.contacts.get().name == "张伟"
    assert Customer.objects.count() == 5


def test_unknown_columns_stop_the_command_unless_ignored(world: OrgWorld, tmp_path: Path) -> None:
    rows = [["客户名称", "年采购额"], ["华东精密机械有限公司", "500万"]]
    path = write(tmp_path, rows)
    with pytest.raises(CommandError) as caught:
        kam("import", "customers", path, "--user", "owner")
    assert str(caught.value) == "unrecognised columns: 年采购额 (rename them or use --ignore-unknown-columns)"
    kam("import", "customers", path, "--user", "owner", "--ignore-unknown-columns")
    assert Customer.objects.get().name == "华东精密机械有限公司"


def test_import_needs_a_known_user_and_a_file(world: OrgWorld, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no active user 'ghost'"):
        kam("import", "customers", write(tmp_path, five_rows()), "--user", "ghost")
    with pytest.raises(CommandError, match="no such file"):
        kam("import", "customers", str(tmp_path / "missing.xlsx"), "--user", "owner")


def test_export_command_writes_what_the_user_may_see(world: OrgWorld, tmp_path: Path) -> None:
    create_customer(world.owner, {"name": "华东精密机械有限公司", "tier": "A"})
    create_customer(world.owner, {"name": "蓝海物流股份有限公司", "tier": "B"})
    create_customer(world.stranger, {"name": "星河电子有限责任公司", "tier": "A"})
    target = tmp_path / "out.xlsx"
    out, _err = kam("export", "customers", "--user", "owner", "-o", str(target), "--tier", "A")
    assert out == f"wrote 1 customers to {target}\n"
    rows = read_xlsx(target.read_bytes())
    assert [r[0] for r in rows] == ["客户名称", "华东精密机械有限公司"]
    target = tmp_path / "out.csv"
    kam("export", "customers", "--user", "mgr_north", "--format", "csv", "-o", str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert target.read_text("utf-8-sig").count("\n") == 3
