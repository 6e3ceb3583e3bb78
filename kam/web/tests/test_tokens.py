"""Settings page and personal API tokens: create (shown once), list, revoke only one's own."""

from __future__ import annotations

import pytest
from django.test import Client

from kam.conftest import OrgWorld
from kam.core.actions import create_api_token, hash_token, user_for_token
from kam.core.models import ApiToken
from kam.web.tests.conftest import WORLD_USERS, ClientFor, query_count


def test_settings_needs_login(db: None) -> None:
    response = Client().get("/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/settings/"


@pytest.mark.parametrize("who", WORLD_USERS)
def test_every_user_opens_own_settings(world: OrgWorld, who: str, en_client: ClientFor) -> None:
    user = getattr(world, who)
    response = en_client(user).get("/settings/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<dd>{user.username}</dd>" in html
    assert f"<dd>{user.team.name}</dd>" in html
    assert f"<dd>{user.get_role_display()}</dd>" in html


def test_settings_lists_only_own_tokens(world: OrgWorld, client_for: ClientFor) -> None:
    mine, _plain = create_api_token(world.owner, "报表脚本")
    create_api_token(world.stranger, "别人的脚本")
    html = client_for(world.owner).get("/settings/").content.decode()
    assert "报表脚本" in html
    assert f"{mine.prefix}…" in html
    assert "别人的脚本" not in html


def test_create_token_shows_the_plain_token_once(world: OrgWorld, client_for: ClientFor) -> None:
    client = client_for(world.owner)
    response = client.post("/settings/tokens/", {"name": "Excel 插件"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=world.owner)
    assert token.name == "Excel 插件"
    plain = response.context["plain"]
    assert plain in response.content.decode()
    assert token.key_hash == hash_token(plain)
    assert user_for_token(plain) == world.owner
    # Never again: the settings page shows only the prefix.
    settings_html = client.get("/settings/").content.decode()
    assert plain not in settings_html
    assert f"{token.prefix}…" in settings_html


def test_create_token_without_name_is_refused(world: OrgWorld, en_client: ClientFor) -> None:
    response = en_client(world.owner).post("/settings/tokens/", {"name": "  "})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_anonymous_cannot_create_a_token(world: OrgWorld) -> None:
    response = Client().post("/settings/tokens/", {"name": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/settings/tokens/"
    assert not ApiToken.objects.exists()


def test_create_token_is_post_only(world: OrgWorld, client_for: ClientFor) -> None:
    assert client_for(world.owner).get("/settings/tokens/").status_code == 405
    assert not ApiToken.objects.exists()


def test_owner_revokes_own_token(world: OrgWorld, client_for: ClientFor) -> None:
    token, plain = create_api_token(world.owner, "old")
    response = client_for(world.owner).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(plain) is None


@pytest.mark.parametrize("who", ["teammate", "manager_north", "director", "admin", "outsider"])
def test_nobody_revokes_another_users_token(world: OrgWorld, client_for: ClientFor, who: str) -> None:
    token, plain = create_api_token(world.owner, "mine")
    response = client_for(getattr(world, who)).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(plain) == world.owner


def test_anonymous_cannot_revoke(world: OrgWorld) -> None:
    token, _plain = create_api_token(world.owner, "mine")
    response = Client().post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_is_post_only(world: OrgWorld, client_for: ClientFor) -> None:
    token, _plain = create_api_token(world.owner, "mine")
    assert client_for(world.owner).get(f"/settings/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_answers_404(world: OrgWorld, client_for: ClientFor) -> None:
    token, _plain = create_api_token(world.owner, "mine")
    client = client_for(world.owner)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    first = token.revoked_at
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at == first


def test_settings_query_count_does_not_grow_with_tokens(world: OrgWorld, client_for: ClientFor) -> None:
    client = client_for(world.owner)
    for _ in range(3):
        create_api_token(world.owner, "t")
    with_three = query_count(client, "/settings/")
    for _ in range(27):
        create_api_token(world.owner, "t")
    assert query_count(client, "/settings/") == with_three
    assert with_three <= 6  # session, user, tokens, calendar feed, unread count, savepoints
