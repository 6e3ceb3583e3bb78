"""The notification list and marking one read: only one's own, and the list does not grow in queries."""

from __future__ import annotations

import pytest
from django.test import Client

from kam.conftest import OrgWorld
from kam.core.models import Notification, User
from kam.core.notifications import mark_read
from kam.web.tests.conftest import WORLD_USERS, ClientFor, query_count


def _notify(user: User, title: str = "客户即将回收", url: str = "") -> Notification:
    assert user.organization is not None
    return Notification.objects.create(organization=user.organization, user=user, kind="test", title=title, url=url)


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get("/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/notifications/"


@pytest.mark.parametrize("who", WORLD_USERS)
def test_every_user_sees_only_own_notifications(world: OrgWorld, who: str, client_for: ClientFor) -> None:
    user = getattr(world, who)
    _notify(user, title=f"给{user.username}的提醒")
    _notify(world.teammate if user != world.teammate else world.owner, title="别人的提醒")
    response = client_for(user).get("/notifications/")
    assert response.status_code == 200
    assert [n.title for n in response.context["notifications"]] == [f"给{user.username}的提醒"]
    assert "别人的提醒" not in response.content.decode()


def test_header_bell_counts_only_my_unread(world: OrgWorld, client_for: ClientFor) -> None:
    _notify(world.owner)
    _notify(world.owner)
    read = _notify(world.owner)
    mark_read(world.owner, read.pk)
    _notify(world.stranger)
    html = client_for(world.owner).get("/notifications/").content.decode()
    assert '<span class="bell-count">2</span>' in html


def test_bell_has_no_count_when_all_are_read(world: OrgWorld, client_for: ClientFor) -> None:
    assert "bell-count" not in client_for(world.owner).get("/").content.decode()


def test_owner_marks_a_notification_read(world: OrgWorld, client_for: ClientFor) -> None:
    notification = _notify(world.owner)
    response = client_for(world.owner).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_read_goes_to_a_local_target(world: OrgWorld, client_for: ClientFor) -> None:
    notification = _notify(world.owner, url="/customers/1/")
    response = client_for(world.owner).post(f"/notifications/{notification.pk}/read/", {"next": "/customers/1/"})
    assert response["Location"] == "/customers/1/"


def test_marking_read_never_leaves_the_site(world: OrgWorld, client_for: ClientFor) -> None:
    notification = _notify(world.owner)
    response = client_for(world.owner).post(
        f"/notifications/{notification.pk}/read/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/notifications/"


def test_marking_read_twice_keeps_the_first_time(world: OrgWorld) -> None:
    notification = _notify(world.owner)
    assert mark_read(world.owner, notification.pk) is True
    notification.refresh_from_db()
    first = notification.read_at
    assert mark_read(world.owner, notification.pk) is True
    notification.refresh_from_db()
    assert notification.read_at == first


@pytest.mark.parametrize("who", ["teammate", "manager_north", "director", "admin", "outsider"])
def test_nobody_marks_another_users_notification(world: OrgWorld, client_for: ClientFor, who: str) -> None:
    notification = _notify(world.owner)
    response = client_for(getattr(world, who)).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous_cannot_mark_read(world: OrgWorld) -> None:
    notification = _notify(world.owner)
    response = Client().post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_is_post_only(world: OrgWorld, client_for: ClientFor) -> None:
    notification = _notify(world.owner)
    assert client_for(world.owner).get(f"/notifications/{notification.pk}/read/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999"])
def test_missing_notification_answers_404(world: OrgWorld, client_for: ClientFor, pk: str) -> None:
    assert client_for(world.owner).post(f"/notifications/{pk}/read/").status_code == 404


def test_notifications_query_count_does_not_grow_with_rows(world: OrgWorld, client_for: ClientFor) -> None:
    client = client_for(world.owner)
    for _ in range(3):
        _notify(world.owner, url="/customers/1/")
    with_three = query_count(client, "/notifications/")
    for _ in range(27):
        _notify(world.owner)
    assert query_count(client, "/notifications/") == with_three
    assert with_three <= 4
