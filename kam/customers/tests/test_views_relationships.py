"""The relationship map: org-chart building and each coverage warning, with exact values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from kam.customers.models import BuyingRole, Contact
from kam.customers.relationships import CoverageWarning, MapNode, build_tree, coverage_warnings

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def person(pk: int, name: str, *, boss: int | None = None, role: str = BuyingRole.OTHER, **fields: object) -> Contact:
    return Contact(pk=pk, name=name, reports_to_id=boss, buying_role=role, **fields)


def codes(warnings: list[CoverageWarning]) -> list[str]:
    return [w.code for w in warnings]


def covered_team() -> list[Contact]:
    """A decision maker, a coach under them, and one more: nothing to warn about."""
    return [
        person(1, "王总", role=BuyingRole.DECISION_MAKER),
        person(2, "李工", boss=1, role=BuyingRole.COACH),
        person(3, "赵经理", boss=1),
    ]


def test_tree_nests_contacts_under_their_boss() -> None:
    roots, unplaced = build_tree([*covered_team(), person(4, "钱工", boss=3)])
    assert [n.contact.name for n in roots] == ["王总"]
    assert [n.contact.name for n in roots[0].children] == ["李工", "赵经理"]
    assert [n.contact.name for n in roots[0].children[1].children] == ["钱工"]
    assert unplaced == []


def test_contact_without_boss_or_reports_is_unplaced() -> None:
    roots, unplaced = build_tree([*covered_team(), person(5, "孙秘书")])
    assert [n.contact.name for n in roots] == ["王总"]
    assert [n.contact.name for n in unplaced] == ["孙秘书"]


def test_contact_whose_boss_is_not_among_the_contacts_is_a_root() -> None:
    # The boss was deleted: reports_to still points at a row the map does not hold.
    roots, unplaced = build_tree([person(1, "王总", boss=99), person(2, "李工", boss=1), person(3, "周工", boss=98)])
    assert [n.contact.name for n in roots] == ["王总"]
    assert [n.contact.name for n in unplaced] == ["周工"]


def test_reporting_loop_is_shown_flat_as_unplaced() -> None:
    roots, unplaced = build_tree([person(1, "甲", boss=2), person(2, "乙", boss=1), person(3, "丙")])
    assert roots == []
    assert sorted(n.contact.name for n in unplaced) == ["丙", "乙", "甲"]
    assert all(n.children == [] for n in unplaced)


def test_strength_dots_fill_from_the_left() -> None:
    assert MapNode(person(1, "王总", strength=3)).strength_dots == [True, True, True, False, False]


def test_no_warning_for_a_covered_customer() -> None:
    assert coverage_warnings(covered_team(), now=NOW) == []


def test_no_contacts_is_one_warning() -> None:
    warnings = coverage_warnings([], now=NOW)
    assert codes(warnings) == ["no_contacts"]
    assert warnings[0].message == "No contacts are known at this customer."


def test_missing_decision_maker_is_warned() -> None:
    team = [person(2, "李工", role=BuyingRole.COACH), person(3, "赵经理", boss=2)]
    warnings = coverage_warnings(team, now=NOW)
    assert codes(warnings) == ["no_decision_maker"]
    assert warnings[0].message == "No decision maker is known."


def test_missing_coach_is_warned() -> None:
    team = [person(1, "王总", role=BuyingRole.DECISION_MAKER), person(3, "赵经理", boss=1)]
    warnings = coverage_warnings(team, now=NOW)
    assert codes(warnings) == ["no_coach"]
    assert warnings[0].message == "No coach is known."


def test_key_person_not_contacted_for_60_days_is_warned_with_the_days() -> None:
    team = covered_team()
    team[0].is_key_person = True
    team[0].last_contacted_at = NOW - timedelta(days=61, hours=5)
    warnings = coverage_warnings(team, now=NOW)
    assert codes(warnings) == ["key_person_cold"]
    assert warnings[0].message == "No contact with key person 王总 for 61 days."
    assert warnings[0].contacts == (team[0],)


def test_key_person_contacted_59_days_ago_is_fine() -> None:
    team = covered_team()
    team[0].is_key_person = True
    team[0].last_contacted_at = NOW - timedelta(days=59)
    assert coverage_warnings(team, now=NOW) == []


def test_key_person_cold_days_is_a_parameter() -> None:
    team = covered_team()
    team[1].is_key_person = True
    team[1].last_contacted_at = NOW - timedelta(days=31)
    assert codes(coverage_warnings(team, now=NOW, cold_days=30)) == ["key_person_cold"]
    assert coverage_warnings(team, now=NOW) == []


def test_key_person_never_contacted_is_warned() -> None:
    team = covered_team()
    team[2].is_key_person = True
    warnings = coverage_warnings(team, now=NOW)
    assert codes(warnings) == ["key_person_cold"]
    assert warnings[0].message == "Key person 赵经理 has never been contacted."


def test_single_contact_is_single_threaded() -> None:
    only = [person(1, "王总", role=BuyingRole.DECISION_MAKER)]
    warnings = coverage_warnings(only, [only[0]], now=NOW)
    assert codes(warnings) == ["no_coach", "single_threaded"]
    assert warnings[1].message == "Only one contact is known: the relationship is single-threaded."


def test_unplaced_contacts_are_warned_with_their_count() -> None:
    team = covered_team()
    floating = [person(7, "孙秘书"), person(8, "吴工")]
    warnings = coverage_warnings([*team, *floating], floating, now=NOW)
    assert codes(warnings) == ["unplaced"]
    assert warnings[0].message == "2 contacts are not placed in the org chart."
    assert warnings[0].contacts == tuple(floating)
