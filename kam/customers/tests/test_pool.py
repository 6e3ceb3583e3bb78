"""客户公海 with a fixed clock: claim, assign, return, transfer and the nightly recycling rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.models import AuditAction, Notification, User
from kam.customers.actions import (
    apply_pool_rules,
    assign_customer,
    claim_customer,
    return_to_pool,
    transfer_customer,
)
from kam.customers.actions import pool as pool_actions
from kam.customers.models import (
    Collaborator,
    CollaboratorAccess,
    Customer,
    CustomerStatus,
    OwnershipChange,
    OwnershipKind,
    Pool,
    PoolRule,
    RecycleReason,
)
from kam.customers.tests.domain_helpers import audit_rows, make_customer, make_pool, shanghai

# A fixed clock: Tuesday 10 March 2026, 09:00 in Shanghai.
NOW = shanghai(2026, 3, 10, 9, 0)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def pool(world: OrgWorld) -> Pool:
    """owner and teammate claim; manager_north administers; cap 2 a day, 7 days cooldown, warn 3 days ahead."""
    return make_pool(
        world.org.pk,
        members=(world.owner, world.teammate),
        admins=(world.manager_north,),
        claim_daily_cap=2,
        reclaim_cooldown_days=7,
        warn_days_before=3,
    )


def _pooled(world: OrgWorld, pool: Pool, name: str) -> Customer:
    return make_customer(world.manager_north, name, pool=pool)


def _message(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def _changes(customer: Customer) -> list[tuple[str, Any, Any, Any, str]]:
    """(kind, from_user, to_user, pool, reason) of a customer's ownership rows after the CREATE row."""
    rows = OwnershipChange.objects.filter(customer=customer).exclude(kind=OwnershipKind.CREATE).order_by("at", "id")
    return [(r.kind, r.from_user, r.to_user, r.pool, r.reason) for r in rows]


# --- claim -----------------------------------------------------------------------------------


def test_member_claims_a_pool_customer(world: OrgWorld, pool: Pool) -> None:
    customer = _pooled(world, pool, "公海甲有限公司")
    claimed = claim_customer(world.owner, customer, now=NOW)
    assert (claimed.owner, claimed.owner_since, claimed.pool, claimed.locked) == (world.owner, NOW, None, False)
    assert _changes(customer) == [(OwnershipKind.CLAIM, None, world.owner, pool, "")]
    row = OwnershipChange.objects.get(customer=customer, kind=OwnershipKind.CLAIM)
    assert (row.actor, row.at) == (world.owner, NOW)
    assert audit_rows(customer, action=AuditAction.OWNER) == [
        (AuditAction.OWNER, "owner", "public pool 华北公海", "owner")
    ]


def test_non_members_cannot_claim(world: OrgWorld, pool: Pool) -> None:
    customer = _pooled(world, pool, "公海甲有限公司")
    for user in (world.stranger, world.manager_east, world.outsider):
        with pytest.raises(Http404):
            claim_customer(user, customer, now=NOW)
    # an organization admin sees the pool but is not a member of it
    with pytest.raises(PermissionDenied):
        claim_customer(world.admin, customer, now=NOW)
    customer.refresh_from_db()
    assert (customer.owner, customer.pool) == (None, pool)
    assert _changes(customer) == []


def test_claiming_an_owned_customer_is_refused(world: OrgWorld, pool: Pool) -> None:
    customer = make_customer(world.owner, "自有客户有限公司")
    with pytest.raises(ValidationError) as exc:
        claim_customer(world.owner, customer, now=NOW)
    assert _message(exc) == {NON_FIELD_ERRORS: ["This customer is not in the public pool."]}


def _claim_at(user: User, customer: Customer, moment: datetime) -> Customer:
    return claim_customer(user, customer, now=moment)


def test_daily_cap_counts_claims_since_shanghai_midnight(world: OrgWorld, pool: Pool) -> None:
    customers = [_pooled(world, pool, f"公海{i}号有限公司") for i in range(5)]
    # 23:59 on 9 March and 00:01 on 10 March are different days in Shanghai (15:59 and 16:01 UTC, same UTC day)
    _claim_at(world.owner, customers[0], shanghai(2026, 3, 9, 23, 59))
    _claim_at(world.owner, customers[1], shanghai(2026, 3, 10, 0, 1))
    _claim_at(world.owner, customers[2], shanghai(2026, 3, 10, 23, 58))
    with pytest.raises(ValidationError) as exc:
        _claim_at(world.owner, customers[3], shanghai(2026, 3, 10, 23, 59, 59))
    assert _message(exc) == {NON_FIELD_ERRORS: ["You have claimed 2 customers today, the daily limit of this pool."]}
    customers[3].refresh_from_db()
    assert customers[3].owner is None
    # the next Shanghai day starts at 16:00 UTC: one minute later the cap is fresh again
    assert _claim_at(world.owner, customers[3], shanghai(2026, 3, 11, 0, 1)).owner == world.owner


