"""The briefing page and its PDF export: access matrix, team selector, sections with counts, queries."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, User
from kam.planning.briefing import briefing_for
from kam.planning.models import MarketNews
from kam.planning.tests.fixtures_briefing import (  # noqa: F401 - autouse fixtures
    FRIDAY,
    MONDAY,
    _fast_hasher,
    _fresh_workcal,
    at,
    customer,
    followup,
    make_scene,
    task,
    visit,
)

ROLES = ["anonymous", "outsider", "stranger", "collaborator", "owner", "manager"]


def user_for(world: OrgWorld, role: str) -> User | None:
    if role == "anonymous":
        return None
    return world.manager_north if role == "manager" else getattr(world, role)


def english(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def fingerprint() -> tuple[int, int, list[Any]]:
    return AuditEntry.objects.count(), MarketNews.objects.count(), list(MarketNews.objects.order_by("pk").values())


def briefing_url(**params: Any) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("briefing") + (f"?{query}" if query else "")


STAR = "北京星辰科技有限公司"


# --- access matrix ------------------------------------------------------------------------------

# Everyone signed in has a briefing (their own work); only the owner's line and the manager above
# them see the owner's customer. Naming the north team is for the manager above it alone.
SEES_STAR = {"outsider": False, "stranger": False, "collaborator": False, "owner": True, "manager": True}
NORTH_TEAM = {"outsider": 404, "stranger": 404, "collaborator": 404, "owner": 404, "manager": 200}


@pytest.mark.parametrize("name", ["briefing", "briefing-pdf"])
def test_briefing_access_matrix(world: OrgWorld, name: str) -> None:
    make_scene(world)
    before = fingerprint()
    for role in ROLES:
        client = english(user_for(world, role))
        response = client.get(reverse(name) + f"?date={MONDAY.isoformat()}")
        if role == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
            continue
        assert response.status_code == 200, role
        text = _text_of(response)
        assert (STAR in text) is SEES_STAR[role], role
        team_response = client.get(reverse(name) + f"?date={MONDAY.isoformat()}&team={world.north.pk}")
        assert team_response.status_code == NORTH_TEAM[role], role
    assert fingerprint() == before


def _text_of(response: Any) -> str:
    if response["Content-Type"] == "application/pdf":
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        return "".join(text.split())  # the PDF wraps long names inside table cells
    return str(response.content.decode())


@pytest.mark.parametrize("team", ["east", "shanghai", "company"])
def test_a_manager_cannot_open_a_team_outside_their_subtree(world: OrgWorld, team: str) -> None:
    response = english(world.manager_north).get(briefing_url(team=getattr(world, team).pk))
    assert response.status_code == 404


@pytest.mark.parametrize("team", ["abc", "-1", "99999999999999999999999", "1.5"])
def test_a_malformed_team_is_404(world: OrgWorld, team: str) -> None:
    assert english(world.manager_north).get(briefing_url(team=team)).status_code == 404


# --- the page -----------------------------------------------------------------------------------


def test_page_lists_sections_in_order_with_counts_and_links(world: OrgWorld) -> None:
    scene = make_scene(world)
    response = english(world.manager_north).get(briefing_url(date=MONDAY.isoformat()))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Morning briefing 2026-11-16" in html
    headings = [
        "Yesterday&#x27;s visits",
        "Key follow-ups",
        "Customer feedback",
        "New customers",
        "About to return to the pool",
        "Overdue tasks",
        "Overdue coordination requests",
        "Market news",
    ]
    positions = [html.index(f'id="heading-{key}"') for key in ("visits", "key_followups", "market_news")]
    assert positions == sorted(positions)
    for heading in headings:
        assert heading in html
    assert 'id="heading-visits">Yesterday&#x27;s visits <span class="badge briefing-count">2</span>' in html
    assert 'id="heading-feedback">Customer feedback <span class="badge briefing-count">1</span>' in html
    assert f'<a href="{reverse("customer-detail", args=[scene.far.pk])}">北京远航物流有限公司</a>' in html
    assert f'<a href="{reverse("news-detail", args=[scene.news_north.pk])}">竞品在华北降价一成</a>' in html
    assert "价格偏高，希望九折" in html
    assert "上海浦江贸易有限公司" in html  # the east request asked of teammate
    assert "东区反馈" not in html
    # The printable page: a print button and the PDF of the same day.
    assert "data-print" in html
    assert f"{reverse('briefing-pdf')}?date=2026-11-16" in html


def test_team_selector_for_managers_only(world: OrgWorld) -> None:
    manager = english(world.manager_north).get(briefing_url()).content.decode()
    assert 'name="team"' in manager
    assert f'<option value="{world.beijing.pk}">' in manager
    assert f'value="{world.east.pk}"' not in manager
    rep = english(world.owner).get(briefing_url()).content.decode()
    assert 'name="team"' not in rep


def test_narrowed_page_keeps_the_team_in_its_links(world: OrgWorld) -> None:
    response = english(world.manager_north).get(briefing_url(date=MONDAY.isoformat(), team=world.beijing.pk))
    html = response.content.decode()
    assert "Morning briefing 2026-11-16 · 北京一组" in html
    assert f"{reverse('briefing-pdf')}?date=2026-11-16&amp;team={world.beijing.pk}" in html
    assert f"{reverse('briefing')}?date=2026-11-13&amp;team={world.beijing.pk}" in html  # previous working day


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "1999-12-31", "9999-12-31", "0001-01-01"])
def test_a_bad_date_is_a_field_error_and_todays_briefing(world: OrgWorld, day: str) -> None:
    response = english(world.owner).get(briefing_url(date=day))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form-row field-error"' in html
    pdf = english(world.owner).get(reverse("briefing-pdf") + f"?date={day}")
    assert pdf.status_code == 422
    assert pdf["Content-Type"].startswith("text/html")


def test_htmx_gets_only_the_briefing_body(world: OrgWorld) -> None:
    response = english(world.owner).get(briefing_url(date=MONDAY.isoformat()), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="briefing-body"')
    assert "<html" not in html


def test_pdf_download_names_the_day(world: OrgWorld) -> None:
    response = english(world.owner).get(reverse("briefing-pdf") + f"?date={MONDAY.isoformat()}")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="briefing-2026-11-16.pdf"'
    assert response.content.startswith(b"%PDF-")


# --- query counts ---------------------------------------------------------------------------------


def _grow(world: OrgWorld, n: int) -> None:
    """n more records of every kind for the north team, inside the window."""
    for i in range(n):
        rep = world.owner if i % 2 else world.teammate
        c = customer(rep, f"北京扩展客户{i:03d}有限公司", created=at(FRIDAY, 8) + timedelta(minutes=i))
        followup(rep, c, at(FRIDAY, 12) + timedelta(minutes=i), feedback=f"反馈{i}", next_step="回访")
        visit(rep, c, at(FRIDAY, 13) + timedelta(minutes=i))
        task(rep, f"待办{i}", at(FRIDAY, 9) + timedelta(minutes=i))


def test_briefing_queries_do_not_grow_with_rows(world: OrgWorld) -> None:
    make_scene(world)
    briefing_for(world.manager_north, MONDAY)  # loads the working calendar's overrides once
    with CaptureQueriesContext(connection) as few:
        briefing_for(world.manager_north, MONDAY)
    _grow(world, 30)
    with CaptureQueriesContext(connection) as many:
        grown = briefing_for(world.manager_north, MONDAY)
    assert len(many) == len(few)
    assert {p.key: p.count for p in grown.parts}["feedback"] == 31
    _grow(world, 30)  # past the 50-row cut, each cut section adds one COUNT query
    with CaptureQueriesContext(connection) as cut:
        briefing_for(world.manager_north, MONDAY)
    assert len(cut) <= len(few) + 5


def test_page_queries_do_not_grow_with_rows(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    make_scene(world)
    client = english(world.manager_north)
    client.get(briefing_url(date=MONDAY.isoformat()))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(briefing_url(date=MONDAY.isoformat()))
    _grow(world, 30)
    with django_assert_max_num_queries(len(few)):
        response = client.get(briefing_url(date=MONDAY.isoformat()))
    assert "北京扩展客户029有限公司" in response.content.decode()
