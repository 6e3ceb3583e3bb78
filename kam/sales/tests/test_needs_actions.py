"""save_needs: versions, refusals, the deal's needs_changed_at, audit, the manager's bell, the hook."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.conftest import OrgWorld
from kam.core.errors import StaleVersion
from kam.core.models import AuditEntry, Notification
from kam.sales import actions_needs
from kam.sales.actions_needs import MAX_ITEMS, save_needs
from kam.sales.models import NeedsVersion, Opportunity
from kam.sales.tests.fixtures_needs import Scene, at, db_state, first_needs, item, items_of, make_scene, values_of


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def change(
    scene: Scene, base: int, *, reason: str = "客户新增信创要求", user: Any = None, **fields: Any
) -> NeedsVersion:
    data = {"pain": "数据分散在五个系统", "budget_min": Decimal("500000"), "budget_max": Decimal("800000"),
            "timeline": "年底前上线", **fields}  # fmt: skip
    items = fields.pop("items", None) or [item("统一数据平台", 1), item("支持国产数据库", 2, priority="high")]
    return save_needs(user or scene.world.owner, scene.deal, data, items, reason=reason, base_version=base,
                      now=at("2026-03-11 10:00"))  # fmt: skip


def test_first_save_is_v1_with_items_keyed_from_1(scene: Scene) -> None:
    version = first_needs(scene, now=at("2026-03-10 09:00"))
    assert version.number == 1
    assert version.author == scene.world.owner
    assert values_of(version) == {"pain": "数据分散在五个系统", "budget_min": Decimal("500000.00"),
                                  "budget_max": Decimal("800000.00"), "timeline": "年底前上线",
                                  "decision_criteria": "", "solution_notes": ""}  # fmt: skip
    assert items_of(version) == [
        {"key": 1, "description": "统一数据平台", "priority": "medium", "necessity": "must", "fit": "met"},
        {"key": 2, "description": "支持国产数据库", "priority": "high", "necessity": "must", "fit": "met"},
    ]


def test_v1_is_not_a_change_no_needs_changed_at_no_notification(scene: Scene) -> None:
    first_needs(scene)
    scene.deal.refresh_from_db()
    assert scene.deal.needs_changed_at is None
    assert Notification.objects.count() == 0
    row = AuditEntry.objects.get(entity="sales.opportunity", entity_id=scene.deal.pk, field="needs")
    assert (row.old, row.new) == ("", "V1")


def test_v2_sets_needs_changed_at_audits_and_tells_the_manager(scene: Scene) -> None:
    first_needs(scene)
    version = change(scene, 1, budget_min=Decimal("300000"))
    assert version.number == 2
    assert version.reason == "客户新增信创要求"
    scene.deal.refresh_from_db()
    assert scene.deal.needs_changed_at == at("2026-03-11 10:00")
    rows = AuditEntry.objects.filter(entity="sales.opportunity", entity_id=scene.deal.pk, field="needs")
    assert sorted((r.old, r.new) for r in rows) == [("", "V1"), ("V1", "V2")]
    note = Notification.objects.get()
    assert note.user == scene.world.manager_north
    assert note.kind == "needs_changed"
    assert note.url == f"/deals/{scene.deal.pk}/needs/history/"


def test_manager_changing_the_needs_is_not_told_about_it(scene: Scene) -> None:
    first_needs(scene)
    change(scene, 1, user=scene.world.manager_north, budget_min=Decimal("300000"))
    assert Notification.objects.count() == 0


def test_nothing_changed_is_refused(scene: Scene) -> None:
    first_needs(scene)
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        change(scene, 1)
    assert list(caught.value.message_dict) == ["__all__"]
    assert db_state() == before


def test_reordering_alone_is_no_change(scene: Scene) -> None:
    first_needs(scene)
    with pytest.raises(ValidationError):
        change(scene, 1, items=[item("支持国产数据库", 2, priority="high"), item("统一数据平台", 1)])


def test_reason_is_required_from_v2(scene: Scene) -> None:
    first_needs(scene)
    with pytest.raises(ValidationError) as caught:
        change(scene, 1, reason="  ", timeline="明年三月")
    assert list(caught.value.message_dict) == ["reason"]
    assert NeedsVersion.objects.count() == 1


def test_stale_base_version_is_refused(scene: Scene) -> None:
    first_needs(scene)
    change(scene, 1, timeline="明年三月")
    before = db_state()
    with pytest.raises(StaleVersion) as caught:
        change(scene, 1, timeline="明年六月")
    assert caught.value.current == 2
    assert db_state() == before


def test_a_second_first_analysis_is_stale(scene: Scene) -> None:
    first_needs(scene)
    with pytest.raises(StaleVersion):
        first_needs(scene)


def test_new_requirement_never_reuses_a_removed_key(scene: Scene) -> None:
    first_needs(scene)
    change(scene, 1, items=[item("统一数据平台", 1)])  # key 2 removed
    version = change(scene, 2, items=[item("统一数据平台", 1), item("移动端报表")])
    assert [(i["key"], i["description"]) for i in items_of(version)] == [(1, "统一数据平台"), (3, "移动端报表")]


def test_key_of_a_removed_requirement_is_refused(scene: Scene) -> None:
    first_needs(scene)
    change(scene, 1, items=[item("统一数据平台", 1)])
    with pytest.raises(ValidationError) as caught:
        change(scene, 2, items=[item("统一数据平台", 1), item("支持国产数据库", 2)])
    assert list(caught.value.message_dict) == ["items.1.key"]


def test_budget_range_upside_down_is_refused(scene: Scene) -> None:
    with pytest.raises(ValidationError) as caught:
        first_needs(scene, budget_min=Decimal("900000"))
    assert list(caught.value.message_dict) == ["budget_max"]


def test_at_most_max_items(scene: Scene) -> None:
    items = [item(f"需求{n}") for n in range(MAX_ITEMS + 1)]
    with pytest.raises(ValidationError) as caught:
        save_needs(scene.world.owner, scene.deal, {}, items, base_version=0)
    assert list(caught.value.message_dict) == ["items"]


def test_blank_description_and_bad_choice_name_the_row(scene: Scene) -> None:
    with pytest.raises(ValidationError) as caught:
        save_needs(scene.world.owner, scene.deal, {}, [item("统一数据平台"), item(" ")], base_version=0)
    assert list(caught.value.message_dict) == ["items.1.description"]
    with pytest.raises(ValidationError) as caught:
        save_needs(scene.world.owner, scene.deal, {}, [item("统一数据平台", fit="perfect")], base_version=0)
    assert list(caught.value.message_dict) == ["items.0.fit"]


def test_read_only_member_and_stranger_cannot_save(scene: Scene) -> None:
    with pytest.raises(PermissionDenied):
        save_needs(scene.world.teammate, scene.deal, {"pain": "x"}, [], base_version=0)
    with pytest.raises(PermissionDenied):
        save_needs(scene.world.collaborator, scene.deal, {"pain": "x"}, [], base_version=0)
    with pytest.raises(Http404):
        save_needs(scene.world.stranger, scene.deal, {"pain": "x"}, [], base_version=0)
    assert NeedsVersion.objects.count() == 0


def test_needs_changed_hook_runs_for_v2_only(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(actions_needs, "_needs_changed_hooks", [])
    actions_needs.register_needs_changed_hook(lambda deal, version: seen.append((deal.pk, version.number)))
    first_needs(scene)
    change(scene, 1, timeline="明年三月")
    assert seen == [(scene.deal.pk, 2)]


def test_needs_changed_at_is_not_touched_by_a_refused_change(scene: Scene) -> None:
    first_needs(scene)
    with pytest.raises(ValidationError):
        change(scene, 1, reason="")
    assert Opportunity.objects.get(pk=scene.deal.pk).needs_changed_at is None
