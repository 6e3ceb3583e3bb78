"""Reads of 市场动态 (market news), always scoped to what the user may see.

News shared with no team is read by the whole organization; news shared with a team is read by
the members of that team's subtree and by the managers and directors above it (DESIGN.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from kam.core.models import Role, Team, User
from kam.core.queries import get_or_404
from kam.planning.models import MarketNews


def team_chain_ids(team: Team) -> list[int]:
    """The team and every team above it, from its materialised path ("/1/4/9/")."""
    return [int(part) for part in team.path.strip("/").split("/") if part]


def news_scope(user: User) -> Q:
    """The Q that selects exactly the news `user` may read."""
    base = Q(organization_id=user.organization_id)
    if user.role == Role.ADMIN:
        return base
    visible = Q(team__isnull=True) | Q(author_id=user.pk)
    team = user.team
    if team is not None:
        visible |= Q(team_id__in=team_chain_ids(team))
        if user.supervises:
            visible |= Q(team_id__in=team.subtree().values("id"))
    return base & visible


def visible_news(user: User) -> QuerySet[MarketNews]:
    if not user.is_authenticated or user.organization_id is None:
        return MarketNews.objects.none()
    return MarketNews.objects.filter(news_scope(user))


def news_about_team(team: Team) -> Q:
    """News that concerns one team: for the whole organization, for the team or a team above it,
    or for a team below it (the briefing of that team shows them)."""
    return Q(team__isnull=True) | Q(team_id__in=team_chain_ids(team)) | Q(team_id__in=team.subtree().values("id"))


@dataclass
class NewsFilters:
    industry: str = ""  # a 门类 matches its 大类 too
    region: str = ""  # a province matches its cities too
    team: int | None = None  # shared with this team or a team below it
    date_from: date | None = None  # shared on or after this day (Shanghai)
    date_to: date | None = None  # … on or before this day


def news_list(user: User, filters: NewsFilters) -> QuerySet[MarketNews]:
    """The news `user` may read, newest first, with what a list row shows preloaded; narrowed by
    industry (门类 with its 大类), province (with its cities), team (with the teams below it) and
    the days it was shared on (Shanghai calendar)."""
    qs = visible_news(user)
    if filters.industry:
        qs = qs.filter(Q(industry_id=filters.industry) | Q(industry__section_id=filters.industry))
    if filters.region:
        qs = qs.filter(Q(region_id=filters.region) | Q(region__parent_id=filters.region))
    if filters.team is not None:
        team = Team.objects.filter(organization_id=user.organization_id, pk=filters.team).first()
        qs = qs.filter(team__path__startswith=team.path) if team is not None else qs.none()
    zone = timezone.get_default_timezone()
    if filters.date_from is not None:
        qs = qs.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=zone))
    if filters.date_to is not None:
        day_after = filters.date_to + timedelta(days=1)
        qs = qs.filter(created_at__lt=datetime.combine(day_after, time.min, tzinfo=zone))
    return qs.select_related("author", "team", "industry", "region").order_by("-created_at", "-id")


def shareable_teams(user: User) -> QuerySet[Team]:
    """Teams `user` may share news with: their own team and those above it; managers also the
    teams below them; admins every team of the organization."""
    teams = Team.objects.filter(organization_id=user.organization_id)
    if user.role == Role.ADMIN:
        return teams.order_by("path")
    team = user.team
    if team is None:
        return teams.none()
    reach = Q(pk__in=team_chain_ids(team))
    if user.supervises:
        reach |= Q(path__startswith=team.path)
    return teams.filter(reach).order_by("path")


def may_edit_news(user: User, news: MarketNews) -> bool:
    """The author and admins edit a news item."""
    if user.organization_id != news.organization_id:
        return False
    return user.role == Role.ADMIN or news.author_id == user.pk


def may_delete_news(user: User, news: MarketNews) -> bool:
    """The author and admins; managers and directors also delete news shared with a team of
    theirs or written by someone of their team (keeping the team's channel clean)."""
    if may_edit_news(user, news):
        return True
    if user.organization_id != news.organization_id or not user.supervises:
        return False
    path = user.team.path  # type: ignore[union-attr]
    if news.team is not None and news.team.path.startswith(path):
        return True
    author_team = news.author.team
    return author_team is not None and author_team.path.startswith(path)


NewsNeed = Literal["read", "edit", "delete"]


def get_news_for_user(user: User, pk: Any, need: NewsNeed = "read") -> MarketNews:
    """One news item: 404 when missing or hidden, 403 when `need` is edit/delete and not allowed."""
    news = get_or_404(visible_news(user).select_related("author", "author__team", "team", "industry", "region"), pk)
    if need == "edit" and not may_edit_news(user, news):
        raise PermissionDenied
    if need == "delete" and not may_delete_news(user, news):
        raise PermissionDenied
    return news
