"""The win/loss page and GET /api/v1/analysis/winloss: who may open them, what each sees, the
filters, the same numbers on both, and a constant number of queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, User
from kam.core.tests.api_support import bearer_client, call
from kam.market.tests.winloss_scene import LOST, WON, build, closed_deal, present
from kam.sales.models import Opportunity
from kam.sales.tests.fixtures_deals import aware, make_customer

Q1 = "?period=custom&start=2026-01-01&end=2026-03-31"
PEOPLE = ["owner", "teammate", "stranger", "collaborator", "manager_north", "manager_east", "director", "admin"]
# (won, lost, invalid) of each viewer in the scene
EXPECTED = {
    "owner": (5, 3, 2),
    "teammate": (1, 1, 0),
    "stranger": (0, 2, 0),
    "collaborator": (0, 0, 0),
    "manager_north": (6, 4, 2),
    "manager_east": (0, 2, 0),
    "director": (6, 6, 2),
    "admin": (6, 6, 2),
    "outsider": (0, 0, 0),
}


def english(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def fingerprint() -> tuple[int, list[dict[str, Any]]]:
    return AuditEntry.objects.count(), list(Opportunity.objects.order_by("pk").values())


def kpi(html: str, name: str) -> str:
    marker = f'id="winloss-{name}">'
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_anonymous_is_sent_to_login(world: OrgWorld) -> None:
    response = english(None).get(reverse("winloss"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert call(Client(), "GET", "/analysis/winloss").status_code == 401


def test_every_user_sees_the_numbers_of_their_own_scope(world: OrgWorld) -> None:
    build(world)
    before = fingerprint()
    for person in [*PEOPLE, "outsider"]:
        user = getattr(world, person)
        html = english(user).get(reverse("winloss") + Q1).content.decode()
        won, lost, invalid = EXPECTED[person]
        assert (kpi(html, "won"), kpi(html, "lost"), kpi(html, "invalid")) == (str(won), str(lost), str(invalid)), (
            person
        )
        data = call(bearer_client(user), "GET", "/analysis/winloss" + Q1).data
        assert (data["totals"]["won"], data["totals"]["lost"], data["totals"]["invalid"]) == (won, lost, invalid), (
            person
        )
    assert fingerprint() == before


def test_outsider_sees_nothing_of_the_organization(world: OrgWorld) -> None:
    build(world)
    html = english(world.outsider).get(reverse("winloss") + Q1).content.decode()
    for foreign in ("甲软件", "乙科技", "华北大区", "北京一组", "owner"):
        assert foreign not in html


def test_page_shows_the_hand_built_numbers(world: OrgWorld) -> None:
    scene = build(world)
    html = english(world.owner).get(reverse("winloss") + Q1).content.decode()
    assert kpi(html, "win-rate") == "62.50%"
    assert kpi(html, "won-amount") == "¥1,500,000.00"
    assert kpi(html, "avg-size") == "¥300,000.00"
    assert (kpi(html, "cycle-won"), kpi(html, "cycle-lost")) == ("30.0", "10.0")
    assert f'id="winloss-competitor-{scene.alpha.pk}"' in html
    assert 'id="winloss-month-2026-02"' in html
    assert "winloss-w-100" in html
    assert 'id="winloss-team-rep-' in html


def test_api_gives_the_same_numbers(world: OrgWorld) -> None:
    scene = build(world)
    data = call(bearer_client(world.owner), "GET", "/analysis/winloss" + Q1).data
    assert (data["start"], data["end"], data["team_id"], data["business_line_id"]) == (
        "2026-01-01",
        "2026-03-31",
        None,
        None,
    )
    assert data["totals"] == {
        "won": 5,
        "lost": 3,
        "invalid": 2,
        "win_rate": "62.50",
        "won_amount": "1500000.00",
        "average_won_amount": "300000.00",
        "average_won_cycle_days": "30.0",
        "average_lost_cycle_days": "10.0",
    }
    assert data["competitors"][0] == {
        "id": scene.alpha.pk,
        "name": "甲软件",
        "won": 2,
        "lost": 2,
        "win_rate": "50.00",
        "lost_to": 0,
    }
    assert data["loss_reasons"]["months"] == ["2026-01", "2026-02", "2026-03"]
    assert [r["counts"] for r in data["loss_reasons"]["reasons"]] == [[1, 1, 0], [0, 1, 0]]
    assert data["by_team"]["per_rep"] is True
    assert [(r["kind"], r["id"], r["won"]) for r in data["by_team"]["rows"]] == [("rep", world.owner.pk, 5)]


def test_team_filter_on_page_and_api(world: OrgWorld) -> None:
    build(world)
    url = reverse("winloss") + Q1 + f"&team={world.east.pk}"
    html = english(world.director).get(url).content.decode()
    assert (kpi(html, "won"), kpi(html, "lost")) == ("0", "2")
    data = call(bearer_client(world.director), "GET", "/analysis/winloss" + Q1 + f"&team={world.east.pk}").data
    assert (data["team_id"], data["totals"]["lost"]) == (world.east.pk, 2)


def test_a_manager_cannot_pick_a_team_outside_their_subtree(world: OrgWorld) -> None:
    build(world)
    html = english(world.manager_north).get(reverse("winloss") + Q1 + f"&team={world.east.pk}").content.decode()
    assert (kpi(html, "won"), kpi(html, "lost")) == ("6", "4")  # the filter was ignored, not applied
    assert 'id="winloss-ignored"' in html
    response = call(bearer_client(world.manager_north), "GET", "/analysis/winloss" + Q1 + f"&team={world.east.pk}")
    assert response.status_code == 422
    assert [item["loc"] for item in response.data["detail"]] == [["query", "team"]]


def test_a_rep_has_no_team_filter(world: OrgWorld) -> None:
    build(world)
    html = english(world.owner).get(reverse("winloss") + Q1 + f"&team={world.north.pk}").content.decode()
    assert 'name="team"' not in html
    assert kpi(html, "won") == "5"


@pytest.mark.parametrize(
    ("period", "won"),
    [("this_quarter", 1), ("last_quarter", 1), ("this_year", 2), ("last_12_months", 2), ("", 2)],
)
def test_period_presets(world: OrgWorld, period: str, won: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as real

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: real.date(2026, 5, 20))
    customer = make_customer(world.owner, "预设期客户有限公司")
    closed_deal(world.owner, customer, WON, aware(2026, 4, 1))
    closed_deal(world.owner, customer, WON, aware(2026, 1, 15))
    closed_deal(world.owner, customer, WON, aware(2025, 5, 31, 23))
    data = call(bearer_client(world.owner), "GET", f"/analysis/winloss?period={period}").data
    assert data["totals"]["won"] == won


@pytest.mark.parametrize("rows", [10, 30])
def test_page_and_api_queries_do_not_grow_with_deals(
    world: OrgWorld, rows: int, django_assert_max_num_queries: Any
) -> None:
    customer = make_customer(world.owner, "批量客户有限公司")
    scene = build(world)

    def more(count: int) -> None:
        for i in range(count):
            deal = closed_deal(world.owner, customer, WON if i % 2 else LOST, aware(2026, 1 + i % 3, 2 + i % 20))
            present(deal, scene.gamma if i % 3 else scene.beta)

    client, api = english(world.admin), bearer_client(world.admin)
    url = reverse("winloss") + Q1
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with CaptureQueriesContext(connection) as api_few:
        call(api, "GET", "/analysis/winloss" + Q1)
    more(rows)
    with django_assert_max_num_queries(len(few)):
        client.get(url)
    with django_assert_max_num_queries(len(api_few)):
        assert call(api, "GET", "/analysis/winloss" + Q1).data["totals"]["won"] == 6 + rows // 2


def test_htmx_filter_change_returns_only_the_results(world: OrgWorld) -> None:
    build(world)
    response = english(world.owner).get(reverse("winloss") + Q1, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="winloss-results">')
    assert "<html" not in html
    assert Decimal(kpi(html, "win-rate").rstrip("%")) == Decimal("62.50")
