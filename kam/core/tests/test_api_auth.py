"""API authentication: bearer tokens, the session with CSRF, and who counts as nobody (401)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from kam.conftest import OrgWorld
from kam.core import api_auth
from kam.core.actions import create_api_token, revoke_api_token
from kam.core.api_auth import BearerTokenAuth, OrgSessionAuth
from kam.core.models import ApiToken, User
from kam.core.tests.api_support import _fast_password_hashing, bearer_client, call, session_client  # noqa: F401
from kam.customers.models import Customer

CSRF_SECRET = "k" * 32


def test_bearer_token_authenticates_and_marks_the_token_used(world: OrgWorld) -> None:
    response = call(bearer_client(world.owner), "GET", "/me")
    assert (response.status_code, response.data["username"]) == (200, "owner")
    assert ApiToken.objects.get().last_used_at is not None


def test_bearer_token_writes_without_csrf(world: OrgWorld) -> None:
    _token, plain = create_api_token(world.owner, "script")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {plain}"})
    response = call(client, "POST", "/customers", {"name": "北京星辰科技有限公司"})
    assert response.status_code == 201
    assert Customer.objects.get().created_by == world.owner


def test_revoked_token_is_401(world: OrgWorld) -> None:
    token, plain = create_api_token(world.owner, "old")
    revoke_api_token(world.owner, token.pk)
    response = call(Client(headers={"Authorization": f"Bearer {plain}"}), "GET", "/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="kam"'
    assert set(response.data) == {"detail"}


@pytest.mark.parametrize("header", ["Bearer kam_not-a-real-token", "Bearer ", "Token kam_x", "Basic b3duZXI6cHc="])
def test_bad_authorization_header_is_401(world: OrgWorld, header: str) -> None:
    assert call(Client(headers={"Authorization": header}), "GET", "/customers").status_code == 401


def test_anonymous_write_is_401_not_a_csrf_error(world: OrgWorld) -> None:
    response = call(Client(enforce_csrf_checks=True), "POST", "/customers", {"name": "北京星辰科技有限公司"})
    assert response.status_code == 401
    assert Customer.objects.count() == 0


def test_token_of_a_deactivated_user_is_401(world: OrgWorld) -> None:
    client = bearer_client(world.owner)
    User.objects.filter(pk=world.owner.pk).update(is_active=False)
    assert call(client, "GET", "/me").status_code == 401


def test_user_without_organization_is_not_authenticated(monkeypatch: pytest.MonkeyPatch) -> None:
    # Built in memory: the point is the rule in the auth classes, whatever the column allows.
    loner = User(username="loner", is_active=True, organization=None)
    request = RequestFactory().get("/api/v1/me")
    request.user = loner
    assert OrgSessionAuth()(request) is None
    monkeypatch.setattr(api_auth, "user_for_token", lambda plain: loner)
    assert BearerTokenAuth().authenticate(request, "kam_anything") is None


def test_session_write_needs_the_csrf_token(world: OrgWorld) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    assert call(client, "GET", "/customers").status_code == 200
    refused = call(client, "POST", "/customers", {"name": "北京星辰科技有限公司"})
    assert refused.status_code == 403
    assert Customer.objects.count() == 0
    client.cookies["csrftoken"] = CSRF_SECRET
    accepted = call(client, "POST", "/customers", {"name": "北京星辰科技有限公司"}, **{"X-CSRFToken": CSRF_SECRET})
    assert accepted.status_code == 201


def test_token_wins_over_a_session_of_someone_else(world: OrgWorld) -> None:
    _token, plain = create_api_token(world.teammate, "script")
    client = session_client(world.owner)
    response = call(client, "GET", "/me", Authorization=f"Bearer {plain}")
    assert response.data["username"] == "teammate"
