"""Win rate and stage history durations (fixed times, exact values)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from kam.sales.models import StageChange
from kam.sales.queries_deals import stage_spans, time_in_stage_summary, win_rate
from kam.sales.tests.fixtures_deals import aware, make_customer, make_deal, stage_at


def test_win_rate_is_won_over_won_plus_lost():
    assert win_rate(3, 1) == Decimal("75.00")
    assert win_rate(1, 2) == Decimal("33.33")
    assert win_rate(2, 1) == Decimal("66.67")
    assert win_rate(0, 4) == Decimal("0.00")
    assert win_rate(5, 0) == Decimal("100.00")
    assert win_rate(0, 0) is None


def test_win_rate_ignores_invalid_deals(world):
    customer = make_customer(world.owner, "北京冶金集团")
    for status in ("won", "won", "won", "lost", "invalid", "invalid", "open"):
        make_deal(world.owner, customer, status=status)
    from kam.sales.models import Opportunity

    decided = Opportunity.objects.decided()
    won = decided.filter(status="won").count()
    assert win_rate(won, decided.count() - won) == Decimal("75.00")


def _change(deal, from_pos, to_pos, at, to_status="open", from_status="open", actor=None, **extra):
    return StageChange.objects.create(
        organization_id=deal.organization_id,
        opportunity=deal,
        from_stage=stage_at(deal.organization, from_pos) if from_pos else None,
        to_stage=stage_at(deal.organization, to_pos),
        from_status=from_status,
        to_status=to_status,
        at=at,
        actor=actor,
        **extra,
    )


def test_stage_spans_durations_are_exact(world):
    customer = make_customer(world.owner, "北京冶金集团")
    deal = make_deal(world.owner, customer, stage_entered_at=aware(2026, 3, 2, 9))
    _change(deal, 1, 2, aware(2026, 3, 5, 21), actor=world.teammate)
    _change(
        deal,
        2,
        4,
        aware(2026, 3, 10, 9),
        actor=world.manager_north,
        gate_override=True,
        missing="x",
        override_reason="特批",
    )
    _change(deal, 4, 2, aware(2026, 3, 11, 9))
    spans = stage_spans(deal, now=aware(2026, 3, 20, 9))
    assert [(s.stage.position, s.entered_at, s.left_at, s.duration, s.days) for s in spans] == [
        (1, aware(2026, 3, 2, 9), aware(2026, 3, 5, 21), timedelta(days=3, hours=12), Decimal("3.5")),
        (2, aware(2026, 3, 5, 21), aware(2026, 3, 10, 9), timedelta(days=4, hours=12), Decimal("4.5")),
        (4, aware(2026, 3, 10, 9), aware(2026, 3, 11, 9), timedelta(days=1), Decimal("1.0")),
        (2, aware(2026, 3, 11, 9), None, timedelta(days=9), Decimal("9.0")),
    ]
    assert [s.moved_by for s in spans] == [world.owner, world.teammate, world.manager_north, None]
    assert [(s.gate_override, s.override_reason) for s in spans] == [
        (False, ""),
        (False, ""),
        (True, "特批"),
        (False, ""),
    ]
    summary = time_in_stage_summary(spans)
    assert summary[stage_at(world.org, 2).pk] == timedelta(days=13, hours=12)


def test_stage_spans_stop_while_closed_and_restart_on_reopen(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), stage_entered_at=aware(2026, 1, 1, 9))
    _change(deal, 1, 1, aware(2026, 1, 3, 9), to_status="lost")
    _change(deal, 1, 1, aware(2026, 2, 1, 9), from_status="lost")
    spans = stage_spans(deal, now=aware(2026, 2, 2, 21))
    assert [(s.entered_at, s.left_at, s.duration, s.closed_as) for s in spans] == [
        (aware(2026, 1, 1, 9), aware(2026, 1, 3, 9), timedelta(days=2), "lost"),
        (aware(2026, 2, 1, 9), None, timedelta(days=1, hours=12), ""),
    ]


def test_stage_spans_is_one_query(world, django_assert_num_queries):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), stage_entered_at=aware(2026, 1, 1))
    for day in range(2, 12):
        _change(deal, 1 + day % 2, 1 + (day + 1) % 2, aware(2026, 1, day), actor=world.owner)
    with django_assert_num_queries(1):
        assert len(stage_spans(deal)) == 11
