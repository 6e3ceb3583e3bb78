"""Deal actions: create (defaults, owner rules, probability reason), update (audit, owner row,
versions), close (closing data, snapshot, customer won), reopen, touch, notifications."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from kam.core.errors import StaleVersion
from kam.core.models import AuditEntry, Notification
from kam.customers.actions import set_collaborator
from kam.customers.models import CustomerStatus
from kam.market.models import Competitor
from kam.sales.actions_deals import (
    close_opportunity,
    create_opportunity,
    reopen_opportunity,
    touch_activity,
    update_opportunity,
)
from kam.sales.models import (
    CloseReason,
    Opportunity,
    OpportunityMember,
    QualificationScore,
    StageChange,
)
from kam.sales.tests.fixtures_deals import add_member, aware, make_customer, make_deal, stage_at

CLOSE = date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the default language (zh-hans) has its own test."""
    with translation.override("en"):
        yield


def _new(world, customer=None, actor=None, **extra):
    customer = customer or make_customer(world.owner, "北京冶金集团")
    data = {"name": "轧线改造", "amount": Decimal("880000"), "expected_close_date": CLOSE, **extra}
    return create_opportunity(actor or world.owner, customer, data)


def _reason(world, outcome, label=None):
    reasons = CloseReason.objects.filter(organization=world.org, outcome=outcome).order_by("position")
    return reasons.get(label=label) if label else reasons.first()


def test_create_takes_default_line_first_stage_and_its_probability(world):
    deal = _new(world)
    first = stage_at(world.org, 1)
    assert (deal.stage_id, deal.probability, deal.probability_reason) == (first.pk, 10, "")
    assert deal.business_line.is_default is True
    assert (deal.owner_id, deal.created_by_id, deal.status, deal.version) == (world.owner.pk, world.owner.pk, "open", 1)
    assert deal.forecast_category == "pipeline"
    assert deal.last_activity_at == deal.stage_entered_at


def test_create_writes_owner_member_first_stage_change_and_audit(world):
    deal = _new(world)
    member = OpportunityMember.objects.get(opportunity=deal)
    assert (member.user_id, member.role, member.access, member.split_percent) == (
        world.owner.pk,
        "owner",
        "write",
        Decimal("100.00"),
    )
    change = StageChange.objects.get(opportunity=deal)
    assert (change.from_stage_id, change.to_stage_id, change.from_status, change.to_status) == (
        None,
        deal.stage_id,
        "",
        "open",
    )
    assert list(AuditEntry.objects.filter(entity="sales.opportunity", entity_id=deal.pk).values_list("action")) == [
        ("create",)
    ]


def test_create_with_probability_other_than_default_requires_reason(world):
    with pytest.raises(ValidationError) as exc:
        _new(world, probability=35)
    assert list(exc.value.message_dict) == ["probability_reason"]
    assert Opportunity.objects.count() == 0
    deal = _new(world, probability=35, probability_reason="客户预算已批")
    assert (deal.probability, deal.probability_reason) == (35, "客户预算已批")


def test_create_with_default_probability_drops_the_reason(world):
    deal = _new(world, probability=10, probability_reason="多余")
    assert (deal.probability, deal.probability_reason) == (10, "")


def test_create_in_a_gated_stage_is_refused_naming_the_gate(world):
    with pytest.raises(ValidationError) as exc:
        _new(world, stage=stage_at(world.org, 3))
    assert exc.value.message_dict == {"stage": ["Stage gate not met: Economic buyer ≥ 1 (now 0), Champion ≥ 1 (now 0)"]}


def test_create_refuses_pool_customer_and_read_only_customer(world):
    customer = make_customer(world.owner, "北京冶金集团")
    set_collaborator(world.owner, customer, world.collaborator, "read")
    with pytest.raises(ValidationError) as exc:
        _new(world, customer=customer, actor=world.collaborator)
    assert list(exc.value.message_dict) == ["customer"]
    with pytest.raises(ValidationError):
        _new(world, customer=customer, actor=world.stranger)
    assert Opportunity.objects.count() == 0


def test_create_owner_rules(world):
    customer = make_customer(world.owner, "北京冶金集团")
    # A manager above may give it to the customer's owner or keep it; not to a stranger.
    assert _new(world, customer=customer, actor=world.manager_north, owner=world.owner).owner_id == world.owner.pk
    assert _new(world, customer=customer, actor=world.manager_north).owner_id == world.manager_north.pk
    with pytest.raises(ValidationError) as exc:
        _new(world, customer=customer, actor=world.manager_north, owner=world.stranger)
    assert list(exc.value.message_dict) == ["owner"]
    # The owner may hand it to a manager above or a write collaborator, not to a mere teammate.
    set_collaborator(world.owner, customer, world.collaborator, "write")
    assert _new(world, customer=customer, owner=world.collaborator).owner_id == world.collaborator.pk
    assert _new(world, customer=customer, owner=world.director).owner_id == world.director.pk
    with pytest.raises(ValidationError):
        _new(world, customer=customer, owner=world.teammate)


