"""The field-level audit history of customers (kam.core.audit used by the customer actions)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core import audit
from kam.core.models import AuditAction, AuditEntry
from kam.customers.actions import create_contact, set_locked, update_customer
from kam.customers.models import Customer, CustomerTier, EmployeesBand
from kam.customers.tests.domain_helpers import audit_rows, city, make_customer


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_display_value_reads_like_the_history_panel(world: OrgWorld) -> None:
    beijing = city("110100", "北京市", "110000", "北京市", tier="一线")
    customer = make_customer(
        world.owner, "华为技术有限公司", tier=CustomerTier.B, employees_band=EmployeesBand.HUGE, city=beijing,
        tag_names=["重点", "华北"],
    )  # fmt: skip
    assert audit.display_value(customer, "tier") == "Tier B"
    assert audit.display_value(customer, "employees_band") == "5,000 and more"
    assert audit.display_value(customer, "revenue_band") == ""
    assert audit.display_value(customer, "city") == "北京市"
    assert audit.display_value(customer, "industry") == ""
    assert audit.display_value(customer, "owner") == "owner"
    assert audit.display_value(customer, "tags") == "华北、重点"
    assert audit.display_value(customer, "locked") == "否"


def test_record_changes_writes_only_changed_fields(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    before = audit.snapshot(customer, ["name", "tier", "address"])
    customer.tier = CustomerTier.A
    assert audit.record_changes(world.admin, customer, before) == ["tier"]
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert (entry.actor, entry.organization, entry.entity, entry.entity_id, entry.field, entry.old, entry.new) == (
        world.admin,
        world.org,
        "customers.customer",
        customer.pk,
        "tier",
        "C类客户",
        "A类客户",
    )
    assert audit.record_changes(world.admin, customer, audit.snapshot(customer, ["tier"])) == []
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_history_is_newest_first_and_only_of_that_record(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    other = make_customer(world.owner, "中兴通讯股份有限公司")
    create_contact(world.owner, customer, {"name": "张伟"})
    update_customer(world.owner, customer, {"address": "一"})
    update_customer(world.owner, customer, {"address": "二"})
    update_customer(world.owner, other, {"address": "三"})
    rows = [(e.action, e.field, e.new) for e in audit.history(customer)]
    assert rows == [
        (AuditAction.UPDATE, "address", "二"),
        (AuditAction.UPDATE, "address", "一"),
        (AuditAction.CREATE, "", ""),
    ]


def test_history_loads_actors_in_one_query(world: OrgWorld, django_assert_num_queries: Any) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    for i in range(5):
        update_customer(world.manager_north, customer, {"address": f"地址{i}"})
    with django_assert_num_queries(1):
        actors = [e.actor.name if e.actor else "" for e in audit.history(customer)]
    assert actors == ["mgr_north"] * 5 + ["owner"]


def test_every_customer_write_leaves_rows_with_actor_and_organization(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "华为技术有限公司")
    update_customer(world.manager_north, customer, {"tier": "A", "notes": "战略客户"})
    set_locked(world.owner, customer, True)
    assert sorted(audit_rows(customer)) == sorted(
        [
            (AuditAction.CREATE, "", "", ""),
            (AuditAction.UPDATE, "tier", "C类客户", "A类客户"),
            (AuditAction.UPDATE, "notes", "", "战略客户"),
            (AuditAction.UPDATE, "locked", "否", "是"),
        ]
    )
    assert set(AuditEntry.objects.values_list("organization", flat=True)) == {world.org.pk}
    assert sorted(AuditEntry.objects.values_list("actor__username", flat=True)) == sorted(
        ["owner", "mgr_north", "mgr_north", "owner"]
    )


def test_field_label_falls_back_to_the_name_for_unknown_fields() -> None:
    assert str(audit.field_label(Customer, "credit_code")) == "unified social credit code"
    assert audit.field_label(Customer, "collaborators") == "collaborators"
    assert audit.field_label(Customer, "no_such_field") == "no_such_field"
