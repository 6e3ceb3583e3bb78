"""The kanban board: a column per active stage with exact count, amount and weighted amount, the card
cap, the business line choice, filters, and move controls only on deals the viewer may change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from kam.conftest import OrgWorld
from kam.sales.models import BusinessLine, Stage
from kam.sales.queries_lists import DealFilters, board, board_line, business_lines_of
from kam.sales.tests.fixtures_deals import default_line, make_customer, make_deal, stages_of
from kam.sales.tests.lists_scene import Scene, english_client, htmx_client, make_scene


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def summary(user: object, line: BusinessLine, **filters: object) -> list[tuple[str, int, Decimal, Decimal, list[str]]]:
    result = board(user, line, DealFilters(**filters))  # type: ignore[arg-type]
    return [(c.stage.name, c.count, c.amount, c.weighted, [r.deal.name for r in c.cards]) for c in result.columns]


def test_director_board_counts_sums_and_weighted_amounts(scene: Scene) -> None:
    line = default_line(scene.world.org)
    names = [stage.name for stage in scene.stages]
    zero = Decimal("0.00")
    assert summary(scene.world.director, line) == [
        (names[0], 2, Decimal("160000.00"), Decimal("16000.00"), ["宝钢冷轧线改造", "海尔仓储系统"]),
        (names[1], 1, Decimal("250000.50"), Decimal("62500.13"), ["华能集控平台"]),
        (names[2], 0, zero, zero, []),
        (names[3], 0, zero, zero, []),
        (names[4], 0, zero, zero, []),
    ]
    result = board(scene.world.director, line, DealFilters())
    assert (result.count, result.amount, result.weighted) == (3, Decimal("410000.50"), Decimal("78500.13"))


def test_board_shows_only_what_the_viewer_may_open(scene: Scene) -> None:
    line = default_line(scene.world.org)
    assert [c[1] for c in summary(scene.world.owner, line)] == [1, 1, 0, 0, 0]
    assert [c[4] for c in summary(scene.world.collaborator, line)][:2] == [["宝钢冷轧线改造"], []]
    assert [c[1] for c in summary(scene.world.stranger, line)] == [1, 0, 0, 0, 0]
    assert [c[1] for c in summary(scene.world.outsider, line)] == [0, 0, 0, 0, 0]


def test_board_ignores_status_and_applies_the_other_filters(scene: Scene) -> None:
    line = default_line(scene.world.org)
    w = scene.world
    # Won deals never show; status=won is not a board filter.
    assert [c[1] for c in summary(w.director, line, status="won")] == [2, 1, 0, 0, 0]
    assert [c[1] for c in summary(w.director, line, team=w.east.pk)] == [1, 0, 0, 0, 0]
    assert [c[1] for c in summary(w.director, line, forecast_category="commit")] == [0, 1, 0, 0, 0]
    assert [c[1] for c in summary(w.director, line, amount_min=Decimal("70000"))] == [1, 1, 0, 0, 0]


def test_cards_are_capped_per_column_but_totals_count_every_deal(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "大客户")
    first = stages_of(default_line(world.org))[0]
    for i in range(7):
        make_deal(world.owner, customer, first, amount=1000 + i, probability=50, name=f"商机{i}")
    column = board(world.owner, default_line(world.org), DealFilters(), cap=5).columns[0]
    assert (column.count, column.amount, column.weighted, column.hidden) == (
        7,
        Decimal("7021.00"),
        Decimal("3510.50"),
        2,
    )
    assert [row.deal.name for row in column.cards] == [f"商机{i}" for i in range(5)]


def test_inactive_stages_have_no_column_and_other_lines_their_own_board(scene: Scene) -> None:
    org = scene.world.org
    Stage.objects.filter(pk=scene.stages[4].pk).update(active=False)
    line = default_line(org)
    names = [stage.name for stage in scene.stages]
    assert [c[0] for c in summary(scene.world.director, line)] == names[:4]
    other = BusinessLine.objects.create(organization=org, name="标准品", position=5)
    Stage.objects.create(organization=org, business_line=other, name="询价", position=1, default_probability=30)
    assert summary(scene.world.director, other) == [("询价", 0, Decimal("0.00"), Decimal("0.00"), [])]
    lines = business_lines_of(scene.world.director)
    assert [each.name for each in lines] == [line.name, "标准品"]
    assert board_line(scene.world.director, lines, None) == line
    with pytest.raises(Http404):
        board_line(scene.world.director, lines, 999999)


def test_board_page_picks_the_line_and_offers_move_controls_only_on_writable_deals(scene: Scene) -> None:
    html = english_client(scene.world.collaborator).get("/deals/board/").content.decode()
    assert f'id="deal-card-{scene.steel.pk}"' in html
    assert 'draggable="true"' not in html
    assert 'class="deallists-move"' not in html
    html = english_client(scene.writer).get("/deals/board/").content.decode()
    assert html.count('draggable="true"') == 1
    assert f'id="deal-move-{scene.power.pk}"' in html
    html = english_client(scene.world.manager_north).get("/deals/board/").content.decode()
    assert html.count('draggable="true"') == 2
    assert "¥250,000.50" in html
    assert "Weighted ¥62,500.13" in html
    assert 'class="deallists-overdue"' in html
    other = BusinessLine.objects.create(organization=scene.world.org, name="标准品", position=5)
    Stage.objects.create(
        organization=scene.world.org, business_line=other, name="询价", position=1, default_probability=30
    )
    partial = htmx_client(scene.world.director).get("/deals/board/", {"business_line": other.pk}).content.decode()
    assert partial.startswith('<section id="deal-board"')
    assert 'id="deal-card-' not in partial
    assert "询价" in partial
    # A line that is not offered falls back to the default line.
    fallback = htmx_client(scene.world.director).get("/deals/board/", {"business_line": "abc"}).content.decode()
    assert f'id="deal-card-{scene.fridge.pk}"' in fallback


def test_board_creates_the_default_pipeline_for_a_bare_organization(world: OrgWorld) -> None:
    assert not BusinessLine.objects.filter(organization=world.org).exists()
    response = english_client(world.owner).get("/deals/board/")
    assert response.status_code == 200
    assert response.content.decode().count('class="deallists-column"') == 5
