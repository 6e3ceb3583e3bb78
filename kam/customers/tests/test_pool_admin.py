"""Pool administration: pools, members (and pool admins), recycling rules, and the bulk transfer.

The access matrix of these pages is in kam/core/tests/test_admin_access.py with the rest of the console.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import AuditAction, User
from kam.core.tests.admin_scene import audit_rows, english_client, org_fingerprint, query_count
from kam.customers.actions import create_customer
from kam.customers.actions.pool_admin import (
    add_pool_member,
    create_pool,
    create_pool_rule,
    transfer_all_customers,
    update_pool_rule,
)
from kam.customers.models import Customer, Pool, PoolMember, PoolRule
from kam.customers.queries import visible_customers

POOL = {"name": "华北公海", "claim_daily_cap": 5, "reclaim_cooldown_days": 30, "warn_days_before": 3}
RULE = {"reason": "no_followup", "tier": "A", "days": 30, "exempt_locked": "on", "exempt_won": "on", "active": "on"}


def _pool(world: OrgWorld, name: str = "华北公海") -> Pool:
    return create_pool(world.admin, **{**POOL, "name": name})


# --- pools -----------------------------------------------------------------------------------


def test_admin_creates_a_pool_and_lands_on_its_members(world: OrgWorld) -> None:
    response = english_client(world.admin).post(reverse("admin-pool-create"), POOL, follow=True)
    pool = Pool.objects.get(name="华北公海")
    assert response.redirect_chain[-1][0] == reverse("admin-pool-members", args=[pool.pk])
    assert "Pool 华北公海 created; add its members and rules." in response.content.decode()
    assert (pool.organization, pool.claim_daily_cap, pool.reclaim_cooldown_days, pool.warn_days_before) == (
        world.org,
        5,
        30,
        3,
    )
    assert audit_rows(pool) == [(AuditAction.CREATE, "", "", "")]


def test_pool_name_is_unique_in_the_organization_only(world: OrgWorld) -> None:
    _pool(world)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-pool-create"), POOL)
    assert response.context["form"].errors == {"name": ["There is already a pool called 华北公海."]}
    assert org_fingerprint(world.org) == before
    english_client(world.outsider).post(reverse("admin-pool-create"), POOL)
    assert Pool.objects.filter(name="华北公海").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"claim_daily_cap": -1}, "claim_daily_cap"),
        ({"reclaim_cooldown_days": "a month"}, "reclaim_cooldown_days"),
        ({"warn_days_before": 400}, "warn_days_before"),
    ],
)
def test_bad_pool_settings_are_field_errors(world: OrgWorld, overrides: dict[str, object], field: str) -> None:
    pool = _pool(world)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-pool-edit", args=[pool.pk]), {**POOL, **overrides})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert org_fingerprint(world.org) == before


def test_edit_pool_writes_an_audit_row_per_field(world: OrgWorld) -> None:
    pool = _pool(world)
    response = english_client(world.admin).post(
        reverse("admin-pool-edit", args=[pool.pk]), {**POOL, "name": "北方公海", "claim_daily_cap": 8}
    )
    assert response["Location"] == reverse("admin-pool-list")
    pool.refresh_from_db()
    assert (pool.name, pool.claim_daily_cap) == ("北方公海", 8)
    assert audit_rows(pool, action=AuditAction.UPDATE) == [
        (AuditAction.UPDATE, "name", "华北公海", "北方公海"),
        (AuditAction.UPDATE, "claim_daily_cap", "5", "8"),
    ]


def test_deleting_a_pool_with_customers_is_refused(world: OrgWorld) -> None:
    pool = _pool(world)
    create_customer(world.admin, {"name": "天津远航物流有限公司"}, pool=pool, confirm_duplicates=True)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-pool-delete", args=[pool.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin-pool-edit", args=[pool.pk])
    assert "This pool still holds 1 customers; it cannot be deleted." in response.content.decode()
    assert org_fingerprint(world.org) == before


def test_a_customer_in_the_recycle_bin_also_keeps_its_pool(world: OrgWorld) -> None:
    pool = _pool(world)
    customer = create_customer(world.admin, {"name": "天津远航物流有限公司"}, pool=pool, confirm_duplicates=True)
    Customer.objects.filter(pk=customer.pk).update(deleted_at=customer.created_at)
    english_client(world.admin).post(reverse("admin-pool-delete", args=[pool.pk]))
    assert Pool.objects.filter(pk=pool.pk).exists()


def test_deleting_an_empty_pool_takes_its_members_and_rules(world: OrgWorld) -> None:
    pool = _pool(world)
    add_pool_member(world.admin, pool, world.owner)
    create_pool_rule(world.admin, pool, reason="not_won", tier="", days=90)
    response = english_client(world.admin).post(reverse("admin-pool-delete", args=[pool.pk]), follow=True)
    assert "Pool 华北公海 deleted." in response.content.decode()
    assert not Pool.objects.filter(pk=pool.pk).exists()
    assert not PoolMember.objects.exists()
    assert not PoolRule.objects.exists()
    assert audit_rows(pool)[-1] == (AuditAction.PURGE, "", "", "")


def test_pool_list_counts_members_rules_and_waiting_customers(world: OrgWorld) -> None:
    pool = _pool(world)
    _pool(world, "空公海")
    add_pool_member(world.admin, pool, world.owner)
    add_pool_member(world.admin, pool, world.teammate, is_admin=True)
    create_pool_rule(world.admin, pool, reason="not_won", tier="", days=90)
    for name in ("天津远航物流有限公司", "河北长城建材有限公司"):
        create_customer(world.admin, {"name": name}, pool=pool, confirm_duplicates=True)
    create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    pools = english_client(world.admin).get(reverse("admin-pool-list")).context["pools"]
    assert [(p.name, p.member_count, p.admin_count, p.rule_count, p.customer_count) for p in pools] == [
        ("华北公海", 2, 1, 1, 2),
        ("空公海", 0, 0, 0, 0),
    ]


def test_pool_list_query_count_does_not_grow_with_pools(world: OrgWorld) -> None:
    client = english_client(world.admin)
    for i in range(3):
        add_pool_member(world.admin, _pool(world, f"公海{i}"), world.owner)
    few = query_count(client, reverse("admin-pool-list"))
    for i in range(3, 30):
        add_pool_member(world.admin, _pool(world, f"公海{i}"), world.owner)
    assert query_count(client, reverse("admin-pool-list")) == few


# --- members ---------------------------------------------------------------------------------


def test_adding_a_member_lets_them_see_the_pools_customers(world: OrgWorld) -> None:
    pool = _pool(world)
    waiting = create_customer(world.admin, {"name": "天津远航物流有限公司"}, pool=pool, confirm_duplicates=True)
    assert waiting not in set(visible_customers(world.stranger))
    response = english_client(world.admin).post(
        reverse("admin-pool-members", args=[pool.pk]), {"user": world.stranger.pk}, follow=True
    )
    assert "stranger added to the pool." in response.content.decode()
    assert waiting in set(visible_customers(world.stranger))
    assert audit_rows(pool, field="members") == [(AuditAction.UPDATE, "members", "", "stranger")]


def test_member_choices_leave_out_members_inactive_accounts_and_other_organizations(world: OrgWorld) -> None:
    pool = _pool(world)
    add_pool_member(world.admin, pool, world.owner)
    User.objects.filter(pk=world.stranger.pk).update(is_active=False)
    choices = set(
        english_client(world.admin)
        .get(reverse("admin-pool-members", args=[pool.pk]))
        .context["form"]
        .fields["user"]
        .queryset
    )
    assert world.teammate in choices
    assert not choices & {world.owner, world.stranger, world.outsider}


def test_adding_a_member_twice_is_a_field_error(world: OrgWorld) -> None:
    pool = _pool(world)
    add_pool_member(world.admin, pool, world.owner)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-pool-members", args=[pool.pk]), {"user": world.owner.pk})
    assert response.context["form"].errors == {
        "user": ["Select a valid choice. That choice is not one of the available choices."]
    }
    with pytest.raises(ValidationError) as exc:
        add_pool_member(world.admin, pool, world.owner)
    assert exc.value.message_dict == {"user": ["owner is already a member of this pool."]}
    assert org_fingerprint(world.org) == before


def test_toggle_pool_admin_and_remove_a_member(world: OrgWorld) -> None:
    pool = _pool(world)
    member = add_pool_member(world.admin, pool, world.owner)
    client = english_client(world.admin)
    made = client.post(reverse("admin-pool-member-admin", args=[pool.pk, member.pk]), {"is_admin": "1"}, follow=True)
    assert "owner is now a pool admin." in made.content.decode()
    assert PoolMember.objects.get(pk=member.pk).is_admin
    client.post(reverse("admin-pool-member-admin", args=[pool.pk, member.pk]), {"is_admin": "0"})
    assert not PoolMember.objects.get(pk=member.pk).is_admin
    removed = client.post(reverse("admin-pool-member-remove", args=[pool.pk, member.pk]), follow=True)
    assert "owner removed from the pool." in removed.content.decode()
    assert not PoolMember.objects.filter(pk=member.pk).exists()
    assert audit_rows(pool, field="members") == [
        (AuditAction.UPDATE, "members", "", "owner"),
        (AuditAction.UPDATE, "members", "owner", "owner (pool admin)"),
        (AuditAction.UPDATE, "members", "owner (pool admin)", "owner"),
        (AuditAction.UPDATE, "members", "owner", ""),
    ]


def test_a_member_of_another_pool_is_not_found_through_this_one(world: OrgWorld) -> None:
    pool, other = _pool(world), _pool(world, "华东公海")
    member = add_pool_member(world.admin, other, world.owner)
    response = english_client(world.admin).post(reverse("admin-pool-member-remove", args=[pool.pk, member.pk]))
    assert response.status_code == 404
    assert PoolMember.objects.filter(pk=member.pk).exists()


# --- rules -----------------------------------------------------------------------------------


def test_admin_adds_a_rule(world: OrgWorld) -> None:
    pool = _pool(world)
    response = english_client(world.admin).post(reverse("admin-pool-rules", args=[pool.pk]), RULE, follow=True)
    assert "Rule added." in response.content.decode()
    rule = PoolRule.objects.get(pool=pool)
    assert (rule.reason, rule.tier, rule.days, rule.exempt_locked, rule.exempt_won, rule.active) == (
        "no_followup",
        "A",
        30,
        True,
        True,
        True,
    )
    assert audit_rows(pool, field="rules") == [
        (AuditAction.UPDATE, "rules", "", "No follow-up · Tier A · 30 days · locked exempt · won exempt")
    ]


def test_rule_for_all_tiers_with_exemptions_off(world: OrgWorld) -> None:
    pool = _pool(world)
    english_client(world.admin).post(
        reverse("admin-pool-rules", args=[pool.pk]), {"reason": "not_won", "tier": "", "days": 90}
    )
    rule = PoolRule.objects.get(pool=pool)
    assert (rule.tier, rule.exempt_locked, rule.exempt_won, rule.active) == ("", False, False, False)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"days": 0}, {"days": ["Ensure this value is greater than or equal to 1."]}),
        ({"days": ""}, {"days": ["This field is required."]}),
        ({"tier": "D"}, {"tier": ["Select a valid choice. D is not one of the available choices."]}),
        ({"reason": "bored"}, {"reason": ["Select a valid choice. bored is not one of the available choices."]}),
    ],
)
def test_bad_rule_input_is_a_field_error(world: OrgWorld, overrides: dict[str, object], errors: object) -> None:
    pool = _pool(world)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-pool-rules", args=[pool.pk]), {**RULE, **overrides})
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert org_fingerprint(world.org) == before


def test_a_second_rule_for_the_same_reason_and_tier_is_a_field_error_not_a_500(world: OrgWorld) -> None:
    pool = _pool(world)
    client = english_client(world.admin)
    client.post(reverse("admin-pool-rules", args=[pool.pk]), RULE)
    before = org_fingerprint(world.org)
    response = client.post(reverse("admin-pool-rules", args=[pool.pk]), {**RULE, "days": 60})
    assert response.status_code == 200
    assert response.context["form"].errors == {"tier": ["This pool already has a rule of this kind for this tier."]}
    assert org_fingerprint(world.org) == before
    client.post(reverse("admin-pool-rules", args=[pool.pk]), {**RULE, "tier": ""})
    assert PoolRule.objects.filter(pool=pool).count() == 2


def test_editing_a_rule_into_a_duplicate_is_refused(world: OrgWorld) -> None:
    pool = _pool(world)
    create_pool_rule(world.admin, pool, reason="no_followup", tier="A", days=30)
    other = create_pool_rule(world.admin, pool, reason="no_followup", tier="B", days=45)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-pool-rule-edit", args=[pool.pk, other.pk]), {**RULE, "tier": "A"}
    )
    assert response.context["form"].errors == {"tier": ["This pool already has a rule of this kind for this tier."]}
    assert org_fingerprint(world.org) == before


def test_edit_and_delete_a_rule_with_history(world: OrgWorld) -> None:
    pool = _pool(world)
    rule = create_pool_rule(world.admin, pool, reason="no_followup", tier="A", days=30)
    client = english_client(world.admin)
    page = client.get(reverse("admin-pool-rule-edit", args=[pool.pk, rule.pk]))
    assert page.context["form"].initial["days"] == 30
    response = client.post(
        reverse("admin-pool-rule-edit", args=[pool.pk, rule.pk]), {"reason": "no_followup", "tier": "A", "days": 45}
    )
    assert response["Location"] == reverse("admin-pool-rules", args=[pool.pk])
    rule.refresh_from_db()
    assert (rule.days, rule.active, rule.exempt_locked) == (45, False, False)
    client.post(reverse("admin-pool-rule-delete", args=[pool.pk, rule.pk]))
    assert not PoolRule.objects.filter(pk=rule.pk).exists()
    assert [(old, new) for _a, _f, old, new in audit_rows(pool, field="rules")] == [
        ("", "No follow-up · Tier A · 30 days · locked exempt · won exempt"),
        ("No follow-up · Tier A · 30 days · locked exempt · won exempt", "No follow-up · Tier A · 45 days · inactive"),
        ("No follow-up · Tier A · 45 days · inactive", ""),
    ]


def test_rule_actions_validate_without_a_form(world: OrgWorld) -> None:
    pool = _pool(world)
    with pytest.raises(ValidationError) as exc:
        create_pool_rule(world.admin, pool, reason="no_followup", tier="Z", days=0)
    assert exc.value.message_dict == {
        "tier": ["Choose a tier or all tiers."],
        "days": ["The number of days must be at least 1."],
    }
    rule = create_pool_rule(world.admin, pool, reason="not_won", tier="", days=90)
    with pytest.raises(ValidationError):
        update_pool_rule(
            world.admin, rule, reason="not_won", tier="", days=0, exempt_locked=True, exempt_won=True, active=True
        )
    assert PoolRule.objects.get(pk=rule.pk).days == 90


def test_a_rule_of_another_pool_is_not_found_through_this_one(world: OrgWorld) -> None:
    pool, other = _pool(world), _pool(world, "华东公海")
    rule = create_pool_rule(world.admin, other, reason="not_won", tier="", days=90)
    client = english_client(world.admin)
    assert client.get(reverse("admin-pool-rule-edit", args=[pool.pk, rule.pk])).status_code == 404
    assert client.post(reverse("admin-pool-rule-delete", args=[pool.pk, rule.pk])).status_code == 404
    assert PoolRule.objects.filter(pk=rule.pk).exists()


# --- bulk transfer ---------------------------------------------------------------------------


def test_bulk_transfer_refuses_inactive_self_and_foreign_targets(world: OrgWorld) -> None:
    create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    User.objects.filter(pk=world.stranger.pk).update(is_active=False)
    stranger = User.objects.get(pk=world.stranger.pk)
    for target in (stranger, world.owner, world.outsider):
        with pytest.raises(ValidationError) as exc:
            transfer_all_customers(world.admin, world.owner, target)
        assert exc.value.message_dict == {"transfer_to": ["Choose an active colleague."]}
    with pytest.raises(Http404):
        transfer_all_customers(world.admin, world.outsider, world.teammate)
    assert Customer.objects.get().owner == world.owner


def test_bulk_transfer_is_for_admins_only(world: OrgWorld) -> None:
    from django.core.exceptions import PermissionDenied

    create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    with pytest.raises(PermissionDenied):
        transfer_all_customers(world.manager_north, world.owner, world.teammate)
    assert Customer.objects.get().owner == world.owner


def test_bulk_transfer_of_nobody_moves_nothing(world: OrgWorld) -> None:
    assert transfer_all_customers(world.admin, world.teammate, world.owner) == 0


def test_pool_page_shows_member_and_rule_history(world: OrgWorld) -> None:
    pool = _pool(world)
    add_pool_member(world.admin, pool, world.owner, is_admin=True)
    create_pool_rule(world.admin, pool, reason="not_won", tier="", days=90)
    response = english_client(world.admin).get(reverse("admin-pool-edit", args=[pool.pk]))
    assert [(row.label, row.entry.new) for row in response.context["history"]] == [
        ("Rules", "Not won · All tiers · 90 days · locked exempt · won exempt"),
        ("Members", "owner (pool admin)"),
        ("", ""),
    ]
    assert "owner (pool admin)" in response.content.decode()
