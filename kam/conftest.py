"""Shared fixtures: one organization with a team tree and a person for every access case.

Tree: 公司 (director) → 华北大区 (manager_north) → 北京一组 (owner, teammate)
                     → 华东大区 (manager_east)  → 上海一组 (stranger)
plus an admin, a collaborator and a user of another organization (outsider).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from kam.core.actions import create_team
from kam.core.models import Organization, Role, Team, User


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach outside this machine; loopback stays open for live-server tests."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise RuntimeError(f"network access to {host} in a test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2 at full strength costs seconds per fixture; tests need no real hashing cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_working_calendar() -> Iterator[None]:
    """The holiday overrides are cached per process, and SQLite reuses organization ids between tests."""
    from kam.core import workcal

    workcal.clear_caches()
    yield
    workcal.clear_caches()


class OrgWorld:
    """The people and teams of the fixture organization, by their access role."""

    org: Organization
    company: Team
    north: Team
    east: Team
    beijing: Team
    shanghai: Team
    owner: User
    teammate: User
    stranger: User
    collaborator: User
    manager_north: User
    manager_east: User
    director: User
    admin: User
    outsider: User


def make_user(org: Organization, username: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, organization=org, role=role, team=team
    )
    user.display_name = username
    user.save(update_fields=["display_name"])
    return user


@pytest.fixture
def world(db: None) -> OrgWorld:
    w = OrgWorld()
    w.org = Organization.objects.create(name="测试科技有限公司", code="test")
    w.company = create_team(w.org, "测试公司", kind="company")
    w.north = create_team(w.org, "华北大区", parent=w.company, kind="region")
    w.east = create_team(w.org, "华东大区", parent=w.company, kind="region")
    w.beijing = create_team(w.org, "北京一组", parent=w.north)
    w.shanghai = create_team(w.org, "上海一组", parent=w.east)
    w.owner = make_user(w.org, "owner", Role.REP, w.beijing)
    w.teammate = make_user(w.org, "teammate", Role.REP, w.beijing)
    w.stranger = make_user(w.org, "stranger", Role.REP, w.shanghai)
    w.collaborator = make_user(w.org, "collab", Role.PRESALES, w.shanghai)
    w.manager_north = make_user(w.org, "mgr_north", Role.MANAGER, w.north)
    w.manager_east = make_user(w.org, "mgr_east", Role.MANAGER, w.east)
    w.director = make_user(w.org, "director", Role.DIRECTOR, w.company)
    w.admin = make_user(w.org, "admin", Role.ADMIN, w.company)
    other = Organization.objects.create(name="别家公司", code="other")
    other_team = create_team(other, "别家", kind="company")
    w.outsider = make_user(other, "outsider", Role.ADMIN, other_team)
    return w


@pytest.fixture
def client_for() -> Any:
    def login(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return login
