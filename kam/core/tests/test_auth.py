"""The throttled login backend: failures count up, lock the account, and a success resets them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone
from pytest_django import Settings

from kam.conftest import OrgWorld
from kam.core.auth import AccountLocked
from kam.core.models import User


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Settings) -> None:
    """The world fixture hashes nine passwords; MD5 keeps that from dominating the test time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small_limits(settings: Settings) -> Settings:
    settings.KAM_LOGIN_MAX_FAILURES = 3
    settings.KAM_LOGIN_LOCK_MINUTES = 5
    return settings


def _fail(username: str, times: int) -> None:
    for _ in range(times):
        assert authenticate(None, username=username, password="wrong") is None


def test_correct_password_authenticates(world: OrgWorld) -> None:
    assert authenticate(None, username="owner", password="pw-owner") == world.owner


def test_wrong_password_counts_a_failure(world: OrgWorld, small_limits: Settings) -> None:
    _fail("owner", 2)
    world.owner.refresh_from_db()
    assert world.owner.failed_logins == 2
    assert world.owner.locked_until is None


def test_unknown_username_is_refused_without_error(world: OrgWorld) -> None:
    assert authenticate(None, username="nobody", password="pw-owner") is None


def test_max_failures_lock_the_account_for_the_lock_time(world: OrgWorld, small_limits: Settings) -> None:
    before = timezone.now()
    _fail("owner", 3)
    world.owner.refresh_from_db()
    assert world.owner.failed_logins == 0
    assert world.owner.locked_until is not None
    assert before + timedelta(minutes=5) <= world.owner.locked_until <= timezone.now() + timedelta(minutes=5)


def test_correct_password_is_refused_while_locked(world: OrgWorld, small_limits: Settings) -> None:
    _fail("owner", 3)
    world.owner.refresh_from_db()
    with pytest.raises(AccountLocked) as caught:
        authenticate(None, username="owner", password="pw-owner")
    assert caught.value.until == world.owner.locked_until


def test_correct_password_is_accepted_after_the_lock_time(world: OrgWorld, small_limits: Settings) -> None:
    _fail("owner", 3)
    User.objects.filter(pk=world.owner.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert authenticate(None, username="owner", password="pw-owner") == world.owner
    world.owner.refresh_from_db()
    assert world.owner.locked_until is None
    assert world.owner.failed_logins == 0


def test_success_resets_the_failure_counter(world: OrgWorld, small_limits: Settings) -> None:
    _fail("owner", 2)
    assert authenticate(None, username="owner", password="pw-owner") == world.owner
    world.owner.refresh_from_db()
    assert world.owner.failed_logins == 0
    # Two more failures start from zero, so the account is still open.
    _fail("owner", 2)
    world.owner.refresh_from_db()
    assert world.owner.locked_until is None
    assert authenticate(None, username="owner", password="pw-owner") == world.owner


def test_lock_of_one_user_leaves_others_alone(world: OrgWorld, small_limits: Settings) -> None:
    _fail("owner", 3)
    assert authenticate(None, username="teammate", password="pw-teammate") == world.teammate


def test_deactivated_account_is_refused_without_counting_a_failure(db: None) -> None:
    from django.contrib.auth import authenticate

    from kam.core.actions import create_team
    from kam.core.models import Organization, User

    org = Organization.objects.create(name="停用测试", code="inactive")
    team = create_team(org, "总部", kind="company")
    user = User.objects.create_user(username="gone", password="pw-gone", organization=org, team=team)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert authenticate(username="gone", password="pw-gone") is None
    user.refresh_from_db()
    assert user.failed_logins == 0
    assert user.locked_until is None
