"""Organization endpoints: /me, /users, /teams — one organization only, flat query counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.conftest import OrgWorld, make_user
from kam.core.actions import create_team
from kam.core.models import Role
from kam.core.tests.api_support import ROLES, _fast_password_hashing, call, session_client, user_for  # noqa: F401


def test_me_describes_the_signed_in_user(world: OrgWorld) -> None:
    data = call(session_client(world.manager_north), "GET", "/me").data
    assert data == {
        "id": world.manager_north.pk,
        "username": "mgr_north",
        "name": "mgr_north",
        "role": "manager",
        "team": {"id": world.north.pk, "name": "华北大区"},
        "organization": {"id": world.org.pk, "name": "测试科技有限公司"},
        "is_admin": False,
        "supervises": True,
    }


def test_org_endpoints_answer_401_to_anonymous_and_stay_inside_the_org(world: OrgWorld) -> None:
    for role in ROLES:
        client = session_client(user_for(world, role))
        users = call(client, "GET", "/users")
        teams = call(client, "GET", "/teams")
        if role == "anonymous":
            assert (users.status_code, teams.status_code, call(client, "GET", "/me").status_code) == (401, 401, 401)
        elif role == "outsider":
            assert [u["username"] for u in users.data] == ["outsider"]
            assert [t["name"] for t in teams.data] == ["别家"]
        else:
            assert "outsider" not in {u["username"] for u in users.data}
            assert len(teams.data) == 5


def test_users_list_colleagues_with_role_and_team(world: OrgWorld) -> None:
    users = call(session_client(world.owner), "GET", "/users").data
    owner = next(u for u in users if u["username"] == "owner")
    assert owner == {
        "id": world.owner.pk,
        "username": "owner",
        "name": "owner",
        "role": "rep",
        "team": {"id": world.beijing.pk, "name": "北京一组"},
    }
    assert [u["username"] for u in users] == sorted(u["username"] for u in users)


def test_teams_come_as_a_tree_in_path_order(world: OrgWorld) -> None:
    teams = call(session_client(world.owner), "GET", "/teams").data
    assert teams[0] == {"id": world.company.pk, "name": "测试公司", "kind": "company", "parent_id": None,
                        "path": f"/{world.company.pk}/"}  # fmt: skip
    by_id = {t["id"]: t for t in teams}
    assert by_id[world.beijing.pk]["parent_id"] == world.north.pk
    assert by_id[world.beijing.pk]["path"] == f"/{world.company.pk}/{world.north.pk}/{world.beijing.pk}/"


def _queries(world: OrgWorld, path: str) -> int:
    client = session_client(world.owner)
    call(client, "GET", path)
    with CaptureQueriesContext(connection) as queries:
        assert call(client, "GET", path).status_code == 200
    return len(queries)


def test_user_and_team_lists_query_count_is_flat(world: OrgWorld) -> None:
    before = (_queries(world, "/users"), _queries(world, "/teams"))
    for index in range(20):
        team = create_team(world.org, f"新组{index}", parent=world.north)
        make_user(world.org, f"rep{index}", Role.REP, team)
    assert (_queries(world, "/users"), _queries(world, "/teams")) == before
