"""Personal API tokens: shown once, stored hashed, revocable, dead with their user."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.actions import TOKEN_PREFIX, create_api_token, hash_token, revoke_api_token, user_for_token
from kam.core.models import ApiToken
from kam.core.queries import tokens_of


def test_a_new_token_is_returned_once_and_stored_only_as_its_hash(world: OrgWorld) -> None:
    token, plain = create_api_token(world.owner, "手机脚本")
    assert plain.startswith(TOKEN_PREFIX)
    assert len(plain) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert (stored.user, stored.name, stored.prefix) == (world.owner, "手机脚本", plain[:12])
    assert stored.key_hash == hashlib.sha256(plain.encode()).hexdigest() == hash_token(plain)
    assert plain not in {stored.key_hash, stored.prefix, stored.name}
    assert str(stored) == f"手机脚本 ({plain[:12]}…)"


def test_tokens_are_unique_and_names_are_defaulted_and_cut(world: OrgWorld) -> None:
    first, plain1 = create_api_token(world.owner, "")
    second, plain2 = create_api_token(world.owner, "长" * 150)
    assert plain1 != plain2
    assert first.name == "API"
    assert second.name == "长" * 100
    assert list(tokens_of(world.owner)) == [second, first]
    assert list(tokens_of(world.teammate)) == []


def test_user_for_token_finds_the_active_user(world: OrgWorld) -> None:
    _token, plain = create_api_token(world.owner, "脚本")
    user = user_for_token(plain)
    assert user == world.owner
    assert user is not None
    assert (user.organization, user.team) == (world.org, world.beijing)


def test_unknown_malformed_and_tampered_tokens_find_nobody(world: OrgWorld) -> None:
    _token, plain = create_api_token(world.owner, "脚本")
    assert user_for_token("") is None
    assert user_for_token(plain[len(TOKEN_PREFIX) :]) is None
    assert user_for_token(plain + "x") is None
    assert user_for_token(plain.upper()) is None
    assert user_for_token(TOKEN_PREFIX + "nothing") is None
    assert user_for_token(ApiToken.objects.get().key_hash) is None


def test_a_revoked_token_finds_nobody(world: OrgWorld) -> None:
    token, plain = create_api_token(world.owner, "脚本")
    assert revoke_api_token(world.owner, token.pk) is True
    assert user_for_token(plain) is None
    assert revoke_api_token(world.owner, token.pk) is False
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_someone_elses_token(world: OrgWorld) -> None:
    token, plain = create_api_token(world.owner, "脚本")
    assert revoke_api_token(world.admin, token.pk) is False
    assert revoke_api_token(world.outsider, token.pk) is False
    assert user_for_token(plain) == world.owner


def test_an_inactive_users_token_finds_nobody(world: OrgWorld) -> None:
    _token, plain = create_api_token(world.owner, "脚本")
    world.owner.is_active = False
    world.owner.save(update_fields=["is_active"])
    assert user_for_token(plain) is None


def test_last_used_is_touched_at_most_once_a_minute(world: OrgWorld, django_assert_num_queries: Any) -> None:
    token, plain = create_api_token(world.owner, "脚本")
    with django_assert_num_queries(2):  # look-up, first touch
        user_for_token(plain)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    with django_assert_num_queries(1):  # look-up only
        user_for_token(plain)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(seconds=61))
    user_for_token(plain)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > timezone.now() - timedelta(seconds=5)