def test_daily_cap_is_per_user(world: OrgWorld, pool: Pool) -> None:
    customers = [_pooled(world, pool, f"公海{i}号有限公司") for i in range(3)]
    _claim_at(world.owner, customers[0], NOW)
    _claim_at(world.owner, customers[1], NOW)
    assert _claim_at(world.teammate, customers[2], NOW).owner == world.teammate


def test_assignments_do_not_count_toward_the_claim_cap(world: OrgWorld, pool: Pool) -> None:
    customers = [_pooled(world, pool, f"公海{i}号有限公司") for i in range(4)]
    assign_customer(world.manager_north, customers[0], world.owner, now=NOW)
    assign_customer(world.manager_north, customers[1], world.owner, now=NOW)
    _claim_at(world.owner, customers[2], NOW)
    _claim_at(world.owner, customers[3], NOW)


def test_previous_owner_cannot_reclaim_during_the_cooldown(world: OrgWorld, pool: Pool) -> None:
    customer = make_customer(world.owner, "退回客户有限公司")
    return_to_pool(world.owner, customer, "预算冻结", pool=pool, now=NOW)
    with pytest.raises(ValidationError) as exc:
        _claim_at(world.owner, customer, NOW + timedelta(days=7, seconds=-1))
    assert _message(exc) == {
        NON_FIELD_ERRORS: ["You gave this customer up recently; you may claim it again from 2026-03-17 09:00."]
    }
    assert _claim_at(world.owner, customer, NOW + timedelta(days=7)).owner == world.owner


def test_cooldown_does_not_stop_other_members(world: OrgWorld, pool: Pool) -> None:
    customer = make_customer(world.owner, "退回客户有限公司")
    return_to_pool(world.owner, customer, "预算冻结", pool=pool, now=NOW)
    assert _claim_at(world.teammate, customer, NOW + timedelta(minutes=1)).owner == world.teammate


def test_holding_limit_stops_a_claim(world: OrgWorld, pool: Pool) -> None:
    world.owner.holding_limit = 1
    world.owner.save(update_fields=["holding_limit"])
    make_customer(world.owner, "自有客户有限公司")
    customer = _pooled(world, pool, "公海甲有限公司")
    with pytest.raises(ValidationError) as exc:
        _claim_at(world.owner, customer, NOW)
    assert _message(exc) == {NON_FIELD_ERRORS: ["owner already holds 1 customers; the limit is 1."]}
    customer.refresh_from_db()
    assert customer.owner is None


