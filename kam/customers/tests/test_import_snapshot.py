"""The import reuses the dry run's validation while it still fits, and re-checks what may have changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kam.conftest import OrgWorld
from kam.customers.imports import runner, snapshot
from kam.customers.models import Customer
from kam.customers.models.imports import ImportJob, ImportStatus
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    _import_settings,
    fingerprint,
    five_rows,
    upload,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def checked_job(world: OrgWorld, rows: list[list[Any]] | None = None) -> tuple[Client, ImportJob]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.manager_north)
    client.post(reverse("customer-import"), {"file": upload(rows or five_rows())})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED
    return client, job


def refuse_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("validated again")

    monkeypatch.setattr(runner, "prepare", fail)


def test_import_after_the_check_does_not_validate_the_rows_again(
    world: OrgWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, job = checked_job(world)
    path = f"imports/checked/{job.pk}.json.gz"
    assert default_storage.exists(path)
    refuse_validation(monkeypatch)
    client.post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    job.refresh_from_db()
    assert (job.status, job.created_count, job.contacts_count) == (ImportStatus.DONE, 5, 5)
    customer = Customer.objects.get(name="华东精密机械有限公司")
    assert (customer.province_id, customer.city_id, customer.city_tier, customer.contacts.get().mobile) == (
        "110000", "110100", "一线", "13800138000"
    )  # fmt: skip
    assert not default_storage.exists(path)


def test_a_changed_mapping_is_validated_again(world: OrgWorld) -> None:
    _client, job = checked_job(world)
    assert snapshot.load(job) is not None
    job.mapping[-1]["field"] = ""  # 职务 ignored now
    assert snapshot.load(job) is None


def test_an_owner_who_left_since_the_check_stops_the_import(world: OrgWorld) -> None:
    rows = [[*five_rows()[0], "负责人"]] + [[*row, "teammate"] for row in five_rows()[1:]]
    client, job = checked_job(world, rows)
    assert job.errors == {}
    world.teammate.is_active = False
    world.teammate.save(update_fields=["is_active"])
    before = fingerprint()
    client.post(reverse("customer-import-job", args=[job.pk]), {"action": "run"})
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.errors["2"] == {"owner": ["Choose an active colleague as owner."]}
    assert fingerprint() == before
