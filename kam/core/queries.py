"""Reads of the organization: teams, users, tokens, notifications."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from kam.core.models import ApiToken, Notification, Role, Team, User

_M = TypeVar("_M", bound=Model)


def get_or_404(queryset: QuerySet[_M], pk: Any) -> _M:
    """One row of an already scoped queryset by id; a missing row and a malformed id both answer 404."""
    try:
        return queryset.get(pk=int(pk))
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def teams_of(user: User) -> QuerySet[Team]:
    return Team.objects.filter(organization_id=user.organization_id).order_by("path")


def colleagues_of(user: User) -> QuerySet[User]:
    return (
        User.objects.filter(organization_id=user.organization_id, is_active=True)
        .select_related("team")
        .order_by("username")
    )


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(user: User, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at")[:limit]


def people_in_view(user: User) -> QuerySet[User]:
    """The users whose own work `user` oversees, themselves included.

    Managers and directors: everyone in their team subtree; admins: the whole organization;
    everyone else: only themselves. The briefing, reports and activity lists start here.
    """
    base = User.objects.filter(organization_id=user.organization_id)
    if user.role == Role.ADMIN:
        return base
    if user.supervises:
        return base.filter(
            team__in=Team.objects.filter(organization_id=user.organization_id, path__startswith=user.team.path)  # type: ignore[union-attr]
        )
    return base.filter(pk=user.pk)


def manager_of(user: User) -> User | None:
    """The nearest active manager or director above `user` in the team tree (their own team first)."""
    if user.team is None:
        return None
    ancestor_ids = [int(part) for part in user.team.path.strip("/").split("/") if part]
    candidates = (
        User.objects.filter(
            organization_id=user.organization_id,
            is_active=True,
            role__in=[Role.MANAGER, Role.DIRECTOR],
            team_id__in=ancestor_ids,
        )
        .exclude(pk=user.pk)
        .select_related("team")
    )
    # The deepest team wins: the longest path is the closest ancestor.
    ranked = sorted(candidates, key=lambda u: (-len(u.team.path), u.role != Role.MANAGER, u.pk))  # type: ignore[union-attr]
    return ranked[0] if ranked else None
