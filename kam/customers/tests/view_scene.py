"""Builders for the customer page tests (not a test module itself).

A scene is one customer owned by `world.owner` (so `manager_north` is the manager above), with
`world.collaborator` as a read-only collaborator, one contact, a duplicate for merging, a pool
customer, a deleted customer and a deleted contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from kam.conftest import OrgWorld
from kam.core.china import credit_code_check_char, org_code_check_char
from kam.core.models import AuditEntry, User
from kam.customers.actions import (
    create_contact,
    create_customer,
    delete_contact,
    delete_customer,
    set_collaborator,
)
from kam.customers.models import (
    Collaborator,
    Contact,
    Customer,
    OwnershipChange,
    Pool,
    PoolMember,
    Tag,
)

ROLES = ["anonymous", "outsider", "stranger", "collaborator", "owner", "manager"]


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Settings) -> None:
    """The world fixture hashes ten passwords; MD5 keeps that from dominating the test time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def credit_code(seed: int) -> str:
    """A valid 统一社会信用代码 (工商, 北京海淀) whose organization code body is `seed`."""
    body = f"{seed:08d}"
    first17 = "91110108" + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def user_for(world: OrgWorld, role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "manager":
        return world.manager_north
    user: User = getattr(world, role)
    return user


def english_client(user: User | None) -> Client:
    """A client that reads the pages in English, so assertions do not depend on the catalogue."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def make_customer(actor: User, name: str, **fields: Any) -> Customer:
    tag_names = fields.pop("tag_names", None)
    owner = fields.pop("owner", None)
    pool = fields.pop("pool", None)
    return create_customer(
        actor, {"name": name, **fields}, tag_names=tag_names, owner=owner, pool=pool, confirm_duplicates=True
    )


def make_contact(actor: User, customer: Customer, name: str, **fields: Any) -> Contact:
    return create_contact(actor, customer, {"name": name, **fields})


def make_pool(
    world: OrgWorld, name: str = "华北公海", *, members: tuple[User, ...] = (), admins: tuple[User, ...] = ()
) -> Pool:
    pool = Pool.objects.create(organization=world.org, name=name)
    for user in members:
        PoolMember.objects.create(pool=pool, user=user, is_admin=False)
    for user in admins:
        PoolMember.objects.create(pool=pool, user=user, is_admin=True)
    return pool


@dataclass
class Scene:
    world: OrgWorld
    customer: Customer
    contact: Contact
    duplicate: Customer
    pool: Pool
    pool_customer: Customer
    deleted_customer: Customer
    deleted_contact: Contact


def make_scene(world: OrgWorld, suffix: str = "") -> Scene:
    """Everything the access matrix needs; `suffix` keeps names apart when a test builds two scenes."""
    w = world
    pool = Pool.objects.filter(organization=w.org, name="华北公海").first() or make_pool(
        w, members=(w.owner, w.teammate), admins=(w.manager_north,)
    )
    customer = make_customer(w.owner, f"北京星河数据科技有限公司{suffix}", tag_names=["重点"])
    set_collaborator(w.owner, customer, w.collaborator, "read")
    contact = make_contact(w.owner, customer, f"王建国{suffix}", mobile="13800138000")
    duplicate = make_customer(w.owner, f"星河数据{suffix}")
    pool_customer = make_customer(w.manager_north, f"天津远航物流有限公司{suffix}", pool=pool)
    set_collaborator(w.manager_north, pool_customer, w.collaborator, "read")
    deleted_customer = make_customer(w.owner, f"河北旧时光贸易有限公司{suffix}")
    delete_customer(w.owner, deleted_customer)
    deleted_contact = make_contact(w.owner, customer, f"李离职{suffix}")
    delete_contact(w.owner, deleted_contact)
    return Scene(w, customer, contact, duplicate, pool, pool_customer, deleted_customer, deleted_contact)


def fingerprint() -> tuple[Any, ...]:
    """Everything a refused write could have touched."""
    return (
        list(Customer.all_objects.order_by("pk").values()),
        list(Contact.all_objects.order_by("pk").values()),
        list(Collaborator.objects.order_by("pk").values()),
        list(Tag.objects.order_by("pk").values()),
        OwnershipChange.objects.count(),
        AuditEntry.objects.count(),
    )


def login_url() -> str:
    return reverse("login")


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(login_url() + "?next=")


def shanghai_text(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def _blank(value: Any) -> Any:
    return "" if value is None else value


def customer_form_data(customer: Customer, **changes: Any) -> dict[str, Any]:
    """The POST body of the edit form for `customer` as it is now, with `changes` applied."""
    data = {
        "name": customer.name,
        "short_name": customer.short_name,
        "credit_code": customer.credit_code,
        "industry": _blank(customer.industry_id),
        "province": _blank(customer.province_id),
        "city": _blank(customer.city_id),
        "address": customer.address,
        "latitude": _blank(customer.latitude),
        "longitude": _blank(customer.longitude),
        "phone": customer.phone,
        "website": customer.website,
        "employees_band": customer.employees_band,
        "revenue_band": customer.revenue_band,
        "source": customer.source,
        "tier": customer.tier,
        "status": customer.status,
        "notes": customer.notes,
        "next_followup_at": "",
        "tag_names": ", ".join(t.name for t in customer.tags.all()),
        "version": customer.version,
    }
    data.update(changes)
    return data


def contact_form_data(contact: Contact, **changes: Any) -> dict[str, Any]:
    data = {
        "name": contact.name,
        "title": contact.title,
        "department": contact.department,
        "mobile": contact.mobile,
        "phone": contact.phone,
        "email": contact.email,
        "wechat": contact.wechat,
        "reports_to": _blank(contact.reports_to_id),
        "buying_role": contact.buying_role,
        "influence": contact.influence,
        "attitude": contact.attitude,
        "strength": contact.strength,
        "relationship_owner": _blank(contact.relationship_owner_id),
        "birthday": _blank(contact.birthday),
        "notes": contact.notes,
        "version": contact.version,
    }
    if contact.is_key_person:
        data["is_key_person"] = "on"
    data.update(changes)
    return data
