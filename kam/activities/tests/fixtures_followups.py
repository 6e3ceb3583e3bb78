"""Builders for the follow-up and visit tests (not a test module itself).

A scene is one customer owned by `world.owner` at 天安门 (so `manager_north` is the manager above),
with `world.collaborator` (presales, 上海) as a read-only collaborator and two contacts, plus a
customer of `world.stranger` that the owner cannot see.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, User
from kam.customers.actions import create_contact, create_customer, set_collaborator
from kam.customers.models import Contact, Customer, Pool

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 天安门 and 北京西站 (WGS-84): 6,625 m apart.
TIANANMEN = (Decimal("39.908722"), Decimal("116.397499"))
BEIJING_WEST = (Decimal("39.894917"), Decimal("116.321944"))
ROLES = ("anonymous", "outsider", "stranger", "collaborator", "owner", "manager")


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploads land in a temporary MEDIA_ROOT, never in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def media_dir() -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT)


def at(text: str) -> datetime:
    """A Beijing wall-clock time, e.g. at("2026-11-20 10:00")."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def user_for(world: OrgWorld, role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "manager":
        return world.manager_north
    user: User = getattr(world, role)
    return user


def client(user: User | None, language: str = "en") -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        browser.force_login(user)
    return browser


@dataclass
class Scene:
    world: OrgWorld
    customer: Customer
    contact: Contact
    other_contact: Contact
    hidden: Customer  # the stranger's: the owner cannot see it
    hidden_contact: Contact


def make_customer(actor: User, name: str, *, pool: Pool | None = None, **fields: Any) -> Customer:
    return create_customer(actor, {"name": name, **fields}, tag_names=None, owner=None, pool=pool,
                           confirm_duplicates=True)  # fmt: skip


def make_scene(world: OrgWorld) -> Scene:
    w = world
    customer = make_customer(w.owner, "北京星河数据科技有限公司", latitude=TIANANMEN[0], longitude=TIANANMEN[1])
    set_collaborator(w.owner, customer, w.collaborator, "read")
    contact = create_contact(w.owner, customer, {"name": "王建国"})
    other_contact = create_contact(w.owner, customer, {"name": "李娜"})
    hidden = make_customer(w.stranger, "上海远景贸易有限公司")
    hidden_contact = create_contact(w.stranger, hidden, {"name": "赵敏"})
    return Scene(w, customer, contact, other_contact, hidden, hidden_contact)


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of activities and customers plus audit, to prove a refused write changed nothing."""
    models = [*apps.get_app_config("activities").get_models(), *apps.get_app_config("customers").get_models()]
    models = [m for m in models if m._meta.label_lower not in {"customers.industry", "customers.region"}]
    models.append(AuditEntry)
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in models}


# --- files --------------------------------------------------------------------------------------


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def png(name: str = "门头.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def jpeg(name: str = "合影.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


def pdf(name: str = "方案.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def ooxml_bytes(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<doc/>")
    return buffer.getvalue()


def docx(name: str = "纪要.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ooxml_bytes("word/"), content_type="application/octet-stream")


def text_file(name: str = "记录.txt", body: str = "客户关注交付周期。\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body.encode("utf-8"), content_type="text/plain")
