"""Writes to 市场动态 (market news): share, edit, delete; every change leaves an audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, Team, User
from kam.planning.models import MarketNews
from kam.planning.queries_news import get_news_for_user, shareable_teams

NEWS_FIELDS = ("title", "body", "source", "industry", "region", "team")


def _check_team(actor: User, team: Team | None) -> None:
    if team is not None and not shareable_teams(actor).filter(pk=team.pk).exists():
        raise refuse(_("Choose a team you belong to or lead, or share with the whole organization."), "team")


def _check_title(title: str) -> None:
    if not title.strip():
        raise refuse(_("Give the news a title."), "title")


@transaction.atomic
def create_news(actor: User, data: dict[str, Any]) -> MarketNews:
    """Share a piece of market news with a team of the actor's (or the whole organization)."""
    values = {name: data.get(name) for name in NEWS_FIELDS}
    for name in ("body", "source"):
        values[name] = values[name] or ""
    _check_title(values["title"] or "")
    _check_team(actor, values["team"])
    news = MarketNews.objects.create(organization_id=actor.organization_id, author=actor, **values)
    audit.record(actor, news, AuditAction.CREATE)
    return news


@transaction.atomic
def update_news(actor: User, news: MarketNews, data: dict[str, Any]) -> MarketNews:
    """Change some fields (author or admin); one audit row per changed field."""
    news = get_news_for_user(actor, news.pk, need="edit")
    changed = [name for name in NEWS_FIELDS if name in data and getattr(news, name) != data[name]]
    if "title" in changed:
        _check_title(data["title"] or "")
    if "team" in changed:
        _check_team(actor, data["team"])
    before = audit.snapshot(news, NEWS_FIELDS)
    for name in changed:
        value = data[name]
        setattr(news, name, "" if value is None and name in ("body", "source") else value)
    if changed:
        news.save(update_fields=changed)
        audit.record_changes(actor, news, before)
    return news


@transaction.atomic
def delete_news(actor: User, news: MarketNews) -> None:
    """Remove a news item for good (author, admin, or a manager above its team or author)."""
    news = get_news_for_user(actor, news.pk, need="delete")
    audit.record(actor, news, AuditAction.PURGE)
    news.delete()
