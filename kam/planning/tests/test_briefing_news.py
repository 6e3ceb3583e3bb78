"""市场动态: who reads, edits and deletes news, on the pages and over the API; filters and paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import AuditAction, AuditEntry, User
from kam.core.tests.api_support import bearer_client, call
from kam.customers.models import Industry, Region
from kam.planning.actions_news import create_news
from kam.planning.models import MarketNews
from kam.planning.queries_news import NewsFilters, news_list
from kam.planning.tests.fixtures_briefing import FRIDAY, _fast_hasher, _fresh_workcal, at, news  # noqa: F401

PEOPLE = [
    "outsider",
    "stranger",
    "collaborator",
    "owner",
    "teammate",
    "manager_north",
    "manager_east",
    "director",
    "admin",
]


def english(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def fingerprint() -> tuple[int, list[dict[str, Any]]]:
    return AuditEntry.objects.count(), list(MarketNews.objects.order_by("pk").values())


def north_news(world: OrgWorld) -> MarketNews:
    """Shared with 华北大区 by its manager."""
    return news(world.manager_north, "竞品在华北降价一成", at(FRIDAY, 17), team=world.north, body="据客户反馈")


def beijing_news(world: OrgWorld) -> MarketNews:
    """Written by the owner (a rep of 北京一组) for their own team."""
    return news(world.owner, "北京招标会", at(FRIDAY, 9), team=world.beijing)


# --- who reads, edits, deletes (pages) ------------------------------------------------------------

READ_NORTH = {
    "outsider": 404,
    "stranger": 404,
    "collaborator": 404,
    "owner": 200,
    "teammate": 200,
    "manager_north": 200,
    "manager_east": 404,
    "director": 200,
    "admin": 200,
}
# Edit: the author and admins. Delete: also managers above the news' team or its author.
EDIT_NORTH = {**READ_NORTH, "owner": 403, "teammate": 403, "director": 403}
DELETE_NORTH = {**EDIT_NORTH, "manager_north": 302, "admin": 302, "director": 302}
EDIT_BEIJING = {**READ_NORTH, "owner": 200, "teammate": 403, "manager_north": 403, "director": 403}
DELETE_BEIJING = {**EDIT_BEIJING, "owner": 302, "admin": 302, "manager_north": 302, "director": 302}

PageCase = tuple[str, Callable[[OrgWorld], MarketNews], str, dict[str, int]]
PAGE_CASES: list[PageCase] = [
    ("news-detail", north_news, "GET", READ_NORTH),
    ("news-edit", north_news, "GET", EDIT_NORTH),
    ("news-edit", beijing_news, "GET", EDIT_BEIJING),
    ("news-delete", north_news, "POST", DELETE_NORTH),
    ("news-delete", beijing_news, "POST", DELETE_BEIJING),
]


@pytest.mark.parametrize(("name", "make", "method", "expected"), PAGE_CASES)
def test_news_page_access_matrix(
    world: OrgWorld, name: str, make: Callable[[OrgWorld], MarketNews], method: str, expected: dict[str, int]
) -> None:
    for person in ["anonymous", *PEOPLE]:
        item = make(world)
        before = fingerprint()
        client = english(None if person == "anonymous" else getattr(world, person))
        url = reverse(name, args=[item.pk])
        response = client.get(url) if method == "GET" else client.post(url)
        if person == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == expected[person], person
        if response.status_code != 302 or person == "anonymous" or method == "GET":
            assert fingerprint() == before, person
        else:
            assert not MarketNews.objects.filter(pk=item.pk).exists()
            assert AuditEntry.objects.filter(entity="planning.marketnews", entity_id=item.pk).last().action == (  # type: ignore[union-attr]
                AuditAction.PURGE
            )
        MarketNews.objects.all().delete()


def test_missing_news_is_404_like_a_hidden_one(world: OrgWorld) -> None:
    for name in ("news-detail", "news-edit"):
        assert english(world.admin).get(reverse(name, args=[987654])).status_code == 404
    assert english(world.admin).post(reverse("news-delete", args=[987654])).status_code == 404


def test_whole_organization_news_is_read_by_everyone_in_it(world: OrgWorld) -> None:
    item = news(world.stranger, "全国性的政策", at(FRIDAY, 9))
    for person in PEOPLE:
        expected = 404 if person == "outsider" else 200
        assert english(getattr(world, person)).get(reverse("news-detail", args=[item.pk])).status_code == expected


# --- sharing and editing (pages) ----------------------------------------------------------------------


def test_share_news_with_my_team(world: OrgWorld) -> None:
    response = english(world.owner).post(
        reverse("news-create"),
        {
            "title": " 华北钢厂扩产 ",
            "body": "新增两条产线",
            "source": "行业协会",
            "industry": "C",
            "region": "110100",
            "team": world.beijing.pk,
        },
    )
    item = MarketNews.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("news-detail", args=[item.pk])
    assert (item.title, item.body, item.source, item.industry_id, item.region_id, item.team_id) == (
        "华北钢厂扩产",
        "新增两条产线",
        "行业协会",
        "C",
        "110100",
        world.beijing.pk,
    )
    assert (item.author_id, item.organization_id) == (world.owner.pk, world.org.pk)
    entry = AuditEntry.objects.get(entity="planning.marketnews")
    assert (entry.action, entry.actor_id) == (AuditAction.CREATE, world.owner.pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "   "),
        ("industry", "ZZ"),
        ("region", "999999"),
        ("team", "east"),
        ("team", "abc"),
        ("title", "长" * 201),
    ],
)
def test_bad_news_input_is_a_field_error_and_saves_nothing(world: OrgWorld, field: str, value: str) -> None:
    data: dict[str, Any] = {"title": "标题", field: world.east.pk if value == "east" else value}
    response = english(world.owner).post(reverse("news-create"), data)
    assert response.status_code == 422
    assert 'class="form-row field-error"' in response.content.decode()
    assert f'name="{field}"' in response.content.decode()
    assert fingerprint() == (0, [])


def test_author_edits_with_one_audit_row_per_field(world: OrgWorld) -> None:
    item = beijing_news(world)
    response = english(world.owner).post(
        reverse("news-edit", args=[item.pk]), {"title": "北京招标会延期", "team": world.beijing.pk, "source": "招标网"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.source) == ("北京招标会延期", "招标网")
    changes = AuditEntry.objects.filter(entity="planning.marketnews", action=AuditAction.UPDATE).order_by("field")
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("source", "", "招标网"),
        ("title", "北京招标会", "北京招标会延期"),
    ]


# --- list, filters, paging --------------------------------------------------------------------------


def test_list_filters_by_industry_section_and_province(world: OrgWorld) -> None:
    steel = news(
        world.owner,
        "钢铁",
        at(FRIDAY, 9),
        industry=Industry.objects.get(pk="31"),
        region=Region.objects.get(pk="130200"),
    )
    makers = news(
        world.owner,
        "制造",
        at(FRIDAY, 10),
        industry=Industry.objects.get(pk="C"),
        region=Region.objects.get(pk="110000"),
    )
    news(world.owner, "金融", at(FRIDAY, 11), industry=Industry.objects.get(pk="J"))
    assert list(news_list(world.owner, NewsFilters(industry="C"))) == [makers, steel]
    assert list(news_list(world.owner, NewsFilters(industry="31"))) == [steel]
    assert list(news_list(world.owner, NewsFilters(region="130000"))) == [steel]
    html = english(world.owner).get(reverse("news-list") + "?industry=C&region=130000").content.decode()
    assert "<strong>钢铁</strong>" in html
    assert "<strong>制造</strong>" not in html
    assert "<strong>金融</strong>" not in html
    bad = english(world.owner).get(reverse("news-list") + "?industry=ZZ")
    assert bad.status_code == 200
    assert "<strong>金融</strong>" in bad.content.decode()


def test_list_shows_only_readable_news_newest_first(world: OrgWorld) -> None:
    north_news(world)
    news(world.manager_east, "华东展会延期", at(FRIDAY, 12), team=world.east)
    news(world.director, "全国政策", at(FRIDAY, 18))
    assert [n.title for n in news_list(world.owner, NewsFilters())] == ["全国政策", "竞品在华北降价一成"]
    assert [n.title for n in news_list(world.director, NewsFilters())] == [
        "全国政策",
        "竞品在华北降价一成",
        "华东展会延期",
    ]
    assert list(news_list(world.outsider, NewsFilters())) == []


def test_list_pages_by_twenty(world: OrgWorld) -> None:
    for i in range(25):
        news(world.owner, f"动态{i:02d}", at(FRIDAY, 8, i))
    first = english(world.owner).get(reverse("news-list")).content.decode()
    assert "动态24" in first
    assert "动态05" in first
    assert "动态04" not in first
    assert "Page 1 of 2" in first
    second = english(world.owner).get(reverse("news-list") + "?page=2").content.decode()
    assert "动态04" in second
    assert "动态05" not in second


def test_list_queries_do_not_grow_with_rows(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    client = english(world.manager_north)
    news(world.owner, "一条", at(FRIDAY, 8), industry=Industry.objects.get(pk="C"), team=world.beijing)
    client.get(reverse("news-list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("news-list"))
    for i in range(15):
        news(
            world.teammate,
            f"更多{i}",
            at(FRIDAY, 9, i),
            industry=Industry.objects.get(pk="J"),
            region=Region.objects.get(pk="110000"),
        )
    with django_assert_max_num_queries(len(few)):
        assert "更多14" in client.get(reverse("news-list")).content.decode()
    api = bearer_client(world.manager_north)
    with CaptureQueriesContext(connection) as api_few:
        call(api, "GET", "/news?limit=2")
    with django_assert_max_num_queries(len(api_few)):
        assert len(call(api, "GET", "/news?limit=50").data["items"]) == 16


# --- API ----------------------------------------------------------------------------------------------

API_READ_NORTH = {**READ_NORTH, "anonymous": 401}
API_PATCH_NORTH = {**EDIT_NORTH, "anonymous": 401}
API_DELETE_NORTH = {**API_PATCH_NORTH, "director": 204, "manager_north": 204, "admin": 204}


def _api(world: OrgWorld, person: str) -> Client:
    return Client() if person == "anonymous" else bearer_client(getattr(world, person))


@pytest.mark.parametrize(
    ("method", "body", "expected"),
    [
        ("GET", None, API_READ_NORTH),
        ("PATCH", {"title": "改过的标题"}, API_PATCH_NORTH),
        ("DELETE", None, API_DELETE_NORTH),
    ],
)
def test_news_api_access_matrix(world: OrgWorld, method: str, body: Any, expected: dict[str, int]) -> None:
    for person in ["anonymous", *PEOPLE]:
        item = north_news(world)
        client = _api(world, person)
        before = fingerprint()
        response = call(client, method, f"/news/{item.pk}", body)
        assert response.status_code == expected[person], person
        if response.status_code >= 400 or method == "GET":
            assert fingerprint() == before, person
        MarketNews.objects.all().delete()


def test_api_create_read_patch_delete(world: OrgWorld) -> None:
    client = bearer_client(world.owner)
    created = call(
        client, "POST", "/news", {"title": "北京招标会", "industry": "I", "region": "110000", "team": world.beijing.pk}
    )
    assert created.status_code == 201
    data = created.data
    assert {k: data[k] for k in ("title", "body", "source", "industry", "region", "team")} == {
        "title": "北京招标会",
        "body": "",
        "source": "",
        "industry": {"code": "I", "name": "信息传输、软件和信息技术服务业"},
        "region": {"code": "110000", "name": "北京市"},
        "team": {"id": world.beijing.pk, "name": "北京一组"},
    }
    assert data["author"] == {"id": world.owner.pk, "username": "owner", "name": "owner"}
    assert data["created_at"].endswith("+08:00")
    news_id = data["id"]
    patched = call(client, "PATCH", f"/news/{news_id}", {"source": "招标网", "team": None})
    assert patched.status_code == 200
    assert (patched.data["source"], patched.data["team"], patched.data["title"]) == ("招标网", None, "北京招标会")
    assert call(client, "GET", f"/news/{news_id}").data["source"] == "招标网"
    listed = call(bearer_client(world.stranger), "GET", "/news")
    assert [item["id"] for item in listed.data["items"]] == [news_id]  # now shared with the whole organization
    assert call(client, "DELETE", f"/news/{news_id}").status_code == 204
    assert call(client, "GET", f"/news/{news_id}").status_code == 404
    actions = list(
        AuditEntry.objects.filter(entity="planning.marketnews").order_by("id").values_list("action", "field")
    )
    assert actions == [("create", ""), ("update", "source"), ("update", "team"), ("purge", "")]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"title": ""}, ["body", "title"]),
        ({"title": "标题", "industry": "ZZ"}, ["body", "industry"]),
        ({"title": "标题", "region": "12"}, ["body", "region"]),
        ({"title": "标题", "team": "east"}, ["body", "team"]),
        ({"title": "标题", "team": 2**70}, ["body", "team"]),
        ({"body": "没有标题"}, ["body", "title"]),
    ],
)
def test_api_bad_input_is_422_at_the_field(world: OrgWorld, body: dict[str, Any], loc: list[str]) -> None:
    if body.get("team") == "east":
        body["team"] = world.east.pk
    response = call(bearer_client(world.owner), "POST", "/news", body)
    assert response.status_code == 422
    assert [item["loc"] for item in response.data["detail"]] == [loc]
    assert fingerprint() == (0, [])


@pytest.mark.parametrize("path", ["/news/0", "/news/99999999", "/news/99999999999999999999999"])
def test_api_missing_news_is_404(world: OrgWorld, path: str) -> None:
    assert call(bearer_client(world.admin), "GET", path).status_code == 404


def test_api_list_filters_and_pages(world: OrgWorld) -> None:
    for i in range(3):
        news(world.owner, f"制造{i}", at(FRIDAY, 9, i), industry=Industry.objects.get(pk="31"))
    news(world.owner, "金融", at(FRIDAY, 10), industry=Industry.objects.get(pk="J"))
    client = bearer_client(world.owner)
    page = call(client, "GET", "/news?industry=C&limit=2")
    assert page.data["count"] == 3
    assert [item["title"] for item in page.data["items"]] == ["制造2", "制造1"]
    assert call(client, "GET", "/news?industry=toolong").status_code == 422


def test_create_refuses_a_team_the_author_cannot_share_with(world: OrgWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        create_news(world.owner, {"title": "越权", "team": world.east})
    assert list(caught.value.message_dict) == ["team"]
    assert MarketNews.objects.count() == 0
