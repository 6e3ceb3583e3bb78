"""Stage gates: refusals name the missing elements, managers override with a recorded reason, reps
cannot, backward moves are never gated; probability follows the stage unless overridden."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kam.core.models import AuditEntry, Notification
from kam.sales.actions_deals import move_stage, update_opportunity
from kam.sales.gates import GateFailed, GateShortfall, check_gate, gate_status
from kam.sales.models import Opportunity, QualificationScore, Stage, StageChange
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the default language (zh-hans) has its own test."""
    with translation.override("en"):
        yield


def _deal(world, position=2, **fields):
    return make_deal(
        world.owner, make_customer(world.owner, "北京冶金集团"), stage=stage_at(world.org, position), **fields
    )


def _score(deal, element, score):
    QualificationScore.objects.update_or_create(
        opportunity=deal, element=element, defaults={"organization_id": deal.organization_id, "score": score}
    )


def test_check_gate_lists_shortfalls_in_meddpicc_order(world):
    deal = _deal(world)
    _score(deal, "champion", 1)
    assert check_gate(deal, stage_at(world.org, 3)) == [GateShortfall("economic_buyer", "Economic buyer", 1, 0)]
    assert check_gate(deal, stage_at(world.org, 5)) == [
        GateShortfall("economic_buyer", "Economic buyer", 2, 0),
        GateShortfall("paper_process", "Paper process", 1, 0),
    ]
    assert check_gate(deal, stage_at(world.org, 1)) == []


def test_forward_move_failing_gate_names_missing_elements_and_changes_nothing(world):
    deal = _deal(world)
    with pytest.raises(GateFailed) as exc:
        move_stage(world.owner, deal, stage_at(world.org, 3))
    assert exc.value.message_dict == {"stage": ["Stage gate not met: Economic buyer ≥ 1 (now 0), Champion ≥ 1 (now 0)"]}
    assert [s.element for s in exc.value.shortfalls] == ["economic_buyer", "champion"]
    assert Opportunity.objects.get(pk=deal.pk).stage_id == stage_at(world.org, 2).pk
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_gate_refusal_speaks_the_users_language(world):
    deal = _deal(world)
    with translation.override("zh-hans"), pytest.raises(GateFailed) as exc:
        move_stage(world.owner, deal, stage_at(world.org, 3))
    assert exc.value.message_dict == {"stage": ["未满足阶段门槛：经济决策人 ≥1（当前 0）、内部支持者 ≥1（当前 0）"]}


def test_move_passing_gate_follows_stage_probability_and_records_change(world):
    deal = _deal(world)
    _score(deal, "economic_buyer", 1)
    _score(deal, "champion", 2)
    deal = move_stage(world.owner, deal, stage_at(world.org, 3))
    assert (deal.stage_id, deal.probability, deal.version) == (stage_at(world.org, 3).pk, 40, 2)
    change = StageChange.objects.filter(opportunity=deal).latest("id")
    assert (change.from_stage_id, change.to_stage_id, change.gate_override, change.missing) == (
        stage_at(world.org, 2).pk,
        stage_at(world.org, 3).pk,
        False,
        "",
    )
    rows = AuditEntry.objects.filter(entity_id=deal.pk, action="update").order_by("field")
    assert [(r.field, r.old, r.new) for r in rows] == [
        ("probability", "20", "40"),
        ("stage", stage_at(world.org, 2).name, stage_at(world.org, 3).name),
    ]


def test_manager_override_is_recorded_with_reason_and_tells_owner(world):
    deal = _deal(world)
    deal = move_stage(world.manager_north, deal, stage_at(world.org, 3), override_reason="  客户总裁亲自推动  ")
    change = StageChange.objects.filter(opportunity=deal).latest("id")
    assert (change.gate_override, change.override_reason, change.actor_id) == (
        True,
        "客户总裁亲自推动",
        world.manager_north.pk,
    )
    # Stored in the default language, whatever the manager browsed in.
    assert change.missing == "经济决策人 ≥1（当前 0）、内部支持者 ≥1（当前 0）"
    assert list(Notification.objects.filter(user=world.owner).values_list("kind", flat=True)) == ["deal.moved"]


def test_manager_without_reason_is_refused(world):
    deal = _deal(world)
    with pytest.raises(GateFailed):
        move_stage(world.manager_north, deal, stage_at(world.org, 3), override_reason="   ")
    assert Opportunity.objects.get(pk=deal.pk).stage_id == stage_at(world.org, 2).pk


@pytest.mark.parametrize("who", ["owner", "manager_east", "collaborator"])
def test_rep_or_unrelated_manager_cannot_override(world, who):
    deal = _deal(world, members=((world.manager_east, "write"), (world.collaborator, "write")))
    with pytest.raises(GateFailed) as exc:
        move_stage(getattr(world, who), deal, stage_at(world.org, 3), override_reason="我说行")
    assert sorted(exc.value.message_dict) == ["override_reason", "stage"]
    assert Opportunity.objects.get(pk=deal.pk).stage_id == stage_at(world.org, 2).pk
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_admin_and_director_may_override(world):
    for user in (world.admin, world.director):
        deal = _deal(world)
        assert (
            move_stage(user, deal, stage_at(world.org, 4), override_reason="特批").stage_id == stage_at(world.org, 4).pk
        )


def test_backward_moves_are_never_gated(world):
    deal = _deal(world, position=5)
    deal = move_stage(world.owner, deal, stage_at(world.org, 3))
    deal = move_stage(world.owner, deal, stage_at(world.org, 1))
    assert (deal.stage_id, deal.probability) == (stage_at(world.org, 1).pk, 10)
    assert StageChange.objects.filter(opportunity=deal, gate_override=True).count() == 0


def test_move_keeps_a_probability_overridden_with_a_reason(world):
    deal = _deal(world, position=1)
    deal = update_opportunity(world.owner, deal, {"probability": 30, "probability_reason": "老客户复购"})
    _score(deal, "identified_pain", 1)
    deal = move_stage(world.owner, deal, stage_at(world.org, 2))
    assert (deal.probability, deal.probability_reason) == (30, "老客户复购")


def test_move_refusals(world):
    deal = _deal(world)
    other_line_stage = Stage.objects.create(
        organization=world.org,
        business_line=Stage.objects.get(pk=stage_at(world.org, 1).pk).business_line.__class__.objects.create(
            organization=world.org, name="标准品"
        ),
        name="询价",
        position=1,
        default_probability=10,
    )
    inactive = stage_at(world.org, 4)
    Stage.objects.filter(pk=inactive.pk).update(active=False)
    inactive.refresh_from_db()
    for stage in (other_line_stage, inactive):
        with pytest.raises(ValidationError) as exc:
            move_stage(world.owner, deal, stage)
        assert list(exc.value.message_dict) == ["stage"]
    closed = _deal(world, status="lost")
    with pytest.raises(ValidationError):
        move_stage(world.owner, closed, stage_at(world.org, 1))


def test_move_to_the_same_stage_changes_nothing(world):
    deal = _deal(world)
    assert move_stage(world.owner, deal, stage_at(world.org, 2)).version == 1
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_gate_status_shows_the_next_stage_checks(world):
    deal = _deal(world)
    _score(deal, "champion", 1)
    status = gate_status(deal)
    assert status is not None
    assert status.stage.pk == stage_at(world.org, 3).pk
    assert [(c.element, c.required, c.actual, c.passed) for c in status.checks] == [
        ("economic_buyer", 1, 0, False),
        ("champion", 1, 1, True),
    ]
    assert status.passes is False
    assert gate_status(_deal(world, position=5)) is None
    assert gate_status(_deal(world, status="won")) is None
