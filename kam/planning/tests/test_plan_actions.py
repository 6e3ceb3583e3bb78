"""Drafting and editing a plan: refresh keeps the rep's work, edits are the owner's, past days close."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from kam.activities.models.tasks import TaskPriority
from kam.conftest import OrgWorld
from kam.core.models import AuditEntry
from kam.planning.actions_plan import (
    accept_plan,
    add_item,
    move_item,
    refresh_plan,
    reorder_items,
    set_item_done,
    set_item_dropped,
)
from kam.planning.models import DayPlan, PlanItem, PlanStatus
from kam.planning.plan import draft_candidates
from kam.planning.tests.fixtures_plan import NOW, PLAN_DAY, RankingScene, at, customer, ranking_scene, task

pytestmark = pytest.mark.django_db


def rows(plan: DayPlan) -> list[tuple[str, bool]]:
    """(title, dropped) in the stored order."""
    return list(PlanItem.objects.filter(plan=plan).order_by("position", "id").values_list("title", "dropped"))


def titles(plan: DayPlan) -> list[str]:
    return [title for title, dropped in rows(plan) if not dropped]


def item(plan: DayPlan, title: str) -> PlanItem:
    return PlanItem.objects.get(plan=plan, title=title)


def snapshot() -> list[tuple[object, ...]]:
    return list(PlanItem.objects.order_by("id").values_list("id", "position", "dropped", "done_at", "title")) + list(
        DayPlan.objects.order_by("id").values_list("id", "status")
    )


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Titles and reasons are written in the active language; these tests read them in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def scene(world: OrgWorld) -> RankingScene:
    return ranking_scene(world)


def test_first_draft_stores_the_ranked_candidates(world: OrgWorld, scene: RankingScene) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    candidates = draft_candidates(world.owner, PLAN_DAY, NOW)
    stored = list(PlanItem.objects.filter(plan=plan).order_by("position"))
    assert [(i.ref, i.title, i.reason, i.score, i.position) for i in stored] == [
        (c.ref, c.title, c.reason, c.score, n) for n, c in enumerate(candidates, start=1)
    ]
    assert (plan.user, plan.day, plan.status, plan.organization_id) == (world.owner, PLAN_DAY, "draft", world.org.pk)
    assert AuditEntry.objects.filter(entity="planning.dayplan", entity_id=plan.pk, action="create").count() == 1


def test_refresh_keeps_manual_items_drops_and_order(world: OrgWorld, scene: RankingScene) -> None:
    owner = world.owner
    plan = refresh_plan(owner, PLAN_DAY, NOW)
    first, second, third = titles(plan)[:3]
    move_item(owner, item(plan, third), "up", NOW)
    move_item(owner, item(plan, third), "up", NOW)
    set_item_dropped(owner, item(plan, second), True, NOW)
    add_item(owner, plan, "给老客户打电话", NOW, customer_id=scene.c_pool.pk)
    before = titles(plan)
    assert before[:2] == [third, first]
    assert before[-1] == "给老客户打电话"

    # Meanwhile: the low task is done (its item goes), a new overdue high task arrives.
    scene.task_low.done_at = NOW
    scene.task_low.save()
    task(owner, "紧急回电", at(2026, 11, 29, 9), priority=TaskPriority.HIGH)
    refresh_plan(owner, PLAN_DAY, NOW)

    after = titles(plan)
    # 50 + 3×2 + 10 + 20 = 86: slotted before the first proposed item scoring lower (80, the never-visited A).
    expected = [t for t in before if t != "整理名片"]
    expected.insert(expected.index("Visit 戊方医疗有限公司"), "紧急回电")
    assert after == expected
    assert rows(plan)[-1] == (second, True)  # still dropped, after the rest
    assert PlanItem.objects.filter(plan=plan, title="给老客户打电话", source="manual").count() == 1
    assert not PlanItem.objects.filter(plan=plan, title="整理名片").exists()
    positions = list(PlanItem.objects.filter(plan=plan).order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))


def test_refresh_twice_adds_nothing_twice(world: OrgWorld, scene: RankingScene) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    once = rows(plan)
    refresh_plan(world.owner, PLAN_DAY, NOW)
    assert rows(plan) == once
    assert DayPlan.objects.count() == 1


def test_refresh_updates_reasons_and_keeps_ticked_items_whose_reason_went(world: OrgWorld, scene: RankingScene) -> None:
    owner = world.owner
    plan = refresh_plan(owner, PLAN_DAY, NOW)
    accept_plan(owner, plan, NOW)
    set_item_done(owner, item(plan, "整理名片"), True, NOW)
    scene.task_low.done_at = NOW
    scene.task_low.save()
    later = NOW + timedelta(hours=1)
    refresh_plan(owner, PLAN_DAY, later)
    assert item(plan, "整理名片").done_at == NOW
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED


def test_move_up_and_down_stop_at_the_ends(world: OrgWorld, scene: RankingScene) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    order = titles(plan)
    move_item(world.owner, item(plan, order[0]), "up", NOW)
    move_item(world.owner, item(plan, order[-1]), "down", NOW)
    assert titles(plan) == order
    move_item(world.owner, item(plan, order[0]), "down", NOW)
    assert titles(plan)[:2] == [order[1], order[0]]
    with pytest.raises(ValidationError) as refused:
        move_item(world.owner, item(plan, order[0]), "sideways", NOW)
    assert refused.value.message_dict == {"direction": ["Move an item up or down."]}


def test_reorder_puts_listed_items_first(world: OrgWorld, scene: RankingScene) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    order = titles(plan)
    ids = [item(plan, order[3]).pk, item(plan, order[1]).pk]
    reorder_items(world.owner, plan, ids, NOW)
    assert titles(plan) == [order[3], order[1], order[0], order[2], *order[4:]]


def test_reorder_refuses_unknown_dropped_or_repeated_items(world: OrgWorld, scene: RankingScene) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    other = refresh_plan(world.teammate, PLAN_DAY, NOW)
    first = PlanItem.objects.filter(plan=plan).order_by("position").first()
    assert first is not None
    set_item_dropped(world.owner, PlanItem.objects.filter(plan=plan).order_by("position")[1], True, NOW)
    dropped = PlanItem.objects.get(plan=plan, dropped=True)
    foreign = PlanItem.objects.filter(plan=other).first()
    assert foreign is not None
    before = snapshot()
    for ids in ([first.pk, first.pk], [dropped.pk], [foreign.pk], [10**12]):
        with pytest.raises(ValidationError) as refused:
            reorder_items(world.owner, plan, ids, NOW)
        assert list(refused.value.message_dict) == ["item_ids"]
    assert snapshot() == before


def test_add_item_checks_title_and_customer(world: OrgWorld, scene: RankingScene) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    teammates = customer(world.teammate, "队友的新客户有限公司", "B")
    before = snapshot()
    cases = [
        ("   ", None, "title"),
        ("长" * 201, None, "title"),
        ("拜访", teammates.pk, "customer_id"),
        ("拜访", 10**12, "customer_id"),
    ]
    for title, customer_id, field in cases:
        with pytest.raises(ValidationError) as refused:
            add_item(world.owner, plan, title, NOW, customer_id=customer_id)
        assert list(refused.value.message_dict) == [field]
    assert snapshot() == before
    added = add_item(world.owner, plan, "  准备样品  ", NOW, customer_id=scene.a_never.pk)
    assert (added.title, added.source, added.ref, added.customer_id) == ("准备样品", "manual", "", scene.a_never.pk)
    assert titles(plan)[-1] == "准备样品"


def test_drop_and_restore(world: OrgWorld, scene: RankingScene) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    order = titles(plan)
    set_item_dropped(world.owner, item(plan, order[0]), True, NOW)
    assert titles(plan) == order[1:]
    set_item_dropped(world.owner, item(plan, order[0]), False, NOW)
    # A restored item comes back last.
    assert titles(plan) == [*order[1:], order[0]]
    assert AuditEntry.objects.filter(entity="planning.planitem", field="dropped").count() == 2


def test_accept_makes_the_agenda_and_needs_an_item(world: OrgWorld) -> None:
    empty = refresh_plan(world.owner, PLAN_DAY, NOW)
    with pytest.raises(ValidationError):
        accept_plan(world.owner, empty, NOW)
    assert DayPlan.objects.get(pk=empty.pk).status == PlanStatus.DRAFT
    add_item(world.owner, empty, "整理客户资料", NOW)
    accepted = accept_plan(world.owner, empty, NOW)
    assert (accepted.status, accepted.accepted_at) == (PlanStatus.ACCEPTED, NOW)
    assert AuditEntry.objects.filter(entity="planning.dayplan", entity_id=empty.pk, field="status").count() == 1


def test_done_ticks_and_unticks(world: OrgWorld) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    mine = add_item(world.owner, plan, "整理客户资料", NOW)
    assert set_item_done(world.owner, mine, True, NOW).done_at == NOW
    assert set_item_done(world.owner, mine, False, NOW).done_at is None
    set_item_dropped(world.owner, mine, True, NOW)
    with pytest.raises(ValidationError):
        set_item_done(world.owner, mine, True, NOW)


def test_a_past_day_is_closed_except_for_ticks(world: OrgWorld) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    mine = add_item(world.owner, plan, "整理客户资料", NOW)
    next_week = NOW + timedelta(days=7)
    before = snapshot()
    for change in (
        lambda: refresh_plan(world.owner, PLAN_DAY, next_week),
        lambda: add_item(world.owner, plan, "补一条", next_week),
        lambda: move_item(world.owner, mine, "up", next_week),
        lambda: set_item_dropped(world.owner, mine, True, next_week),
        lambda: accept_plan(world.owner, plan, next_week),
        lambda: reorder_items(world.owner, plan, [mine.pk], next_week),
    ):
        with pytest.raises(ValidationError):
            change()
    assert snapshot() == before
    assert set_item_done(world.owner, mine, True, next_week).done_at == next_week


def test_plans_further_than_two_months_ahead_are_refused(world: OrgWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        refresh_plan(world.owner, PLAN_DAY + timedelta(days=90), NOW)
    assert list(refused.value.message_dict) == ["date"]
    assert not DayPlan.objects.exists()


def test_only_the_plans_user_changes_it(world: OrgWorld) -> None:
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    mine = add_item(world.owner, plan, "整理客户资料", NOW)
    before = snapshot()
    for user, refusal in (
        (world.manager_north, PermissionDenied),
        (world.director, PermissionDenied),
        (world.admin, PermissionDenied),
        (world.teammate, Http404),
        (world.stranger, Http404),
        (world.manager_east, Http404),
        (world.outsider, Http404),
    ):
        with pytest.raises(refusal):
            set_item_done(user, mine, True, NOW)
        with pytest.raises(refusal):
            accept_plan(user, plan, NOW)
        with pytest.raises(refusal):
            add_item(user, plan, "插一条", NOW)
    assert snapshot() == before
