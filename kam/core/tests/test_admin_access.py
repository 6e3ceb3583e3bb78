"""Access matrix of every admin console page and POST (organization, teams, users, pools).

anonymous → login redirect; rep, manager, director, presales → 403 and nothing changed;
an administrator of another organization → 404 on this organization's records (and nothing changed);
the organization's admin → the page or the redirect after the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.tests.admin_scene import GOOD_PASSWORD, AdminScene, build_scene, english_client, org_fingerprint

Args = Callable[[AdminScene], list[int]]
Data = Callable[[AdminScene], dict[str, Any]]


def _no_args(scene: AdminScene) -> list[int]:
    return []


def _no_data(scene: AdminScene) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    args: Args = _no_args
    data: Data = _no_data
    admin_status: int = 200
    # An admin of another organization: 404 on this organization's records; pages without a
    # record show that admin's own organization (200), and posts change only it.
    outsider_status: int = 404
    extra: dict[str, Any] = field(default_factory=dict)

    def id(self) -> str:
        return f"{self.method} {self.name}"


def _user_data(scene: AdminScene) -> dict[str, Any]:
    return {
        "username": "zhangsan",
        "display_name": "张三",
        "role": "rep",
        "team": scene.world.beijing.pk,
        "phone": "13812345678",
        "email": "zhangsan@example.com",
        "holding_limit": "",
        "lock_limit": "",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
    }


def _edit_data(scene: AdminScene) -> dict[str, Any]:
    data = _user_data(scene)
    data["username"] = "teammate2"
    return data


def _rule_data(scene: AdminScene) -> dict[str, Any]:
    return {"reason": "not_won", "tier": "A", "days": 90, "exempt_locked": "on", "active": "on"}


ENDPOINTS = [
    Endpoint("admin-home", "get", outsider_status=200),
    Endpoint("admin-organization", "get", outsider_status=200),
    Endpoint(
        "admin-organization",
        "post",
        data=lambda s: {
            "name": "新名字",
            "dedup_mode": "block",
            "default_holding_limit": 50,
            "default_lock_limit": 5,
            "checkin_radius_m": 300,
        },
        admin_status=302,
        outsider_status=302,
    ),
    Endpoint(
        "admin-service-levels",
        "post",
        data=lambda s: {"tier_A": 5, "tier_B": 14, "tier_C": ""},
        admin_status=302,
        outsider_status=302,
    ),
    Endpoint("admin-teams", "get", outsider_status=200),
    Endpoint(
        "admin-team-create",
        "post",
        data=lambda s: {"name": "石家庄一组", "kind": "team", "parent": s.world.north.pk},
        admin_status=302,
        outsider_status=200,  # our parent team is no choice for them: a field error
    ),
    Endpoint("admin-team-edit", "get", args=lambda s: [s.world.beijing.pk]),
    Endpoint(
        "admin-team-edit",
        "post",
        args=lambda s: [s.world.beijing.pk],
        data=lambda s: {
            "name": "北京二组",
            "kind": "team",
            "webhook_kind": "dingtalk",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "webhook_secret": "SEC123",
        },
        admin_status=302,
    ),
    Endpoint(
        "admin-team-move",
        "post",
        args=lambda s: [s.world.beijing.pk],
        data=lambda s: {"parent": s.world.east.pk},
        admin_status=302,
    ),
    Endpoint("admin-team-delete", "post", args=lambda s: [s.empty_team.pk], admin_status=302),
    Endpoint("admin-users", "get", outsider_status=200),
    Endpoint("admin-user-create", "get", outsider_status=200),
    Endpoint("admin-user-create", "post", data=_user_data, admin_status=302, outsider_status=200),
    Endpoint("admin-user-edit", "get", args=lambda s: [s.world.teammate.pk]),
    Endpoint("admin-user-edit", "post", args=lambda s: [s.world.teammate.pk], data=_edit_data, admin_status=302),
    Endpoint("admin-user-deactivate", "get", args=lambda s: [s.world.owner.pk]),
    Endpoint(
        "admin-user-deactivate",
        "post",
        args=lambda s: [s.world.owner.pk],
        data=lambda s: {"transfer_to": s.world.teammate.pk},
        admin_status=302,
    ),
    Endpoint("admin-user-reactivate", "post", args=lambda s: [s.inactive.pk], admin_status=302),
    Endpoint("admin-user-password", "get", args=lambda s: [s.world.teammate.pk]),
    Endpoint(
        "admin-user-password",
        "post",
        args=lambda s: [s.world.teammate.pk],
        data=lambda s: {"password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD},
        admin_status=302,
    ),
    Endpoint("admin-user-unlock", "post", args=lambda s: [s.locked.pk], admin_status=302),
    Endpoint("admin-holidays", "get", outsider_status=200),
    Endpoint(
        "admin-holiday-create",
        "post",
        data=lambda s: {"day": "2027-10-08", "is_workday": "0", "name": "国庆节"},
        admin_status=302,
        outsider_status=302,  # an override of their own organization
    ),
    Endpoint("admin-holiday-edit", "get", args=lambda s: [s.holiday.pk]),
    Endpoint(
        "admin-holiday-edit",
        "post",
        args=lambda s: [s.holiday.pk],
        data=lambda s: {"day": "2026-12-31", "is_workday": "0", "name": "年会 (全天)"},
        admin_status=302,
    ),
    Endpoint("admin-holiday-delete", "post", args=lambda s: [s.holiday.pk], admin_status=302),
    Endpoint("admin-pool-list", "get", outsider_status=200),
    Endpoint("admin-pool-create", "get", outsider_status=200),
    Endpoint(
        "admin-pool-create",
        "post",
        data=lambda s: {"name": "华南公海", "claim_daily_cap": 3, "reclaim_cooldown_days": 20, "warn_days_before": 2},
        admin_status=302,
        outsider_status=302,
    ),
    Endpoint("admin-pool-edit", "get", args=lambda s: [s.pool.pk]),
    Endpoint(
        "admin-pool-edit",
        "post",
        args=lambda s: [s.pool.pk],
        data=lambda s: {"name": "北方公海", "claim_daily_cap": 8, "reclaim_cooldown_days": 10, "warn_days_before": 1},
        admin_status=302,
    ),
    Endpoint("admin-pool-delete", "post", args=lambda s: [s.empty_pool.pk], admin_status=302),
    Endpoint("admin-pool-members", "get", args=lambda s: [s.pool.pk]),
    Endpoint(
        "admin-pool-members",
        "post",
        args=lambda s: [s.pool.pk],
        data=lambda s: {"user": s.world.teammate.pk, "is_admin": "on"},
        admin_status=302,
    ),
    Endpoint(
        "admin-pool-member-admin",
        "post",
        args=lambda s: [s.pool.pk, s.member.pk],
        data=lambda s: {"is_admin": "1"},
        admin_status=302,
    ),
    Endpoint("admin-pool-member-remove", "post", args=lambda s: [s.pool.pk, s.member.pk], admin_status=302),
    Endpoint("admin-pool-rules", "get", args=lambda s: [s.pool.pk]),
    Endpoint("admin-pool-rules", "post", args=lambda s: [s.pool.pk], data=_rule_data, admin_status=302),
    Endpoint("admin-pool-rule-edit", "get", args=lambda s: [s.pool.pk, s.rule.pk]),
    Endpoint(
        "admin-pool-rule-edit",
        "post",
        args=lambda s: [s.pool.pk, s.rule.pk],
        data=lambda s: {"reason": "no_followup", "tier": "", "days": 45, "active": "on"},
        admin_status=302,
    ),
    Endpoint("admin-pool-rule-delete", "post", args=lambda s: [s.pool.pk, s.rule.pk], admin_status=302),
]
IDS = [e.id() for e in ENDPOINTS]
REFUSED_ROLES = ["owner", "manager_north", "director", "collaborator"]


def _call(scene: AdminScene, endpoint: Endpoint, role: str | None) -> Any:
    user = getattr(scene.world, role) if role else None
    url = reverse(endpoint.name, args=endpoint.args(scene))
    client = english_client(user)
    if endpoint.method == "get":
        return client.get(url)
    return client.post(url, endpoint.data(scene))


def test_every_console_url_is_in_the_matrix() -> None:
    from kam.core.urls_admin import urlpatterns

    assert {p.name for p in urlpatterns} == {e.name for e in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_anonymous_is_sent_to_login(world: OrgWorld, endpoint: Endpoint) -> None:
    scene = build_scene(world)
    before = org_fingerprint(world.org)
    response = _call(scene, endpoint, None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert org_fingerprint(world.org) == before


@pytest.mark.parametrize("role", REFUSED_ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_non_admins_get_403_and_change_nothing(world: OrgWorld, endpoint: Endpoint, role: str) -> None:
    scene = build_scene(world)
    before = org_fingerprint(world.org)
    response = _call(scene, endpoint, role)
    assert response.status_code == 403
    assert org_fingerprint(world.org) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_admin_of_another_organization_cannot_reach_this_one(world: OrgWorld, endpoint: Endpoint) -> None:
    scene = build_scene(world)
    before = org_fingerprint(world.org)
    response = _call(scene, endpoint, "outsider")
    assert response.status_code == endpoint.outsider_status
    assert org_fingerprint(world.org) == before
    if response.status_code == 200:
        body = response.content.decode()
        for foreign in ("测试科技有限公司", "北京一组", "华北公海", "teammate", "年会"):
            assert foreign not in body


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_admin_is_served_and_posts_change_the_organization(world: OrgWorld, endpoint: Endpoint) -> None:
    scene = build_scene(world)
    before = org_fingerprint(world.org)
    response = _call(scene, endpoint, "admin")
    assert response.status_code == endpoint.admin_status, response.content.decode()[:2000]
    if endpoint.method == "post":
        after = org_fingerprint(world.org)
        assert after != before
        assert after[-1] > before[-1]  # and wrote audit rows
    else:
        assert org_fingerprint(world.org) == before
