"""Competitors present in a deal: add, change, remove, the once-per-deal and one-winner rules, audit on the deal."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.core.audit import in_default_language
from kam.core.models import AuditEntry
from kam.market.tests.fixtures_competitors import _english_messages, add_to_deal, make_competitor  # noqa: F401
from kam.sales.actions_competitors import add_deal_competitor, remove_deal_competitor, update_deal_competitor
from kam.sales.models import CompetitorStatus, DealCompetitor, MemberAccess, OpportunityStatus
from kam.sales.queries import get_opportunity_for_user, opportunity_access
from kam.sales.queries_competitors import competitor_lines, competitors_of
from kam.sales.sections_competitors import competitors_section
from kam.sales.tests.fixtures_deals import add_member, make_customer, make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(world: Any) -> Any:
    return make_deal(world.owner, make_customer(world.owner, "北京地铁"), name="北京地铁信号项目")


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def _deal_audit(deal: Any) -> list[tuple[str, str, str]]:
    rows = AuditEntry.objects.filter(entity="sales.opportunity", entity_id=deal.pk).order_by("pk")
    return [(row.field, row.old, row.new) for row in rows]


def test_the_owner_adds_changes_and_removes_a_competitor_audited_on_the_deal(world: Any, deal: Any) -> None:
    rival = make_competitor(world.org, "华为")
    row = add_deal_competitor(world.owner, deal, rival, {"status": CompetitorStatus.INCUMBENT, "notes": "现有供应商"})
    assert (row.opportunity_id, row.competitor_id, row.status, row.notes, row.updated_by_id) == (
        deal.pk,
        rival.pk,
        "incumbent",
        "现有供应商",
        world.owner.pk,
    )
    update_deal_competitor(world.manager_north, row, {"status": CompetitorStatus.ELIMINATED, "notes": "技术分低"})
    row.refresh_from_db()
    assert (row.status, row.notes, row.updated_by_id) == ("eliminated", "技术分低", world.manager_north.pk)
    remove_deal_competitor(world.owner, row)
    assert DealCompetitor.objects.count() == 0
    assert {entry[0] for entry in _deal_audit(deal)} == {"competitors"}
    incumbent = in_default_language(CompetitorStatus.INCUMBENT.label)
    eliminated = in_default_language(CompetitorStatus.ELIMINATED.label)
    assert [entry[1:] for entry in _deal_audit(deal)] == [
        ("", f"华为 ({incumbent})"),
        (f"华为 ({incumbent})", f"华为 ({eliminated})"),
        ("华为: 现有供应商", "华为: 技术分低"),
        (f"华为 ({eliminated})", ""),
    ]


def test_a_competitor_is_listed_once_per_deal(world: Any, deal: Any) -> None:
    rival = make_competitor(world.org, "华为")
    add_deal_competitor(world.owner, deal, rival, {})
    with pytest.raises(ValidationError) as exc:
        add_deal_competitor(world.owner, deal, rival, {"status": CompetitorStatus.INCUMBENT})
    assert _errors(exc) == {"competitor": ["This competitor is in the deal already."]}
    assert DealCompetitor.objects.count() == 1
    other = make_deal(world.owner, deal.customer, name="二期")
    assert add_deal_competitor(world.owner, other, rival, {}).status == CompetitorStatus.SHORTLISTED


@pytest.mark.parametrize("case", ["inactive", "other organization", "not a competitor"])
def test_only_active_competitors_of_the_organization_can_be_listed(world: Any, deal: Any, case: str) -> None:
    competitor: Any = {
        "inactive": lambda: make_competitor(world.org, "停用对手", active=False),
        "other organization": lambda: make_competitor(world.outsider.organization, "别家的对手"),
        "not a competitor": lambda: deal.customer,
    }[case]()
    with pytest.raises(ValidationError) as exc:
        add_deal_competitor(world.owner, deal, competitor, {})
    assert _errors(exc) == {"competitor": ["Choose an active competitor of your organization."]}
    assert DealCompetitor.objects.count() == 0
    assert _deal_audit(deal) == []


def test_at_most_one_competitor_won_the_deal(world: Any, deal: Any) -> None:
    huawei = make_competitor(world.org, "华为")
    cisco = make_competitor(world.org, "思科")
    add_deal_competitor(world.owner, deal, huawei, {"status": CompetitorStatus.WON})
    with pytest.raises(ValidationError) as exc:
        add_deal_competitor(world.owner, deal, cisco, {"status": CompetitorStatus.WON})
    assert _errors(exc) == {"status": ["Another competitor already won this deal."]}
    row = add_deal_competitor(world.owner, deal, cisco, {})
    with pytest.raises(ValidationError) as exc:
        update_deal_competitor(world.owner, row, {"status": CompetitorStatus.WON})
    assert _errors(exc) == {"status": ["Another competitor already won this deal."]}
    row.refresh_from_db()
    assert row.status == CompetitorStatus.SHORTLISTED
    winner = DealCompetitor.objects.get(competitor=huawei)
    assert (
        update_deal_competitor(world.owner, winner, {"status": CompetitorStatus.WON, "notes": "价格低"}).notes
        == "价格低"
    )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"status": "winner"}, "status", "Choose a status."),
        ({"status": None}, "status", "Choose a status."),
        ({"notes": "x" * 2001}, "notes", "Keep this under 2000 characters."),
        ({"notes": "a\x00b"}, "notes", "Null characters are not allowed."),
    ],
)
def test_bad_values_are_refused_on_their_field(
    world: Any, deal: Any, values: dict[str, Any], field: str, message: str
) -> None:
    rival = make_competitor(world.org, "华为")
    with pytest.raises(ValidationError) as exc:
        add_deal_competitor(world.owner, deal, rival, values)
    assert _errors(exc) == {field: [message]}
    row = add_to_deal(deal, rival)
    with pytest.raises(ValidationError) as exc:
        update_deal_competitor(world.owner, row, values)
    assert _errors(exc) == {field: [message]}


def test_readers_and_strangers_are_refused_by_the_actions(world: Any, deal: Any) -> None:
    rival = make_competitor(world.org, "华为")
    row = add_to_deal(deal, rival)
    add_member(deal, world.collaborator, access=MemberAccess.READ)
    for user, error in [(world.collaborator, PermissionDenied), (world.stranger, Http404), (world.outsider, Http404)]:
        with pytest.raises(error):
            add_deal_competitor(user, deal, make_competitor(world.org, f"对手{user.pk}"), {})
        with pytest.raises(error):
            update_deal_competitor(user, row, {"status": CompetitorStatus.ELIMINATED})
        with pytest.raises(error):
            remove_deal_competitor(user, row)
    row.refresh_from_db()
    assert (row.status, DealCompetitor.objects.count(), _deal_audit(deal)) == ("shortlisted", 1, [])


def test_a_write_member_of_the_deal_team_may_list_competitors(world: Any, deal: Any) -> None:
    add_member(deal, world.stranger, access=MemberAccess.WRITE)
    row = add_deal_competitor(world.stranger, deal, make_competitor(world.org, "华为"), {})
    assert row.updated_by_id == world.stranger.pk


def test_a_deal_lost_to_a_competitor_shows_it_as_the_winner(world: Any) -> None:
    huawei = make_competitor(world.org, "华为")
    cisco = make_competitor(world.org, "思科")
    zte = make_competitor(world.org, "中兴")
    lost = make_deal(world.owner, make_customer(world.owner, "天津港"), status=OpportunityStatus.LOST, won_by=huawei)
    add_to_deal(lost, cisco, CompetitorStatus.ELIMINATED)
    add_to_deal(lost, huawei, CompetitorStatus.SHORTLISTED)
    lost = get_opportunity_for_user(world.owner, lost.pk)
    lines = competitor_lines(lost, competitors_of(lost))
    assert [(line.competitor.name, line.status) for line in lines] == [("华为", "won"), ("思科", "eliminated")]
    unlisted = make_deal(world.owner, lost.customer, name="三期", status=OpportunityStatus.LOST, won_by=zte)
    add_to_deal(unlisted, cisco)
    unlisted = get_opportunity_for_user(world.owner, unlisted.pk)
    lines = competitor_lines(unlisted, competitors_of(unlisted))
    assert [(line.competitor.name, line.status, line.row is None) for line in lines] == [
        ("中兴", "won", True),
        ("思科", "shortlisted", False),
    ]


@pytest.mark.parametrize("rows", [2, 6])
def test_the_section_costs_the_same_queries_whatever_the_deal_holds(
    world: Any, deal: Any, django_assert_max_num_queries: Any, rows: int
) -> None:
    for index in range(rows):
        add_to_deal(deal, make_competitor(world.org, f"对手{index}"))
    make_competitor(world.org, "未列入")
    deal = get_opportunity_for_user(world.owner, deal.pk)
    access = opportunity_access(world.owner, deal)
    with django_assert_max_num_queries(2):
        section = competitors_section(deal, world.owner, access)
        offered = [label for value, label in section["form"].fields["competitor"].widget.choices if value]
    assert len(section["lines"]) == rows
    assert offered == ["未列入"]
