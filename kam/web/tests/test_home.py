"""The home page: who may open it, what it counts, and that its queries do not grow with rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.models import Notification
from kam.customers.actions import create_customer
from kam.customers.models import Customer, Pool, PoolMember
from kam.web.tests.conftest import WORLD_USERS, ClientFor, MakeCustomers, query_count


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


@pytest.mark.parametrize("who", WORLD_USERS)
def test_every_user_gets_a_home_page(world: OrgWorld, who: str, en_client: ClientFor) -> None:
    user = getattr(world, who)
    response = en_client(user).get("/")
    assert response.status_code == 200
    assert f"Hello, {user.name}" in response.content.decode()


def test_home_is_get_only(world: OrgWorld, client_for: ClientFor) -> None:
    assert client_for(world.owner).post("/").status_code == 405


def test_home_counts_my_customers_my_pools_and_stale_ones(
    world: OrgWorld, client_for: ClientFor, make_customers: MakeCustomers
) -> None:
    never, old, recent = make_customers(world.owner, 3)
    now = timezone.now()
    Customer.objects.filter(pk=old.pk).update(last_followup_at=now - timedelta(days=40))
    Customer.objects.filter(pk=recent.pk).update(last_followup_at=now - timedelta(days=5))
    make_customers(world.teammate, 2, prefix="队友客户")
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=world.owner)
    create_customer(world.admin, {"name": "公海里的客户有限公司"}, pool=pool, confirm_duplicates=True)
    other_pool = Pool.objects.create(organization=world.org, name="华东公海")
    create_customer(world.admin, {"name": "别的公海客户有限公司"}, pool=other_pool, confirm_duplicates=True)

    summary = client_for(world.owner).get("/").context["summary"]

    assert summary.my_customers == 3
    assert summary.pool_customers == 1
    assert summary.stale_customers == 2
    assert [c.pk for c in summary.waiting_longest] == [never.pk, old.pk, recent.pk]


def test_waiting_list_shows_the_ten_oldest_follow_ups(
    world: OrgWorld, client_for: ClientFor, make_customers: MakeCustomers
) -> None:
    customers = make_customers(world.owner, 12)
    now = timezone.now()
    for age, customer in enumerate(customers):
        Customer.objects.filter(pk=customer.pk).update(last_followup_at=now - timedelta(days=age))
    response = client_for(world.owner).get("/")
    assert [c.pk for c in response.context["summary"].waiting_longest] == [c.pk for c in customers[::-1][:10]]
    html = response.content.decode()
    assert customers[11].name in html
    assert customers[0].name not in html


def test_manager_home_counts_only_own_customers(
    world: OrgWorld, client_for: ClientFor, make_customers: MakeCustomers
) -> None:
    make_customers(world.owner, 2)
    summary = client_for(world.manager_north).get("/").context["summary"]
    assert summary.my_customers == 0
    assert summary.waiting_longest == []


def test_home_shows_only_my_recent_notifications(world: OrgWorld, client_for: ClientFor) -> None:
    Notification.objects.create(organization=world.org, user=world.owner, kind="test", title="客户即将回收")
    Notification.objects.create(organization=world.org, user=world.stranger, kind="test", title="别人的提醒")
    html = client_for(world.owner).get("/").content.decode()
    assert "客户即将回收" in html
    assert "别人的提醒" not in html


def test_home_query_count_does_not_grow_with_rows(
    world: OrgWorld, client_for: ClientFor, make_customers: MakeCustomers
) -> None:
    client = client_for(world.owner)

    def add_rows(count: int) -> None:
        make_customers(world.owner, count, prefix=f"批次{Customer.objects.count()}")
        Notification.objects.bulk_create(
            Notification(organization=world.org, user=world.owner, kind="test", title=f"提醒{i}") for i in range(count)
        )

    add_rows(3)
    with_three = query_count(client, "/")
    add_rows(27)
    assert query_count(client, "/") == with_three
    assert with_three <= 8
