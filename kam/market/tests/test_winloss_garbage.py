"""Garbage filter input on the win/loss page (ignored, shown, never 500) and API (422 at the query
parameter)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.core.tests.api_support import bearer_client, call

BAD = [
    ("period=forever", "period"),
    ("period=custom&start=2026-02-30&end=2026-03-31", "start"),
    ("period=custom&start=2026-01-01&end=yesterday", "end"),
    ("period=custom&start=2026-03-01&end=2026-01-01", "end"),
    ("period=custom&start=2010-01-01&end=2026-01-01", "end"),
    ("period=custom&start=1900-01-01&end=1900-02-01", "start"),
    ("period=custom", "start"),
    ("team=abc", "team"),
    ("team=999999", "team"),
    ("team=99999999999999999999999", "team"),
    ("business_line=-1", "business_line"),
    ("business_line=1.5", "business_line"),
]


def english(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize(("query", "field"), BAD, ids=[q for q, _ in BAD])
def test_page_ignores_and_reports_bad_filters(world: OrgWorld, query: str, field: str) -> None:
    response = english(world.admin).get(reverse("winloss") + "?" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="winloss-ignored"' in html
    assert 'class="form-row field-error"' in html


@pytest.mark.parametrize(("query", "field"), BAD, ids=[q for q, _ in BAD])
def test_api_answers_422_at_the_parameter(world: OrgWorld, query: str, field: str) -> None:
    response = call(bearer_client(world.admin), "GET", "/analysis/winloss?" + query)
    assert response.status_code == 422
    assert ["query", field] in [item["loc"] for item in response.data["detail"]]


def test_api_refuses_overlong_parameters(world: OrgWorld) -> None:
    response = call(bearer_client(world.admin), "GET", "/analysis/winloss?start=" + "9" * 500)
    assert response.status_code == 422


def test_a_foreign_business_line_is_not_applied(world: OrgWorld) -> None:
    from kam.sales.setup import ensure_default_pipeline

    foreign = ensure_default_pipeline(world.outsider.organization)
    response = call(bearer_client(world.admin), "GET", f"/analysis/winloss?business_line={foreign.pk}")
    assert response.status_code == 422


def test_nul_bytes_never_reach_the_view(world: OrgWorld) -> None:
    assert english(world.admin).get(reverse("winloss") + "?period=%00").status_code == 400


def test_a_rep_sending_a_team_is_not_refused_but_sees_only_their_deals(world: OrgWorld) -> None:
    response = call(bearer_client(world.owner), "GET", f"/analysis/winloss?team={world.east.pk}")
    assert response.status_code == 200
    assert response.data["team_id"] is None