def test_create_for_someone_else_tells_them(world):
    deal = _new(world, actor=world.manager_north, owner=world.owner)
    assert list(Notification.objects.filter(user=world.owner).values_list("kind", "url")) == [
        ("deal.assigned", f"/deals/{deal.pk}/")
    ]


def test_update_audits_each_field_and_bumps_version(world):
    deal = _new(world)
    deal = update_opportunity(world.owner, deal, {"amount": Decimal("900000"), "next_step": "约见采购总监"})
    assert deal.version == 2
    rows = AuditEntry.objects.filter(entity_id=deal.pk, action="update").order_by("field")
    assert [(r.field, r.old, r.new) for r in rows] == [
        ("amount", "880000.00", "900000"),
        ("next_step", "", "约见采购总监"),
    ]


def test_update_with_stale_version_is_refused(world):
    deal = _new(world)
    update_opportunity(world.owner, deal, {"name": "新名字"})
    with pytest.raises(StaleVersion):
        update_opportunity(world.owner, deal, {"name": "又一个"}, expected_version=1)
    assert Opportunity.objects.get(pk=deal.pk).name == "新名字"


def test_update_cannot_change_stage(world):
    deal = _new(world)
    with pytest.raises(ValidationError) as exc:
        update_opportunity(world.owner, deal, {"stage": stage_at(world.org, 2)})
    assert list(exc.value.message_dict) == ["stage"]


def test_update_probability_needs_reason_and_default_clears_it(world):
    deal = _new(world)
    with pytest.raises(ValidationError) as exc:
        update_opportunity(world.owner, deal, {"probability": 50})
    assert list(exc.value.message_dict) == ["probability_reason"]
    deal = update_opportunity(world.owner, deal, {"probability": 50, "probability_reason": "竞品退出"})
    assert (deal.probability, deal.probability_reason) == (50, "竞品退出")
    deal = update_opportunity(world.owner, deal, {"probability": 10})
    assert (deal.probability, deal.probability_reason) == (10, "")


def test_update_owner_moves_owner_row_and_merges_splits(world):
    customer = make_customer(world.owner, "北京冶金集团")
    deal = make_deal(world.owner, customer)
    OpportunityMember.objects.filter(opportunity=deal, user=world.owner).update(split_percent=70)
    add_member(deal, world.manager_north, access="read", split_percent=30)
    update_opportunity(world.owner, deal, {"owner": world.manager_north})
    rows = OpportunityMember.objects.filter(opportunity=deal).values_list(
        "user__username", "role", "access", "split_percent"
    )
    assert list(rows) == [("mgr_north", "owner", "write", Decimal("100.00"))]
    assert Opportunity.objects.get(pk=deal.pk).owner_id == world.manager_north.pk


def test_update_by_read_member_is_forbidden(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), members=((world.stranger, "read"),))
    with pytest.raises(PermissionDenied):
        update_opportunity(world.stranger, deal, {"name": "x"})
    with pytest.raises(Http404):
        update_opportunity(world.teammate, deal, {"name": "x"})
    assert Opportunity.objects.get(pk=deal.pk).name == "北京冶金集团项目"


def test_close_won_sets_closing_data_snapshot_and_customer_won(world):
    customer = make_customer(world.owner, "北京冶金集团")
    deal = make_deal(world.owner, customer, stage=stage_at(world.org, 2), probability=20)
    QualificationScore.objects.create(organization=world.org, opportunity=deal, element="champion", score=2)
    reason = _reason(world, "won")
    deal = close_opportunity(world.owner, deal, "won", reason=reason, notes=" 方案胜出 ")
    deal = Opportunity.objects.get(pk=deal.pk)
    assert (deal.status, deal.forecast_category, deal.probability, deal.close_reason_id, deal.close_notes) == (
        "won",
        "closed",
        100,
        reason.pk,
        "方案胜出",
    )
    assert deal.closed_at is not None
    assert deal.qualification_snapshot == {
        "metrics": 0,
        "economic_buyer": 0,
        "decision_criteria": 0,
        "decision_process": 0,
        "paper_process": 0,
        "identified_pain": 0,
        "champion": 2,
        "competition": 0,
    }
    change = StageChange.objects.filter(opportunity=deal).latest("id")
    assert (change.from_stage_id, change.to_stage_id, change.from_status, change.to_status) == (
        deal.stage_id,
        deal.stage_id,
        "open",
        "won",
    )
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE
    assert customer.won_at is not None
    assert AuditEntry.objects.filter(entity="customers.customer", entity_id=customer.pk, field="won_at").count() == 1


