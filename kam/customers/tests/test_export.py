"""The customer export: only what the list shows the user, Chinese headers, formula-safe cells, few queries."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.actions import create_contact, create_customer, update_customer
from kam.customers.imports.columns import auto_mapping, export_headers
from kam.customers.imports.export import escape_cell
from kam.customers.imports.runner import check, run
from kam.customers.models import Customer
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    _import_settings,
    credit_code,
    read_xlsx,
    table,
)

ROLES = ["anonymous", "outsider", "stranger", "collaborator", "owner", "manager"]


def client_of(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def export_csv(user: User | None, **params: Any) -> list[list[str]]:
    response = client_of(user).get(reverse("customer-export"), {"format": "csv", **params})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def export_xlsx(user: User, **params: Any) -> list[list[str]]:
    response = client_of(user).get(reverse("customer-export"), {"format": "xlsx", **params})
    assert response.status_code == 200
    return read_xlsx(b"".join(response.streaming_content))  # type: ignore[attr-defined]


def names(rows: list[list[str]]) -> list[str]:
    return sorted(r[0] for r in rows[1:])


@pytest.fixture
def customers(world: OrgWorld) -> dict[str, Customer]:
    made = {
        "mine_a": create_customer(world.owner, {"name": "华东精密机械有限公司", "tier": "A"}, tag_names=["重点"]),
        "mine_b": create_customer(world.owner, {"name": "蓝海物流股份有限公司", "tier": "B"}),
        "teammate": create_customer(world.teammate, {"name": "青松医药科技有限公司"}),
        "stranger": create_customer(world.stranger, {"name": "星河电子有限责任公司"}),
    }
    create_contact(world.owner, made["mine_a"], {"name": "张伟", "title": "总经理", "mobile": "13800138000"})
    create_contact(world.owner, made["mine_a"], {"name": "王芳", "email": "wf@example.com"})
    return made


# --- visibility and access -------------------------------------------------------------------


def test_export_contains_only_the_customers_the_user_may_see(world: OrgWorld, customers: dict[str, Customer]) -> None:
    assert names(export_csv(world.owner)) == ["华东精密机械有限公司", "蓝海物流股份有限公司"]
    assert names(export_csv(world.manager_north)) == [
        "华东精密机械有限公司",
        "蓝海物流股份有限公司",
        "青松医药科技有限公司",
    ]
    assert names(export_csv(world.stranger)) == ["星河电子有限责任公司"]
    assert names(export_csv(world.collaborator)) == []
    assert names(export_csv(world.outsider)) == []
    assert len(export_csv(world.director)) == 5


def test_export_applies_the_list_filters(world: OrgWorld, customers: dict[str, Customer]) -> None:
    assert names(export_csv(world.manager_north, tier="A")) == ["华东精密机械有限公司"]
    assert names(export_csv(world.manager_north, q="lhwl")) == ["蓝海物流股份有限公司"]
    assert names(export_csv(world.manager_north, owner=str(world.teammate.pk))) == ["青松医药科技有限公司"]
    assert names(export_csv(world.manager_north, owner="x", sort="nonsense")) == names(export_csv(world.manager_north))


@pytest.mark.parametrize("role", ROLES)
def test_export_access_matrix(world: OrgWorld, customers: dict[str, Customer], role: str) -> None:
    user = world.manager_north if role == "manager" else (None if role == "anonymous" else getattr(world, role))
    response = client_of(user).get(reverse("customer-export"), {"format": "csv"})
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 200


def test_export_refuses_an_unknown_format(world: OrgWorld) -> None:
    assert client_of(world.owner).get(reverse("customer-export"), {"format": "pdf"}).status_code == 400


# --- the file --------------------------------------------------------------------------------


def test_export_has_chinese_headers_one_row_per_customer_and_contacts_summarised(
    world: OrgWorld, customers: dict[str, Customer]
) -> None:
    rows = export_xlsx(world.owner, sort="name")
    assert rows[0] == export_headers()
    assert rows[0][:3] == ["客户名称", "简称", "统一社会信用代码"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["客户名称"], row["客户等级"], row["客户状态"], row["标签"], row["负责人"]) == (
        "华东精密机械有限公司", "A", "潜在", "重点", "owner"
    )  # fmt: skip
    assert row["联系人汇总"] == "张伟 (总经理) 13800138000；王芳 wf@example.com"


def test_csv_and_xlsx_downloads_are_named_by_date_with_rfc5987(world: OrgWorld) -> None:
    today = timezone.localdate().strftime("%Y%m%d")
    quoted = "%E5%AE%A2%E6%88%B7%E5%AF%BC%E5%87%BA"  # 客户导出
    for kind, content_type in [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]:
        response = client_of(world.owner).get(reverse("customer-export"), {"format": kind})
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quoted}-{today}.{kind}"


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+1", "'=1+1"), ("+86 10", "'+86 10"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\t=cmd", "'\t=cmd"), ("\r=cmd", "'\r=cmd"), ("1+1=2", "1+1=2"), ("", ""), (None, "")],
)  # fmt: skip
def test_cells_that_a_spreadsheet_would_run_get_a_leading_quote(value: str | None, written: str) -> None:
    assert escape_cell(value) == written


def test_formula_injection_is_neutralised_in_both_formats(world: OrgWorld) -> None:
    create_customer(world.owner, {"name": "=1+1", "notes": "@SUM(A1:A9)", "address": "-2+3"})
    for rows in (export_csv(world.owner), export_xlsx(world.owner)):
        row = dict(zip(rows[0], rows[1], strict=True))
        assert (row["客户名称"], row["备注"], row["地址"]) == ("'=1+1", "'@SUM(A1:A9)", "'-2+3")


def test_export_runs_a_fixed_number_of_queries_whatever_the_number_of_rows(world: OrgWorld) -> None:
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            export_csv(world.owner)
        return len(queries)

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            customer = create_customer(world.owner, {"name": f"测试客户{i:03d}号有限公司"}, tag_names=[f"标签{i}"],
                                       confirm_duplicates=True)  # fmt: skip
            create_contact(world.owner, customer, {"name": f"联系人{i}", "mobile": f"138{i:08d}"})

    add(2, 0)
    few = measure()
    add(20, 2)
    assert measure() == few


# --- round trip ------------------------------------------------------------------------------


def test_an_export_imports_again(world: OrgWorld, customers: dict[str, Customer]) -> None:
    update_customer(world.owner, customers["mine_a"], {"credit_code": credit_code(42), "address": "北京市海淀区1号"})
    rows = export_xlsx(world.owner, sort="name")
    t = table(rows)
    mapping = [f or "" for f in auto_mapping(t.headers)]
    assert None not in auto_mapping(t.headers)  # every exported header is known
    # Into the same organization: every row is a duplicate of the customer it came from.
    prepared, matches, _plan = check(t, mapping, world.owner, {})
    assert {g.name: matches[g.first_row][0].match.customer_id for g in prepared.groups} == {
        "华东精密机械有限公司": customers["mine_a"].pk,
        "蓝海物流股份有限公司": customers["mine_b"].pk,
    }
    # Into another organization, where "owner" is nobody: ignore that column, and the rest lands as it was.
    mapping[t.headers.index("负责人")] = ""
    counts = run(t, mapping, world.outsider, {})
    assert counts.created == 2
    copy = Customer.objects.get(organization=world.outsider.organization, name="华东精密机械有限公司")
    original = Customer.objects.get(pk=customers["mine_a"].pk)
    fields = ["credit_code", "address", "tier", "status", "name_norm", "search_text"]
    assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
    assert list(copy.tags.values_list("name", flat=True)) == ["重点"]
    assert copy.owner == world.outsider
