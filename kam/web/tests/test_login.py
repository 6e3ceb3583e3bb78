"""Login with throttling, logout and password change through the real pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.web.tests.conftest import ClientFor


@pytest.fixture
def small_limits(settings: Settings) -> Settings:
    settings.KAM_LOGIN_MAX_FAILURES = 3
    settings.KAM_LOGIN_LOCK_MINUTES = 5
    return settings


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def _logged_in_as(client: Client) -> int | None:
    raw = client.session.get("_auth_user_id")
    return int(raw) if raw is not None else None


def test_login_page_renders_for_anonymous(db: None) -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_login_with_correct_password_goes_home(world: OrgWorld) -> None:
    client = Client()
    response = _login(client, "owner", "pw-owner")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _logged_in_as(client) == world.owner.pk


def test_login_follows_a_local_next(world: OrgWorld) -> None:
    client = Client()
    response = client.post("/login/", {"username": "owner", "password": "pw-owner", "next": "/settings/"})
    assert response["Location"] == "/settings/"


def test_login_ignores_a_foreign_next(world: OrgWorld) -> None:
    client = Client()
    response = client.post("/login/", {"username": "owner", "password": "pw-owner", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_wrong_password_is_refused_with_a_message(
    world: OrgWorld, small_limits: Settings, en_client: ClientFor
) -> None:
    client = en_client(None)
    response = client.post("/login/", {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert "Wrong username or password" in response.content.decode()
    assert "locked for 5 minutes" in response.content.decode()
    assert _logged_in_as(client) is None
    world.owner.refresh_from_db()
    assert world.owner.failed_logins == 1


def test_lockout_shows_unlock_time_and_refuses_the_right_password(
    world: OrgWorld, small_limits: Settings, en_client: ClientFor
) -> None:
    client = en_client(None)
    for _ in range(3):
        _login(client, "owner", "nope")
    world.owner.refresh_from_db()
    assert world.owner.locked_until is not None
    response = client.post("/login/", {"username": "owner", "password": "pw-owner"})
    assert response.status_code == 200
    until = timezone.localtime(world.owner.locked_until).strftime("%Y-%m-%d %H:%M")
    assert f"this account is locked until {until}" in response.content.decode()
    assert _logged_in_as(client) is None


def test_right_password_is_accepted_after_the_lock_time(world: OrgWorld, small_limits: Settings) -> None:
    client = Client()
    for _ in range(3):
        _login(client, "owner", "nope")
    User.objects.filter(pk=world.owner.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    response = client.post("/login/", {"username": "owner", "password": "pw-owner"})
    assert response.status_code == 302
    assert _logged_in_as(client) == world.owner.pk


def test_successful_login_resets_the_failure_counter(world: OrgWorld, small_limits: Settings) -> None:
    client = Client()
    for _ in range(2):
        _login(client, "owner", "nope")
    world.owner.refresh_from_db()
    assert world.owner.failed_logins == 2
    assert _login(Client(), "owner", "pw-owner").status_code == 302
    world.owner.refresh_from_db()
    assert world.owner.failed_logins == 0
    assert world.owner.locked_until is None


def test_logged_in_user_is_sent_home_from_login(world: OrgWorld) -> None:
    client = Client()
    client.force_login(world.owner)
    response = client.get("/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_post_only(world: OrgWorld) -> None:
    client = Client()
    client.force_login(world.owner)
    assert client.get("/logout/").status_code == 405
    assert _logged_in_as(client) == world.owner.pk


def test_logout_ends_the_session(world: OrgWorld) -> None:
    client = Client()
    client.force_login(world.owner)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert _logged_in_as(client) is None
    assert client.get("/")["Location"] == "/login/?next=/"


def test_password_change_needs_login(db: None) -> None:
    response = Client().get("/settings/password/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/settings/password/"


def test_password_change_refuses_a_wrong_old_password(world: OrgWorld) -> None:
    client = Client()
    client.force_login(world.owner)
    response = client.post(
        "/settings/password/",
        {"old_password": "nope", "new_password1": "Quite-Long-2025!", "new_password2": "Quite-Long-2025!"},
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    world.owner.refresh_from_db()
    assert world.owner.check_password("pw-owner")


def test_password_change_sets_the_new_password_and_says_so(world: OrgWorld, en_client: ClientFor) -> None:
    client = en_client(world.owner)
    response = client.post(
        "/settings/password/",
        {"old_password": "pw-owner", "new_password1": "Quite-Long-2025!", "new_password2": "Quite-Long-2025!"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    world.owner.refresh_from_db()
    assert world.owner.check_password("Quite-Long-2025!")
    # The session survives the change (update_session_auth_hash) and the next page says it worked.
    page = client.get("/settings/")
    assert page.status_code == 200
    assert '<li class="message-success">Your password was changed.</li>' in page.content.decode()
    assert _login(Client(), "owner", "Quite-Long-2025!").status_code == 302
