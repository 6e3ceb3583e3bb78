"""Writes to organizations, teams, users and tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.errors import refuse
from kam.core.models import ApiToken, Organization, Team, TeamKind, User

TOKEN_PREFIX = "kam_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic
def create_team(
    organization: Organization, name: str, *, parent: Team | None = None, kind: str = TeamKind.TEAM
) -> Team:
    """Add a node to the team tree and fill its materialised path."""
    if parent is not None and parent.organization_id != organization.pk:
        raise refuse(_("Choose a parent team of your own organization."), "parent")
    team = Team.objects.create(organization=organization, name=name, parent=parent, kind=kind)
    team.path = f"{parent.path if parent else '/'}{team.pk}/"
    team.save(update_fields=["path"])
    return team


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal token; the plain text is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100] or "API", prefix=plain[:12], key_hash=hash_token(plain))
    return token, plain


@transaction.atomic
def revoke_api_token(user: User, token_id: int) -> bool:
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def user_for_token(plain: str) -> User | None:
    """The active user behind a bearer token, or None. Touches last_used_at at most once a minute."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organization", "user__team")
        .filter(key_hash=hash_token(plain), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
