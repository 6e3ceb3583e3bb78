"""The morning briefing and market news over HTTP: schema in, one query or action, schema out."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.core.api import FieldProblem, KamLimitOffsetPagination, Problem
from kam.core.api_auth import actor
from kam.customers.schemas import cleaned_data
from kam.planning import actions_news
from kam.planning.briefing import briefing_for
from kam.planning.forms_news import NewsForm
from kam.planning.models import MarketNews
from kam.planning.queries_news import NewsFilters, get_news_for_user, news_list
from kam.planning.schemas_briefing import (
    BriefingOut,
    BriefingQuery,
    NewsFilterQuery,
    NewsIn,
    NewsOut,
    NewsPatch,
    news_values,
)

router = Router(tags=["briefing"])

READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}


@router.get(
    "/briefing",
    response={200: BriefingOut, **READ},
    summary="晨会: the morning briefing's sections",
    description="Covers the start of the previous working day to the start of `date` (Asia/Shanghai). "
    "Managers read their team subtree (or `team`), reps their own work. Each section is a table.",
)
def get_briefing(request: HttpRequest, query: Query[BriefingQuery]) -> dict[str, Any]:
    user = actor(request)
    briefing = briefing_for(user, query.date or timezone.localdate(), query.team)
    window = briefing.window
    return {
        "date": window.day,
        "since": window.since,
        "until": window.until,
        "team": briefing.team,
        "member_ids": window.member_ids,
        "sections": [
            {
                "key": part.key,
                "title": str(part.title),
                "count": part.count,
                "columns": [str(column) for column in part.block.columns],
                "rows": part.block.rows,
                "links": [line.link for line in part.lines],
                "highlight": [line.highlight for line in part.lines],
            }
            for part in briefing.parts
        ],
    }


# --- 市场动态 -------------------------------------------------------------------------------------


@router.get("/news", response=list[NewsOut], tags=["news"], summary="Market news I may read, newest first")
@paginate(KamLimitOffsetPagination)
def list_news(request: HttpRequest, filters: Query[NewsFilterQuery]) -> QuerySet[MarketNews]:
    return news_list(actor(request), NewsFilters(industry=filters.industry, region=filters.region))


def _form_data(values: dict[str, Any]) -> dict[str, Any]:
    return {name: "" if value is None else value for name, value in values.items()}


@router.post("/news", response={201: NewsOut, **WRITE}, tags=["news"], summary="Share market news")
def create_news(request: HttpRequest, payload: NewsIn) -> Status[MarketNews]:
    user = actor(request)
    data = cleaned_data(NewsForm(_form_data(payload.model_dump()), actor=user))
    return Status(201, actions_news.create_news(user, data))


@router.get("/news/{int:news_id}", response={200: NewsOut, **READ}, tags=["news"], summary="One news item")
def get_news(request: HttpRequest, news_id: int) -> MarketNews:
    return get_news_for_user(actor(request), news_id)


@router.patch(
    "/news/{int:news_id}", response={200: NewsOut, **WRITE}, tags=["news"], summary="Change some fields (author, admin)"
)
def patch_news(request: HttpRequest, news_id: int, payload: NewsPatch) -> MarketNews:
    user = actor(request)
    news = get_news_for_user(user, news_id, need="edit")
    sent = payload.model_dump(exclude_unset=True)
    data = cleaned_data(NewsForm({**news_values(news), **_form_data(sent)}, actor=user))
    return actions_news.update_news(user, news, {name: data[name] for name in sent})


@router.delete(
    "/news/{int:news_id}",
    response={204: None, **WRITE},
    tags=["news"],
    summary="Delete (author, admin, or a manager above its team or author)",
)
def delete_news(request: HttpRequest, news_id: int) -> Status[None]:
    user = actor(request)
    actions_news.delete_news(user, get_news_for_user(user, news_id, need="delete"))
    return Status(204, None)
