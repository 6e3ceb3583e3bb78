"""User accounts in the admin console: create, edit, deactivate (with customer hand-over), reactivate,
reset password, unlock; the admin's own account is protected; a deactivated account is shut out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.actions import create_api_token, user_for_token
from kam.core.admin_actions import create_user, deactivate_user, update_user
from kam.core.models import AuditAction, AuditEntry, Team, User
from kam.core.tests.admin_scene import (
    GOOD_PASSWORD,
    audit_rows,
    english_client,
    org_fingerprint,
    query_count,
)
from kam.customers.actions import create_customer
from kam.customers.models import Customer, OwnershipChange
from kam.customers.queries import visible_customers


def _new_user(world: OrgWorld, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": "zhangsan",
        "display_name": "张三",
        "role": "rep",
        "team": world.beijing.pk,
        "phone": "138 1234 5678",
        "email": "zhangsan@example.com",
        "holding_limit": "80",
        "lock_limit": "",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def _profile(user: User, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "team": user.team_id or "",
        "phone": user.phone,
        "email": user.email,
        "holding_limit": "" if user.holding_limit is None else user.holding_limit,
        "lock_limit": "" if user.lock_limit is None else user.lock_limit,
    }
    data.update(overrides)
    return data


def _action_profile(user: User, **overrides: object) -> dict[str, Any]:
    fields = ["username", "display_name", "role", "team", "phone", "email", "holding_limit", "lock_limit"]
    return {**{name: getattr(user, name) for name in fields}, **overrides}


# --- create ----------------------------------------------------------------------------------


def test_admin_creates_an_account_that_can_log_in(world: OrgWorld) -> None:
    response = english_client(world.admin).post(reverse("admin-user-create"), _new_user(world), follow=True)
    user = User.objects.get(username="zhangsan")
    assert response.redirect_chain[-1][0] == reverse("admin-user-edit", args=[user.pk])
    assert "Account 张三 created." in response.content.decode()
    assert (user.organization, user.team, user.role, user.display_name) == (world.org, world.beijing, "rep", "张三")
    assert (user.phone, user.email, user.holding_limit, user.lock_limit) == (
        "13812345678",
        "zhangsan@example.com",
        80,
        None,
    )
    assert user.is_active
    assert audit_rows(user) == [(AuditAction.CREATE, "", "", "")]
    assert Client().login(username="zhangsan", password=GOOD_PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"password": "123", "password_confirm": "123"}, "password"),
        ({"password_confirm": "something-else-9"}, "password_confirm"),
        ({"username": "teammate"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"phone": "12345"}, "phone"),
        ({"team": "999999"}, "team"),
        ({"role": "king"}, "role"),
        ({"holding_limit": "-1"}, "holding_limit"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_bad_input_on_create_is_a_field_error_and_creates_nothing(
    world: OrgWorld, overrides: dict[str, object], errors: str
) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-user-create"), _new_user(world, **overrides))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [errors]
    assert org_fingerprint(world.org) == before


def test_weak_and_similar_passwords_get_djangos_messages(world: OrgWorld) -> None:
    response = english_client(world.admin).post(
        reverse("admin-user-create"), _new_user(world, password="12345678", password_confirm="12345678")
    )
    assert response.context["form"].errors["password"] == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    similar = english_client(world.admin).post(
        reverse("admin-user-create"),
        _new_user(world, username="zhangsan2025", password="zhangsan2025", password_confirm="zhangsan2025"),
    )
    assert similar.context["form"].errors["password"] == ["The password is too similar to the username."]


def test_taken_username_message(world: OrgWorld) -> None:
    response = english_client(world.admin).post(reverse("admin-user-create"), _new_user(world, username="teammate"))
    assert response.context["form"].errors == {"username": ["This username is already taken."]}


def test_create_user_action_refuses_a_team_of_another_organization(world: OrgWorld) -> None:
    foreign = Team.objects.get(organization=world.outsider.organization)
    with pytest.raises(ValidationError) as exc:
        create_user(world.admin, username="x1", password=GOOD_PASSWORD, role="rep", team=foreign)
    assert exc.value.message_dict == {"team": ["Choose a team of your own organization."]}
    assert not User.objects.filter(username="x1").exists()


def test_create_user_action_validates_the_password_itself(world: OrgWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        create_user(world.admin, username="x1", password="abc", role="rep", team=None)
    assert list(exc.value.message_dict) == ["password"]


# --- edit ------------------------------------------------------------------------------------


def test_edit_changes_role_team_and_limits_with_one_audit_row_per_field(world: OrgWorld) -> None:
    response = english_client(world.admin).post(
        reverse("admin-user-edit", args=[world.teammate.pk]),
        _profile(world.teammate, role="manager", team=world.north.pk, lock_limit="3"),
    )
    assert response["Location"] == reverse("admin-user-edit", args=[world.teammate.pk])
    user = User.objects.get(pk=world.teammate.pk)
    assert (user.role, user.team, user.lock_limit) == ("manager", world.north, 3)
    assert audit_rows(user) == [
        (AuditAction.UPDATE, "role", "销售代表", "销售经理"),
        (AuditAction.UPDATE, "team", "北京一组", "华北大区"),
        (AuditAction.UPDATE, "lock_limit", "", "3"),
    ]
    entry = AuditEntry.objects.filter(entity="core.user", entity_id=user.pk).first()
    assert entry is not None
    assert entry.actor == world.admin


def test_edit_page_shows_the_current_values(world: OrgWorld) -> None:
    response = english_client(world.admin).get(reverse("admin-user-edit", args=[world.teammate.pk]))
    assert response.context["form"].initial["username"] == "teammate"
    assert response.context["form"].initial["team"] == world.beijing
    assert reverse("admin-user-deactivate", args=[world.teammate.pk]) in response.content.decode()


def test_admin_cannot_demote_themselves(world: OrgWorld) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-user-edit", args=[world.admin.pk]), _profile(world.admin, role="rep")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"role": ["You cannot take the administrator role away from yourself."]}
    assert org_fingerprint(world.org) == before


def test_admin_may_edit_their_own_profile(world: OrgWorld) -> None:
    update_user(world.admin, world.admin, **_action_profile(world.admin, display_name="管理员"))
    assert User.objects.get(pk=world.admin.pk).display_name == "管理员"


def test_edit_to_a_taken_username_is_a_field_error(world: OrgWorld) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-user-edit", args=[world.teammate.pk]), _profile(world.teammate, username="owner")
    )
    assert response.context["form"].errors == {"username": ["This username is already taken."]}
    assert org_fingerprint(world.org) == before


def test_another_admin_may_demote_an_admin(world: OrgWorld) -> None:
    second = User.objects.create_user(username="admin2", password="x", organization=world.org, role="admin")
    update_user(world.admin, second, **_action_profile(second, role="director"))
    assert User.objects.get(pk=second.pk).role == "director"


# --- deactivate / reactivate -----------------------------------------------------------------


def test_admin_cannot_deactivate_themselves(world: OrgWorld) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-user-deactivate", args=[world.admin.pk]), {})
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    assert org_fingerprint(world.org) == before
    with pytest.raises(ValidationError):
        deactivate_user(world.admin, world.admin)
    assert User.objects.get(pk=world.admin.pk).is_active


def test_deactivate_page_shows_how_many_customers_the_account_owns(world: OrgWorld) -> None:
    for name in ("北京星河数据科技有限公司", "北京银河软件有限公司"):
        create_customer(world.owner, {"name": name}, confirm_duplicates=True)
    body = english_client(world.admin).get(reverse("admin-user-deactivate", args=[world.owner.pk])).content.decode()
    assert "owner still owns 2 customers." in body
    assert 'name="transfer_to"' in body


def test_deactivate_and_transfer_customers_in_one_step(world: OrgWorld) -> None:
    customers = [
        create_customer(world.owner, {"name": name}, confirm_duplicates=True)
        for name in ("北京星河数据科技有限公司", "北京银河软件有限公司")
    ]
    response = english_client(world.admin).post(
        reverse("admin-user-deactivate", args=[world.owner.pk]),
        {"transfer_to": world.teammate.pk, "reason": "离职"},
        follow=True,
    )
    body = response.content.decode()
    assert "Account owner deactivated." in body
    assert "2 customers transferred to teammate." in body
    assert not User.objects.get(pk=world.owner.pk).is_active
    assert set(Customer.objects.filter(owner=world.teammate)) == set(customers)
    for customer in customers:
        change = OwnershipChange.objects.get(customer=customer, kind="transfer")
        assert (change.from_user, change.to_user, change.actor, change.reason) == (
            world.owner,
            world.teammate,
            world.admin,
            "离职",
        )
        assert audit_rows(customer, action=AuditAction.OWNER) == [(AuditAction.OWNER, "owner", "owner", "teammate")]
    assert audit_rows(world.owner) == [(AuditAction.UPDATE, "is_active", "是", "否")]


def test_deactivate_without_a_colleague_keeps_the_customers(world: OrgWorld) -> None:
    customer = create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    english_client(world.admin).post(reverse("admin-user-deactivate", args=[world.owner.pk]), {"transfer_to": ""})
    assert not User.objects.get(pk=world.owner.pk).is_active
    assert Customer.objects.get(pk=customer.pk).owner == world.owner
    assert customer in set(visible_customers(world.manager_north))


def test_transfer_over_the_holding_limit_refuses_and_keeps_the_account_active(world: OrgWorld) -> None:
    for name in ("北京星河数据科技有限公司", "北京银河软件有限公司"):
        create_customer(world.owner, {"name": name}, confirm_duplicates=True)
    User.objects.filter(pk=world.teammate.pk).update(holding_limit=1)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-user-deactivate", args=[world.owner.pk]), {"transfer_to": world.teammate.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"transfer_to": ["teammate already holds 0 customers; the limit is 1."]}
    assert org_fingerprint(world.org) == before


def test_transfer_choices_exclude_the_leaver_and_inactive_accounts(world: OrgWorld) -> None:
    User.objects.filter(pk=world.stranger.pk).update(is_active=False)
    response = english_client(world.admin).get(reverse("admin-user-deactivate", args=[world.owner.pk]))
    choices = set(response.context["form"].fields["transfer_to"].queryset)
    assert world.owner not in choices
    assert world.stranger not in choices
    assert world.outsider not in choices
    assert world.teammate in choices


def test_a_deactivated_account_cannot_log_in_keep_its_session_or_use_tokens(world: OrgWorld) -> None:
    _token, plain = create_api_token(world.owner, "script")
    session = Client()
    session.force_login(world.owner)
    assert session.get(reverse("home")).status_code == 200
    deactivate_user(world.admin, world.owner)
    assert not Client().login(username="owner", password="pw-owner")
    login = english_client(None).post(reverse("login"), {"username": "owner", "password": "pw-owner"})
    assert login.status_code == 200
    assert "Wrong username or password." in login.content.decode()
    assert session.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert user_for_token(plain) is None
    assert Client().get("/api/v1/me", headers={"authorization": f"Bearer {plain}"}).status_code == 401


def test_reactivate_lets_the_account_log_in_again(world: OrgWorld) -> None:
    deactivate_user(world.admin, world.owner)
    response = english_client(world.admin).post(reverse("admin-user-reactivate", args=[world.owner.pk]), follow=True)
    assert "Account owner reactivated." in response.content.decode()
    assert Client().login(username="owner", password="pw-owner")
    assert audit_rows(world.owner) == [
        (AuditAction.UPDATE, "is_active", "是", "否"),
        (AuditAction.UPDATE, "is_active", "否", "是"),
    ]


# --- password and lock -----------------------------------------------------------------------


def test_reset_password_replaces_the_old_one(world: OrgWorld) -> None:
    response = english_client(world.admin).post(
        reverse("admin-user-password", args=[world.teammate.pk]),
        {"password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD},
        follow=True,
    )
    assert "The password of teammate was reset." in response.content.decode()
    assert Client().login(username="teammate", password=GOOD_PASSWORD)
    assert not Client().login(username="teammate", password="pw-teammate")
    assert audit_rows(world.teammate) == [(AuditAction.UPDATE, "password", "", "")]


def test_reset_password_validates_it(world: OrgWorld) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-user-password", args=[world.teammate.pk]), {"password": "teammate", "password_confirm": "x"}
    )
    errors = response.context["form"].errors
    assert errors["password_confirm"] == ["The two passwords differ."]
    assert "The password is too similar to the username." in errors["password"]
    assert org_fingerprint(world.org) == before


def test_admin_resetting_their_own_password_stays_logged_in(world: OrgWorld) -> None:
    client = english_client(world.admin)
    client.post(
        reverse("admin-user-password", args=[world.admin.pk]),
        {"password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD},
    )
    assert client.get(reverse("admin-home")).status_code == 200


def test_unlock_clears_the_lock_and_the_failure_count(world: OrgWorld) -> None:
    until = timezone.now() + timedelta(minutes=10)
    User.objects.filter(pk=world.owner.pk).update(locked_until=until, failed_logins=3)
    locked = english_client(None).post(reverse("login"), {"username": "owner", "password": "pw-owner"})
    assert "Too many failed logins: this account is locked until" in locked.content.decode()
    page = english_client(world.admin).get(reverse("admin-user-edit", args=[world.owner.pk])).content.decode()
    assert "Unlock account" in page
    response = english_client(world.admin).post(reverse("admin-user-unlock", args=[world.owner.pk]), follow=True)
    assert "Account owner unlocked." in response.content.decode()
    owner = User.objects.get(pk=world.owner.pk)
    assert (owner.locked_until, owner.failed_logins) == (None, 0)
    assert Client().login(username="owner", password="pw-owner")
    assert [(a, f, n) for a, f, _o, n in audit_rows(owner)] == [
        (AuditAction.UPDATE, "locked_until", ""),
        (AuditAction.UPDATE, "failed_logins", "0"),
    ]


# --- list ------------------------------------------------------------------------------------


def _listed(world: OrgWorld, query: str = "") -> list[str]:
    response = english_client(world.admin).get(reverse("admin-users") + query)
    return [u.username for u in response.context["users"]]


def test_user_list_filters_by_team_subtree_role_and_status(world: OrgWorld) -> None:
    User.objects.filter(pk=world.teammate.pk).update(is_active=False)
    everyone = _listed(world)
    assert "outsider" not in everyone
    assert everyone[-1] == "teammate"  # deactivated accounts last
    assert len(everyone) == 8
    assert _listed(world, f"?team={world.north.pk}") == ["mgr_north", "owner", "teammate"]
    assert _listed(world, "?role=manager") == ["mgr_east", "mgr_north"]
    assert _listed(world, "?active=0") == ["teammate"]
    assert _listed(world, f"?team={world.north.pk}&active=1") == ["mgr_north", "owner"]
    assert _listed(world, "?q=mgr") == ["mgr_east", "mgr_north"]


def test_user_list_ignores_invalid_filters(world: OrgWorld) -> None:
    foreign = Team.objects.get(organization=world.outsider.organization)
    assert len(_listed(world, f"?team={foreign.pk}&role=king&active=maybe")) == 8


def test_user_list_shows_customer_counts_and_locks(world: OrgWorld) -> None:
    create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    User.objects.filter(pk=world.teammate.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    response = english_client(world.admin).get(reverse("admin-users"))
    counts = {u.username: u.owned_count for u in response.context["users"]}
    assert (counts["owner"], counts["teammate"]) == (1, 0)
    assert '<span class="badge badge-oppose">Locked</span>' in response.content.decode()


def test_user_list_query_count_does_not_grow_with_rows(world: OrgWorld) -> None:
    client = english_client(world.admin)
    url = reverse("admin-users") + f"?team={world.beijing.pk}"
    create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    few = query_count(client, url)
    assert len(client.get(url).context["users"]) == 2
    for i in range(28):
        User.objects.create_user(username=f"rep{i:02d}", password="x", organization=world.org, team=world.beijing)
    assert len(client.get(url).context["users"]) == 30
    assert query_count(client, url) == few


def test_account_page_shows_its_history(world: OrgWorld) -> None:
    client = english_client(world.admin)
    client.post(reverse("admin-user-edit", args=[world.teammate.pk]), _profile(world.teammate, role="manager"))
    response = client.get(reverse("admin-user-edit", args=[world.teammate.pk]))
    assert [(row.label, row.entry.actor) for row in response.context["history"]] == [("role", world.admin)]
    assert '<span class="muted">销售代表</span> → 销售经理' in response.content.decode()
