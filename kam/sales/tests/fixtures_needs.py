"""Builders for the needs and day-hook tests (not a test module itself).

A scene is one customer of `world.owner` with `world.collaborator` as a read collaborator, one open
deal on it whose deal team has `world.teammate` as a read member, and a customer + deal of
`world.stranger` that the owner cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.test import Client

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, Notification, User
from kam.customers.actions import set_collaborator
from kam.customers.models import Customer
from kam.sales.actions_needs import save_needs
from kam.sales.models import NeedsVersion, Opportunity
from kam.sales.tests.fixtures_deals import make_customer, make_deal

SHANGHAI = ZoneInfo("Asia/Shanghai")
# anonymous, another organization, same-org stranger, read collaborator of the customer, read member
# of the deal team, the owner, the manager above the owner.
ROLES = ("anonymous", "outsider", "stranger", "collaborator", "member", "owner", "manager")
READ_PAGE = {"outsider": 404, "stranger": 404, "collaborator": 200, "member": 200, "owner": 200, "manager": 200}
WRITE_PAGE = {**READ_PAGE, "collaborator": 403, "member": 403}


def at(text: str) -> datetime:
    """A Beijing wall-clock time, e.g. at("2026-03-10 09:00")."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def user_for(world: OrgWorld, role: str) -> User | None:
    names = {"manager": "manager_north", "member": "teammate"}
    return None if role == "anonymous" else getattr(world, names.get(role, role))


def client(user: User | None, language: str = "en") -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        browser.force_login(user)
    return browser


@dataclass
class Scene:
    world: OrgWorld
    customer: Customer
    deal: Opportunity
    hidden_customer: Customer
    hidden_deal: Opportunity


def make_scene(world: OrgWorld) -> Scene:
    w = world
    customer = make_customer(w.owner, "北京星河数据科技有限公司")
    set_collaborator(w.owner, customer, w.collaborator, "read")
    deal = make_deal(w.owner, customer, name="星河数据中台项目", members=((w.teammate, "read"),))
    hidden_customer = make_customer(w.stranger, "上海远景贸易有限公司")
    hidden_deal = make_deal(w.stranger, hidden_customer, name="远景ERP项目")
    return Scene(w, customer, deal, hidden_customer, hidden_deal)


def item(description: str, key: int | None = None, **fields: Any) -> dict[str, Any]:
    return {"key": key, "description": description, "priority": "medium", "necessity": "must", "fit": "met", **fields}


def first_needs(scene: Scene, now: datetime | None = None, **fields: Any) -> NeedsVersion:
    """V1 by the owner: pain, a budget range and two requirements (keys 1 and 2)."""
    data = {"pain": "数据分散在五个系统", "budget_min": Decimal("500000"), "budget_max": Decimal("800000"),
            "timeline": "年底前上线", "decision_criteria": "", "solution_notes": "", **fields}  # fmt: skip
    items = [item("统一数据平台"), item("支持国产数据库", priority="high")]
    return save_needs(scene.world.owner, scene.deal, data, items, base_version=0, now=now)


def values_of(version: NeedsVersion) -> dict[str, Any]:
    names = ("pain", "budget_min", "budget_max", "timeline", "decision_criteria", "solution_notes")
    return {name: getattr(version, name) for name in names}


def items_of(version: NeedsVersion) -> list[dict[str, Any]]:
    return [
        {"key": i.key, "description": i.description, "priority": i.priority, "necessity": i.necessity, "fit": i.fit}
        for i in version.items.order_by("position")
    ]


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of sales and activities plus audit and notifications, to prove a refusal changed nothing."""
    models = [*apps.get_app_config("sales").get_models(), *apps.get_app_config("activities").get_models()]
    models += [AuditEntry, Notification]
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in models}
