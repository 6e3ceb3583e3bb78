"""Reads of the organization: teams, users, tokens, notifications."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from kam.core.models import ApiToken, Notification, Team, User

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
