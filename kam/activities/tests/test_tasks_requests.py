"""Coordination requests: due dates in working days, who is told, and the status machine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.activities import actions_requests as actions
from kam.activities.models import CoordinationRequest, RequestStatus
from kam.activities.tests.fixtures_tasks import (  # noqa: F401 - _english_messages is autouse
    TODAY,
    Scene,
    _english_messages,
    at,
    make_customer,
    make_scene,
)
from kam.conftest import OrgWorld, make_user
from kam.core.models import AuditAction, AuditEntry, Notification, Role
from kam.customers.models import Collaborator, CollaboratorAccess
from kam.customers.queries import customer_access


def ask(world: OrgWorld, scene: Scene, today: date = TODAY, **values: Any) -> CoordinationRequest:
    base = {"customer": scene.customer, "role": "presales", "kind": "price", "subject": "价格核算", "working_days": 3}
    return actions.create_request(world.owner, {**base, **values}, today=today)


def inbox(user: Any) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", "url"))


@pytest.mark.parametrize(
    ("today", "days", "due"),
    [
        # National Day 2026: Oct 1–7 off; Oct 10 (Saturday) is a make-up workday.
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        (date(2026, 9, 30), 4, date(2026, 10, 12)),
        # Sunday Sep 20 is a make-up workday: Friday + 1 working day is that Sunday.
        (date(2026, 9, 18), 1, date(2026, 9, 20)),
        (date(2026, 9, 18), 3, date(2026, 9, 22)),
    ],
)
def test_due_date_counts_working_days_across_holidays(world: OrgWorld, today: date, days: int, due: date) -> None:
    scene = make_scene(world)
    request = ask(world, scene, today=today, working_days=days)
    assert (request.working_days, request.due_date) == (days, due)


def test_scene_requests_are_due_after_the_national_day_holiday(world: OrgWorld) -> None:
    scene = make_scene(world)
    assert scene.role_request.due_date == date(2026, 10, 10)
    assert scene.named_request.due_date == date(2026, 10, 9)


def test_a_role_request_tells_every_active_user_of_the_role(world: OrgWorld) -> None:
    second = make_user(world.org, "presales2", Role.PRESALES, world.beijing)
    gone = make_user(world.org, "presales3", Role.PRESALES, world.beijing)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    scene = make_scene(world)
    url = f"/requests/{scene.role_request.pk}/"
    assert inbox(world.collaborator) == [("request.new", url)]
    assert inbox(second) == [("request.new", url)]
    assert inbox(gone) == []
    assert inbox(scene.service) == [("request.new", f"/requests/{scene.named_request.pk}/")]
    assert inbox(world.owner) == []
    entry = AuditEntry.objects.get(entity="activities.coordinationrequest", entity_id=scene.role_request.pk)
    assert (entry.action, entry.actor) == (AuditAction.CREATE, world.owner)


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"role": "", "assignee": None}, {"assignee": ["Choose a colleague or a role to ask."]}),
        ({"role": "presales", "assignee": "teammate"}, {"assignee": ["Ask either a colleague or a role, not both."]}),
        ({"role": "", "assignee": "owner"}, {"assignee": ["Ask someone other than yourself."]}),
        ({"role": "", "assignee": "outsider"}, {"assignee": ["Choose an active colleague."]}),
        ({"role": "sales"}, {"role": ["Choose one of the roles offered."]}),
        ({"role": "legal"}, {"role": ["Nobody in your organization has this role yet; ask a colleague by name."]}),
        ({"kind": "gossip"}, {"kind": ["Choose what kind of help you need."]}),
        ({"subject": "   "}, {"subject": ["Say in a few words what you need."]}),
        ({"working_days": 0}, {"working_days": ["Give between 1 and 60 working days."]}),
        ({"working_days": 61}, {"working_days": ["Give between 1 and 60 working days."]}),
        ({"customer": "hidden"}, {"customer": ["Choose a customer you can open."]}),
    ],
)
def test_create_refuses_bad_input_and_changes_nothing(
    world: OrgWorld, values: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    scene = make_scene(world)
    hidden = make_customer(world.stranger, "上海别人的客户有限公司")
    people = {"teammate": world.teammate, "owner": world.owner, "outsider": world.outsider}
    if isinstance(values.get("assignee"), str):
        values = {**values, "assignee": people[values["assignee"]]}
    if values.get("customer") == "hidden":
        values = {**values, "customer": hidden}
    count = CoordinationRequest.objects.count()
    with pytest.raises(ValidationError) as exc:
        ask(world, scene, **values)
    assert exc.value.message_dict == errors
    assert CoordinationRequest.objects.count() == count


def test_role_user_accepts_becomes_assignee_and_a_read_collaborator(world: OrgWorld) -> None:
    scene = make_scene(world)
    presales = world.collaborator
    assert not customer_access(presales, scene.customer).read
    request = actions.accept_request(presales, scene.role_request, now=at(TODAY, 11))
    assert (request.status, request.assignee, request.accepted_at) == ("accepted", presales, at(TODAY, 11))
    collab = Collaborator.objects.get(customer=scene.customer, user=presales)
    assert collab.access == CollaboratorAccess.READ
    shared = AuditEntry.objects.get(entity="customers.customer", entity_id=scene.customer.pk, new__startswith="collab")
    assert (shared.actor, shared.field, shared.new) == (presales, "collaborators", "collab: 只读")
    assert inbox(world.owner) == [("request.accepted", f"/requests/{request.pk}/")]
    changes = AuditEntry.objects.filter(
        entity="activities.coordinationrequest", entity_id=request.pk, action=AuditAction.UPDATE
    ).order_by("field")
    assert [e.field for e in changes] == ["accepted_at", "assignee", "status"]


def test_accepting_a_customer_one_already_sees_adds_no_collaborator(world: OrgWorld) -> None:
    scene = make_scene(world)
    actions.accept_request(world.manager_north, ask(world, scene, role="", assignee=world.manager_north))
    assert not Collaborator.objects.filter(user=world.manager_north).exists()


def test_only_the_recipient_may_accept_and_only_once(world: OrgWorld) -> None:
    scene = make_scene(world)
    for person in (world.owner, world.manager_north, world.admin):
        with pytest.raises(PermissionDenied):
            actions.accept_request(person, scene.role_request)
    with pytest.raises(Http404):
        actions.accept_request(world.stranger, scene.role_request)
    with pytest.raises(Http404):  # presales asked by role cannot see a named request to someone else
        actions.accept_request(world.collaborator, scene.named_request)
    actions.accept_request(scene.service, scene.named_request)
    with pytest.raises(actions.RequestConflict, match="You have already accepted this request."):
        actions.accept_request(scene.service, scene.named_request)


def test_another_role_user_loses_sight_of_a_taken_request(world: OrgWorld) -> None:
    scene = make_scene(world)
    second = make_user(world.org, "presales2", Role.PRESALES, world.beijing)
    actions.accept_request(world.collaborator, scene.role_request)
    with pytest.raises(Http404):
        actions.accept_request(second, scene.role_request)


def test_reject_needs_a_reason_and_records_who_answered(world: OrgWorld) -> None:
    scene = make_scene(world)
    with pytest.raises(ValidationError) as exc:
        actions.reject_request(world.collaborator, scene.role_request, "  ")
    assert exc.value.message_dict == {"reason": ["Say why you reject the request."]}
    with pytest.raises(PermissionDenied):
        actions.reject_request(world.owner, scene.role_request, "不想做")
    request = actions.reject_request(world.collaborator, scene.role_request, "本周排满，请找售前二组")
    assert (request.status, request.assignee, request.reject_reason) == (
        "rejected",
        world.collaborator,
        "本周排满，请找售前二组",
    )
    assert inbox(world.owner) == [("request.rejected", f"/requests/{request.pk}/")]
    assert Notification.objects.get(user=world.owner).body == "本周排满，请找售前二组"
    with pytest.raises(actions.RequestConflict, match="already rejected"):
        actions.cancel_request(world.owner, request)


def test_assignee_may_still_reject_after_accepting(world: OrgWorld) -> None:
    scene = make_scene(world)
    actions.accept_request(scene.service, scene.named_request)
    request = actions.reject_request(scene.service, scene.named_request, "客户需求超出交付范围")
    assert request.status == RequestStatus.REJECTED


def test_complete_needs_acceptance_and_a_result(world: OrgWorld) -> None:
    scene = make_scene(world)
    with pytest.raises(actions.RequestConflict, match="Accept the request before completing it."):
        actions.complete_request(scene.service, scene.named_request, "方案已发")
    with pytest.raises(PermissionDenied):
        actions.complete_request(world.owner, scene.named_request, "方案已发")
    actions.accept_request(scene.service, scene.named_request)
    with pytest.raises(ValidationError) as exc:
        actions.complete_request(scene.service, scene.named_request, "")
    assert exc.value.message_dict == {"result": ["Describe the result."]}
    request = actions.complete_request(scene.service, scene.named_request, "排期：10月20日上线", now=at(TODAY, 16))
    assert (request.status, request.result, request.completed_at) == ("done", "排期：10月20日上线", at(TODAY, 16))
    assert inbox(world.owner)[-1] == ("request.done", f"/requests/{request.pk}/")
    with pytest.raises(actions.RequestConflict):
        actions.complete_request(scene.service, scene.named_request, "再来一次")
    with pytest.raises(actions.RequestConflict):
        actions.cancel_request(world.owner, scene.named_request)


def test_only_the_requester_cancels_and_the_role_is_told(world: OrgWorld) -> None:
    scene = make_scene(world)
    with pytest.raises(PermissionDenied):
        actions.cancel_request(world.manager_north, scene.role_request)
    Notification.objects.all().delete()
    request = actions.cancel_request(world.owner, scene.role_request)
    assert request.status == RequestStatus.CANCELLED
    assert inbox(world.collaborator) == [("request.cancelled", f"/requests/{request.pk}/")]
    with pytest.raises(actions.RequestConflict, match="already cancelled"):
        actions.cancel_request(world.owner, scene.role_request)


def test_comments_reach_the_other_side(world: OrgWorld) -> None:
    scene = make_scene(world)
    Notification.objects.all().delete()
    actions.add_comment(world.owner, scene.named_request, "客户希望周五前给初稿")
    actions.add_comment(scene.service, scene.named_request, "好的")
    actions.add_comment(world.manager_north, scene.named_request, "抓紧")
    url = f"/requests/{scene.named_request.pk}/"
    assert inbox(scene.service) == [("request.comment", url), ("request.comment", url)]
    assert inbox(world.owner) == [("request.comment", url), ("request.comment", url)]
    assert inbox(world.manager_north) == []
    with pytest.raises(ValidationError) as exc:
        actions.add_comment(world.owner, scene.named_request, " \n ")
    assert exc.value.message_dict == {"body": ["Write a comment first."]}
    with pytest.raises(Http404):
        actions.add_comment(world.stranger, scene.named_request, "路过")
    assert scene.named_request.comments.count() == 3
