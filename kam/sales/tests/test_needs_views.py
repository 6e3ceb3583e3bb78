"""Needs pages: the access matrix, saving through the form (no JavaScript), the history, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from kam.conftest import OrgWorld
from kam.sales.actions_needs import save_needs
from kam.sales.models import NeedsVersion
from kam.sales.queries import opportunity_access
from kam.sales.sections_needs import followups_section, needs_section
from kam.sales.tests.fixtures_needs import (
    READ_PAGE,
    ROLES,
    WRITE_PAGE,
    Scene,
    client,
    db_state,
    first_needs,
    item,
    items_of,
    make_scene,
    user_for,
)


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def form_post(base: int, rows: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"base_version": base, "pain": "数据分散", "budget_min": "", "budget_max": "",
                            "timeline": "", "decision_criteria": "", "solution_notes": "", **fields}  # fmt: skip
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"item-{index}-{name}"] = "" if value is None else value
    return data


BLANK = {"key": None, "description": "", "priority": "medium", "necessity": "must", "fit": "met"}


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_access(scene: Scene, role: str) -> None:
    response = client(user_for(scene.world, role)).get(f"/deals/{scene.deal.pk}/needs/")
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == WRITE_PAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_saving_through_the_form_access(scene: Scene, role: str) -> None:
    before = db_state()
    data = form_post(0, [{**BLANK, "description": "统一数据平台"}])
    response = client(user_for(scene.world, role)).post(f"/deals/{scene.deal.pk}/needs/", data)
    if role in ("owner", "manager"):
        assert response.status_code == 302
        assert NeedsVersion.objects.get().number == 1
        return
    assert response.status_code == {"anonymous": 302, **WRITE_PAGE}[role]
    assert db_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_history_page_access(scene: Scene, role: str) -> None:
    first_needs(scene)
    response = client(user_for(scene.world, role)).get(f"/deals/{scene.deal.pk}/needs/history/")
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == READ_PAGE[role]
    if response.status_code == 200:
        assert "统一数据平台" in response.content.decode()
        # Only those who may change the deal get the link to change its needs.
        assert ('id="deal-needs-edit-link"' in response.content.decode()) is (role in ("owner", "manager"))


@pytest.mark.parametrize("role", ROLES)
def test_add_row_fragment_access(scene: Scene, role: str) -> None:
    response = client(user_for(scene.world, role)).get(f"/deals/{scene.deal.pk}/needs/row/?index=3")
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == WRITE_PAGE[role]
    if response.status_code == 200:
        html = response.content.decode()
        assert 'name="item-3-description"' in html
        assert "index=4" in html


def test_edit_page_offers_current_rows_and_three_blank_rows(scene: Scene) -> None:
    first_needs(scene)
    html = client(scene.world.owner).get(f"/deals/{scene.deal.pk}/needs/").content.decode()
    assert 'value="统一数据平台"' in html
    assert 'name="item-4-description"' in html
    assert 'name="item-5-description"' not in html
    assert 'name="reason"' in html
    assert 'name="base_version" value="1"' in html


def test_first_analysis_form_has_no_reason_field(scene: Scene) -> None:
    html = client(scene.world.owner).get(f"/deals/{scene.deal.pk}/needs/").content.decode()
    assert 'name="reason"' not in html
    assert 'name="item-2-description"' in html


def test_form_change_keeps_keys_skips_blank_rows_and_removes_ticked(scene: Scene) -> None:
    first_needs(scene)
    rows = [
        {**BLANK, "key": 1, "description": "统一数据平台", "fit": "partly"},
        {**BLANK, "key": 2, "description": "支持国产数据库", "remove": "on"},
        {**BLANK, "description": "移动端报表", "necessity": "nice"},
        BLANK,
    ]
    data = form_post(1, rows, pain="数据分散在五个系统", budget_min="500000", budget_max="800000",
                     timeline="年底前上线", reason="客户调整范围")  # fmt: skip
    response = client(scene.world.owner).post(f"/deals/{scene.deal.pk}/needs/", data)
    assert response.status_code == 302
    version = NeedsVersion.objects.get(number=2)
    assert version.reason == "客户调整范围"
    assert items_of(version) == [
        {"key": 1, "description": "统一数据平台", "priority": "medium", "necessity": "must", "fit": "partly"},
        {"key": 3, "description": "移动端报表", "priority": "medium", "necessity": "nice", "fit": "met"},
    ]


def test_missing_reason_shows_on_the_field(scene: Scene) -> None:
    first_needs(scene)
    data = form_post(1, [{**BLANK, "key": 1, "description": "统一数据平台"}], reason="")
    response = client(scene.world.owner).post(f"/deals/{scene.deal.pk}/needs/", data)
    assert response.status_code == 422
    assert response.context["form"].errors["reason"]
    assert NeedsVersion.objects.count() == 1


def test_stale_form_says_so_and_moves_its_base(scene: Scene) -> None:
    first_needs(scene)
    data = form_post(0, [{**BLANK, "description": "别的需求"}])
    response = client(scene.world.manager_north).post(f"/deals/{scene.deal.pk}/needs/", data)
    assert response.status_code == 422
    with translation.override("en"):
        assert "Someone else saved V1" in str(response.context["form"].non_field_errors())
    assert 'name="base_version" value="1"' in response.content.decode()
    assert NeedsVersion.objects.count() == 1


def test_action_refusal_lands_on_its_row(scene: Scene) -> None:
    first_needs(scene)
    rows = [{**BLANK, "key": 99, "description": "伪造的需求"}]
    response = client(scene.world.owner).post(f"/deals/{scene.deal.pk}/needs/", form_post(1, rows, reason="改"))
    assert response.status_code == 422
    assert response.context["rows"][0].non_field_errors()


def test_history_shows_versions_newest_first_with_reason_and_diff(scene: Scene) -> None:
    first_needs(scene)
    save_needs(scene.world.owner, scene.deal, {"pain": "数据分散在五个系统"}, [item("统一数据平台", 1)],
               reason="预算收紧", base_version=1)  # fmt: skip
    with translation.override("en"):
        html = client(scene.world.manager_north, "en").get(f"/deals/{scene.deal.pk}/needs/history/").content.decode()
    assert html.index('id="deal-needs-v2"') < html.index('id="deal-needs-v1"')
    assert "预算收紧" in html
    assert "<del>支持国产数据库</del>" in html


def _versions(scene: Scene, count: int, items: int) -> None:
    for number in range(count):
        rows = [item(f"需求{n}", n + 1 if number else None) for n in range(items)]
        save_needs(scene.world.owner, scene.deal, {"pain": f"第{number}版"}, rows,
                   reason="调整" if number else "", base_version=number)  # fmt: skip


def _section_html(scene: Scene) -> str:
    user = scene.world.owner
    access = opportunity_access(user, scene.deal)
    return render_to_string("sales/_deal_needs.html", {"section": needs_section(scene.deal, user, access)})


def test_needs_section_costs_two_queries_whatever_the_items(
    scene: Scene, django_assert_num_queries: Any, django_assert_max_num_queries: Any
) -> None:
    _versions(scene, 2, 3)
    with django_assert_num_queries(2):
        html = _section_html(scene)
    assert "Must-haves met 3/3" in html or "必备需求满足 3/3" in html
    _versions_more = [item(f"需求{n}", n + 1 if n < 3 else None) for n in range(9)]
    save_needs(scene.world.owner, scene.deal, {"pain": "第三版"}, _versions_more, reason="加", base_version=2)
    with django_assert_num_queries(2):
        _section_html(scene)


def test_history_page_query_count_does_not_grow(scene: Scene, django_assert_max_num_queries: Any) -> None:
    _versions(scene, 2, 2)
    browser = client(scene.world.owner)
    browser.get(f"/deals/{scene.deal.pk}/needs/history/")  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        browser.get(f"/deals/{scene.deal.pk}/needs/history/")
    NeedsVersion.objects.all().delete()
    _versions(scene, 6, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = browser.get(f"/deals/{scene.deal.pk}/needs/history/")
    assert response.content.decode().count('class="card needs-version"') == 6


def test_followups_section_is_one_query(scene: Scene, django_assert_num_queries: Any) -> None:
    access = opportunity_access(scene.world.owner, scene.deal)
    with django_assert_num_queries(1):
        context = followups_section(scene.deal, scene.world.owner, access)
    assert context["followups"] == []
