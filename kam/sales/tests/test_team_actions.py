"""The deal team: who manages it, the 100 % split rule (refusals name the sum), the owner's row,
audit rows and the new member's notification."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, Notification
from kam.sales.actions_team import remove_member, set_member, set_splits
from kam.sales.models import MemberAccess, OpportunityMember, TeamRole
from kam.sales.tests.fixtures_deals import deals_state
from kam.sales.tests.lists_scene import Scene, make_scene


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def team(deal: object) -> list[tuple[str, str, str, Decimal]]:
    rows = OpportunityMember.objects.filter(opportunity=deal).select_related("user").order_by("id")
    return [(m.user.username, m.role, m.access, m.split_percent) for m in rows]


def team_audit(deal: object) -> list[tuple[str, str]]:
    rows = AuditEntry.objects.filter(entity="sales.opportunity", entity_id=deal.pk, field="deal_team").order_by("id")  # type: ignore[attr-defined]
    return [(r.old, r.new) for r in rows]


def line(name: str, role: str, access: str, split: str) -> str:
    """An audit line as describe() writes it, in the organization's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{name}: {TeamRole(role).label}, {MemberAccess(access).label}, {split} %"


def test_owner_adds_a_member_who_is_notified_and_audited(scene: Scene) -> None:
    w = scene.world
    set_member(w.owner, scene.steel, w.teammate, role="presales", access="write", split_percent=0)
    assert team(scene.steel) == [
        ("owner", "owner", "write", Decimal("100.00")),
        ("collab", "sales", "read", Decimal("0.00")),
        ("teammate", "presales", "write", Decimal("0.00")),
    ]
    assert team_audit(scene.steel) == [("", line("teammate", "presales", "write", "0"))]
    note = Notification.objects.get(user=w.teammate)
    assert (note.kind, note.title, note.url) == (
        "deal.team_added",
        "owner 把你加入了商机“宝钢冷轧线改造”的团队",
        f"/deals/{scene.steel.pk}/",
    )


def test_changing_a_split_alone_is_refused_naming_the_sum(scene: Scene) -> None:
    w = scene.world
    before = deals_state()
    with pytest.raises(ValidationError) as caught:
        set_member(w.owner, scene.steel, w.collaborator, role="sales", access="read", split_percent=30)
    assert caught.value.message_dict == {
        "split_percent": [
            "The revenue splits of the deal team must add up to 100 %; "
            "they add up to 100 % now and would add up to 130 % with this change."
        ]
    }
    with pytest.raises(ValidationError) as caught:
        set_member(w.owner, scene.steel, w.teammate, role="sales", access="read", split_percent="12.5")
    assert "would add up to 112.5 %" in caught.value.message_dict["split_percent"][0]
    assert deals_state() == before


def test_splits_set_together_must_add_up_to_exactly_100(scene: Scene) -> None:
    w = scene.world
    with pytest.raises(ValidationError) as caught:
        set_splits(w.owner, scene.steel, {w.owner.pk: Decimal("70"), w.collaborator.pk: Decimal("29.99")})
    assert caught.value.message_dict == {
        "splits": [
            "The revenue splits of the deal team must add up to 100 %; "
            "they add up to 100 % now and would add up to 99.99 % with this change."
        ]
    }
    set_splits(w.owner, scene.steel, {w.owner.pk: Decimal("70"), w.collaborator.pk: Decimal("30")})
    assert team(scene.steel) == [
        ("owner", "owner", "write", Decimal("70.00")),
        ("collab", "sales", "read", Decimal("30.00")),
    ]
    assert team_audit(scene.steel) == [
        (line("owner", "owner", "write", "100"), line("owner", "owner", "write", "70")),
        (line("collab", "sales", "read", "0"), line("collab", "sales", "read", "30")),
    ]
    with pytest.raises(ValidationError) as caught:
        set_splits(w.owner, scene.steel, {w.teammate.pk: Decimal("0")})
    assert caught.value.message_dict == {"splits": ["Only members of the deal team have a split."]}
    with pytest.raises(ValidationError):
        set_splits(w.owner, scene.steel, {w.owner.pk: "101", w.collaborator.pk: "-1"})