def test_the_conditional_update_lets_only_one_of_two_racing_claims_win(
    world: OrgWorld, pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both claims pass their checks on the same pool row; only the first UPDATE takes it."""
    customer = _pooled(world, pool, "公海甲有限公司")
    stale = Customer.objects.select_related("pool").get(pk=customer.pk)
    monkeypatch.setattr(pool_actions, "get_customer_for_user", lambda user, pk, write=False: stale)
    claim_customer(world.owner, stale, now=NOW)
    with pytest.raises(ValidationError) as exc:
        claim_customer(world.teammate, stale, now=NOW)
    assert _message(exc) == {NON_FIELD_ERRORS: ["Someone else has just taken this customer."]}
    customer.refresh_from_db()
    assert customer.owner == world.owner
    assert [r[0] for r in _changes(customer)] == [OwnershipKind.CLAIM]


def test_the_second_of_two_claims_from_the_same_stale_page_is_told_someone_else_took_it(
    world: OrgWorld, pool: Pool
) -> None:
    customer = _pooled(world, pool, "公海甲有限公司")
    stale = Customer.objects.select_related("pool").get(pk=customer.pk)
    claim_customer(world.owner, stale, now=NOW)
    with pytest.raises(ValidationError) as exc:
        claim_customer(world.teammate, stale, now=NOW)
    assert _message(exc) == {NON_FIELD_ERRORS: ["Someone else has just taken this customer."]}


# --- assign ----------------------------------------------------------------------------------


def test_pool_admin_assigns_a_pool_customer(world: OrgWorld, pool: Pool) -> None:
    customer = _pooled(world, pool, "公海甲有限公司")
    assigned = assign_customer(world.manager_north, customer, world.stranger, now=NOW)
    assert (assigned.owner, assigned.owner_since, assigned.pool) == (world.stranger, NOW, None)
    assert _changes(customer) == [(OwnershipKind.ASSIGN, None, world.stranger, pool, "")]
    assert OwnershipChange.objects.get(customer=customer, kind=OwnershipKind.ASSIGN).actor == world.manager_north


def test_organization_admin_may_assign(world: OrgWorld, pool: Pool) -> None:
    customer = _pooled(world, pool, "公海甲有限公司")
    assert assign_customer(world.admin, customer, world.teammate, now=NOW).owner == world.teammate


def test_only_pool_admins_assign(world: OrgWorld, pool: Pool) -> None:
    customer = _pooled(world, pool, "公海甲有限公司")
    with pytest.raises(PermissionDenied):
        assign_customer(world.owner, customer, world.owner, now=NOW)
    for user in (world.stranger, world.manager_east, world.director, world.outsider):
        with pytest.raises(Http404):
            assign_customer(user, customer, world.owner, now=NOW)
    customer.refresh_from_db()
    assert customer.owner is None
    assert _changes(customer) == []


def test_assign_refuses_foreign_or_inactive_users_and_full_hands(world: OrgWorld, pool: Pool) -> None:
    customer = _pooled(world, pool, "公海甲有限公司")
    with pytest.raises(ValidationError) as exc:
        assign_customer(world.manager_north, customer, world.outsider, now=NOW)
    assert _message(exc) == {"user": ["Choose an active colleague."]}
    world.teammate.is_active = False
    world.teammate.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        assign_customer(world.manager_north, customer, world.teammate, now=NOW)
    world.owner.holding_limit = 0
    world.owner.save(update_fields=["holding_limit"])
    with pytest.raises(ValidationError) as exc:
        assign_customer(world.manager_north, customer, world.owner, now=NOW)
    assert _message(exc) == {NON_FIELD_ERRORS: ["owner already holds 0 customers; the limit is 0."]}
    customer.refresh_from_db()
    assert customer.owner is None


# --- return ----------------------------------------------------------------------------------


def test_return_needs_a_reason_and_records_it(world: OrgWorld, pool: Pool) -> None:
    customer = make_customer(world.owner, "退回客户有限公司")
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            return_to_pool(world.owner, customer, reason, now=NOW)
        assert _message(exc) == {"reason": ["Say why the customer goes back to the pool."]}
    customer.refresh_from_db()
    assert customer.owner == world.owner
    returned = return_to_pool(world.owner, customer, "客户预算冻结", now=NOW)
    assert (returned.owner, returned.owner_since, returned.pool, returned.locked) == (None, None, pool, False)
    assert _changes(customer) == [(OwnershipKind.RETURN, world.owner, None, pool, "客户预算冻结")]
    assert audit_rows(customer, action=AuditAction.OWNER) == [
        (AuditAction.OWNER, "owner", "owner", "public pool 华北公海")
    ]


def test_returning_a_pool_customer_or_without_any_pool_is_refused(world: OrgWorld) -> None:
    customer = make_customer(world.stranger, "无公海客户有限公司")
    with pytest.raises(ValidationError) as exc:
        return_to_pool(world.stranger, customer, "不要了", now=NOW)
    assert _message(exc) == {"pool": ["There is no public pool to return this customer to."]}
    pool = make_pool(world.org.pk, members=(world.stranger,))
    return_to_pool(world.stranger, customer, "不要了", now=NOW)
    with pytest.raises(ValidationError) as exc:
        return_to_pool(world.admin, customer, "再退", now=NOW)
    assert _message(exc) == {NON_FIELD_ERRORS: ["This customer is already in the public pool."]}
    customer.refresh_from_db()
    assert customer.pool == pool


def test_return_into_a_pool_of_another_organization_is_refused(world: OrgWorld) -> None:
    foreign_pool = make_pool(world.outsider.organization_id, "别家公海")  # type: ignore[arg-type]
    customer = make_customer(world.owner, "退回客户有限公司")
    with pytest.raises(ValidationError) as exc:
        return_to_pool(world.owner, customer, "不要了", pool=foreign_pool, now=NOW)
    assert _message(exc) == {"pool": ["There is no public pool to return this customer to."]}


def test_strangers_and_read_collaborators_cannot_return(world: OrgWorld, pool: Pool) -> None:
    customer = make_customer(world.owner, "退回客户有限公司")
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.collaborator, access=CollaboratorAccess.READ
    )
    with pytest.raises(PermissionDenied):
        return_to_pool(world.collaborator, customer, "不要了", now=NOW)
    for user in (world.teammate, world.manager_east, world.outsider):
        with pytest.raises(Http404):
            return_to_pool(user, customer, "不要了", now=NOW)
    customer.refresh_from_db()
    assert customer.owner == world.owner


def test_manager_above_returns_a_reps_customer(world: OrgWorld, pool: Pool) -> None:
    customer = make_customer(world.owner, "退回客户有限公司")
    return_to_pool(world.manager_north, customer, "长期无进展", now=NOW)
    assert _changes(customer) == [(OwnershipKind.RETURN, world.owner, None, pool, "长期无进展")]


def test_write_collaborator_cannot_return_the_owners_customer(world: OrgWorld, pool: Pool) -> None:
    customer = make_customer(world.owner, "退回客户有限公司")
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.teammate, access=CollaboratorAccess.WRITE
    )
    with pytest.raises(PermissionDenied):
        return_to_pool(world.teammate, customer, "不要了", now=NOW)


# --- transfer --------------------------------------------------------------------------------


def test_manager_above_transfers_within_their_subtree(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "转移客户有限公司")
    moved = transfer_customer(world.manager_north, customer, world.teammate, "调岗", now=NOW)
    assert (moved.owner, moved.owner_since) == (world.teammate, NOW)
    assert _changes(customer) == [(OwnershipKind.TRANSFER, world.owner, world.teammate, None, "调岗")]
    assert audit_rows(customer, action=AuditAction.OWNER) == [(AuditAction.OWNER, "owner", "owner", "teammate")]


def test_manager_cannot_transfer_out_of_their_subtree(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "转移客户有限公司")
    with pytest.raises(ValidationError) as exc:
        transfer_customer(world.manager_north, customer, world.stranger, now=NOW)
    assert _message(exc) == {"user": ["You may only transfer to people in your own team."]}
    customer.refresh_from_db()
    assert customer.owner == world.owner


def test_admin_and_director_transfer_anywhere_in_the_org(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "转移客户有限公司")
    assert transfer_customer(world.admin, customer, world.stranger, now=NOW).owner == world.stranger
    assert transfer_customer(world.director, customer, world.teammate, now=NOW).owner == world.teammate
    with pytest.raises(ValidationError) as exc:
        transfer_customer(world.admin, customer, world.outsider, now=NOW)
    assert _message(exc) == {"user": ["Choose an active colleague."]}


def test_reps_and_managers_not_above_cannot_transfer(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "转移客户有限公司")
    with pytest.raises(PermissionDenied):
        transfer_customer(world.owner, customer, world.teammate, now=NOW)
    for user in (world.teammate, world.manager_east, world.outsider):
        with pytest.raises(Http404):
            transfer_customer(user, customer, world.teammate, now=NOW)
    customer.refresh_from_db()
    assert customer.owner == world.owner
    assert _changes(customer) == []


def test_transfer_to_the_current_owner_or_over_the_holding_limit_is_refused(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "转移客户有限公司")
    with pytest.raises(ValidationError) as exc:
        transfer_customer(world.manager_north, customer, world.owner, now=NOW)
    assert _message(exc) == {"user": ["This person already owns the customer."]}
    world.teammate.holding_limit = 0
    world.teammate.save(update_fields=["holding_limit"])
    with pytest.raises(ValidationError):
        transfer_customer(world.manager_north, customer, world.teammate, now=NOW)
    customer.refresh_from_db()
    assert customer.owner == world.owner


def test_pool_customers_are_assigned_not_transferred(world: OrgWorld, pool: Pool) -> None:
    customer = _pooled(world, pool, "公海甲有限公司")
    with pytest.raises(ValidationError) as exc:
        transfer_customer(world.admin, customer, world.owner, now=NOW)
    assert _message(exc) == {NON_FIELD_ERRORS: ["Use assign for customers in the public pool."]}


def test_manager_who_only_collaborates_cannot_transfer(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "转移客户有限公司")
    Collaborator.objects.create(
        organization=world.org, customer=customer, user=world.manager_east, access=CollaboratorAccess.WRITE
    )
    with pytest.raises(PermissionDenied):
        transfer_customer(world.manager_east, customer, world.stranger, now=NOW)


# --- nightly recycling -----------------------------------------------------------------------


def _rule(pool: Pool, reason: str = RecycleReason.NO_FOLLOWUP, days: int = 30, **kwargs: Any) -> PoolRule:
    return PoolRule.objects.create(pool=pool, reason=reason, days=days, **kwargs)


def _owned(
    world: OrgWorld,
    name: str,
    *,
    owner: User | None = None,
    followup: datetime | None = None,
    owner_since: datetime | None = None,
    **fields: Any,
) -> Customer:
    """A customer held since `owner_since` (default 100 days before NOW), last followed up at `followup`."""
    customer = make_customer(owner or world.owner, name)
    Customer.objects.filter(pk=customer.pk).update(
        last_followup_at=followup, owner_since=owner_since or NOW - timedelta(days=100), **fields
    )
    return customer


def _owner_of(customer: Customer) -> User | None:
    customer.refresh_from_db()
    return customer.owner


def test_no_followup_rule_recycles_exactly_after_n_days(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    stays = _owned(world, "刚好未满有限公司", followup=NOW - timedelta(days=30) + timedelta(seconds=1))
    boundary = _owned(world, "正好三十天有限公司", followup=NOW - timedelta(days=30))
    goes = _owned(world, "超过一秒有限公司", followup=NOW - timedelta(days=30, seconds=1))
    summary = apply_pool_rules(now=NOW)
    assert summary.returned == [goes.pk]
    assert _owner_of(stays) == world.owner
    assert _owner_of(boundary) == world.owner
    goes.refresh_from_db()
    assert (goes.owner, goes.owner_since, goes.pool) == (None, None, pool)


def test_recycled_customer_shows_a_recycle_row_from_the_owner(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    customer = _owned(world, "超期客户有限公司", followup=NOW - timedelta(days=45))
    Customer.objects.filter(pk=customer.pk).update(locked=False)
    apply_pool_rules(now=NOW)
    row = OwnershipChange.objects.get(customer=customer, kind=OwnershipKind.RECYCLE)
    assert (row.from_user, row.to_user, row.pool, row.actor, row.at, row.reason) == (
        world.owner,
        None,
        pool,
        None,
        NOW,
        "No follow-up",
    )
    assert audit_rows(customer, action=AuditAction.OWNER) == [
        (AuditAction.OWNER, "owner", "owner", "public pool 华北公海")
    ]


def test_never_followed_up_customers_count_from_when_the_owner_got_them(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    fresh = _owned(world, "新到手有限公司", owner_since=NOW - timedelta(days=29))
    old = _owned(world, "早到手有限公司", owner_since=NOW - timedelta(days=31))
    assert apply_pool_rules(now=NOW).returned == [old.pk]
    assert _owner_of(fresh) == world.owner


def test_a_customer_claimed_yesterday_is_not_recycled_for_the_previous_owners_silence(
    world: OrgWorld, pool: Pool
) -> None:
    _rule(pool, days=30)
    customer = _owned(world, "刚领取有限公司", followup=NOW - timedelta(days=60), owner_since=NOW - timedelta(days=1))
    assert apply_pool_rules(now=NOW).returned == []
    assert _owner_of(customer) == world.owner


def test_not_won_rule_counts_from_owner_since(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, reason=RecycleReason.NOT_WON, days=90)
    recent = _owned(world, "新客户有限公司", owner_since=NOW - timedelta(days=89), followup=NOW)
    old = _owned(world, "老客户有限公司", owner_since=NOW - timedelta(days=91), followup=NOW)
    assert apply_pool_rules(now=NOW).returned == [old.pk]
    assert _owner_of(recent) == world.owner
    assert OwnershipChange.objects.get(customer=old, kind=OwnershipKind.RECYCLE).reason == "Not won"


def test_tier_rule_applies_only_to_its_tier(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=10, tier="A")
    tier_a = _owned(world, "A级客户有限公司", followup=NOW - timedelta(days=11), tier="A")
    tier_c = _owned(world, "C级客户有限公司", followup=NOW - timedelta(days=11), tier="C")
    assert apply_pool_rules(now=NOW).returned == [tier_a.pk]
    assert _owner_of(tier_c) == world.owner


def test_a_tier_rule_overrides_the_generic_rule_for_that_tier(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    _rule(pool, days=60, tier="A")
    tier_a = _owned(world, "A级客户有限公司", followup=NOW - timedelta(days=40), tier="A")
    tier_c = _owned(world, "C级客户有限公司", followup=NOW - timedelta(days=40), tier="C")
    assert apply_pool_rules(now=NOW).returned == [tier_c.pk]
    assert _owner_of(tier_a) == world.owner


def test_locked_and_won_customers_are_exempt_when_the_rule_says_so(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    locked = _owned(world, "锁定客户有限公司", followup=NOW - timedelta(days=40), locked=True)
    won = _owned(
        world, "成交客户有限公司", followup=NOW - timedelta(days=40), won_at=NOW - timedelta(days=200),
        status=CustomerStatus.ACTIVE,
    )  # fmt: skip
    assert apply_pool_rules(now=NOW).returned == []
    assert (_owner_of(locked), _owner_of(won)) == (world.owner, world.owner)


def test_without_exemptions_locked_and_won_customers_are_recycled_and_unlocked(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30, exempt_locked=False, exempt_won=False)
    locked = _owned(world, "锁定客户有限公司", followup=NOW - timedelta(days=40), locked=True)
    won = _owned(world, "成交客户有限公司", followup=NOW - timedelta(days=40), won_at=NOW - timedelta(days=200))
    assert sorted(apply_pool_rules(now=NOW).returned) == sorted([locked.pk, won.pk])
    locked.refresh_from_db()
    assert (locked.owner, locked.locked) == (None, False)


def test_customers_of_non_members_are_untouched(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    customer = _owned(world, "上海客户有限公司", owner=world.stranger, followup=NOW - timedelta(days=400))
    foreign = make_customer(world.outsider, "别家客户有限公司")
    Customer.objects.filter(pk=foreign.pk).update(last_followup_at=NOW - timedelta(days=400))
    assert apply_pool_rules(now=NOW).returned == []
    assert _owner_of(customer) == world.stranger
    assert _owner_of(foreign) == world.outsider


def test_inactive_rules_and_other_organizations_rules_are_skipped(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30, active=False)
    customer = _owned(world, "超期客户有限公司", followup=NOW - timedelta(days=40))
    assert apply_pool_rules(now=NOW).returned == []
    _rule(pool, reason=RecycleReason.NOT_WON, days=30)
    assert apply_pool_rules(now=NOW, organization_id=world.outsider.organization_id).returned == []
    assert _owner_of(customer) == world.owner
    assert apply_pool_rules(now=NOW, organization_id=world.org.pk).returned == [customer.pk]


def test_owner_is_warned_m_days_before_once(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    in_window = _owned(world, "快到期有限公司", followup=NOW - timedelta(days=27, seconds=1))
    outside = _owned(world, "还早有限公司", followup=NOW - timedelta(days=26, hours=20))
    summary = apply_pool_rules(now=NOW)
    assert (summary.returned, summary.warned) == ([], [in_window.pk])
    note = Notification.objects.get()
    assert (note.user, note.organization, note.kind, note.url) == (
        world.owner,
        world.org,
        "pool.warning",
        reverse("customer-detail", args=[in_window.pk]),
    )
    assert note.title == "快到期有限公司 will return to the public pool soon"
    assert note.body == "Rule: No follow-up for 30 days. Follow up or lock it to keep it."
    # a second run the same day warns nobody again
    assert apply_pool_rules(now=NOW + timedelta(hours=2)).warned == []
    assert Notification.objects.count() == 1
    assert _owner_of(outside) == world.owner


def test_warned_then_recycled_customers_are_not_warned_again(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    customer = _owned(world, "快到期有限公司", followup=NOW - timedelta(days=28))
    assert apply_pool_rules(now=NOW).warned == [customer.pk]
    later = apply_pool_rules(now=NOW + timedelta(days=2, seconds=1))
    assert (later.returned, later.warned) == ([customer.pk], [])
    assert Notification.objects.count() == 1


def test_a_recycled_customer_is_in_the_previous_owners_cooldown(world: OrgWorld, pool: Pool) -> None:
    _rule(pool, days=30)
    customer = _owned(world, "超期客户有限公司", followup=NOW - timedelta(days=40))
    apply_pool_rules(now=NOW)
    with pytest.raises(ValidationError):
        claim_customer(world.owner, customer, now=NOW + timedelta(days=1))
    assert claim_customer(world.teammate, customer, now=NOW + timedelta(days=1)).owner == world.teammate
