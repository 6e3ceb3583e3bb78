"""API of the notification centre: GET /notifications, POST /notifications/{id}/read, POST /notifications/read-all.

A notification belongs to one user: everyone else (teammate, manager above, admin, another organization)
gets 404 for it and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.conftest import OrgWorld
from kam.core.models import Notification, User
from kam.core.notifications import mark_read
from kam.core.tests.api_support import bearer_client, call, session_client

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
OTHERS = ["teammate", "stranger", "collaborator", "manager_north", "director", "admin", "outsider"]


def _note(user: User, title: str, minutes: int = 0, url: str = "") -> Notification:
    notification = Notification.objects.create(
        organization_id=user.organization_id, user=user, kind="test", title=title, body="正文", url=url
    )
    Notification.objects.filter(pk=notification.pk).update(created_at=T0 + timedelta(minutes=minutes))
    notification.refresh_from_db()
    return notification


def _state() -> list[tuple[int, object]]:
    return list(Notification.objects.order_by("pk").values_list("pk", "read_at"))


def test_list_has_my_notifications_newest_first(world: OrgWorld) -> None:
    older = _note(world.owner, "较早", minutes=0, url="/customers/1/")
    newer = _note(world.owner, "较新", minutes=5)
    _note(world.teammate, "同事的", minutes=9)
    response = call(bearer_client(world.owner), "GET", "/notifications")
    assert response.status_code == 200
    assert response.data == {
        "count": 2,
        "items": [
            {
                "id": newer.pk,
                "kind": "test",
                "title": "较新",
                "body": "正文",
                "url": "",
                "created_at": "2026-12-01T09:05:00+08:00",
                "read_at": None,
            },
            {
                "id": older.pk,
                "kind": "test",
                "title": "较早",
                "body": "正文",
                "url": "/customers/1/",
                "created_at": "2026-12-01T09:00:00+08:00",
                "read_at": None,
            },
        ],
    }


def test_the_unread_filter_and_pages(world: OrgWorld) -> None:
    for minute in range(5):
        _note(world.owner, f"提醒{minute}", minutes=minute)
    mark_read(world.owner, Notification.objects.get(title="提醒4").pk)
    client = session_client(world.owner)
    unread = call(client, "GET", "/notifications?unread=true").data
    assert (unread["count"], [n["title"] for n in unread["items"]]) == (4, ["提醒3", "提醒2", "提醒1", "提醒0"])
    page = call(client, "GET", "/notifications?limit=2&offset=1").data
    assert (page["count"], [n["title"] for n in page["items"]]) == (5, ["提醒3", "提醒2"])
    assert call(client, "GET", "/notifications?unread=maybe").status_code == 422


def test_anonymous_gets_401_everywhere(world: OrgWorld) -> None:
    notification = _note(world.owner, "提醒")
    before = _state()
    client = session_client(None)
    assert call(client, "GET", "/notifications").status_code == 401
    assert call(client, "POST", f"/notifications/{notification.pk}/read").status_code == 401
    assert call(client, "POST", "/notifications/read-all").status_code == 401
    assert _state() == before


def test_owner_marks_one_read_and_keeps_the_first_time(world: OrgWorld) -> None:
    notification = _note(world.owner, "提醒")
    client = bearer_client(world.owner)
    first = call(client, "POST", f"/notifications/{notification.pk}/read")
    assert first.status_code == 200
    assert (first.data["id"], first.data["title"]) == (notification.pk, "提醒")
    assert first.data["read_at"] is not None
    again = call(client, "POST", f"/notifications/{notification.pk}/read")
    assert again.data["read_at"] == first.data["read_at"]


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_else_reads_or_marks_my_notification(world: OrgWorld, who: str) -> None:
    notification = _note(world.owner, "只给owner")
    before = _state()
    client = bearer_client(getattr(world, who))
    response = call(client, "POST", f"/notifications/{notification.pk}/read")
    assert (response.status_code, response.data) == (404, {"detail": "页面不存在"})
    assert all(n["id"] != notification.pk for n in call(client, "GET", "/notifications").data["items"])
    assert call(client, "POST", "/notifications/read-all").data == {"marked": 0}
    assert _state() == before


@pytest.mark.parametrize(("pk", "status"), [("999999", 404), ("0", 422), (str(2**63), 422), ("abc", 422)])
def test_odd_ids(world: OrgWorld, pk: str, status: int) -> None:
    assert call(bearer_client(world.owner), "POST", f"/notifications/{pk}/read").status_code == status


def test_read_all_marks_only_mine(world: OrgWorld) -> None:
    _note(world.owner, "一")
    _note(world.owner, "二")
    mark_read(world.owner, _note(world.owner, "早已读过").pk)
    theirs = _note(world.teammate, "同事的")
    response = call(bearer_client(world.owner), "POST", "/notifications/read-all")
    assert (response.status_code, response.data) == (200, {"marked": 2})
    assert Notification.objects.filter(user=world.owner, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_list_queries_do_not_grow_with_rows(world: OrgWorld) -> None:
    client = bearer_client(world.owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert call(client, "GET", "/notifications").status_code == 200
        return len(ctx.captured_queries)

    for minute in range(2):
        _note(world.owner, "提醒", minutes=minute)
    count()  # the token's first use of the day stamps it; measure from the second call on
    few = count()
    for minute in range(60):
        _note(world.owner, "更多", minutes=minute)
    assert count() == few
    # the token with its user, the count, the page
    assert few == 3
