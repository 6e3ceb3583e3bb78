"""Builders for the task and coordination-request tests (not a test module itself).

The scene: a customer owned by `world.owner` (manager_north is above them) with `world.teammate`
as a read-only collaborator; a task of the owner on it; a request of the owner to the presales role
(world.collaborator has that role and cannot see the customer); a request of the owner to a named
service colleague in 上海一组 (so manager_east is above the assignee); a finance user; nobody is legal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from kam.activities import actions_requests, actions_tasks
from kam.activities.models import CoordinationRequest, Task
from kam.conftest import OrgWorld, make_user
from kam.core.models import AuditEntry, Notification, Role, User
from kam.customers.actions import create_customer, set_collaborator
from kam.customers.models import Collaborator, CollaboratorAccess, Customer

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 9, 30)

# Who plays which part of the matrix (STYLE.md §9 plus the parties of a request).
PEOPLE = {
    "outsider": "outsider",
    "stranger": "stranger",
    "collaborator": "teammate",  # read-only collaborator of the customer
    "role_user": "collaborator",  # a presales user: the role asked
    "owner": "owner",  # the requester / task owner
    "assignee": "service",  # the named colleague asked
    "manager": "manager_north",  # above the owner
    "manager_east": "manager_east",  # above the assignee only
    "admin": "admin",
}


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Refusals are compared in English (autouse where imported); notifications keep the organization's
    language, Chinese, whatever the sender reads."""
    with translation.override("en"):
        yield


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """An aware Beijing time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def make_customer(actor: User, name: str, **fields: Any) -> Customer:
    return create_customer(
        actor, {"name": name, **fields}, tag_names=None, owner=None, pool=None, confirm_duplicates=True
    )


@dataclass
class Scene:
    world: OrgWorld
    service: User
    customer: Customer
    task: Task
    role_request: CoordinationRequest
    named_request: CoordinationRequest

    def user(self, part: str) -> User | None:
        if part == "anonymous":
            return None
        name = PEOPLE.get(part, part)
        if name == "service":
            return self.service
        user: User = getattr(self.world, name)
        return user

    def ids(self) -> dict[str, int]:
        return {
            "customer": self.customer.pk,
            "task": self.task.pk,
            "role_request": self.role_request.pk,
            "named_request": self.named_request.pk,
            "service": self.service.pk,
        }


def make_scene(world: OrgWorld) -> Scene:
    service = make_user(world.org, "service", Role.SERVICE, world.shanghai)
    make_user(world.org, "finance", Role.FINANCE, world.company)  # so the finance role can be asked
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    set_collaborator(world.owner, customer, world.teammate, CollaboratorAccess.READ)
    task = actions_tasks.create_task(
        world.owner, {"title": "准备报价单", "customer": customer, "due_at": at(TODAY, 17), "remind_at": at(TODAY, 9)}
    )
    role_request = actions_requests.create_request(
        world.owner,
        {"customer": customer, "role": "presales", "kind": "solution", "subject": "技术方案", "working_days": 3},
        today=TODAY,
    )
    named_request = actions_requests.create_request(
        world.owner,
        {"customer": customer, "assignee": service, "kind": "delivery", "subject": "交付排期", "working_days": 2},
        today=TODAY,
    )
    return Scene(world, service, customer, task, role_request, named_request)


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row a task or request step could touch, to compare before and after a refusal."""
    models = list(apps.get_app_config("activities").get_models())
    models += [Collaborator, AuditEntry, Notification]
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in models}


def english_client(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client
