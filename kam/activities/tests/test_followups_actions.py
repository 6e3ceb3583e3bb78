"""Follow-up actions: who may log, the time rules, the customer's clocks, audit, the merge hook."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.activities.actions_followups import create_followup, delete_followup, update_followup
from kam.activities.actions_visits import plan_visit
from kam.activities.models import CoordinationRequest, FollowUp, Task, Visit
from kam.activities.tests.fixtures_followups import Scene, at, db_state, make_customer, make_scene, media_root  # noqa: F401
from kam.conftest import OrgWorld
from kam.core.models import AuditAction, AuditEntry, User
from kam.customers.actions import merge_customers, set_collaborator
from kam.customers.models import Customer, Pool, PoolMember

NOW = at("2026-11-20 18:00")


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def log(actor: User, customer: Customer, when: str = "2026-11-20 10:00", **fields: Any) -> FollowUp:
    contacts = fields.pop("contacts", ())
    data = {
        "kind": "call",
        "occurred_at": at(when),
        "content": "电话沟通二期需求",
        "feedback": "",
        "next_step": "",
        "next_followup_at": None,
        **fields,
    }
    return create_followup(actor, customer, data, contacts=contacts, now=NOW)


def fresh(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def test_logging_moves_the_customer_clocks_in_the_same_transaction(scene: Scene) -> None:
    followup = log(
        scene.world.owner,
        scene.customer,
        feedback="价格偏高，希望分期",
        next_step="发送分期方案",
        next_followup_at=at("2026-11-25 09:00"),
        contacts=[scene.contact],
    )
    customer = fresh(scene.customer)
    assert customer.last_followup_at == at("2026-11-20 10:00")
    assert customer.next_followup_at == at("2026-11-25 09:00")
    assert customer.version == scene.customer.version + 1
    assert list(followup.contacts.all()) == [scene.contact]
    assert followup.author == scene.world.owner
    assert followup.feedback == "价格偏高，希望分期"
    created = AuditEntry.objects.get(entity="activities.followup", entity_id=followup.pk)
    assert created.action == AuditAction.CREATE
    change = AuditEntry.objects.get(entity="customers.customer", entity_id=scene.customer.pk, field="next_followup_at")
    assert (change.old, change.actor) == ("", scene.world.owner)


def test_a_backdated_followup_never_moves_the_clock_back(scene: Scene) -> None:
    log(scene.world.owner, scene.customer, "2026-11-20 10:00", next_followup_at=at("2026-11-25 09:00"))
    log(scene.world.owner, scene.customer, "2026-11-18 10:00", next_followup_at=at("2026-11-19 09:00"))
    customer = fresh(scene.customer)
    assert customer.last_followup_at == at("2026-11-20 10:00")
    assert customer.next_followup_at == at("2026-11-25 09:00")


def test_a_later_followup_without_a_next_time_keeps_a_next_time_still_ahead(scene: Scene) -> None:
    log(scene.world.owner, scene.customer, "2026-11-18 10:00", next_followup_at=at("2026-11-25 09:00"))
    log(scene.world.owner, scene.customer, "2026-11-20 10:00")
    assert fresh(scene.customer).next_followup_at == at("2026-11-25 09:00")


def test_a_later_followup_clears_a_next_time_it_passed(scene: Scene) -> None:
    log(scene.world.owner, scene.customer, "2026-11-18 10:00", next_followup_at=at("2026-11-19 09:00"))
    log(scene.world.owner, scene.customer, "2026-11-20 10:00")
    customer = fresh(scene.customer)
    assert customer.last_followup_at == at("2026-11-20 10:00")
    assert customer.next_followup_at is None


def test_a_followup_on_the_planned_day_counts_as_the_planned_one_done_early(scene: Scene) -> None:
    # Planned for 09:00 on the 20th, done at 08:00 the same day: the plan must not call it overdue.
    log(scene.world.owner, scene.customer, "2026-11-18 10:00", next_followup_at=at("2026-11-20 09:00"))
    log(scene.world.owner, scene.customer, "2026-11-20 08:00")
    assert fresh(scene.customer).next_followup_at is None


def test_deleting_the_latest_recomputes_both_clocks(scene: Scene) -> None:
    log(scene.world.owner, scene.customer, "2026-11-18 10:00", next_followup_at=at("2026-11-21 09:00"))
    latest = log(scene.world.owner, scene.customer, "2026-11-20 10:00", next_followup_at=at("2026-11-25 09:00"))
    delete_followup(scene.world.owner, latest)
    customer = fresh(scene.customer)
    assert customer.last_followup_at == at("2026-11-18 10:00")
    assert customer.next_followup_at == at("2026-11-21 09:00")
    assert not FollowUp.objects.filter(pk=latest.pk).exists()
    gone = AuditEntry.objects.get(entity="activities.followup", entity_id=latest.pk, action=AuditAction.PURGE)
    assert gone.old == "电话沟通二期需求"


def test_deleting_the_only_followup_clears_the_clocks(scene: Scene) -> None:
    only = log(scene.world.owner, scene.customer, next_followup_at=at("2026-11-25 09:00"))
    delete_followup(scene.world.owner, only)
    customer = fresh(scene.customer)
    assert (customer.last_followup_at, customer.next_followup_at) == (None, None)


def test_deleting_an_older_followup_leaves_the_clocks(scene: Scene) -> None:
    older = log(scene.world.owner, scene.customer, "2026-11-18 10:00")
    log(scene.world.owner, scene.customer, "2026-11-20 10:00", next_followup_at=at("2026-11-25 09:00"))
    delete_followup(scene.world.owner, older)
    customer = fresh(scene.customer)
    assert (customer.last_followup_at, customer.next_followup_at) == (at("2026-11-20 10:00"), at("2026-11-25 09:00"))


def test_moving_the_latest_earlier_recomputes(scene: Scene) -> None:
    log(scene.world.owner, scene.customer, "2026-11-18 10:00", next_followup_at=at("2026-11-22 09:00"))
    latest = log(scene.world.owner, scene.customer, "2026-11-20 10:00", next_followup_at=at("2026-11-25 09:00"))
    update_followup(scene.world.owner, latest, {"occurred_at": at("2026-11-17 10:00")}, now=NOW)
    customer = fresh(scene.customer)
    assert customer.last_followup_at == at("2026-11-18 10:00")
    assert customer.next_followup_at == at("2026-11-22 09:00")


def test_clearing_the_next_time_of_the_latest_clears_the_customer_next_time(scene: Scene) -> None:
    latest = log(scene.world.owner, scene.customer, next_followup_at=at("2026-11-25 09:00"))
    update_followup(scene.world.owner, latest, {"next_followup_at": None}, now=NOW)
    assert fresh(scene.customer).next_followup_at is None


def test_update_writes_one_audit_row_per_changed_field(scene: Scene) -> None:
    followup = log(scene.world.owner, scene.customer)
    update_followup(
        scene.world.owner, followup, {"feedback": "同意试用", "kind": "wechat"}, contacts=[scene.contact], now=NOW
    )
    rows = AuditEntry.objects.filter(entity="activities.followup", entity_id=followup.pk, action=AuditAction.UPDATE)
    assert {(row.field, row.old, row.new) for row in rows} == {
        ("feedback", "", "同意试用"),
        ("kind", "电话", "微信"),
        ("contacts", "", "王建国"),
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"occurred_at": NOW + timedelta(minutes=11)}, "occurred_at"),
        ({"occurred_at": at("1999-12-31 10:00")}, "occurred_at"),
        ({"next_followup_at": at("2026-11-20 10:00")}, "next_followup_at"),
        ({"next_followup_at": at("2026-11-19 10:00")}, "next_followup_at"),
        ({"next_followup_at": at("2101-01-01 10:00")}, "next_followup_at"),
        ({"content": "   "}, "content"),
        ({"kind": "fax"}, "kind"),
        ({"next_step": "步" * 201}, "next_step"),
    ],
)
def test_bad_values_are_refused_on_their_field_and_change_nothing(
    scene: Scene, fields: dict[str, Any], field: str
) -> None:
    before = db_state()
    data = {"kind": "call", "occurred_at": at("2026-11-20 10:00"), "content": "沟通", "feedback": "",
            "next_step": "", "next_followup_at": None, **fields}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        create_followup(scene.world.owner, scene.customer, data, now=NOW)
    assert list(caught.value.message_dict) == [field]
    assert db_state() == before


def test_a_few_minutes_ahead_is_tolerated(scene: Scene) -> None:
    followup = create_followup(
        scene.world.owner,
        scene.customer,
        {
            "kind": "call",
            "occurred_at": NOW + timedelta(minutes=5),
            "content": "沟通",
            "feedback": "",
            "next_step": "",
            "next_followup_at": None,
        },  # fmt: skip
        now=NOW,
    )
    assert followup.occurred_at == NOW + timedelta(minutes=5)


def test_contacts_must_belong_to_the_customer(scene: Scene) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        log(scene.world.owner, scene.customer, contacts=[scene.hidden_contact])
    assert list(caught.value.message_dict) == ["contacts"]
    assert db_state() == before


def test_read_only_collaborator_may_log_but_not_edit_the_customer(scene: Scene) -> None:
    followup = log(scene.world.collaborator, scene.customer, kind="visit", content="陪同拜访，演示方案")
    assert followup.author == scene.world.collaborator
    assert fresh(scene.customer).last_followup_at == at("2026-11-20 10:00")


@pytest.mark.parametrize("who", ["stranger", "outsider"])
def test_people_who_cannot_see_the_customer_get_404(scene: Scene, who: str) -> None:
    before = db_state()
    with pytest.raises(Http404):
        log(getattr(scene.world, who), scene.customer)
    assert db_state() == before


def test_pool_members_must_claim_before_logging(scene: Scene) -> None:
    w = scene.world
    pool = Pool.objects.create(organization=w.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=w.teammate, is_admin=False)
    PoolMember.objects.create(pool=pool, user=w.manager_north, is_admin=True)
    pooled = make_customer(w.manager_north, "天津远航物流有限公司", pool=pool)
    with pytest.raises(PermissionDenied):
        log(w.teammate, pooled)
    assert log(w.manager_north, pooled).customer == pooled  # a pool admin may


def test_only_author_manager_above_or_admin_may_change(scene: Scene) -> None:
    w = scene.world
    followup = log(w.collaborator, scene.customer)
    set_collaborator(w.owner, scene.customer, w.teammate, "write")
    for outsider in (w.owner, w.teammate, w.manager_north):
        # They can see it (the customer is theirs or below them) but did not write it.
        with pytest.raises(PermissionDenied):
            update_followup(outsider, followup, {"feedback": "改"}, now=NOW)
    update_followup(w.manager_east, followup, {"feedback": "经理补充"}, now=NOW)  # above the presales author
    update_followup(w.admin, followup, {"feedback": "管理员"}, now=NOW)
    update_followup(w.collaborator, followup, {"feedback": "作者"}, now=NOW)
    assert FollowUp.objects.get(pk=followup.pk).feedback == "作者"


def test_merge_moves_activities_to_the_survivor(scene: Scene) -> None:
    w = scene.world
    duplicate = make_customer(w.owner, "星河数据")
    followup = log(w.owner, duplicate, "2026-11-19 10:00")
    visit = plan_visit(w.owner, duplicate, at("2026-11-26 10:00"))
    task = Task.objects.create(organization=w.org, owner=w.owner, title="回访", customer=duplicate)
    request = CoordinationRequest.objects.create(
        organization=w.org, customer=duplicate, requester=w.owner, role="presales", kind="solution",
        subject="技术方案", working_days=3, due_date=at("2026-11-25 10:00").date(),
    )  # fmt: skip
    merge_customers(w.manager_north, scene.customer, duplicate)
    assert FollowUp.objects.get(pk=followup.pk).customer_id == scene.customer.pk
    assert Visit.objects.get(pk=visit.pk).customer_id == scene.customer.pk
    assert Task.objects.get(pk=task.pk).customer_id == scene.customer.pk
    assert CoordinationRequest.objects.get(pk=request.pk).customer_id == scene.customer.pk
    assert fresh(scene.customer).last_followup_at == at("2026-11-19 10:00")
    assert not FollowUp.objects.filter(customer=duplicate).exists()
