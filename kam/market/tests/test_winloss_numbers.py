"""Win/loss numbers exact on a hand-built set: win rate, amounts, cycle, competitors, reasons by
month, conversion, the team table, and whose deals each viewer's numbers cover."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.market.tests.winloss_scene import INVALID, LOST, Q1, WON, build, closed_deal, lost_reason, moved
from kam.market.winloss import win_loss
from kam.market.winloss_rows import WinLossQuery
from kam.sales.models import BusinessLine, Opportunity, Stage
from kam.sales.tests.fixtures_deals import aware, default_line, make_customer, make_deal, stage_at


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def totals_of(user: User, query: WinLossQuery = Q1) -> tuple[int, int, int, Decimal | None]:
    t = win_loss(user, query).totals
    return t.won, t.lost, t.invalid, t.win_rate


def test_win_rate_counts_won_over_won_plus_lost_and_ignores_invalid(world: OrgWorld) -> None:
    build(world)
    totals = win_loss(world.owner, Q1).totals
    assert (totals.won, totals.lost, totals.invalid, totals.win_rate) == (5, 3, 2, Decimal("62.50"))
    assert totals.won_amount == Decimal("1500000.00")
    assert totals.average_won_amount == Decimal("300000.00")


def test_average_cycle_is_days_from_creation_to_closing_won_and_lost_apart(world: OrgWorld) -> None:
    build(world)
    totals = win_loss(world.owner, Q1).totals
    assert (totals.average_won_cycle, totals.average_lost_cycle) == (Decimal("30.0"), Decimal("10.0"))


def test_each_viewer_counts_only_their_scope(world: OrgWorld) -> None:
    build(world)
    assert totals_of(world.owner) == (5, 3, 2, Decimal("62.50"))
    assert totals_of(world.teammate) == (1, 1, 0, Decimal("50.00"))
    assert totals_of(world.stranger) == (0, 2, 0, Decimal("0.00"))
    assert totals_of(world.manager_north) == (6, 4, 2, Decimal("60.00"))
    assert totals_of(world.manager_east) == (0, 2, 0, Decimal("0.00"))
    assert totals_of(world.director) == (6, 6, 2, Decimal("50.00"))
    assert totals_of(world.admin) == (6, 6, 2, Decimal("50.00"))
    assert totals_of(world.collaborator) == (0, 0, 0, None)
    assert totals_of(world.outsider) == (0, 0, 0, None)


def test_team_filter_narrows_to_the_subtree(world: OrgWorld) -> None:
    build(world)
    east = WinLossQuery(Q1.start, Q1.end, team=world.east)
    assert totals_of(world.admin, east) == (0, 2, 0, Decimal("0.00"))
    beijing = WinLossQuery(Q1.start, Q1.end, team=world.beijing)
    assert totals_of(world.manager_north, beijing) == (6, 4, 2, Decimal("60.00"))


def test_period_bounds_are_shanghai_days(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "边界客户有限公司")
    closed_deal(world.owner, customer, WON, aware(2026, 1, 1, 0))
    closed_deal(world.owner, customer, WON, aware(2026, 3, 31, 23))
    closed_deal(world.owner, customer, WON, aware(2026, 4, 1, 0))
    assert totals_of(world.owner) == (2, 0, 0, Decimal("100.00"))


def test_competitor_table_counts_presence_and_who_won(world: OrgWorld) -> None:
    scene = build(world)
    rows = [(r.name, r.won, r.lost, r.win_rate, r.lost_to) for r in win_loss(world.owner, Q1).competitors]
    assert rows == [
        ("甲软件", 2, 2, Decimal("50.00"), 0),
        ("乙科技", 0, 1, Decimal("0.00"), 2),
        ("丙集团", 0, 0, None, 1),
    ]
    # The stranger's two losses to 甲软件 count only for those who see them.
    admin_rows = {r.competitor_id: (r.won, r.lost, r.lost_to) for r in win_loss(world.admin, Q1).competitors}
    assert admin_rows[scene.alpha.pk] == (2, 2, 2)


def test_loss_reasons_by_month(world: OrgWorld) -> None:
    build(world)
    price, budget = lost_reason(world, 0), lost_reason(world, 3)
    reasons = win_loss(world.owner, Q1).reasons
    assert reasons.months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert [(r.reason_id, r.label, r.counts, r.total) for r in reasons.reasons] == [
        (price.pk, price.label, [1, 1, 0], 2),
        (budget.pk, budget.label, [0, 1, 0], 1),
    ]
    assert [(b.total, b.width) for b in reasons.bars] == [(1, 50), (2, 100), (0, 0)]
    assert [(s.count, s.width) for s in reasons.bars[1].segments] == [(1, 50), (1, 50)]


def test_a_loss_without_reason_is_listed_as_such(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "无原因客户有限公司")
    closed_deal(world.owner, customer, LOST, aware(2026, 2, 1))
    reasons = win_loss(world.owner, Q1).reasons
    assert [(r.reason_id, r.label, r.counts) for r in reasons.reasons] == [(None, "No reason given", [0, 1, 0])]


def test_team_table_rows_per_child_team_or_per_rep(world: OrgWorld) -> None:
    build(world)

    def rows(user: User) -> list[tuple[str, str, int, int, int]]:
        table = win_loss(user, Q1).teams
        return [(r.kind, r.label, r.totals.won, r.totals.lost, r.totals.invalid) for r in table.rows]

    assert rows(world.admin) == [("team", "华东大区", 0, 2, 0), ("team", "华北大区", 6, 4, 2)]
    assert rows(world.manager_north) == [("team", "北京一组", 6, 4, 2)]
    assert rows(world.owner) == [("rep", "owner", 5, 3, 2)]
    beijing = win_loss(world.director, WinLossQuery(Q1.start, Q1.end, team=world.beijing)).teams
    assert beijing.per_rep
    assert [(r.label, r.totals.won, r.totals.win_rate) for r in beijing.rows] == [
        ("owner", 5, Decimal("62.50")),
        ("teammate", 1, Decimal("50.00")),
    ]


def test_deals_owned_in_the_chosen_team_itself_get_their_own_row(world: OrgWorld) -> None:
    customer = make_customer(world.manager_north, "经理自己的客户有限公司")
    closed_deal(world.manager_north, customer, WON, aware(2026, 2, 2))
    table = win_loss(world.manager_north, Q1).teams
    assert [(r.kind, r.label, r.totals.won) for r in table.rows] == [
        ("team", "北京一组", 0),
        ("direct", "华北大区 (directly)", 1),
    ]


def test_business_line_filter(world: OrgWorld) -> None:
    build(world)
    other = BusinessLine.objects.create(organization=world.org, name="标准品", position=2)
    stage = Stage.objects.create(
        organization=world.org, business_line=other, name="报价", position=1, default_probability=30
    )
    customer = make_customer(world.owner, "标准品客户有限公司")
    closed_deal(world.owner, customer, WON, aware(2026, 2, 3), stage=stage)
    assert totals_of(world.owner, WinLossQuery(Q1.start, Q1.end, business_line=other)) == (1, 0, 0, Decimal("100.00"))
    default = default_line(world.org)
    assert totals_of(world.owner, WinLossQuery(Q1.start, Q1.end, business_line=default))[:3] == (5, 3, 2)


def test_stage_conversion_of_deals_created_in_the_period(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "转化客户有限公司")
    first = stage_at(world.org, 1)
    only_first = make_deal(world.owner, customer, first)
    to_second_lost = make_deal(world.owner, customer, first)
    moved(to_second_lost, 2)
    skipped_to_third = make_deal(world.owner, customer, first)
    moved(skipped_to_third, 3)
    won_from_second = make_deal(world.owner, customer, first)
    moved(won_from_second, 2)
    started_in_fourth = make_deal(world.owner, customer, stage_at(world.org, 4))
    back_from_fourth = make_deal(world.owner, customer, first)
    moved(back_from_fourth, 4, 2)
    Opportunity.objects.filter(pk=to_second_lost.pk).update(status=LOST, closed_at=aware(2026, 2, 1))
    Opportunity.objects.filter(pk=won_from_second.pk).update(status=WON, closed_at=aware(2026, 2, 1))
    Opportunity.objects.filter(pk=back_from_fourth.pk).update(stage=stage_at(world.org, 2))
    created = [only_first, to_second_lost, skipped_to_third, won_from_second, started_in_fourth, back_from_fourth]
    Opportunity.objects.filter(pk__in=[d.pk for d in created]).update(created_at=aware(2026, 1, 5))
    old = make_deal(world.owner, customer, first)
    Opportunity.objects.filter(pk=old.pk).update(created_at=aware(2025, 6, 1))
    stranger_deal = make_deal(world.stranger, make_customer(world.stranger, "别组客户有限公司"), first)
    Opportunity.objects.filter(pk=stranger_deal.pk).update(created_at=aware(2026, 1, 5))

    [line] = win_loss(world.owner, Q1).conversion
    assert (line.deals, line.won) == (6, 1)
    assert [(s.stage, s.reached, s.advanced, s.rate) for s in line.steps] == [
        (stage_at(world.org, 1).name, 6, 5, Decimal("83.33")),
        (stage_at(world.org, 2).name, 5, 4, Decimal("80.00")),
        (stage_at(world.org, 3).name, 4, 3, Decimal("75.00")),
        (stage_at(world.org, 4).name, 3, 1, Decimal("33.33")),
        (stage_at(world.org, 5).name, 1, 1, Decimal("100.00")),
    ]


def test_nothing_closed_gives_empty_tables_not_errors(world: OrgWorld) -> None:
    report = win_loss(world.owner, Q1)
    assert (report.totals.win_rate, report.totals.average_won_amount, report.totals.average_won_cycle) == (
        None,
        None,
        None,
    )
    assert (report.competitors, report.reasons.reasons, report.conversion, report.teams.rows) == ([], [], [], [])
    assert [b.total for b in report.reasons.bars] == [0, 0, 0]
    assert INVALID == "invalid"
