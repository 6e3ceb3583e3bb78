"""The import pages: access matrix, upload → mapping → check → decisions → import, progress, template."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.actions import create_customer
from kam.customers.imports.runner import progress_key
from kam.customers.models import Customer
from kam.customers.models.imports import ImportJob, ImportStatus, RowDecision
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    _import_settings,
    fingerprint,
    five_rows,
    read_xlsx,
    upload,
    xlsx_bytes,
)

ROLES = ["anonymous", "outsider", "stranger", "collaborator", "owner", "manager"]


def user_for(world: OrgWorld, role: str) -> User | None:
    if role == "anonymous":
        return None
    return world.manager_north if role == "manager" else getattr(world, role)


def client_of(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def post_file(client: Client, file: SimpleUploadedFile) -> Any:
    return client.post(reverse("customer-import"), {"file": file})


def owners_job(world: OrgWorld, rows: list[list[Any]] | None = None) -> ImportJob:
    response = post_file(client_of(world.owner), upload(rows or five_rows()))
    assert response.status_code == 302
    return ImportJob.objects.get(created_by=world.owner)


# --- access matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["customer-import", "customer-import-template"])
def test_import_pages_are_open_to_every_member_and_closed_to_anonymous(world: OrgWorld, role: str, name: str) -> None:
    response = client_of(user_for(world, role)).get(reverse(name))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_import_job_page_is_only_for_its_importer(world: OrgWorld, role: str) -> None:
    job = owners_job(world)
    response = client_of(user_for(world, role)).get(reverse("customer-import-job", args=[job.pk]))
    expected = {"anonymous": 302, "owner": 200}.get(role, 404)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ["anonymous", "outsider", "stranger", "collaborator", "manager"])
@pytest.mark.parametrize("action", ["run", "check", "apply_all", "save"])
def test_others_cannot_act_on_a_job_and_nothing_changes(world: OrgWorld, role: str, action: str) -> None:
    job = owners_job(world)
    before, state = fingerprint(), (job.status, job.decisions)
    response = client_of(user_for(world, role)).post(
        reverse("customer-import-job", args=[job.pk]), {"action": action, "apply_all": "create"}
    )
    assert response.status_code == (302 if role == "anonymous" else 404)
    job.refresh_from_db()
    assert (job.status, job.decisions) == state
    assert fingerprint() == before


def test_upload_by_anonymous_creates_no_job(world: OrgWorld) -> None:
    response = post_file(client_of(None), upload(five_rows()))
    assert response.status_code == 302
    assert ImportJob.objects.count() == 0


# --- the flow --------------------------------------------------------------------------------


def test_upload_checks_the_file_and_shows_errors_then_imports_nothing_when_run(world: OrgWorld) -> None:
    client = client_of(world.owner)
    response = post_file(client, upload(five_rows(bad_row=4)))
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("customer-import-job", args=[job.pk])
    assert (job.status, job.total_rows, job.file_name) == (ImportStatus.CHECKED, 5, "客户.xlsx")
    assert job.file.name.startswith("imports/")
    assert job.errors == {"4": {"contact_mobile": ["Enter a valid phone number."]}}
    page = client.get(reverse("customer-import-job", args=[job.pk]))
    assert page.status_code == 200
    assert "Contact mobile: Enter a valid phone number." in page.content.decode()
    before = fingerprint()
    client.post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == "Nothing was imported: 1 rows have errors."
    assert fingerprint() == before


def test_clean_file_imports_after_the_check(world: OrgWorld) -> None:
    client = client_of(world.owner)
    job = owners_job(world)
    assert (job.status, job.errors, job.duplicates, job.decisions) == (ImportStatus.CHECKED, {}, {}, {})
    response = client.post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_count, job.contacts_count, job.processed_rows) == (ImportStatus.DONE, 5, 5, 5)
    assert Customer.objects.filter(owner=world.owner).count() == 5
    page = client.get(reverse("customer-import-job", args=[job.pk])).content.decode()
    assert "customers created" in page
    # A done job cannot run twice.
    client.post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    assert Customer.objects.count() == 5


def test_unknown_headers_go_to_the_mapping_step(world: OrgWorld) -> None:
    client = client_of(world.owner)
    rows = [["客户名称", "年采购额", "对接人", "对接人手机"], ["华东精密机械有限公司", "500万", "张伟", "13800138000"]]
    post_file(client, upload(rows))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.UPLOADED
    assert job.mapping == [
        {"header": "客户名称", "field": "name"},
        {"header": "年采购额", "field": None},
        {"header": "对接人", "field": None},
        {"header": "对接人手机", "field": None},
    ]
    page = client.get(reverse("customer-import-job", args=[job.pk])).content.decode()
    assert 'name="column_1"' in page
    assert 'name="column_3"' in page
    assert 'name="column_0"' not in page
    url = reverse("customer-import-job", args=[job.pk])
    # Two columns on one field are refused.
    response = client.post(
        url, {"action": "map", "column_1": "ignore", "column_2": "contact_mobile", "column_3": "contact_mobile"}
    )
    assert [str(m) for m in response.wsgi_request._messages] == ["Several columns are mapped to: contact mobile."]
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED
    # An unanswered column is a form error.
    response = client.post(url, {"action": "map", "column_1": "ignore"})
    assert response.status_code == 400
    client.post(url, {"action": "map", "column_1": "ignore", "column_2": "contact_name", "column_3": "contact_mobile"})
    job.refresh_from_db()
    assert (job.status, job.errors) == (ImportStatus.CHECKED, {})
    assert [c["field"] for c in job.mapping] == ["name", "", "contact_name", "contact_mobile"]
    client.post(url, {"action": "run"})
    contact = Customer.objects.get().contacts.get()
    assert (contact.name, contact.mobile) == ("张伟", "13800138000")


def test_dry_run_table_shows_duplicates_with_their_holder_and_decisions_apply(world: OrgWorld) -> None:
    create_customer(world.stranger, {"name": "华东精密机械有限公司"})
    create_customer(world.owner, {"name": "蓝海物流股份有限公司"})
    client = client_of(world.owner)
    job = owners_job(world)
    assert job.decisions == {"2": RowDecision.SKIP, "3": RowDecision.SKIP}
    page = client.get(reverse("customer-import-job", args=[job.pk])).content.decode()
    assert "an existing customer held by stranger" in page
    assert 'name="decision-2"' in page
    assert 'name="decision-3"' in page
    # Merge is offered only where the user may change the match.
    assert '<option value="merge">' in page.split('name="decision-3"')[1].split("</select>")[0]
    assert "merge" not in page.split('name="decision-2"')[1].split("</select>")[0]
    url = reverse("customer-import-job", args=[job.pk])
    client.post(url, {"action": "apply_all", "apply_all": "merge"})
    job.refresh_from_db()
    assert job.decisions == {"2": "skip", "3": "merge"}  # row 2's match is not the user's to change
    client.post(url, {"action": "apply_all", "apply_all": "create"})
    job.refresh_from_db()
    assert job.decisions == {"2": "create", "3": "create"}
    client.post(url, {"action": "save", "decision-2": "skip", "decision-3": "merge", "decision-99": "create"})
    job.refresh_from_db()
    assert job.decisions == {"2": "skip", "3": "merge"}
    client.post(url, {"action": "run"})
    job.refresh_from_db()
    assert (job.status, job.created_count, job.merged_count, job.skipped_count) == (ImportStatus.DONE, 3, 1, 1)


def test_progress_is_polled_with_htmx_while_running(world: OrgWorld) -> None:
    job = owners_job(world)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    cache.set(progress_key(job.pk), {"phase": "write", "done": 3, "total": 5})
    client = client_of(world.owner)
    url = reverse("customer-import-job", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    partial = client.get(url, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200
    assert body.startswith('<div id="import-progress"')
    assert "3 of 5 rows" in body
    assert '<progress max="5" value="3">' in body
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE)
    finished = client.get(url, HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"


def test_upload_errors_are_shown_on_the_form_and_create_no_job(world: OrgWorld, settings: Settings) -> None:
    client = client_of(world.owner)
    response = post_file(client, SimpleUploadedFile("客户.txt", b"hello"))
    assert response.status_code == 400
    assert "Upload an Excel workbook (.xlsx) or a CSV file." in response.content.decode()
    settings.KAM_UPLOAD_MAX_BYTES = 1000
    response = post_file(client, upload(five_rows()))
    assert response.status_code == 400
    assert "the limit is 1000\xa0bytes." in response.content.decode()
    assert ImportJob.objects.count() == 0


# --- template --------------------------------------------------------------------------------


def test_template_has_the_chinese_headers_and_imports_as_it_is(world: OrgWorld) -> None:
    client = client_of(world.owner)
    response = client.get(reverse("customer-import-template"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%AE%A2%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = read_xlsx(content)
    assert rows[0][:5] == ["客户名称", "简称", "统一社会信用代码", "所属行业", "省份"]
    assert len(rows) == 2
    post_file(client, SimpleUploadedFile("模板.xlsx", content))
    job = ImportJob.objects.get()
    assert (job.status, job.errors, job.duplicates) == (ImportStatus.CHECKED, {}, {})
    client.post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    customer = Customer.objects.get()
    assert (customer.name, customer.industry_id, customer.city_id, customer.tier, customer.source) == (
        "示例科技有限公司", "65", "110100", "B", "exhibition"
    )  # fmt: skip
    assert sorted(customer.tags.values_list("name", flat=True)) == ["华北", "重点行业"]
    contact = customer.contacts.get()
    assert (contact.name, contact.mobile, contact.phone, contact.email) == (
        "张三", "13800138000", "010-62345678-8001", "zhangsan@example.com"
    )  # fmt: skip


def test_csv_upload_in_gbk_imports(world: OrgWorld) -> None:
    from kam.customers.tests.import_scene import csv_bytes

    client = client_of(world.owner)
    post_file(client, SimpleUploadedFile("客户.csv", csv_bytes(five_rows(), "gbk")))
    job = ImportJob.objects.get()
    client.post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 5)
    assert xlsx_bytes  # the helper module is shared with the export tests


def test_large_files_are_checked_and_imported_in_the_background(
    world: OrgWorld, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from kam.customers.imports import runner

    started: list[str] = []

    def synchronous(work: Any, name: str) -> None:
        started.append(name)
        work()

    monkeypatch.setattr(runner, "INLINE_ROWS", 2)
    monkeypatch.setattr(runner, "_background", synchronous)
    client = client_of(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, upload(five_rows()))
    job = ImportJob.objects.get()
    assert started == [f"kam-import-{job.pk}"]
    assert job.status == ImportStatus.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 5)
    assert len(started) == 2


def test_a_job_whose_worker_vanished_can_be_started_again(world: OrgWorld) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = owners_job(world)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )
    client = client_of(world.owner)
    url = reverse("customer-import-job", args=[job.pk])
    page = client.get(url).content.decode()
    assert "This job stopped without finishing" in page
    assert 'hx-trigger="every 1s"' not in page
    client.post(url, {"action": "run"})
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 5)


def test_a_row_failing_only_at_import_time_can_then_be_skipped(world: OrgWorld) -> None:
    client = client_of(world.owner)
    job = owners_job(world)
    assert job.decisions == {}
    # The owner's holding limit drops between the check and the import.
    world.owner.holding_limit = 4
    world.owner.save(update_fields=["holding_limit"])
    url = reverse("customer-import-job", args=[job.pk])
    client.post(url, {"action": "run"})
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.errors == {"6": {"owner": ["owner already holds 0 customers; the limit is 4."]}}
    assert job.decisions == {"6": "create"}
    assert job.row_info["6"]["customer"] == "远航建设集团有限公司"
    page = client.get(url).content.decode()
    assert 'name="decision-6"' in page
    client.post(url, {"action": "run", "decision-6": "skip"})
    job.refresh_from_db()
    assert (job.status, job.created_count, job.skipped_count) == (ImportStatus.DONE, 4, 1)


def test_a_duplicate_that_appears_after_the_check_is_skipped_not_created(world: OrgWorld) -> None:
    from kam.customers.tests.import_scene import credit_code

    job = owners_job(world)
    theirs = create_customer(world.stranger, {"name": "别的名字有限公司", "credit_code": credit_code(101)})
    client_of(world.owner).post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    job.refresh_from_db()
    assert (job.status, job.created_count, job.skipped_count) == (ImportStatus.DONE, 4, 1)
    assert Customer.objects.filter(credit_code=credit_code(101)).get() == theirs
