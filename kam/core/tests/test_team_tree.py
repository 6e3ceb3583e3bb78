"""The team tree: materialised paths written by create_team and the subtree lookups built on them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.actions import create_team
from kam.core.models import Organization, Team, TeamKind


def test_root_and_child_paths_chain_the_ids(world: OrgWorld) -> None:
    assert world.company.path == f"/{world.company.pk}/"
    assert world.north.path == f"/{world.company.pk}/{world.north.pk}/"
    assert world.beijing.path == f"/{world.company.pk}/{world.north.pk}/{world.beijing.pk}/"
    assert (world.company.kind, world.north.kind, world.beijing.kind) == (
        TeamKind.COMPANY,
        TeamKind.REGION,
        TeamKind.TEAM,
    )
    assert Team.objects.get(pk=world.beijing.pk).path == world.beijing.path


def test_subtree_is_the_team_and_everything_below_it(world: OrgWorld) -> None:
    assert set(world.company.subtree()) == {world.company, world.north, world.east, world.beijing, world.shanghai}
    assert set(world.north.subtree()) == {world.north, world.beijing}
    assert set(world.beijing.subtree()) == {world.beijing}


def test_subtree_does_not_catch_a_team_whose_id_merely_starts_the_same(world: OrgWorld) -> None:
    """/1/ must not match /12/: the trailing slash separates ids."""
    teams = [create_team(world.org, f"组{i}", parent=world.company) for i in range(12)]
    by_id = {t.pk: t for t in [world.company, world.north, world.east, world.beijing, world.shanghai, *teams]}
    for team in by_id.values():
        expected = {t for t in by_id.values() if t.pk == team.pk or f"/{team.pk}/" in t.path}
        assert set(team.subtree()) == expected


def test_subtree_stays_inside_the_organization(world: OrgWorld) -> None:
    other = Organization.objects.create(name="第三家", code="third")
    foreign_root = create_team(other, "第三家公司", kind=TeamKind.COMPANY)
    Team.objects.filter(pk=foreign_root.pk).update(path=world.company.path + "999/")
    assert foreign_root not in set(world.company.subtree())


def test_sibling_names_are_unique_but_cousins_may_share_a_name(world: OrgWorld) -> None:
    create_team(world.org, "二组", parent=world.north)
    assert create_team(world.org, "二组", parent=world.east).parent == world.east
    with pytest.raises(IntegrityError), transaction.atomic():
        create_team(world.org, "二组", parent=world.north)
    assert Team.objects.filter(name="二组").count() == 2


def test_a_failed_create_leaves_no_half_written_team(world: OrgWorld) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create_team(world.org, "北京一组", parent=world.north)
    assert not Team.objects.filter(path="").exists()


def test_a_team_cannot_hang_under_another_organizations_team(world: OrgWorld) -> None:
    foreign = world.outsider.team
    assert foreign is not None
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        create_team(world.org, "越界团队", parent=foreign)
    with translation.override("en"):
        assert exc.value.message_dict == {"parent": ["Choose a parent team of your own organization."]}
    assert not Team.objects.filter(name="越界团队").exists()
