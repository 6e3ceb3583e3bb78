"""The team tree in the admin console: create, rename, move a subtree (paths and visibility), delete."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.actions import create_team
from kam.core.admin_actions import add_team, move_team
from kam.core.models import AuditAction, AuditEntry, Team, User
from kam.core.tests.admin_scene import audit_rows, english_client, org_fingerprint, query_count
from kam.customers.actions import create_customer
from kam.customers.queries import visible_customers


def test_tree_page_shows_every_team_indented_in_tree_order(world: OrgWorld) -> None:
    body = english_client(world.admin).get(reverse("admin-teams")).content.decode()
    rows = [body.index(name) for name in ("测试公司", "华北大区", "北京一组", "华东大区", "上海一组")]
    assert rows == sorted(rows)
    edit = reverse("admin-team-edit", args=[world.beijing.pk])
    assert f'\u3000\u3000└ <a href="{edit}">北京一组</a>' in body
    assert f'\u3000└ <a href="{reverse("admin-team-edit", args=[world.north.pk])}">华北大区</a>' in body


def test_admin_creates_a_team_under_a_parent_with_its_path_and_an_audit_row(world: OrgWorld) -> None:
    response = english_client(world.admin).post(
        reverse("admin-team-create"), {"name": "天津一组", "kind": "team", "parent": world.north.pk}, follow=True
    )
    assert "Team 天津一组 created." in response.content.decode()
    team = Team.objects.get(name="天津一组")
    assert (team.organization, team.parent, team.kind) == (world.org, world.north, "team")
    assert team.path == f"{world.north.path}{team.pk}/"
    assert audit_rows(team) == [(AuditAction.CREATE, "", "", "")]


def test_a_new_top_level_team_gets_a_root_path(world: OrgWorld) -> None:
    english_client(world.admin).post(reverse("admin-team-create"), {"name": "子公司", "kind": "company", "parent": ""})
    team = Team.objects.get(name="子公司")
    assert (team.parent, team.path) == (None, f"/{team.pk}/")


def test_create_refuses_a_parent_of_another_organization(world: OrgWorld) -> None:
    foreign = Team.objects.get(organization=world.outsider.organization)
    before = org_fingerprint(world.org)
    with pytest.raises(ValidationError) as exc:
        add_team(world.admin, name="偷渡组", parent=foreign, kind="team")
    assert exc.value.message_dict == {"parent": ["Choose a parent team of your own organization."]}
    body = (
        english_client(world.admin)
        .post(reverse("admin-team-create"), {"name": "偷渡组", "kind": "team", "parent": foreign.pk})
        .content.decode()
    )
    assert "Select a valid choice. That choice is not one of the available choices." in body
    assert org_fingerprint(world.org) == before
    assert not Team.objects.filter(name="偷渡组").exists()


def test_create_refuses_a_sibling_name_twice_as_a_field_error(world: OrgWorld) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-team-create"), {"name": "北京一组", "kind": "team", "parent": world.north.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["There is already a team called 北京一组 there."]}
    assert org_fingerprint(world.org) == before


def test_create_with_missing_name_and_bad_kind_changes_nothing(world: OrgWorld) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-team-create"), {"name": "", "kind": "galaxy", "parent": world.north.pk}
    )
    assert response.context["form"].errors == {
        "name": ["This field is required."],
        "kind": ["Select a valid choice. galaxy is not one of the available choices."],
    }
    assert org_fingerprint(world.org) == before


def test_rename_writes_field_audit_rows(world: OrgWorld) -> None:
    response = english_client(world.admin).post(
        reverse("admin-team-edit", args=[world.beijing.pk]), {"name": "北京大客户组", "kind": "team"}
    )
    assert response["Location"] == reverse("admin-teams")
    team = Team.objects.get(pk=world.beijing.pk)
    assert team.name == "北京大客户组"
    assert audit_rows(team) == [(AuditAction.UPDATE, "name", "北京一组", "北京大客户组")]
    assert AuditEntry.objects.get(entity="core.team", entity_id=team.pk).actor == world.admin


def test_rename_to_a_sibling_name_is_a_field_error(world: OrgWorld) -> None:
    create_team(world.org, "北京二组", parent=world.north)
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-team-edit", args=[world.beijing.pk]), {"name": "北京二组", "kind": "team"}
    )
    assert response.context["edit_form"].errors == {"name": ["There is already a team called 北京二组 there."]}
    assert org_fingerprint(world.org) == before


def test_moving_a_team_rewrites_the_paths_of_its_whole_subtree(world: OrgWorld) -> None:
    group_a = create_team(world.org, "北京一组A", parent=world.beijing)
    group_a1 = create_team(world.org, "北京一组A1", parent=group_a)
    untouched = {t.pk: t.path for t in Team.objects.exclude(pk__in=[world.beijing.pk, group_a.pk, group_a1.pk])}
    response = english_client(world.admin).post(
        reverse("admin-team-move", args=[world.beijing.pk]), {"parent": world.east.pk}
    )
    assert response["Location"] == reverse("admin-teams")
    beijing = Team.objects.get(pk=world.beijing.pk)
    assert beijing.parent == world.east
    assert beijing.path == f"{world.east.path}{beijing.pk}/"
    assert Team.objects.get(pk=group_a.pk).path == f"{beijing.path}{group_a.pk}/"
    assert Team.objects.get(pk=group_a1.pk).path == f"{beijing.path}{group_a.pk}/{group_a1.pk}/"
    assert {t.pk: t.path for t in Team.objects.exclude(pk__in=[beijing.pk, group_a.pk, group_a1.pk])} == untouched
    assert set(Team.objects.get(pk=world.east.pk).subtree()) == {world.east, world.shanghai, beijing, group_a, group_a1}
    assert audit_rows(beijing) == [(AuditAction.UPDATE, "parent", "华北大区", "华东大区")]


def test_after_a_move_the_manager_above_the_new_parent_sees_the_teams_customers(world: OrgWorld) -> None:
    deep = create_team(world.org, "北京一组A", parent=world.beijing)
    deep_rep = User.objects.create_user(username="deep", password="x", organization=world.org, team=deep)
    mine = create_customer(world.owner, {"name": "北京星河数据科技有限公司"}, confirm_duplicates=True)
    theirs = create_customer(deep_rep, {"name": "北京银河软件有限公司"}, confirm_duplicates=True)
    assert set(visible_customers(world.manager_north)) == {mine, theirs}
    assert set(visible_customers(world.manager_east)) == set()
    move_team(world.admin, world.beijing, world.east)
    assert set(visible_customers(world.manager_east)) == {mine, theirs}
    assert set(visible_customers(world.manager_north)) == set()
    assert set(visible_customers(world.director)) == {mine, theirs}


def test_moving_to_the_top_level_makes_a_root(world: OrgWorld) -> None:
    move_team(world.admin, world.north, None)
    north = Team.objects.get(pk=world.north.pk)
    assert (north.parent, north.path) == (None, f"/{north.pk}/")
    assert Team.objects.get(pk=world.beijing.pk).path == f"/{north.pk}/{world.beijing.pk}/"


def test_moving_under_its_own_descendant_is_refused(world: OrgWorld) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-team-move", args=[world.north.pk]), {"parent": world.beijing.pk}
    )
    assert response.status_code == 200
    assert response.context["move_form"].errors == {
        "parent": ["A team cannot move under itself or one of its own sub-teams."]
    }
    with pytest.raises(ValidationError):
        move_team(world.admin, world.north, world.north)
    assert org_fingerprint(world.org) == before


def test_moving_next_to_a_sibling_of_the_same_name_is_refused(world: OrgWorld) -> None:
    create_team(world.org, "北京一组", parent=world.east)
    before = org_fingerprint(world.org)
    with pytest.raises(ValidationError) as exc:
        move_team(world.admin, world.beijing, world.east)
    assert exc.value.message_dict == {"parent": ["There is already a team called 北京一组 there."]}
    assert org_fingerprint(world.org) == before


def test_moving_under_a_team_of_another_organization_is_refused(world: OrgWorld) -> None:
    foreign = Team.objects.get(organization=world.outsider.organization)
    with pytest.raises(ValidationError) as exc:
        move_team(world.admin, world.beijing, foreign)
    assert exc.value.message_dict == {"parent": ["Choose a parent team of your own organization."]}
    assert Team.objects.get(pk=world.beijing.pk).parent == world.north


def test_delete_refuses_a_team_with_members_or_sub_teams(world: OrgWorld) -> None:
    client = english_client(world.admin)
    before = org_fingerprint(world.org)
    with_members = client.post(reverse("admin-team-delete", args=[world.beijing.pk]), follow=True)
    assert "This team still has members; move them to another team first." in with_members.content.decode()
    empty_region = create_team(world.org, "西南大区", parent=world.company, kind="region")
    create_team(world.org, "成都一组", parent=empty_region)
    before = org_fingerprint(world.org)
    with_children = client.post(reverse("admin-team-delete", args=[empty_region.pk]), follow=True)
    assert "This team still has sub-teams; move or delete them first." in with_children.content.decode()
    assert org_fingerprint(world.org) == before


def test_a_deactivated_member_still_keeps_a_team_from_deletion(world: OrgWorld) -> None:
    team = create_team(world.org, "天津一组", parent=world.north)
    User.objects.create_user(username="gone", password="x", organization=world.org, team=team, is_active=False)
    english_client(world.admin).post(reverse("admin-team-delete", args=[team.pk]))
    assert Team.objects.filter(pk=team.pk).exists()


def test_delete_an_empty_team_leaves_an_audit_row(world: OrgWorld) -> None:
    team = create_team(world.org, "天津一组", parent=world.north)
    response = english_client(world.admin).post(reverse("admin-team-delete", args=[team.pk]), follow=True)
    assert "Team 天津一组 deleted." in response.content.decode()
    assert not Team.objects.filter(pk=team.pk).exists()
    assert audit_rows(team) == [(AuditAction.PURGE, "", "", "")]


def test_team_page_lists_its_members(world: OrgWorld) -> None:
    body = english_client(world.admin).get(reverse("admin-team-edit", args=[world.beijing.pk])).content.decode()
    assert reverse("admin-user-edit", args=[world.owner.pk]) in body
    assert reverse("admin-user-edit", args=[world.teammate.pk]) in body
    assert reverse("admin-user-edit", args=[world.stranger.pk]) not in body


def test_tree_page_query_count_does_not_grow_with_teams(world: OrgWorld) -> None:
    client = english_client(world.admin)
    few = query_count(client, reverse("admin-teams"))
    region = create_team(world.org, "西南大区", parent=world.company, kind="region")
    for i in range(25):
        create_team(world.org, f"成都{i}组", parent=region)
    assert Team.objects.filter(organization=world.org).count() == 31
    assert query_count(client, reverse("admin-teams")) == few


def test_team_page_shows_its_moves_in_the_history(world: OrgWorld) -> None:
    move_team(world.admin, world.beijing, world.east)
    history = english_client(world.admin).get(reverse("admin-team-edit", args=[world.beijing.pk])).context["history"]
    assert [(row.label, row.entry.old, row.entry.new) for row in history] == [("parent", "华北大区", "华东大区")]
