"""The customer list stays cheap as the organization grows: filter choices sized to the user, cities
by province, a flat API list, and planner statistics (docs/benchmarks.md §5, §6)."""

from __future__ import annotations

import json
import sqlite3
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.conftest import OrgWorld, make_user
from kam.core.actions import create_team
from kam.core.management.commands.optimize_db import sqlite_statement
from kam.core.models import Role, User
from kam.core.tests.api_support import call, session_client
from kam.customers.actions import set_collaborator
from kam.customers.choices import owner_choices, team_choices
from kam.customers.models import Industry, Region, RegionLevel
from kam.customers.tests.view_scene import (  # noqa: F401 - _fast_hasher is an autouse fixture
    _fast_hasher,
    english_client,
    make_customer,
    make_pool,
)
from kam.customers.views.forms import CustomerFilterForm, FastSelect

BEIJING, HEBEI = "110000", "130000"


@pytest.fixture
def cities_url() -> str:
    return reverse("region-cities")


class _Controls(HTMLParser):
    """The <select>s of a page: name → [(value, label, selected)]."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self._select: list[tuple[str, str, bool]] | None = None
        self._option: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "select":
            self._select = self.selects.setdefault(found.get("name") or "", [])
        elif tag == "option" and self._select is not None:
            self._option = [found.get("value"), "", "selected" in found]

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, label, selected = self._option
            self._select.append((value, label.strip(" \n"), selected))
            self._option = None
        elif tag == "select":
            self._select = None


def selects(html: str) -> dict[str, list[tuple[str, str, bool]]]:
    parser = _Controls()
    parser.feed(html)
    return parser.selects


def values(html: str, name: str) -> list[str]:
    return [value for value, _label, _selected in selects(html)[name] if value]


def list_page(user: User, **params: str) -> str:
    response = english_client(user).get(reverse("customer-list"), params)
    assert response.status_code == 200
    return response.content.decode()


def city_codes(province: str) -> list[str]:
    return list(
        Region.objects.filter(parent_id=province, level=RegionLevel.CITY).order_by("code").values_list("pk", flat=True)
    )


# --- owner and team choices ----------------------------------------------------------------------


def test_rep_owner_choices_are_themselves_and_owners_of_their_collaborations(world: OrgWorld) -> None:
    shared = make_customer(world.stranger, "上海浦江航运有限公司")
    set_collaborator(world.stranger, shared, world.owner, "read")
    make_customer(world.teammate, "北京远山建材有限公司")  # a teammate's customer the rep cannot see
    assert set(owner_choices(world.owner)) == {world.owner, world.stranger}
    assert set(values(list_page(world.owner), "owner")) == {str(world.owner.pk), str(world.stranger.pk)}
    assert set(owner_choices(world.teammate)) == {world.teammate}


def test_manager_owner_choices_are_their_subtree(world: OrgWorld) -> None:
    assert set(owner_choices(world.manager_north)) == {world.manager_north, world.owner, world.teammate}
    assert set(owner_choices(world.manager_east)) == {world.manager_east, world.stranger, world.collaborator}
    everyone = {world.owner, world.teammate, world.stranger, world.collaborator, world.manager_north,
                world.manager_east, world.director, world.admin}  # fmt: skip
    assert set(owner_choices(world.director)) == everyone
    assert set(owner_choices(world.admin)) == everyone  # never the outsider of another organization


def test_inactive_people_stay_choosable_only_while_they_own_customers(world: OrgWorld) -> None:
    make_customer(world.owner, "北京星河数据科技有限公司")
    User.objects.filter(pk__in=[world.owner.pk, world.teammate.pk]).update(is_active=False)
    assert set(owner_choices(world.manager_north)) == {world.manager_north, world.owner}


def test_owner_outside_the_choices_is_reported_and_ignored(world: OrgWorld) -> None:
    make_customer(world.owner, "北京星河数据科技有限公司")
    body = list_page(world.owner, owner=str(world.teammate.pk))
    assert "Owner: Select a valid choice." in body
    assert "北京星河数据科技有限公司" in body


def test_team_choices_are_the_users_subtree_indented(world: OrgWorld) -> None:
    assert list(team_choices(world.owner)) == [world.beijing]
    assert list(team_choices(world.manager_north)) == [world.north, world.beijing]
    every_team = [world.company, world.north, world.beijing, world.east, world.shanghai]
    assert list(team_choices(world.director)) == every_team
    assert list(team_choices(world.admin)) == every_team
    teams = selects(list_page(world.manager_north))["team"]
    assert [label for _value, label, _selected in teams] == ["---------", "华北大区", "\u3000北京一组"]


# --- cities by province --------------------------------------------------------------------------


def test_city_partial_lists_only_that_provinces_cities(world: OrgWorld, cities_url: str) -> None:
    response = english_client(world.owner).get(cities_url, {"province": HEBEI})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith('<select name="city" id="id_city">')
    assert values(body, "city") == city_codes(HEBEI)
    assert len(city_codes(HEBEI)) == 11
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"citiesLoaded": {}}


def test_city_partial_without_a_province_offers_no_city(world: OrgWorld, cities_url: str) -> None:
    for params in ({}, {"province": ""}, {"province": "x"}, {"province": "110100"}):
        body = english_client(world.owner).get(cities_url, params).content.decode()
        assert values(body, "city") == [], params


def test_city_partial_needs_login(world: OrgWorld, cities_url: str) -> None:
    response = Client().get(cities_url, {"province": HEBEI})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_offers_cities_of_the_submitted_province_only(world: OrgWorld) -> None:
    assert values(list_page(world.owner), "city") == []
    assert selects(list_page(world.owner))["city"] == [("", "Choose a province first", True)]
    assert values(list_page(world.owner, province=HEBEI), "city") == city_codes(HEBEI)


def test_a_city_alone_offers_the_cities_of_its_province(world: OrgWorld) -> None:
    make_customer(world.owner, "石家庄远山建材有限公司", city=Region.objects.get(pk="130100"))
    make_customer(world.owner, "北京星河数据科技有限公司", city=Region.objects.get(pk="110100"))
    body = list_page(world.owner, city="130100")
    assert "石家庄远山建材有限公司" in body
    assert "北京星河数据科技有限公司" not in body
    assert "Some filters were not understood" not in body
    cities = selects(body)["city"]
    assert [value for value, _label, _selected in cities if value] == city_codes(HEBEI)
    assert [value for value, _label, selected in cities if selected] == ["130100"]


def test_province_change_fetches_cities_before_the_table_refreshes(world: OrgWorld, cities_url: str) -> None:
    body = list_page(world.owner)
    assert f'hx-get="{cities_url}" hx-target="#id_city" hx-swap="outerHTML" hx-push-url="false"' in body
    assert "hx-trigger=\"change[target.name!=='province'], citiesLoaded, submit," in body


# --- query counts --------------------------------------------------------------------------------


def _grow(world: OrgWorld, start: int, stop: int) -> None:
    """More customers, people and teams: none of it may cost the list page a query."""
    for i in range(start, stop):
        team = create_team(world.org, f"华北{i}组", parent=world.north)
        rep = make_user(world.org, f"rep{i}", Role.REP, team)
        make_customer(
            rep, f"列表测试{i:03d}号科技有限公司", city=Region.objects.get(pk="110100"), tag_names=[f"标签{i}"]
        )
        shared = make_customer(world.owner, f"共享测试{i:03d}号贸易有限公司", tag_names=["重点"])
        set_collaborator(world.owner, shared, world.teammate, "read")


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["teammate", "manager_north", "director", "admin"])
@pytest.mark.parametrize("query", ["", f"?province={BEIJING}&city=110100"])
def test_list_page_query_count_stays_flat(world: OrgWorld, who: str, query: str) -> None:
    client = english_client(getattr(world, who))
    url = reverse("customer-list") + query
    _grow(world, 0, 3)
    few = _count(client, url)
    _grow(world, 3, 30)
    assert _count(client, url) == few
    assert few <= 14


def test_list_page_options_do_not_grow_with_the_organization_for_a_rep(world: OrgWorld) -> None:
    _grow(world, 0, 30)
    page = selects(list_page(world.teammate))
    # The rep and the owner of the customers they collaborate on; 30 new reps elsewhere change nothing.
    assert [label for _value, label, _selected in page["owner"]] == ["---------", "owner", "teammate"]
    assert [label for _value, label, _selected in page["team"]] == ["---------", "北京一组"]
    assert [label for _value, label, _selected in page["city"]] == ["Choose a province first"]


# --- FastSelect ------------------------------------------------------------------------------------


class _Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "A & B"), ("b", "<b>")], required=False)
    grouped = forms.ChoiceField(choices=[("", "---------"), ("门类", [("1", "一"), ("2", "二")])], required=False)
    needed = forms.ChoiceField(choices=[("", "---------"), ("x", "X")])


@pytest.mark.parametrize("data", [{}, {"plain": "b", "grouped": "2", "needed": "x"}, {"plain": "zz"}])
def test_fast_select_renders_what_django_select_renders(data: dict[str, str]) -> None:
    django_form, fast_form = _Sample(data or None), _Sample(data or None)
    for field in fast_form.fields.values():
        widget = FastSelect()
        widget.choices = field.widget.choices  # type: ignore[attr-defined]
        field.widget = widget
    for name in _Sample.base_fields:
        expected = str(django_form[name]).replace("\n", "").replace("  ", "")
        assert str(fast_form[name]).replace("\n", "") == expected, name


def test_filter_form_selects_are_fast_selects(world: OrgWorld) -> None:
    form = CustomerFilterForm(user=world.owner)
    choosers = [name for name, field in form.fields.items() if isinstance(field, forms.ChoiceField)]
    assert choosers == ["owner", "team", "tier", "status", "industry", "province", "city", "tag", "sort"]
    assert all(isinstance(form.fields[name].widget, FastSelect) for name in choosers)


# --- API list ----------------------------------------------------------------------------------------


def test_api_list_rows_are_flat(world: OrgWorld) -> None:
    pool = make_pool(world, members=(world.owner,))
    customer = make_customer(
        world.owner,
        "北京星河数据科技有限公司",
        industry=Industry.objects.get(pk="65"),
        province=Region.objects.get(pk=BEIJING),
        city=Region.objects.get(pk="110100"),
        tag_names=["重点", "华北"],
    )
    make_customer(world.admin, "天津远航物流有限公司", pool=pool)
    items = call(session_client(world.owner), "GET", "/customers?sort=name").data["items"]
    mine = next(item for item in items if item["id"] == customer.pk)
    references = ["industry_code", "industry_name", "province_code", "province_name", "city_code", "city_name",
                  "owner_id", "owner_name", "pool_id", "pool_name", "tags"]  # fmt: skip
    assert {key: mine[key] for key in references} == {
        "industry_code": "65",
        "industry_name": Industry.objects.get(pk="65").name,
        "province_code": BEIJING,
        "province_name": "北京市",
        "city_code": "110100",
        "city_name": "北京市",
        "owner_id": world.owner.pk,
        "owner_name": "owner",
        "pool_id": None,
        "pool_name": None,
        "tags": ["华北", "重点"],
    }
    pooled = next(item for item in items if item["id"] != customer.pk)
    assert (pooled["owner_id"], pooled["owner_name"], pooled["pool_id"], pooled["pool_name"]) == (
        None,
        None,
        pool.pk,
        "华北公海",
    )
    assert not any(isinstance(value, dict) for item in items for value in item.values())


def test_api_list_items_keep_the_detail_fields_but_flatten_references(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    client = session_client(world.owner)
    item = call(client, "GET", "/customers").data["items"][0]
    detail = call(client, "GET", f"/customers/{customer.pk}").data
    nested = {"industry", "province", "city", "owner", "pool"}
    flat = {"industry_code", "industry_name", "province_code", "province_name", "city_code", "city_name",
            "owner_id", "owner_name", "pool_id", "pool_name"}  # fmt: skip
    assert set(item) == (set(detail) - nested) | flat
    assert {key: item[key] for key in set(detail) - nested} == {key: detail[key] for key in set(detail) - nested}


def test_api_list_without_count_pages_with_next_offset(world: OrgWorld) -> None:
    for name in ["星辰", "海纳", "远航", "蓝鲸", "云栖"]:
        make_customer(world.owner, f"北京{name}科技有限公司")
    client = session_client(world.owner)
    first = call(client, "GET", "/customers?limit=2&with_count=false&sort=name").data
    last = call(client, "GET", "/customers?limit=2&offset=4&with_count=false&sort=name").data
    assert (first["count"], first["next_offset"], len(first["items"])) == (None, 2, 2)
    assert (last["count"], last["next_offset"], len(last["items"])) == (None, None, 1)
    counted = call(client, "GET", "/customers?limit=2&offset=2").data
    assert (counted["count"], counted["next_offset"]) == (5, 4)
    beyond = call(client, "GET", "/customers?limit=2&offset=10").data
    assert (beyond["count"], beyond["next_offset"], beyond["items"]) == (5, None, [])


def test_api_list_counts_only_when_the_page_does_not_tell(world: OrgWorld) -> None:
    for name in ["星辰", "海纳", "远航"]:
        make_customer(world.owner, f"北京{name}科技有限公司", tag_names=["重点"])
    client = session_client(world.owner)
    call(client, "GET", "/customers")  # warm the session

    def sql(path: str) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            call(client, "GET", path)
        return [q["sql"] for q in ctx.captured_queries]

    assert not any("COUNT(" in q for q in sql("/customers?limit=50"))  # 3 rows of 50: the total is 3
    assert sum("COUNT(" in q for q in sql("/customers?limit=2")) == 1
    assert not any("COUNT(" in q for q in sql("/customers?limit=2&with_count=false"))
    assert sum("customers_customer_tags" in q for q in sql("/customers?limit=2")) == 1  # tags once per page


def test_api_list_query_count_is_flat_for_a_rep(world: OrgWorld) -> None:
    client = session_client(world.teammate)

    def count() -> int:
        call(client, "GET", "/customers?limit=2")
        with CaptureQueriesContext(connection) as ctx:
            call(client, "GET", "/customers?limit=2")
        return len(ctx.captured_queries)

    _grow(world, 0, 3)
    few = count()
    _grow(world, 3, 30)
    assert count() == few
    assert few <= 6  # session, user, page, tags, count (and nothing per row)


def test_openapi_documents_with_count(world: OrgWorld) -> None:
    spec = session_client(world.owner).get("/api/v1/openapi.json").json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/customers"]["get"]["parameters"]}
    assert parameters["with_count"]["schema"]["default"] is True
    assert "count is null" in parameters["with_count"]["description"]
    assert set(spec["components"]["schemas"]["CustomerPage"]["properties"]) == {"items", "count", "next_offset"}


# --- planner statistics ----------------------------------------------------------------------------


def test_optimize_db_analyzes_the_database(world: OrgWorld) -> None:
    make_customer(world.owner, "北京星河数据科技有限公司")
    call_command("optimize_db", verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'customers_customer'")
            assert cursor.fetchone()[0] > 0


def test_optimize_db_uses_pragma_optimize_where_it_covers_every_table() -> None:
    assert sqlite_statement((3, 40, 1), full=False) == "ANALYZE"
    assert sqlite_statement((3, 46, 0), full=False) == "PRAGMA optimize=0x10002"
    assert sqlite_statement((3, 46, 0), full=True) == "ANALYZE"
    assert sqlite_statement(sqlite3.sqlite_version_info, full=True) == "ANALYZE"


def test_demo_ends_with_fresh_statistics(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from kam.customers.demo import demo_org

    summary = SimpleNamespace(organization=SimpleNamespace(name="演示"), users=0, customers=0, in_pool=0,
                              contacts=0, seconds=0.0)  # fmt: skip
    monkeypatch.setattr(demo_org, "build_demo", lambda seed: summary)
    ran: list[str] = []
    monkeypatch.setattr("kam.core.management.commands.optimize_db.Command.handle",
                        lambda self, *args, **options: ran.append("optimize_db"))  # fmt: skip
    call_command("demo", verbosity=0)
    assert ran == ["optimize_db"]
