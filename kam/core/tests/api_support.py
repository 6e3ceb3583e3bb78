"""Helpers for API tests: a client per access role, JSON calls, and a snapshot to prove nothing changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from kam.conftest import OrgWorld
from kam.core.actions import create_api_token
from kam.core.models import AuditEntry, Notification, User

API = "/api/v1"

# The six people of the access matrix (STYLE.md §9), by the `world` attribute that plays them.
ROLES = ("anonymous", "outsider", "stranger", "collaborator", "owner", "manager")
ROLE_USERS = {
    "outsider": "outsider",
    "stranger": "stranger",
    "collaborator": "collaborator",
    "owner": "owner",
    "manager": "manager_north",
}
READ = {"anonymous": 401, "outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}
WRITE = {**READ, "collaborator": 403}
# Reference tables are static; everything else that a customer write could touch is compared.
_STATIC_MODELS = {"customers.industry", "customers.region", "customers.citytier"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The world fixture creates ten users; MD5 keeps that cheap. Autouse, so it runs before `world`."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def user_for(world: OrgWorld, role: str) -> User | None:
    return None if role == "anonymous" else getattr(world, ROLE_USERS.get(role, role))


def session_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def bearer_client(user: User) -> Client:
    _token, plain = create_api_token(user, "test")
    return Client(headers={"Authorization": f"Bearer {plain}"})


def call(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """One JSON call under /api/v1; the response gets `.data` (parsed JSON or None)."""
    response = client.generic(
        method,
        API + path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )
    content = response.content
    response.data = json.loads(content) if content and response["Content-Type"].startswith("application/json") else None
    return response


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of the customers app plus audit and notifications, to compare before and after."""
    models = [m for m in apps.get_app_config("customers").get_models() if m._meta.label_lower not in _STATIC_MODELS]
    models += [AuditEntry, Notification]
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in models}


def rolled_back(fn: Callable[[], Any]) -> Any:
    """Run `fn` inside a transaction that is rolled back, so the next caller starts from the same data."""
    with transaction.atomic():
        result = fn()
        transaction.set_rollback(True)
    return result
