"""The follow-up, visit and attachment API: access matrix, exact values, 422 paths, query counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kam.activities.actions_followups import add_attachments, create_followup
from kam.activities.actions_visits import check_in, check_out, plan_visit
from kam.activities.models import FollowUp, Visit
from kam.activities.tests.fixtures_followups import (  # noqa: F401 - media_root is an autouse fixture
    BEIJING_WEST,
    ROLES,
    Scene,
    db_state,
    image_bytes,
    make_scene,
    media_root,
    pdf,
    png,
    user_for,
)
from kam.conftest import OrgWorld
from kam.core.tests.api_support import API, bearer_client, call, rolled_back, session_client

READ = {"anonymous": 401, "outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}
CHANGE = {**READ, "collaborator": 403}


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def log(scene: Scene, **fields: Any) -> FollowUp:
    author = fields.pop("author", scene.world.owner)
    data = {"kind": "call", "occurred_at": timezone.now() - timedelta(hours=2), "content": "电话沟通",
            "feedback": "", "next_step": "", "next_followup_at": None, **fields}  # fmt: skip
    return create_followup(author, fields.pop("customer", scene.customer), data)


@dataclass
class Ids:
    customer: int
    contact: int
    followup: int
    visit: int
    attachment: int

    def format(self, path: str) -> str:
        return path.format(**self.__dict__)


def build(scene: Scene) -> Ids:
    followup = log(scene)
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now() + timedelta(hours=1))
    attachment = add_attachments(scene.world.owner, followup, [png()])[0]
    return Ids(scene.customer.pk, scene.contact.pk, followup.pk, visit.pk, attachment.pk)


def followup_body(ids: Ids) -> dict[str, Any]:
    return {"customer_id": ids.customer, "kind": "wechat", "occurred_at": "2026-11-20T10:00:00+08:00",
            "content": "微信沟通", "contact_ids": [ids.contact]}  # fmt: skip


CASES: list[tuple[str, str, dict[str, int], Callable[[Ids], Any] | None]] = [
    ("POST", "/followups", {**READ, "collaborator": 201, "owner": 201, "manager": 201}, followup_body),
    ("GET", "/followups/{followup}", READ, None),
    ("GET", "/followups/{followup}/history", READ, None),
    ("PATCH", "/followups/{followup}", CHANGE, lambda ids: {"feedback": "认可"}),
    ("DELETE", "/followups/{followup}", {**CHANGE, "owner": 204, "manager": 204}, None),
    ("POST", "/visits", {**READ, "collaborator": 201, "owner": 201, "manager": 201},
     lambda ids: {"customer_id": ids.customer, "planned_at": "2026-12-01T10:00:00+08:00"}),
    ("GET", "/visits/{visit}", READ, None),
    ("POST", "/visits/{visit}/check-in", {**CHANGE, "manager": 403},
     lambda ids: {"latitude": 39.91, "longitude": 116.397499, "accuracy_m": 15}),
    ("POST", "/visits/{visit}/check-out", {**CHANGE, "manager": 403, "owner": 422}, lambda ids: {}),
    ("POST", "/visits/{visit}/cancel", CHANGE, None),
    ("GET", "/attachments/{attachment}", READ, None),
    ("DELETE", "/attachments/{attachment}", {**CHANGE, "owner": 204, "manager": 204}, None),
    ("GET", "/customers/{customer}/timeline", READ, None),
]  # fmt: skip


def send(client: Client, method: str, path: str, body: Any) -> Any:
    """Like api_support.call, but a file download is not read as JSON."""
    if method == "GET" and path.startswith("/attachments/"):
        return client.get(API + path)
    return call(client, method, path, body)


@pytest.mark.parametrize(("method", "path", "expected", "body"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_access_matrix(
    scene: Scene, method: str, path: str, expected: dict[str, int], body: Callable[[Ids], Any] | None
) -> None:
    ids = build(scene)
    got = {}
    for role in ROLES:
        before = db_state()
        response = rolled_back(
            lambda role=role: send(
                session_client(user_for(scene.world, role)), method, ids.format(path), body(ids) if body else None
            )  # fmt: skip
        )
        got[role] = response.status_code
        if response.status_code >= 400:
            assert db_state() == before, f"{role} was refused ({response.status_code}) but data changed"
    assert got == expected


def test_upload_matrix(scene: Scene) -> None:
    ids = build(scene)
    got = {}
    for role in ROLES:
        before = db_state()
        browser = session_client(user_for(scene.world, role))
        response = rolled_back(
            lambda browser=browser: browser.post(f"{API}/followups/{ids.followup}/attachments", {"files": [pdf()]})
        )
        got[role] = response.status_code
        if response.status_code >= 400:
            assert db_state() == before
    assert got == {**CHANGE, "owner": 201, "manager": 201}


def test_lists_show_only_what_each_role_may_see(scene: Scene) -> None:
    ids = build(scene)
    theirs = log(scene, author=scene.world.stranger, customer=scene.hidden)
    got = {}
    for role in ROLES:
        response = call(session_client(user_for(scene.world, role)), "GET", "/followups?scope=all")
        got[role] = response.status_code if response.status_code != 200 else [i["id"] for i in response.data["items"]]
    assert got == {"anonymous": 401, "outsider": [], "stranger": [theirs.pk], "collaborator": [ids.followup],
                   "owner": [ids.followup], "manager": [ids.followup]}  # fmt: skip
    visits = {role: call(session_client(user_for(scene.world, role)), "GET", "/visits").data for role in ROLES[1:]}
    assert {role: [v["id"] for v in data["items"]] for role, data in visits.items()} == {
        "outsider": [], "stranger": [], "collaborator": [], "owner": [ids.visit], "manager": [ids.visit],
    }  # fmt: skip


def test_create_follow_up_exact_values(scene: Scene) -> None:
    response = call(bearer_client(scene.world.owner), "POST", "/followups", {
        "customer_id": scene.customer.pk, "kind": "meeting", "occurred_at": "2026-11-20T10:00:00",
        "content": "季度例会", "feedback": "希望降价5%", "next_step": "内部申请折扣",
        "next_followup_at": "2026-11-27T09:30:00+08:00", "contact_ids": [scene.other_contact.pk, scene.contact.pk],
    })  # fmt: skip
    assert response.status_code == 201
    data = response.data
    followup = FollowUp.objects.get()
    assert data == {
        "id": followup.pk,
        "customer": {"id": scene.customer.pk, "name": "北京星河数据科技有限公司"},
        "author": {"id": scene.world.owner.pk, "username": "owner", "name": "owner"},
        "kind": "meeting",
        "occurred_at": "2026-11-20T10:00:00+08:00",  # no offset sent: read as Beijing time
        "content": "季度例会",
        "feedback": "希望降价5%",
        "next_step": "内部申请折扣",
        "next_followup_at": "2026-11-27T09:30:00+08:00",
        "contacts": [{"id": scene.other_contact.pk, "name": "李娜"}, {"id": scene.contact.pk, "name": "王建国"}],
        "attachments": [],
        "visit_id": None,
        "opportunity": None,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }
    customer = call(bearer_client(scene.world.owner), "GET", f"/customers/{scene.customer.pk}").data
    assert (customer["last_followup_at"], customer["next_followup_at"]) == (
        "2026-11-20T10:00:00+08:00",
        "2026-11-27T09:30:00+08:00",
    )


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"occurred_at": "2099-01-01T10:00:00+08:00"}, ["body", "occurred_at"]),
        ({"next_followup_at": "2026-11-19T10:00:00+08:00"}, ["body", "next_followup_at"]),
        ({"contact_ids": [999999]}, ["body", "contact_ids"]),
        ({"contact_ids": [2**63]}, ["body", "contact_ids", 0]),
        ({"kind": "fax"}, ["body", "kind"]),
        ({"content": ""}, ["body", "content"]),
        ({"customer_id": None}, ["body", "customer_id"]),
        ({"occurred_at": "0001-01-01T00:00:00"}, ["body", "occurred_at"]),
        ({"occurred_at": "9999-12-31T23:59:59"}, ["body", "occurred_at"]),
    ],
)
def test_bad_follow_up_input_is_422_with_the_field(scene: Scene, changes: dict[str, Any], loc: list[Any]) -> None:
    body = {"customer_id": scene.customer.pk, "kind": "call", "occurred_at": "2026-11-20T10:00:00+08:00",
            "content": "沟通", **changes}  # fmt: skip
    before = db_state()
    response = call(session_client(scene.world.owner), "POST", "/followups", body)
    assert response.status_code == 422
    assert [item["loc"] for item in response.data["detail"]] == [loc]
    assert db_state() == before


def test_patch_only_changes_what_was_sent(scene: Scene) -> None:
    followup = log(scene, feedback="原反馈", next_step="原下一步")
    response = call(session_client(scene.world.owner), "PATCH", f"/followups/{followup.pk}",
                    {"feedback": "新反馈", "contact_ids": [scene.contact.pk]})  # fmt: skip
    assert response.status_code == 200
    assert (response.data["feedback"], response.data["next_step"]) == ("新反馈", "原下一步")
    assert response.data["contacts"] == [{"id": scene.contact.pk, "name": "王建国"}]
    refused = call(session_client(scene.world.owner), "PATCH", f"/followups/{followup.pk}", {"content": None})
    assert (refused.status_code, refused.data["detail"][0]["loc"]) == (422, ["body", "content"])


def test_visit_flow_with_exact_distance(scene: Scene) -> None:
    owner = session_client(scene.world.owner)
    planned = call(owner, "POST", "/visits", {"customer_id": scene.customer.pk,
                                              "planned_at": "2026-11-20T10:00:00+08:00", "planned_minutes": 90,
                                              "purpose": "方案演示"})  # fmt: skip
    assert planned.status_code == 201
    visit_id = planned.data["id"]
    assert (planned.data["status"], planned.data["planned_minutes"]) == ("planned", 90)
    lat, lng = BEIJING_WEST
    checked_in = call(owner, "POST", f"/visits/{visit_id}/check-in",
                      {"latitude": str(lat), "longitude": str(lng), "accuracy_m": 30})  # fmt: skip
    assert checked_in.status_code == 200
    assert {key: checked_in.data[key] for key in ("status", "check_in_latitude", "check_in_longitude",
                                                  "check_in_distance_m", "check_in_out_of_range")} == {
        "status": "in", "check_in_latitude": 39.894917, "check_in_longitude": 116.321944,
        "check_in_distance_m": 6625, "check_in_out_of_range": True,
    }  # fmt: skip
    checked_out = call(owner, "POST", f"/visits/{visit_id}/check-out", {})
    assert checked_out.status_code == 200
    assert (checked_out.data["status"], checked_out.data["check_out_latitude"]) == ("done", None)
    assert checked_out.data["check_out_out_of_range"] is True  # no position
    assert checked_out.data["stay_minutes"] == 0
    record = call(owner, "POST", "/followups", {"visit_id": visit_id, "occurred_at": timezone.now().isoformat(),
                                                "content": "演示顺利", "feedback": "要报价"})  # fmt: skip
    assert record.status_code == 201
    assert (record.data["kind"], record.data["visit_id"]) == ("visit", visit_id)
    assert call(owner, "GET", f"/visits/{visit_id}").data["followup_id"] == record.data["id"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"latitude": 90.5, "longitude": 116}, ["body", "latitude"]),
        ({"latitude": -91, "longitude": 116}, ["body", "latitude"]),
        ({"latitude": 39, "longitude": 180.01}, ["body", "longitude"]),
        ({"latitude": 39, "longitude": -181}, ["body", "longitude"]),
        ({"latitude": 39}, ["body", "longitude"]),
        ({"latitude": 39, "longitude": 116, "accuracy_m": -1}, ["body", "accuracy_m"]),
        ({"latitude": "abc", "longitude": 116}, ["body", "latitude"]),
    ],
)
def test_check_in_ranges_are_validated(scene: Scene, body: dict[str, Any], loc: list[Any]) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now())
    before = db_state()
    response = call(session_client(scene.world.owner), "POST", f"/visits/{visit.pk}/check-in", body)
    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == loc
    assert db_state() == before


def test_upload_and_download_over_the_api(scene: Scene) -> None:
    followup = log(scene)
    owner = session_client(scene.world.owner)
    response = owner.post(f"{API}/followups/{followup.pk}/attachments", {"files": [png(), pdf()]})
    assert response.status_code == 201
    items = response.json()
    assert [(i["kind"], i["name"], i["content_type"]) for i in items] == [
        ("photo", "门头.png", "image/png"),
        ("file", "方案.pdf", "application/pdf"),
    ]
    assert items[0]["url"] == f"{API}/attachments/{items[0]['id']}"
    download = owner.get(items[0]["url"])
    assert (download.status_code, download["Content-Type"]) == (200, "image/png")
    assert b"".join(download.streaming_content) == image_bytes("PNG")
    assert session_client(scene.world.stranger).get(items[0]["url"]).status_code == 404
    assert Client().get(items[0]["url"]).status_code == 401


def test_bad_upload_is_422_on_files(scene: Scene) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    followup = log(scene)
    before = db_state()
    fake = SimpleUploadedFile("照片.jpg", b"not a jpeg")
    response = session_client(scene.world.owner).post(f"{API}/followups/{followup.pk}/attachments", {"files": [fake]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "files"]
    assert db_state() == before


def test_timeline_over_the_api(scene: Scene) -> None:
    log(scene, feedback="希望分期", next_step="发方案")
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now() + timedelta(days=1), purpose="回访")
    data = call(session_client(scene.world.collaborator), "GET", f"/customers/{scene.customer.pk}/timeline").data
    assert [item["source"] for item in data["items"]] == ["visits", "followups"]
    assert data["items"][0]["url"] == f"/visits/{visit.pk}/"
    assert data["items"][1]["details"] == [["客户反馈", "希望分期"], ["下一步", "发方案"]]  # default language
    assert data["next_offset"] is None


def count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call(client, "GET", path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_lists_do_not_grow_with_rows(scene: Scene) -> None:
    owner = session_client(scene.world.manager_north)
    paths = ["/followups", "/visits", "/visits?when=past", f"/customers/{scene.customer.pk}/timeline"]

    def add(n: int) -> None:
        for i in range(n):
            followup = log(scene)
            followup.contacts.set([scene.contact, scene.other_contact])
            add_attachments(scene.world.owner, followup, [png()])
            visit = plan_visit(scene.world.owner, scene.customer, timezone.now() + timedelta(days=i + 1))
            done = plan_visit(scene.world.owner, scene.customer, timezone.now() - timedelta(days=i + 1))
            check_in(scene.world.owner, done, None)
            check_out(scene.world.owner, done, None)
            assert visit.pk
            assert Visit.objects.filter(pk=done.pk, status="done").exists()

    add(2)
    few = [count(owner, path) for path in paths]
    add(20)
    many = [count(owner, path) for path in paths]
    assert few == many
    assert max(many) <= 10
