"""Organization settings and tier service levels in the admin console."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.admin_actions import update_organization
from kam.core.models import AuditAction, AuditEntry, Organization, User
from kam.core.tests.admin_scene import audit_rows, english_client, org_fingerprint
from kam.customers.actions import create_customer
from kam.customers.actions.pool_admin import set_service_levels
from kam.customers.models import Customer, ServiceLevel
from kam.customers.queries import service_level_of

SETTINGS = {
    "name": "测试科技有限公司",
    "dedup_mode": "warn",
    "default_holding_limit": 200,
    "default_lock_limit": 20,
    "checkin_radius_m": 500,
}


def test_settings_page_shows_the_current_values(world: OrgWorld) -> None:
    ServiceLevel.objects.create(organization=world.org, tier="B", visit_cadence_days=14)
    response = english_client(world.admin).get(reverse("admin-organization"))
    assert response.context["org_form"].initial == SETTINGS
    assert response.context["level_form"].initial == {"tier_B": 14}
    assert "Tier A: visit at least every N days" in response.content.decode()


def test_admin_saves_settings_with_an_audit_row_per_changed_field(world: OrgWorld) -> None:
    data = {**SETTINGS, "dedup_mode": "block", "default_holding_limit": 50}
    response = english_client(world.admin).post(reverse("admin-organization"), data, follow=True)
    assert "Organization settings saved." in response.content.decode()
    org = Organization.objects.get(pk=world.org.pk)
    assert (org.dedup_mode, org.default_holding_limit, org.default_lock_limit) == ("block", 50, 20)
    assert audit_rows(org) == [
        (AuditAction.UPDATE, "dedup_mode", "仅提醒", "禁止创建重复客户"),
        (AuditAction.UPDATE, "default_holding_limit", "200", "50"),
    ]
    assert {e.organization_id for e in AuditEntry.objects.filter(entity="core.organization")} == {world.org.pk}


def test_block_mode_refuses_a_duplicate_customer_and_warn_mode_lets_it_through(world: OrgWorld) -> None:
    create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    update_organization(world.admin, **{**SETTINGS, "dedup_mode": "block"})
    teammate = User.objects.select_related("organization").get(pk=world.teammate.pk)
    with pytest.raises(ValidationError) as exc:
        create_customer(teammate, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    assert list(exc.value.message_dict) == ["name"]
    update_organization(world.admin, **SETTINGS)
    teammate = User.objects.select_related("organization").get(pk=world.teammate.pk)
    create_customer(teammate, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    assert Customer.objects.filter(name="北京星河数据科技有限公司").count() == 2


def test_default_limits_apply_to_users_without_their_own(world: OrgWorld) -> None:
    update_organization(world.admin, **{**SETTINGS, "default_holding_limit": 7, "default_lock_limit": 2})
    owner = User.objects.select_related("organization").get(pk=world.owner.pk)
    assert (owner.effective_holding_limit, owner.effective_lock_limit) == (7, 2)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"dedup_mode": "ignore"}, "dedup_mode"),
        ({"default_holding_limit": 0}, "default_holding_limit"),
        ({"default_lock_limit": -1}, "default_lock_limit"),
        ({"default_lock_limit": "many"}, "default_lock_limit"),
        ({"checkin_radius_m": 49}, "checkin_radius_m"),
        ({"checkin_radius_m": 5001}, "checkin_radius_m"),
        ({"checkin_radius_m": ""}, "checkin_radius_m"),
        ({"checkin_radius_m": "99999999999999999999999"}, "checkin_radius_m"),
    ],
)
def test_bad_settings_are_field_errors_and_change_nothing(
    world: OrgWorld, overrides: dict[str, object], field: str
) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-organization"), {**SETTINGS, **overrides})
    assert response.status_code == 200
    assert list(response.context["org_form"].errors) == [field]
    assert org_fingerprint(world.org) == before


def test_service_levels_are_set_changed_and_cleared_with_audit_rows(world: OrgWorld) -> None:
    client = english_client(world.admin)
    response = client.post(reverse("admin-service-levels"), {"tier_A": 7, "tier_B": 14, "tier_C": ""}, follow=True)
    assert "Service levels saved." in response.content.decode()
    assert dict(ServiceLevel.objects.filter(organization=world.org).values_list("tier", "visit_cadence_days")) == {
        "A": 7,
        "B": 14,
    }
    level_a = ServiceLevel.objects.get(organization=world.org, tier="A")
    level_b = ServiceLevel.objects.get(organization=world.org, tier="B")
    client.post(reverse("admin-service-levels"), {"tier_A": 5, "tier_B": "", "tier_C": ""})
    assert dict(ServiceLevel.objects.filter(organization=world.org).values_list("tier", "visit_cadence_days")) == {
        "A": 5
    }
    assert audit_rows(level_a) == [
        (AuditAction.CREATE, "visit_cadence_days", "", "7"),
        (AuditAction.UPDATE, "visit_cadence_days", "7", "5"),
    ]
    assert audit_rows(level_b) == [
        (AuditAction.CREATE, "visit_cadence_days", "", "14"),
        (AuditAction.PURGE, "visit_cadence_days", "14", ""),
    ]


def test_service_level_is_what_a_customer_of_the_tier_promises(world: OrgWorld) -> None:
    set_service_levels(world.admin, {"A": 7, "B": 14, "C": 30})
    customer = create_customer(world.owner, {"name": "北京星河数据科技有限公司", "tier": "B"}, confirm_duplicates=True)
    level = service_level_of(customer)
    assert level is not None
    assert level.visit_cadence_days == 14


def test_service_levels_stay_in_their_organization(world: OrgWorld) -> None:
    set_service_levels(world.admin, {"A": 7})
    set_service_levels(world.outsider, {"A": 3})
    assert ServiceLevel.objects.get(organization=world.org).visit_cadence_days == 7
    assert ServiceLevel.objects.get(organization=world.outsider.organization).visit_cadence_days == 3


@pytest.mark.parametrize("value", ["0", "-3", "soon", "4000"])
def test_bad_cadence_is_a_field_error_and_changes_nothing(world: OrgWorld, value: str) -> None:
    ServiceLevel.objects.create(organization=world.org, tier="A", visit_cadence_days=7)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-service-levels"), {"tier_A": value, "tier_B": 14, "tier_C": ""}
    )
    assert response.status_code == 200
    assert list(response.context["level_form"].errors) == ["tier_A"]
    assert org_fingerprint(world.org) == before


def test_service_level_action_refuses_zero_days(world: OrgWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        set_service_levels(world.admin, {"A": 0})
    assert exc.value.message_dict == {"tier_A": ["The number of days must be at least 1."]}
    assert not ServiceLevel.objects.exists()


def test_settings_page_shows_the_history_of_settings_and_service_levels(world: OrgWorld) -> None:
    update_organization(world.admin, **{**SETTINGS, "default_lock_limit": 9})
    set_service_levels(world.admin, {"A": 7})
    history = english_client(world.admin).get(reverse("admin-organization")).context["history"]
    assert [(row.label, row.entry.old, row.entry.new) for row in history] == [
        ("A类客户 · Visit cadence (days)", "", "7"),
        ("default lock limit", "20", "9"),
    ]
