"""Visit actions: plan, check in and out with distances and flags, the follow-up record, cancel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.activities.actions_followups import create_followup
from kam.activities.actions_visits import cancel_visit, check_in, check_out, plan_visit
from kam.activities.geo import Position
from kam.activities.models import FollowUpKind, Visit, VisitStatus
from kam.activities.tests.fixtures_followups import (  # noqa: F401 - media_root is an autouse fixture
    BEIJING_WEST,
    TIANANMEN,
    Scene,
    at,
    db_state,
    make_customer,
    make_scene,
    media_root,
)
from kam.conftest import OrgWorld
from kam.core.models import AuditEntry

PLANNED = at("2026-11-20 10:00")
NEAR = Position(Decimal("39.910000"), Decimal("116.397499"), 25.0)  # 142 m north of 天安门


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


@pytest.fixture
def visit(scene: Scene) -> Visit:
    return plan_visit(scene.world.owner, scene.customer, PLANNED, 90, "演示二期方案")


def test_plan_a_visit(scene: Scene, visit: Visit) -> None:
    assert (visit.owner, visit.customer, visit.status) == (scene.world.owner, scene.customer, VisitStatus.PLANNED)
    assert (visit.planned_at, visit.planned_minutes, visit.purpose) == (PLANNED, 90, "演示二期方案")


def test_check_in_near_the_customer_is_in_range(scene: Scene, visit: Visit) -> None:
    visit = check_in(scene.world.owner, visit, NEAR, now=at("2026-11-20 10:02"))
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.status == VisitStatus.CHECKED_IN
    assert stored.check_in_at == at("2026-11-20 10:02")
    assert (stored.check_in_latitude, stored.check_in_longitude) == (Decimal("39.910000"), Decimal("116.397499"))
    assert stored.check_in_distance_m == 142
    assert stored.check_in_out_of_range is False
    position = AuditEntry.objects.get(entity="activities.visit", entity_id=visit.pk, field="check_in_position")
    assert position.new == "39.910000, 116.397499 (±25 m)"


def test_check_in_at_beijing_west_is_6625_m_and_flagged(scene: Scene, visit: Visit) -> None:
    visit = check_in(scene.world.owner, visit, Position(*BEIJING_WEST), now=at("2026-11-20 10:02"))
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.check_in_distance_m, stored.check_in_out_of_range) == (6625, True)


def test_the_radius_comes_from_the_organization(scene: Scene, visit: Visit) -> None:
    scene.world.org.checkin_radius_m = 100
    scene.world.org.save(update_fields=["checkin_radius_m"])
    visit = check_in(scene.world.owner, visit, NEAR, now=at("2026-11-20 10:02"))
    assert (visit.check_in_distance_m, visit.check_in_out_of_range) == (142, True)


def test_no_position_is_stored_and_flagged(scene: Scene, visit: Visit) -> None:
    visit = check_in(scene.world.owner, visit, None, now=at("2026-11-20 10:02"))
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.check_in_latitude, stored.check_in_distance_m, stored.check_in_out_of_range) == (None, None, True)


def test_customer_without_coordinates_has_no_distance_and_no_flag(scene: Scene) -> None:
    bare = make_customer(scene.world.owner, "无坐标客户有限公司")
    visit = plan_visit(scene.world.owner, bare, PLANNED)
    visit = check_in(scene.world.owner, visit, NEAR, now=at("2026-11-20 10:02"))
    assert (visit.check_in_distance_m, visit.check_in_out_of_range) == (None, False)
    assert visit.check_in_latitude == Decimal("39.910000")


def test_check_out_stores_position_and_stay_then_the_visit_ends_in_a_followup(scene: Scene, visit: Visit) -> None:
    owner = scene.world.owner
    check_in(owner, visit, NEAR, now=at("2026-11-20 10:02"))
    visit = check_out(owner, visit, Position(*TIANANMEN), now=at("2026-11-20 11:29"))
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.status == VisitStatus.DONE
    assert (stored.check_out_at, stored.stay_minutes) == (at("2026-11-20 11:29"), 87)
    assert (stored.check_out_distance_m, stored.check_out_out_of_range) == (0, False)
    followup = create_followup(
        owner,
        scene.customer,
        {
            "kind": "call",
            "occurred_at": stored.check_in_at,
            "content": "演示二期方案",
            "feedback": "认可方案",
            "next_step": "报价",
            "next_followup_at": at("2026-11-23 10:00"),
        },  # fmt: skip
        contacts=[scene.contact],
        visit=stored,
        now=at("2026-11-20 11:35"),
    )
    assert followup.kind == FollowUpKind.VISIT  # the record of a visit is a visit, whatever was sent
    assert Visit.objects.get(pk=visit.pk).followup == followup
    with pytest.raises(ValidationError) as caught:  # one record per visit
        create_followup(
            owner, scene.customer,
            {"kind": "visit", "occurred_at": stored.check_in_at, "content": "再记", "feedback": "",
             "next_step": "", "next_followup_at": None},
            visit=stored, now=at("2026-11-20 11:40"),
        )  # fmt: skip
    assert list(caught.value.message_dict) == ["visit"]


def test_a_visit_is_recorded_only_after_check_out(scene: Scene, visit: Visit) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        create_followup(
            scene.world.owner, scene.customer,
            {"kind": "visit", "occurred_at": PLANNED, "content": "记录", "feedback": "", "next_step": "",
             "next_followup_at": None},
            visit=visit, now=at("2026-11-20 11:40"),
        )  # fmt: skip
    assert list(caught.value.message_dict) == ["visit"]
    assert db_state() == before


def test_only_the_visitor_checks_in(scene: Scene, visit: Visit) -> None:
    w = scene.world
    before = db_state()
    for someone in (w.manager_north, w.admin, w.collaborator):
        with pytest.raises(PermissionDenied):
            check_in(someone, visit, NEAR)
    for someone in (w.stranger, w.outsider):
        with pytest.raises(Http404):
            check_in(someone, visit, NEAR)
    assert db_state() == before


def test_check_in_twice_and_check_out_before_check_in_are_refused(scene: Scene, visit: Visit) -> None:
    with pytest.raises(ValidationError):
        check_out(scene.world.owner, visit, NEAR)
    check_in(scene.world.owner, visit, NEAR)
    before = db_state()
    with pytest.raises(ValidationError):
        check_in(scene.world.owner, visit, NEAR)
    assert db_state() == before


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [("90.000001", "116", "latitude"), ("-91", "116", "latitude"), ("39", "180.5", "longitude"),
     ("39", "-181", "longitude"), ("NaN", "116", "latitude")],
)  # fmt: skip
def test_positions_out_of_range_are_refused(
    scene: Scene, visit: Visit, latitude: str, longitude: str, field: str
) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        check_in(scene.world.owner, visit, Position(Decimal(latitude), Decimal(longitude)))
    assert list(caught.value.message_dict) == [field]
    assert db_state() == before


def test_cancel_a_planned_visit(scene: Scene, visit: Visit) -> None:
    with pytest.raises(PermissionDenied):
        cancel_visit(scene.world.collaborator, visit)
    visit = cancel_visit(scene.world.manager_north, visit)
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.CANCELLED
    with pytest.raises(ValidationError):
        cancel_visit(scene.world.owner, visit)


def test_a_started_visit_cannot_be_cancelled(scene: Scene, visit: Visit) -> None:
    check_in(scene.world.owner, visit, NEAR)
    with pytest.raises(ValidationError):
        cancel_visit(scene.world.owner, visit)


@pytest.mark.parametrize("minutes", [0, 4, 721, 100000])
def test_planned_duration_is_bounded(scene: Scene, minutes: int) -> None:
    with pytest.raises(ValidationError) as caught:
        plan_visit(scene.world.owner, scene.customer, PLANNED, minutes)
    assert list(caught.value.message_dict) == ["planned_minutes"]


def test_a_read_only_collaborator_may_plan_their_own_visit(scene: Scene) -> None:
    visit = plan_visit(scene.world.collaborator, scene.customer, PLANNED + timedelta(days=1))
    assert visit.owner == scene.world.collaborator
