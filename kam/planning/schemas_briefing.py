"""Typed shapes of the briefing and market news API. News input runs through forms_news.NewsForm."""

import datetime as dt

from ninja import Field, Schema

from kam.core.api import DbId, LocalDateTime, TeamRef, UserRef
from kam.planning.forms_briefing import FIRST_DAY, LAST_DAY
from kam.planning.models import MarketNews


class BriefingQuery(Schema):
    date: dt.date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY, description="The meeting day (default today)")
    team: DbId | None = Field(None, description="One team of my subtree (managers, directors, admins)")


class BriefingSectionOut(Schema):
    key: str
    title: str
    count: int = Field(description="Rows in all; more than `rows` when the section was cut short")
    columns: list[str]
    rows: list[list[str]]
    links: list[str] = Field(description="Page of each row's record, or empty")
    highlight: list[bool]


class BriefingOut(Schema):
    date: dt.date
    since: LocalDateTime
    until: LocalDateTime
    team: TeamRef | None
    member_ids: list[int]
    sections: list[BriefingSectionOut]


class CodeName(Schema):
    code: str
    name: str


class NewsOut(Schema):
    id: int
    title: str
    body: str
    source: str
    industry: CodeName | None
    region: CodeName | None
    team: TeamRef | None = Field(description="Shared with this team's subtree; null: the whole organization")
    author: UserRef
    created_at: LocalDateTime


class NewsIn(Schema):
    title: str
    body: str = ""
    source: str = ""
    industry: str | None = Field(None, description="GB/T 4754 门类 or 大类 code")
    region: str | None = Field(None, description="GB/T 2260 province or city code")
    team: DbId | None = Field(None, description="Team id; null shares with the whole organization")


class NewsPatch(Schema):
    title: str | None = None
    body: str | None = None
    source: str | None = None
    industry: str | None = None
    region: str | None = None
    team: DbId | None = None


class NewsFilterQuery(Schema):
    industry: str = Field("", max_length=4)
    region: str = Field("", max_length=6)


def news_values(news: MarketNews) -> dict[str, object]:
    """A news item as form data (codes and ids), the base a PATCH is laid over."""
    return {
        "title": news.title,
        "body": news.body,
        "source": news.source,
        "industry": news.industry_id or "",
        "region": news.region_id or "",
        "team": news.team_id or "",
    }