def test_close_lost_with_winner_and_price_gap_notifies_manager(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    winner = Competitor.objects.create(organization=world.org, name="宝信软件")
    deal = close_opportunity(
        world.owner, deal, "lost", reason=_reason(world, "lost"), won_by=winner, price_gap=Decimal("-12000.50")
    )
    assert (deal.status, deal.forecast_category, deal.probability, deal.won_by_id, deal.price_gap) == (
        "lost",
        "omitted",
        0,
        winner.pk,
        Decimal("-12000.50"),
    )
    assert list(Notification.objects.filter(user=world.manager_north).values_list("kind", flat=True)) == ["deal.lost"]
    assert Notification.objects.filter(user=world.owner).count() == 0


def test_close_refusals(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    winner = Competitor.objects.create(organization=world.org, name="宝信软件")
    cases = [
        ("won", {"reason": _reason(world, "lost")}, "reason"),
        ("won", {"reason": None}, "reason"),
        ("won", {"reason": _reason(world, "won"), "won_by": winner}, "won_by"),
        ("maybe", {"reason": _reason(world, "won")}, "outcome"),
    ]
    for outcome, kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            close_opportunity(world.owner, deal, outcome, **kwargs)
        assert list(exc.value.message_dict) == [field]
    assert Opportunity.objects.get(pk=deal.pk).status == "open"


def test_close_invalid_tells_nobody_and_keeps_customer_status(world):
    customer = make_customer(world.owner, "北京冶金集团")
    deal = make_deal(world.owner, customer)
    close_opportunity(world.owner, deal, "invalid", reason=_reason(world, "invalid"))
    assert Notification.objects.count() == 0
    customer.refresh_from_db()
    assert customer.won_at is None


def test_manager_closing_tells_the_owner(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    close_opportunity(world.manager_north, deal, "won", reason=_reason(world, "won"))
    assert list(Notification.objects.values_list("user__username", "kind")) == [("owner", "deal.won")]


def test_reopen_clears_closing_data_and_returns_to_closing_stage(world):
    stage = stage_at(world.org, 2)
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), stage=stage)
    winner = Competitor.objects.create(organization=world.org, name="宝信软件")
    close_opportunity(world.owner, deal, "lost", reason=_reason(world, "lost"), won_by=winner, notes="价格")
    deal = reopen_opportunity(world.owner, deal)
    deal = Opportunity.objects.get(pk=deal.pk)
    assert (deal.status, deal.closed_at, deal.close_reason_id, deal.won_by_id, deal.close_notes) == (
        "open",
        None,
        None,
        None,
        "",
    )
    assert (deal.stage_id, deal.probability, deal.forecast_category, deal.qualification_snapshot) == (
        stage.pk,
        20,
        "pipeline",
        {},
    )
    change = StageChange.objects.filter(opportunity=deal).latest("id")
    assert (change.from_status, change.to_status, change.to_stage_id) == ("lost", "open", stage.pk)


def test_reopen_to_an_earlier_stage_and_refusals(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), stage=stage_at(world.org, 2))
    with pytest.raises(ValidationError):
        reopen_opportunity(world.owner, deal)  # still open
    close_opportunity(world.owner, deal, "invalid", reason=_reason(world, "invalid"))
    with pytest.raises(ValidationError) as exc:
        reopen_opportunity(world.owner, deal, stage=stage_at(world.org, 3))
    assert list(exc.value.message_dict) == ["stage"]
    deal = reopen_opportunity(world.owner, deal, stage=stage_at(world.org, 1))
    assert (deal.stage_id, deal.probability) == (stage_at(world.org, 1).pk, 10)


def test_touch_activity_only_moves_forward(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"), last_activity_at=aware(2026, 3, 2))
    touch_activity(deal.pk, aware(2026, 3, 1))
    assert Opportunity.objects.get(pk=deal.pk).last_activity_at == aware(2026, 3, 2)
    touch_activity(deal.pk, aware(2026, 3, 5))
    assert Opportunity.objects.get(pk=deal.pk).last_activity_at == aware(2026, 3, 5)


def test_expected_close_date_and_amount_are_checked(world):
    for extra, field in [
        ({"amount": Decimal("-1")}, "amount"),
        ({"expected_close_date": None}, "expected_close_date"),
        ({"expected_close_date": date(1999, 1, 1)}, "expected_close_date"),
        ({"name": "   "}, "name"),
        ({"forecast_category": "closed"}, "forecast_category"),
        ({"next_step_date": CLOSE + timedelta(days=365 * 200)}, "next_step_date"),
    ]:
        with pytest.raises(ValidationError) as exc:
            _new(world, **extra)
        assert list(exc.value.message_dict) == [field]
    assert Opportunity.objects.count() == 0


def test_write_member_cannot_take_the_deal_over(world):
    customer = make_customer(world.owner, "北京冶金集团")
    deal = make_deal(world.owner, customer, members=((world.stranger, "write"),))
    with pytest.raises(ValidationError) as exc:
        update_opportunity(world.stranger, deal, {"owner": world.stranger})
    assert list(exc.value.message_dict) == ["owner"]
    assert Opportunity.objects.get(pk=deal.pk).owner_id == world.owner.pk
    assert update_opportunity(world.stranger, deal, {"next_step": "发方案"}).next_step == "发方案"
