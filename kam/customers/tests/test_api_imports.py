"""Import jobs over the API: access matrix, upload → mapping → check → decisions → run, all-or-nothing,
422 field paths, background work, the template, and query counts of the lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries, Settings

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.core.tests.api_support import API, bearer_client, call
from kam.customers.actions import create_customer
from kam.customers.imports import runner
from kam.customers.imports.runner import progress_key
from kam.customers.models import Customer
from kam.customers.models.imports import ImportJob, ImportStatus
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    NAMES,
    _import_settings,
    credit_code,
    fingerprint,
    five_rows,
    read_xlsx,
    upload,
)

# The access matrix of the web pages: a job is its importer's alone, whatever the role of the others.
ROLES = ["anonymous", "outsider", "stranger", "teammate", "collaborator", "manager", "director", "admin", "owner"]


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
    response = client.post(f"{API}/imports", {"file": file})
    response.data = response.json()
    return response


def owners_job(world: OrgWorld, rows: list[list[Any]] | None = None) -> ImportJob:
    response = post_file(client_of(world.owner), upload(rows or five_rows()))
    assert response.status_code == 201
    return ImportJob.objects.get(pk=response.data["id"])


def locs(response: Any) -> list[list[str | int]]:
    return [item["loc"] for item in response.data["detail"]]


def messages(response: Any) -> list[str]:
    return [item["msg"] for item in response.data["detail"]]


def job_state(job: ImportJob) -> tuple[Any, ...]:
    job.refresh_from_db()
    return (job.status, job.mapping, job.decisions, job.errors, job.created_count, job.started_at)


def with_duplicates(world: OrgWorld) -> ImportJob:
    """Rows 2 and 3 look like existing customers: row 2 the stranger's (hidden), row 3 the owner's own."""
    create_customer(world.stranger, {"name": NAMES[0]})
    create_customer(world.owner, {"name": NAMES[1]})
    return owners_job(world)


# --- access matrix ---------------------------------------------------------------------------


ENDPOINTS = [
    ("GET", "/imports/{id}", None),
    ("GET", "/imports/{id}/rows", None),
    ("PUT", "/imports/{id}/mapping", {"mapping": {"0": "name"}}),
    ("POST", "/imports/{id}/check", None),
    ("PUT", "/imports/{id}/decisions", {"all": "create"}),
    ("POST", "/imports/{id}/run", None),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_job_answers_only_its_importer_and_others_change_nothing(
    world: OrgWorld, role: str, method: str, path: str, body: Any
) -> None:
    job = with_duplicates(world)
    before, state = fingerprint(), job_state(job)
    response = call(client_of(user_for(world, role)), method, path.format(id=job.pk), body)
    expected = {"anonymous": 401, "owner": 200}.get(role, 404)
    assert response.status_code == expected
    if role != "owner":
        assert job_state(job) == state
        assert fingerprint() == before
        assert response.data["detail"] in ("Not found", "Sign in or send a valid API token (Authorization: Bearer …).")


@pytest.mark.parametrize("role", ["anonymous", "outsider", "teammate", "manager", "admin"])
def test_the_list_holds_only_my_own_uploads(world: OrgWorld, role: str) -> None:
    job = owners_job(world)
    response = call(client_of(user_for(world, role)), "GET", "/imports")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert response.data == {"items": [], "count": 0}
    mine = call(client_of(world.owner), "GET", "/imports").data
    assert [item["id"] for item in mine["items"]] == [job.pk]
    assert mine["items"][0]["status"] == "checked"


def test_missing_jobs_and_malformed_ids_answer_404(world: OrgWorld) -> None:
    client = client_of(world.owner)
    assert call(client, "GET", "/imports/999999").status_code == 404
    assert call(client, "GET", "/imports/abc").status_code == 404


def test_anonymous_upload_answers_401_and_stores_nothing(world: OrgWorld) -> None:
    response = post_file(client_of(None), upload(five_rows()))
    assert response.status_code == 401
    assert ImportJob.objects.count() == 0


def test_a_bearer_token_uploads_without_a_session(world: OrgWorld) -> None:
    response = bearer_client(world.owner).post(f"{API}/imports", {"file": upload(five_rows())})
    assert response.status_code == 201
    assert ImportJob.objects.get().created_by == world.owner


# --- upload ----------------------------------------------------------------------------------


def test_upload_refusals_are_the_web_messages_at_the_file_field(world: OrgWorld, settings: Settings) -> None:
    client = client_of(world.owner)
    response = post_file(client, SimpleUploadedFile("客户.txt", b"hello"))
    assert (response.status_code, locs(response)) == (422, [["body", "file"]])
    assert messages(response) == ["Upload an Excel workbook (.xlsx) or a CSV file."]
    response = client.post(f"{API}/imports", {})
    assert (response.status_code, response.json()["detail"][0]["loc"]) == (422, ["body", "file"])
    assert response.json()["detail"][0]["msg"] == "This field is required."
    settings.KAM_UPLOAD_MAX_BYTES = 1000
    response = post_file(client, upload(five_rows()))
    assert response.status_code == 422
    assert messages(response)[0].endswith("the limit is 1000\xa0bytes.")
    assert ImportJob.objects.count() == 0


def test_upload_of_a_known_file_is_checked_at_once(world: OrgWorld) -> None:
    response = post_file(client_of(world.owner), upload(five_rows()))
    assert response.status_code == 201
    data = response.data
    job = ImportJob.objects.get()
    assert data["id"] == job.pk
    assert (data["status"], data["total_rows"], data["file_name"]) == ("checked", 5, "客户.xlsx")
    assert (data["needs_mapping"], data["unknown_headers"], data["error_rows"], data["decisions"]) == (
        False, [], 0, {}
    )  # fmt: skip
    assert data["mapping"][0] == {"index": 0, "header": "客户名称", "field": "name", "label": "customer name"}
    assert data["created_at"].endswith("+08:00")


# --- the whole flow --------------------------------------------------------------------------


def test_upload_map_check_decide_and_run_land_the_customers(world: OrgWorld) -> None:
    create_customer(world.stranger, {"name": NAMES[0]})
    mine = create_customer(world.owner, {"name": NAMES[1]})
    client = client_of(world.owner)
    headers = ["客户名称", "统一社会信用代码", "对接人", "对接人手机", "年采购额"]
    rows = [headers] + [[name, credit_code(100 + i), f"联系人{i}", f"1380013800{i}", "500万"]
                        for i, name in enumerate(NAMES)]  # fmt: skip
    # Upload: two headers are unknown, so the job waits for the mapping.
    uploaded = post_file(client, upload(rows))
    job_id = uploaded.data["id"]
    assert uploaded.data["status"] == "uploaded"
    assert uploaded.data["needs_mapping"] is True
    assert uploaded.data["unknown_headers"] == ["对接人", "对接人手机", "年采购额"]
    assert [c["field"] for c in uploaded.data["mapping"]] == ["name", "credit_code", None, None, None]
    refused = call(client, "POST", f"/imports/{job_id}/check")
    assert (refused.status_code, locs(refused)) == (422, [["body", "mapping"]])
    # Mapping: every unknown column needs an answer.
    partial = call(client, "PUT", f"/imports/{job_id}/mapping", {"mapping": {"2": "contact_name"}})
    assert partial.status_code == 422
    assert locs(partial) == [["body", "mapping", "3"], ["body", "mapping", "4"]]
    assert messages(partial) == ["This field is required.", "This field is required."]
    mapped = call(client, "PUT", f"/imports/{job_id}/mapping",
                  {"mapping": {"2": "contact_name", "3": "contact_mobile", "4": "ignore"}})  # fmt: skip
    assert mapped.status_code == 200
    assert mapped.data["status"] == "checked"
    assert [c["field"] for c in mapped.data["mapping"]] == ["name", "credit_code", "contact_name", "contact_mobile",
                                                          "ignore"]  # fmt: skip
    assert mapped.data["decisions"] == {"2": "skip", "3": "skip"}
    # Check again: the result lists the duplicates with their holders.
    checked = call(client, "POST", f"/imports/{job_id}/check")
    assert checked.status_code == 200
    result = checked.data["result"]
    assert (result["count"], result["next_offset"]) == (2, None)
    row2, row3 = result["items"]
    assert (row2["row"], row2["customer"], row2["contact"], row2["errors"]) == (2, NAMES[0], "联系人0", [])
    assert [(d["holder"], d["name"], d["visible"], d["writable"]) for d in row2["duplicates"]] == [
        ("stranger", "", False, False)
    ]
    assert row2["choices"] == ["create", "skip"]
    assert [(d["customer_id"], d["holder"], d["name"], d["writable"]) for d in row3["duplicates"]] == [
        (mine.pk, "owner", NAMES[1], True)
    ]
    assert row3["choices"] == ["create", "merge", "skip"]
    assert call(client, "GET", f"/imports/{job_id}/rows").data == result
    # Decide: everything "create", then row 2 skipped and row 3 merged into the owner's customer.
    decided = call(
        client, "PUT", f"/imports/{job_id}/decisions", {"all": "create", "rows": {"2": "skip", "3": "merge"}}
    )
    assert decided.status_code == 200
    assert decided.data["decisions"] == {"2": "skip", "3": "merge"}
    ran = call(client, "POST", f"/imports/{job_id}/run")
    assert ran.status_code == 200
    data = ran.data
    assert (data["status"], data["created_count"], data["merged_count"], data["skipped_count"]) == ("done", 3, 1, 1)
    assert (data["contacts_count"], data["processed_rows"], data["error_rows"]) == (4, 5, 0)
    assert sorted(Customer.objects.filter(owner=world.owner).values_list("name", flat=True)) == sorted(NAMES[1:])
    contact = Customer.objects.get(name=NAMES[4]).contacts.get()
    assert (contact.name, contact.mobile) == ("联系人4", "13800138004")
    # A finished job does not run twice.
    again = call(client, "POST", f"/imports/{job_id}/run")
    assert (again.status_code, messages(again)) == (422, ["This import is already running or done."])
    assert Customer.objects.count() == 5


def test_a_failing_row_imports_nothing_and_its_field_path_is_reported(world: OrgWorld) -> None:
    client = client_of(world.owner)
    job = owners_job(world, five_rows(bad_row=4))
    rows = call(client, "GET", f"/imports/{job.pk}/rows").data
    assert rows["items"][0]["errors"] == [
        {
            "loc": [4, "contact_mobile"],
            "field": "contact_mobile",
            "column": "手机",
            "msg": "Enter a valid phone number.",
        }
    ]
    assert rows["items"][0]["decision"] == "create"
    before = fingerprint()
    ran = call(client, "POST", f"/imports/{job.pk}/run")
    assert ran.status_code == 200
    assert (ran.data["status"], ran.data["message"]) == ("failed", "Nothing was imported: 1 rows have errors.")
    assert ran.data["created_count"] == 0
    assert fingerprint() == before
    assert Customer.all_objects.count() == 0


def test_a_row_failing_at_import_time_rolls_back_the_others_until_it_is_skipped(world: OrgWorld) -> None:
    client = client_of(world.owner)
    job = owners_job(world)
    world.owner.holding_limit = 4  # the fifth customer no longer fits, after the check
    world.owner.save(update_fields=["holding_limit"])
    before = fingerprint()
    failed = call(client, "POST", f"/imports/{job.pk}/run")
    assert (failed.data["status"], failed.data["error_rows"], failed.data["decisions"]) == (
        "failed",
        1,
        {"6": "create"},
    )
    assert fingerprint() == before
    assert Customer.all_objects.count() == 0
    row6 = call(client, "GET", f"/imports/{job.pk}/rows").data["items"][0]
    assert (row6["row"], row6["errors"][0]["loc"], row6["errors"][0]["column"]) == (6, [6, "owner"], None)
    call(client, "PUT", f"/imports/{job.pk}/decisions", {"rows": {"6": "skip"}})
    ran = call(client, "POST", f"/imports/{job.pk}/run")
    assert (ran.data["status"], ran.data["created_count"], ran.data["skipped_count"]) == ("done", 4, 1)
    assert Customer.objects.count() == 4


# --- 422 field paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected_locs", "expected_messages"),
    [
        ({"rows": {"2": "bogus"}}, [["body", "rows", "2"]], ["Choose skip, merge or create."]),
        ({"rows": {"5": "create"}}, [["body", "rows", "5"]], ["The check asks for no decision on this row."]),
        ({"rows": {"2": "merge"}}, [["body", "rows", "2"]],
         ["This customer cannot be merged: there is no existing customer you may change."]),
        ({"all": "everything", "rows": {"2": "x", "3": "skip"}}, [["body", "all"], ["body", "rows", "2"]],
         ["Choose skip, merge or create.", "Choose skip, merge or create."]),
        ({"rows": "skip"}, [["body", "rows"]], None),
        ({"all": 3}, [["body", "all"]], None),
    ],
)  # fmt: skip
def test_bad_decisions_answer_422_at_their_path_and_change_nothing(
    world: OrgWorld, body: Any, expected_locs: list[list[str]], expected_messages: list[str] | None
) -> None:
    job = with_duplicates(world)
    state = job_state(job)
    response = call(client_of(world.owner), "PUT", f"/imports/{job.pk}/decisions", body)
    assert response.status_code == 422
    assert locs(response) == expected_locs
    if expected_messages is not None:
        assert messages(response) == expected_messages
    assert job_state(job) == state


@pytest.mark.parametrize(
    ("mapping", "expected_locs", "expected_messages"),
    [
        ({"9": "name"}, [["body", "mapping", "9"]], ["The file has no column 9."]),
        ({"x": "name"}, [["body", "mapping", "x"]], ["The file has no column x."]),
        ({"0": "bogus"}, [["body", "mapping", "0"]],
         ["Select a valid choice. bogus is not one of the available choices."]),
        ({"0": "ignore"}, [["body", "mapping"]], ["Map one column to the customer name."]),
        ({"5": "contact_mobile"}, [["body", "mapping"]], ["Several columns are mapped to: contact mobile."]),
    ],
)  # fmt: skip
def test_bad_mappings_answer_422_at_their_column_and_change_nothing(
    world: OrgWorld, mapping: dict[str, str], expected_locs: list[list[str]], expected_messages: list[str]
) -> None:
    job = owners_job(world)
    state = job_state(job)
    response = call(client_of(world.owner), "PUT", f"/imports/{job.pk}/mapping", {"mapping": mapping})
    assert response.status_code == 422
    assert (locs(response), messages(response)) == (expected_locs, expected_messages)
    assert job_state(job) == state


def test_a_recognised_column_can_be_remapped(world: OrgWorld) -> None:
    job = owners_job(world)
    response = call(client_of(world.owner), "PUT", f"/imports/{job.pk}/mapping", {"mapping": {"7": "ignore"}})
    assert response.status_code == 200
    assert response.data["mapping"][7] == {"index": 7, "header": "职务", "field": "ignore", "label": ""}
    call(client_of(world.owner), "POST", f"/imports/{job.pk}/run")
    assert {c.title for c in Customer.objects.get(name=NAMES[0]).contacts.all()} == {""}


# --- large files: the background, progress --------------------------------------------------


def test_large_files_answer_202_and_progress_comes_from_the_cache(
    world: OrgWorld, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    started: list[Callable[[], object]] = []
    monkeypatch.setattr(runner, "INLINE_ROWS", 2)
    monkeypatch.setattr(runner, "_background", lambda work, name: started.append(work))
    client = client_of(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = post_file(client, upload(five_rows())).data["id"]
    started.pop()()
    with django_capture_on_commit_callbacks(execute=True):
        checking = call(client, "POST", f"/imports/{job_id}/check")
    assert (checking.status_code, checking.data["status"], checking.data["result"]) == (202, "checking", None)
    cache.set(progress_key(job_id), {"phase": "check", "done": 3, "total": 5})
    polled = call(client, "GET", f"/imports/{job_id}").data
    assert (polled["progress"], polled["stalled"]) == ({"phase": "check", "done": 3, "total": 5}, False)
    started.pop()()
    assert call(client, "GET", f"/imports/{job_id}").data["status"] == "checked"
    with django_capture_on_commit_callbacks(execute=True):
        running = call(client, "POST", f"/imports/{job_id}/run")
    assert (running.status_code, running.data["status"]) == (202, "running")
    started.pop()()
    done = call(client, "GET", f"/imports/{job_id}").data
    assert (done["status"], done["created_count"], done["progress"]) == ("done", 5, None)


# --- the template ----------------------------------------------------------------------------


def test_the_template_downloads_as_xlsx_and_imports_as_it_is(world: OrgWorld) -> None:
    client = client_of(world.owner)
    response = client.get(f"{API}/imports/template")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%AE%A2%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert read_xlsx(content)[0][:3] == ["客户名称", "简称", "统一社会信用代码"]
    uploaded = post_file(client, SimpleUploadedFile("模板.xlsx", content))
    assert (uploaded.data["status"], uploaded.data["error_rows"]) == ("checked", 0)
    assert client_of(None).get(f"{API}/imports/template").status_code == 401


def test_targets_list_every_field_a_column_can_fill(world: OrgWorld) -> None:
    targets = call(client_of(world.owner), "GET", "/imports/targets").data
    assert targets[0] == {"key": "name", "header": "客户名称", "label": "customer name"}
    assert "contact_mobile" in [t["key"] for t in targets]


def test_openapi_documents_the_upload_and_the_values(world: OrgWorld) -> None:
    spec = client_of(world.owner).get(f"{API}/openapi.json").json()
    body = spec["paths"][f"{API}/imports"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert (body["required"], body["properties"]["file"]["format"]) == (["file"], "binary")
    decisions = spec["components"]["schemas"]["DecisionsIn"]["properties"]["rows"]["additionalProperties"]
    assert decisions["enum"] == ["create", "merge", "skip"]


# --- query counts ----------------------------------------------------------------------------


def _jobs(world: OrgWorld, count: int) -> None:
    ImportJob.objects.bulk_create(
        ImportJob(organization=world.org, created_by=world.owner, file_name=f"{i}.xlsx", file=f"imports/{i}.xlsx")
        for i in range(count)
    )


def _job_with_error_rows(world: OrgWorld, count: int) -> ImportJob:
    numbers = range(2, count + 2)
    return ImportJob.objects.create(
        organization=world.org, created_by=world.owner, file_name="x.xlsx", file="imports/x.xlsx",
        status=ImportStatus.CHECKED, total_rows=count,
        errors={str(n): {"contact_mobile": ["Enter a valid phone number."]} for n in numbers},
        row_info={str(n): {"customer": f"客户{n}", "contact": "", "group": n} for n in numbers},
        decisions={str(n): "create" for n in numbers},
        mapping=[{"header": "客户名称", "field": "name"}, {"header": "手机", "field": "contact_mobile"}],
    )  # fmt: skip


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert call(client, "GET", path).status_code == 200
    return len(captured)


def test_the_job_list_runs_a_fixed_number_of_queries(
    world: OrgWorld, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_of(world.owner)
    _jobs(world, 2)
    few = _queries(client, "/imports")
    _jobs(world, 40)
    with django_assert_max_num_queries(few):
        response = call(client, "GET", "/imports?limit=100")
    assert response.data["count"] == 42
    assert len(response.data["items"]) == 42


def test_the_rows_run_a_fixed_number_of_queries(
    world: OrgWorld, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_of(world.owner)
    few = _queries(client, f"/imports/{_job_with_error_rows(world, 2).pk}/rows")
    many = _job_with_error_rows(world, 300)
    with django_assert_max_num_queries(few):
        response = call(client, "GET", f"/imports/{many.pk}/rows?limit=250")
    page = response.data
    assert (page["count"], len(page["items"]), page["next_offset"]) == (300, 250, 250)
    assert page["items"][0]["errors"][0]["column"] == "手机"
    last = call(client, "GET", f"/imports/{many.pk}/rows?offset=250&limit=250").data
    assert (len(last["items"]), last["next_offset"], last["items"][-1]["row"]) == (50, None, 301)
