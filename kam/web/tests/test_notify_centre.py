"""The notification centre: unread/all filter, pages, open-and-mark-read, mark all read; only one's own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.models import Notification, User
from kam.core.notifications import mark_read
from kam.web.tests.conftest import WORLD_USERS, ClientFor, query_count


def _note(user: User, title: str, url: str = "", minutes_ago: int = 0) -> Notification:
    notification = Notification.objects.create(
        organization_id=user.organization_id, user=user, kind="test", title=title, url=url
    )
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return notification


def _titles(response: object) -> list[str]:
    return [n.title for n in response.context["notifications"]]  # type: ignore[attr-defined]


def _unread(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user, read_at__isnull=True).order_by("title").values_list("title", flat=True)
    )


def test_the_unread_filter_shows_only_unread(world: OrgWorld, client_for: ClientFor) -> None:
    _note(world.owner, "未读一", minutes_ago=3)
    mark_read(world.owner, _note(world.owner, "已读", minutes_ago=2).pk)
    _note(world.owner, "未读二", minutes_ago=1)
    client = client_for(world.owner)
    assert _titles(client.get("/notifications/")) == ["未读二", "已读", "未读一"]
    response = client.get("/notifications/?unread=1")
    assert _titles(response) == ["未读二", "未读一"]
    assert response.context["unread_only"] is True
    assert 'href="/notifications/?unread=1" aria-current="page"' in response.content.decode()


def test_the_unread_filter_has_its_own_empty_text(world: OrgWorld, en_client: ClientFor) -> None:
    mark_read(world.owner, _note(world.owner, "已读").pk)
    html = en_client(world.owner).get("/notifications/?unread=1").content.decode()
    assert '<p class="empty">No unread notifications.</p>' in html
    assert "Mark all as read" not in html


def test_pages_of_thirty(world: OrgWorld, client_for: ClientFor) -> None:
    for i in range(35):
        _note(world.owner, f"提醒{i:02d}", minutes_ago=i)
    client = client_for(world.owner)
    first = client.get("/notifications/")
    assert _titles(first) == [f"提醒{i:02d}" for i in range(30)]
    assert '<a class="btn btn-small" href="?page=2">' in first.content.decode()
    second = client.get("/notifications/?page=2")
    assert _titles(second) == [f"提醒{i:02d}" for i in range(30, 35)]
    assert '<a class="btn btn-small" href="?page=1">' in second.content.decode()
    assert "?page=3" not in second.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "²", "9" * 40, "1.5"])
def test_odd_page_numbers_never_fail(world: OrgWorld, client_for: ClientFor, page: str) -> None:
    _note(world.owner, "提醒")
    response = client_for(world.owner).get("/notifications/", {"page": page})
    assert response.status_code == 200
    assert _titles(response) == ([] if page == "9" * 40 else ["提醒"])


def test_opening_an_unread_notification_marks_it_and_goes_to_its_page(world: OrgWorld, client_for: ClientFor) -> None:
    notification = _note(world.owner, "客户即将回收", url="/customers/3/")
    client = client_for(world.owner)
    html = client.get("/notifications/").content.decode()
    assert f'action="/notifications/{notification.pk}/read/"' in html
    response = client.post(f"/notifications/{notification.pk}/read/", {"next": "/notifications/?unread=1"})
    assert (response.status_code, response["Location"]) == (302, "/customers/3/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_one_without_a_link_returns_to_the_filtered_list(world: OrgWorld, client_for: ClientFor) -> None:
    notification = _note(world.owner, "提醒")
    response = client_for(world.owner).post(
        f"/notifications/{notification.pk}/read/", {"next": "/notifications/?unread=1"}
    )
    assert response["Location"] == "/notifications/?unread=1"


def test_an_outside_link_stored_in_a_notification_is_not_followed(world: OrgWorld, client_for: ClientFor) -> None:
    notification = _note(world.owner, "提醒", url="https://evil.example/")
    response = client_for(world.owner).post(f"/notifications/{notification.pk}/read/")
    assert response["Location"] == "/notifications/"


def test_mark_all_read_marks_only_mine_and_clears_the_bell(world: OrgWorld, en_client: ClientFor) -> None:
    _note(world.owner, "我的一")
    _note(world.owner, "我的二")
    _note(world.teammate, "同事的")
    client = en_client(world.owner)
    assert '<span class="bell-count">2</span>' in client.get("/notifications/").content.decode()
    response = client.post("/notifications/read-all/", follow=True)
    assert response.redirect_chain == [("/notifications/", 302)]
    html = response.content.decode()
    assert "2 notifications marked as read." in html
    assert "bell-count" not in html
    assert _unread(world.owner) == []
    assert _unread(world.teammate) == ["同事的"]


@pytest.mark.parametrize("who", [w for w in WORLD_USERS if w != "owner"])
def test_mark_all_read_by_anyone_else_leaves_mine_unread(world: OrgWorld, client_for: ClientFor, who: str) -> None:
    _note(world.owner, "我的")
    other = getattr(world, who)
    _note(other, "他们的")
    assert client_for(other).post("/notifications/read-all/").status_code == 302
    assert _unread(world.owner) == ["我的"]
    assert _unread(other) == []


def test_mark_all_read_needs_login_and_post(world: OrgWorld, client_for: ClientFor) -> None:
    _note(world.owner, "我的")
    response = Client().post("/notifications/read-all/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/notifications/read-all/")
    assert client_for(world.owner).get("/notifications/read-all/").status_code == 405
    assert _unread(world.owner) == ["我的"]


@pytest.mark.parametrize("who", ["teammate", "stranger", "manager_north", "director", "admin", "outsider"])
def test_nobody_sees_or_opens_anothers_notification(world: OrgWorld, client_for: ClientFor, who: str) -> None:
    notification = _note(world.owner, "只给owner的提醒", url="/customers/1/")
    client = client_for(getattr(world, who))
    for url in ("/notifications/", "/notifications/?unread=1"):
        assert "只给owner的提醒" not in client.get(url).content.decode()
    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("url", ["/notifications/", "/notifications/?unread=1", "/notifications/?page=2"])
def test_list_queries_do_not_grow_with_rows(world: OrgWorld, client_for: ClientFor, url: str) -> None:
    client = client_for(world.owner)
    for i in range(3):
        _note(world.owner, f"提醒{i}", url="/customers/1/")
    few = query_count(client, url)
    for i in range(70):
        _note(world.owner, f"更多{i}")
    assert query_count(client, url) == few
    # session, user, the page (one row past it tells whether there is a next), the bell's unread count
    assert few == 4
