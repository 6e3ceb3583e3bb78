"""The colleague pickers of the 360 page: a type-ahead of at most ten matches instead of a <select>
of the whole organization; the posts still validate the user id."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kam.conftest import OrgWorld, make_user
from kam.core.models import Role, User
from kam.customers.actions import set_collaborator
from kam.customers.choices import colleague_suggestions
from kam.customers.models import Collaborator, Customer
from kam.customers.tests.view_scene import (  # noqa: F401 - _fast_hasher is an autouse fixture
    _fast_hasher,
    english_client,
    fingerprint,
    make_customer,
    make_pool,
)
from kam.customers.tests.view_scene import login_url as login_page


def suggested(client: Client, customer: Customer, picker: str, term: str) -> list[str]:
    """The user names the htmx type-ahead of one picker offers for `term`."""
    response = client.get(reverse("customer-detail", args=[customer.pk]), {f"{picker}_q": term}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    ids = [int(pk) for pk in re.findall(r'<input type="radio" name="user" value="(\d+)"', body)]
    return [User.objects.get(pk=pk).username for pk in ids]


def named(user: User, display_name: str) -> None:
    user.display_name = display_name
    user.save(update_fields=["display_name"])


def test_suggestions_match_user_name_display_name_and_pinyin(world: OrgWorld) -> None:
    named(world.teammate, "张伟")
    named(world.stranger, "张伟强")
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    client = english_client(world.owner)
    assert suggested(client, customer, "collaborator", "张伟") == ["stranger", "teammate"]
    assert suggested(client, customer, "collaborator", "zhangwei") == ["stranger", "teammate"]
    assert suggested(client, customer, "collaborator", "zwq") == ["stranger"]
    assert suggested(client, customer, "collaborator", "Team") == ["teammate"]
    assert suggested(client, customer, "collaborator", "nobody") == []


def test_suggestions_never_include_another_organization(world: OrgWorld) -> None:
    named(world.teammate, "王芳")
    named(world.outsider, "王芳")
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    assert suggested(english_client(world.owner), customer, "collaborator", "wangfang") == ["teammate"]
    assert colleague_suggestions(world.owner, "outsider") == []
    assert colleague_suggestions(world.outsider, "wangfang") == [world.outsider]


def test_suggestions_leave_out_the_owner_and_inactive_people(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    User.objects.filter(pk=world.stranger.pk).update(is_active=False)
    # "r" is in owner, stranger, director, mgr_north and mgr_east.
    assert suggested(english_client(world.owner), customer, "collaborator", "r") == [
        "director",
        "mgr_east",
        "mgr_north",
    ]


def test_suggestions_stop_at_ten(world: OrgWorld) -> None:
    for i in range(14):
        make_user(world.org, f"sales{i:02d}", Role.REP, world.beijing)
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    assert suggested(english_client(world.owner), customer, "collaborator", "sales") == [
        f"sales{i:02d}" for i in range(10)
    ]


def test_transfer_suggestions_stay_in_the_managers_team(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    client = english_client(world.manager_north)
    assert suggested(client, customer, "transfer", "m") == ["mgr_north", "teammate"]
    assert suggested(client, customer, "collaborator", "m") == ["admin", "mgr_east", "mgr_north", "teammate"]
    assert suggested(english_client(world.admin), customer, "transfer", "mgr") == ["mgr_east", "mgr_north"]


def test_assign_suggestions_for_pool_admins(world: OrgWorld) -> None:
    pool = make_pool(world, members=(world.owner,), admins=(world.manager_north,))
    waiting = make_customer(world.manager_north, "天津远航物流有限公司", pool=pool)
    assert suggested(english_client(world.manager_north), waiting, "assign", "team") == ["teammate"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("stranger", 404), ("collaborator", 403), ("owner", 200), ("manager", 200)],
)
def test_suggestion_access_matrix(world: OrgWorld, who: str, status: int) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    set_collaborator(world.owner, customer, world.collaborator, "read")
    user = {"anonymous": None, "manager": world.manager_north}.get(who, getattr(world, who, None))
    client = english_client(user) if user is not None else Client()
    url = reverse("customer-detail", args=[customer.pk])
    response = client.get(url, {"collaborator_q": "team"}, HTTP_HX_REQUEST="true")
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(login_page())
    if status == 200:
        assert f'value="{world.teammate.pk}"' in response.content.decode()
        assert "HX-Request" in response["Vary"]


def test_without_javascript_the_search_reloads_the_page_with_the_matches(world: OrgWorld) -> None:
    named(world.teammate, "张伟")
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    url = reverse("customer-detail", args=[customer.pk])
    body = english_client(world.owner).get(url, {"collaborator_q": "zhang"}).content.decode()
    assert "<html" in body
    assert f'<input type="radio" name="user" value="{world.teammate.pk}" required checked>' in body
    assert 'value="zhang"' in body  # the search box keeps the term


def test_the_360_page_lists_no_colleague_until_one_is_searched(world: OrgWorld) -> None:
    for i in range(30):
        make_user(world.org, f"sales{i:02d}", Role.REP, world.beijing)
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    body = english_client(world.manager_north).get(reverse("customer-detail", args=[customer.pk])).content.decode()
    assert "sales0" not in body
    assert 'type="radio"' not in body
    assert body.count("Type a name, user name or pinyin to find a colleague.") == 2  # transfer, collaborator
    assert f'hx-get="{reverse("customer-detail", args=[customer.pk])}"' in body


def test_collaborator_post_still_validates_the_user_id(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    before = fingerprint()
    url = reverse("customer-collaborators", args=[customer.pk])
    client = english_client(world.owner)
    for user_id in (world.outsider.pk, 999999, "x"):
        response = client.post(url, {"user": user_id, "access": "read"}, follow=True)
        assert "Colleague: Select a valid choice." in response.content.decode()
    assert fingerprint() == before
    client.post(url, {"user": world.teammate.pk, "access": "write"})
    assert list(Collaborator.objects.values_list("user_id", "access")) == [(world.teammate.pk, "write")]