def test_removing_a_member_gives_their_split_back_to_the_owner(scene: Scene) -> None:
    w = scene.world
    set_splits(w.owner, scene.steel, {w.owner.pk: "60", w.collaborator.pk: "40"})
    remove_member(w.owner, scene.steel, w.collaborator)
    assert team(scene.steel) == [("owner", "owner", "write", Decimal("100.00"))]
    assert team_audit(scene.steel)[-2:] == [
        (line("owner", "owner", "write", "60"), line("owner", "owner", "write", "100")),
        (line("collab", "sales", "read", "40"), ""),
    ]


def test_the_owner_keeps_the_owner_role_write_access_and_the_team(scene: Scene) -> None:
    w = scene.world
    before = deals_state()
    with pytest.raises(ValidationError) as caught:
        remove_member(w.owner, scene.steel, w.owner)
    assert list(caught.value.message_dict) == ["user"]
    with pytest.raises(ValidationError) as caught:
        set_member(w.owner, scene.steel, w.owner, role="owner", access="read", split_percent=100)
    assert caught.value.message_dict == {"role": ["The deal owner keeps the owner role and write access."]}
    with pytest.raises(ValidationError) as caught:
        set_member(w.owner, scene.steel, w.teammate, role="owner", access="write", split_percent=0)
    assert list(caught.value.message_dict) == ["role"]
    with pytest.raises(ValidationError) as caught:
        set_member(w.owner, scene.steel, w.teammate, role="boss", access="write", split_percent=0)
    assert list(caught.value.message_dict) == ["role"]
    with pytest.raises(ValidationError) as caught:
        set_member(w.owner, scene.steel, w.teammate, role="sales", access="admin", split_percent=0)
    assert list(caught.value.message_dict) == ["access"]
    with pytest.raises(ValidationError) as caught:
        set_member(w.owner, scene.steel, w.outsider, role="sales", access="read", split_percent=0)
    assert list(caught.value.message_dict) == ["user"]
    w.teammate.is_active = False
    w.teammate.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        set_member(w.owner, scene.steel, w.teammate, role="sales", access="read", split_percent=0)
    assert deals_state() == before


@pytest.mark.parametrize("part", ["owner", "manager_north", "director", "admin"])
def test_owner_managers_above_and_admins_manage_the_team(scene: Scene, part: str) -> None:
    actor = getattr(scene.world, part)
    set_member(actor, scene.steel, scene.world.teammate, role="sales", access="read", split_percent=0)
    assert [m[0] for m in team(scene.steel)] == ["owner", "collab", "teammate"]


@pytest.mark.parametrize(
    ("part", "error"),
    [
        ("collaborator", PermissionDenied),  # read member
        ("teammate", Http404),  # same team, but neither customer nor deal is theirs
        ("stranger", Http404),
        ("manager_east", Http404),
        ("outsider", Http404),
    ],
)
def test_others_cannot_manage_the_team(scene: Scene, part: str, error: type[Exception]) -> None:
    actor = getattr(scene.world, part)
    before = deals_state()
    with pytest.raises(error):
        set_member(actor, scene.steel, scene.world.stranger, role="sales", access="read", split_percent=0)
    with pytest.raises(error):
        remove_member(actor, scene.steel, scene.world.collaborator)
    with pytest.raises(error):
        set_splits(actor, scene.steel, {scene.world.owner.pk: 100})
    assert deals_state() == before


def test_a_write_member_cannot_manage_the_team(scene: Scene) -> None:
    with pytest.raises(PermissionDenied):
        set_member(scene.writer, scene.power, scene.world.teammate, role="sales", access="read", split_percent=0)
