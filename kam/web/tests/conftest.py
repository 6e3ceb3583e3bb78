"""Helpers of the web shell tests: fast password hashing and customers made through the actions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from kam.core.models import User
from kam.customers.models import Customer

# Every person of the world fixture who may log in; each must get the shell pages.
WORLD_USERS = [
    "owner",
    "teammate",
    "stranger",
    "collaborator",
    "manager_north",
    "manager_east",
    "director",
    "admin",
    "outsider",
]

MakeCustomers = Callable[..., list[Customer]]
ClientFor = Callable[[User | None], Client]


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Settings) -> None:
    """The world fixture hashes nine passwords; MD5 keeps that from dominating the test time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_customers(db: None) -> MakeCustomers:
    def make(owner: User, count: int, prefix: str = "星辰测试") -> list[Customer]:
        from kam.customers.actions import create_customer

        return [
            create_customer(owner, {"name": f"{prefix}{i:03d}号科技有限公司"}, confirm_duplicates=True)
            for i in range(count)
        ]

    return make


@pytest.fixture
def en_client() -> ClientFor:
    """A client whose browser asks for English, for assertions on the English wording."""

    def make(user: User | None) -> Client:
        client = Client(headers={"accept-language": "en"})
        if user is not None:
            client.force_login(user)
        return client

    return make


def query_count(client: Client, url: str, **headers: str) -> int:
    """How many queries one GET of `url` makes (the page must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)
