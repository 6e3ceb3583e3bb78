"""市场动态 list filters by team and date range (with industry and province), the grouped industry
and region pickers, and bad filter values (ignored, never an error page)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.models import Industry, Region
from kam.planning.models import MarketNews
from kam.planning.queries_news import NewsFilters, news_list
from kam.planning.tests.fixtures_briefing import FRIDAY, _fast_hasher, _fresh_workcal, at, news  # noqa: F401


def english(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def titles(user: User, **filters: Any) -> list[str]:
    return [n.title for n in news_list(user, NewsFilters(**filters))]


@pytest.fixture
def channel(world: OrgWorld) -> dict[str, MarketNews]:
    return {
        "org": news(world.director, "全国政策", at(FRIDAY, 18)),
        "north": news(world.manager_north, "华北降价", at(FRIDAY, 9), team=world.north),
        "beijing": news(world.owner, "北京招标", at(FRIDAY - timedelta(days=1), 23, 59), team=world.beijing),
        "east": news(world.manager_east, "华东展会", at(FRIDAY - timedelta(days=2), 0, 0), team=world.east),
    }


def test_team_filter_takes_the_team_and_the_teams_below_it(world: OrgWorld, channel: dict[str, MarketNews]) -> None:
    assert titles(world.manager_north, team=world.north.pk) == ["华北降价", "北京招标"]
    assert titles(world.manager_north, team=world.beijing.pk) == ["北京招标"]
    assert titles(world.admin, team=world.east.pk) == ["华东展会"]
    assert titles(world.admin, team=world.company.pk) == ["华北降价", "北京招标", "华东展会"]


def test_team_filter_keeps_the_access_rules(world: OrgWorld, channel: dict[str, MarketNews]) -> None:
    # The owner reads 华北 and 北京 news but never 华东's, whatever team is asked for.
    assert titles(world.owner, team=world.company.pk) == ["华北降价", "北京招标"]
    assert titles(world.owner, team=world.east.pk) == []
    assert titles(world.outsider, team=world.north.pk) == []


def test_date_range_is_inclusive_on_shanghai_days(world: OrgWorld, channel: dict[str, MarketNews]) -> None:
    thursday, wednesday = FRIDAY - timedelta(days=1), FRIDAY - timedelta(days=2)
    assert titles(world.admin, date_from=FRIDAY) == ["全国政策", "华北降价"]
    assert titles(world.admin, date_to=thursday) == ["北京招标", "华东展会"]
    assert titles(world.admin, date_from=wednesday, date_to=wednesday) == ["华东展会"]
    assert titles(world.admin, date_from=thursday, date_to=thursday) == ["北京招标"]


def test_page_filters_by_team_and_dates(world: OrgWorld, channel: dict[str, MarketNews]) -> None:
    url = reverse("news-list") + f"?team={world.north.pk}&date_from={FRIDAY.isoformat()}&date_to={FRIDAY.isoformat()}"
    html = english(world.manager_north).get(url).content.decode()
    assert "<strong>华北降价</strong>" in html
    for other in ("全国政策", "北京招标", "华东展会"):
        assert f"<strong>{other}</strong>" not in html


def test_filters_combine_with_industry_and_province(world: OrgWorld) -> None:
    steel = news(
        world.owner,
        "唐山钢铁",
        at(FRIDAY, 9),
        team=world.beijing,
        industry=Industry.objects.get(pk="31"),
        region=Region.objects.get(pk="130200"),
    )
    news(world.owner, "北京制造", at(FRIDAY, 10), team=world.beijing, industry=Industry.objects.get(pk="C"))
    news(
        world.owner,
        "河北金融",
        at(FRIDAY, 11),
        industry=Industry.objects.get(pk="J"),
        region=Region.objects.get(pk="130000"),
    )
    found = news_list(world.owner, NewsFilters(industry="C", region="130000", team=world.beijing.pk, date_from=FRIDAY))
    assert list(found) == [steel]


@pytest.mark.parametrize(
    "query",
    [
        "team=abc",
        "team=999999",
        "date_from=2026-02-30",
        "date_to=yesterday",
        "date_from=1900-01-01",
        "date_from=2026-11-10&date_to=2026-11-01",
        "team=99999999999999999999999",
    ],
)
def test_bad_filter_values_are_ignored_and_shown(world: OrgWorld, channel: dict[str, MarketNews], query: str) -> None:
    response = english(world.admin).get(reverse("news-list") + "?" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form-row field-error"' in html
    assert "<strong>华东展会</strong>" in html  # the bad filter narrowed nothing


def test_nul_bytes_are_refused_before_the_view(world: OrgWorld) -> None:
    assert english(world.admin).get(reverse("news-list") + "?industry=%00").status_code == 400


def test_a_team_of_another_organization_is_not_offered_nor_applied(
    world: OrgWorld, channel: dict[str, MarketNews]
) -> None:
    foreign = world.outsider.team
    assert foreign is not None
    html = english(world.admin).get(reverse("news-list") + f"?team={foreign.pk}").content.decode()
    assert "<strong>全国政策</strong>" in html
    assert f'<option value="{foreign.pk}"' not in html


def test_pickers_group_divisions_under_sections_and_cities_under_provinces(world: OrgWorld) -> None:
    html = english(world.owner).get(reverse("news-create")).content.decode()
    assert '<optgroup label="C 制造业">' in html
    assert '<option value="C">C 制造业 (with its divisions)</option>' in html
    assert '<option value="31">31 黑色金属冶炼和压延加工业</option>' in html
    assert '<optgroup label="河北省">' in html
    assert '<option value="130000">河北省 (with its cities)</option>' in html
    assert '<option value="130200">唐山市</option>' in html
    listing = english(world.owner).get(reverse("news-list")).content.decode()
    assert '<optgroup label="C 制造业">' in listing


def test_editing_keeps_the_chosen_city_selected(world: OrgWorld) -> None:
    item = news(world.owner, "唐山", at(FRIDAY, 9), region=Region.objects.get(pk="130200"))
    html = english(world.owner).get(reverse("news-edit", args=[item.pk])).content.decode()
    assert '<option value="130200" selected>唐山市</option>' in html


def test_filtered_list_queries_do_not_grow_with_rows(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    client = english(world.manager_north)
    url = reverse("news-list") + f"?team={world.north.pk}&date_from=2026-01-01&industry=C"
    news(world.owner, "一条", at(FRIDAY, 8), industry=Industry.objects.get(pk="C"), team=world.beijing)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(12):
        news(world.teammate, f"更多{i}", at(FRIDAY, 9, i), industry=Industry.objects.get(pk="31"), team=world.beijing)
    with django_assert_max_num_queries(len(few)):
        assert "更多11" in client.get(url).content.decode()


def test_dates_before_and_after_are_counted_once(world: OrgWorld) -> None:
    news(world.owner, "午夜", at(date(2026, 3, 1), 0, 0))
    news(world.owner, "前一刻", at(date(2026, 2, 28), 23, 59))
    assert titles(world.owner, date_from=date(2026, 3, 1)) == ["午夜"]
    assert titles(world.owner, date_to=date(2026, 2, 28)) == ["前一刻"]
