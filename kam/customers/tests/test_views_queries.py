"""Query counts of the customer pages: the same with 3 rows as with 30."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.models import Role, User
from kam.customers.actions import delete_contact, delete_customer, set_collaborator, update_customer
from kam.customers.models import Contact, Industry, OwnershipChange, Region
from kam.customers.tests.view_scene import (  # noqa: F401 - _fast_hasher is an autouse fixture
    _fast_hasher,
    english_client,
    make_contact,
    make_customer,
    make_pool,
)

# Generous ceilings; the point is that the count does not grow with the rows.
MAX_QUERIES = 20
# The customer 360 page also carries the panels of later modules (deals, the account plan).
MAX_DETAIL_QUERIES = 30


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def assert_flat(client: Client, url: str, add_rows: Callable[[int, int], None], ceiling: int = MAX_QUERIES) -> None:
    add_rows(0, 3)
    few = count_queries(client, url)
    add_rows(3, 30)
    many = count_queries(client, url)
    assert few == many
    assert many <= ceiling


def test_customer_list_queries_do_not_grow(world: OrgWorld) -> None:
    industry = Industry.objects.get(code="65")
    city = Region.objects.get(code="110100")

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            make_customer(
                world.owner,
                f"列表测试{i:03d}号科技有限公司",
                industry=industry,
                city=city,
                tag_names=[f"标签{i}", "重点"],
            )

    assert_flat(english_client(world.manager_north), reverse("customer-list"), add)


def test_customer_detail_queries_do_not_grow(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")

    def add(start: int, stop: int) -> None:
        boss = None
        for i in range(start, stop):
            colleague = User.objects.create(
                username=f"colleague{i}", organization=world.org, role=Role.PRESALES, team=world.beijing
            )
            set_collaborator(world.owner, customer, colleague, "read")
            boss = make_contact(world.owner, customer, f"联系人{i}", reports_to=boss, relationship_owner=world.owner)
            update_customer(
                world.owner, customer, {"notes": f"第{i}次备注"}, tag_names=[f"标签{j}" for j in range(i + 1)]
            )
            OwnershipChange.objects.create(
                organization=world.org,
                customer=customer,
                kind="transfer",
                from_user=world.owner,
                to_user=world.owner,
                actor=world.manager_north,
                at=timezone.now(),
            )

    assert_flat(
        english_client(world.manager_north), reverse("customer-detail", args=[customer.pk]), add, MAX_DETAIL_QUERIES
    )


def test_relationship_map_queries_do_not_grow(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")

    def add(start: int, stop: int) -> None:
        contacts = list(Contact.objects.filter(customer=customer).order_by("pk"))
        for i in range(start, stop):
            boss = contacts[(i - 1) // 2] if i else None
            contact = make_contact(
                world.owner,
                customer,
                f"联系人{i}",
                reports_to=boss,
                relationship_owner=world.teammate,
                is_key_person=i % 3 == 0,
            )
            contacts.append(contact)

    assert_flat(english_client(world.owner), reverse("relationship-map", args=[customer.pk]), add)


def test_pool_page_queries_do_not_grow(world: OrgWorld) -> None:
    pool = make_pool(world, members=(world.owner,), admins=(world.manager_north,))
    industry = Industry.objects.get(code="65")

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            make_customer(world.manager_north, f"公海测试{i:03d}号贸易有限公司", pool=pool, industry=industry)

    assert_flat(english_client(world.manager_north), reverse("pool-detail", args=[pool.pk]), add)


def test_recycle_bin_queries_do_not_grow(world: OrgWorld) -> None:
    keeper = make_customer(world.owner, "北京星河数据科技有限公司")

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            gone = make_customer(world.owner, f"回收测试{i:03d}号贸易有限公司")
            delete_customer(world.owner, gone)
            delete_contact(world.owner, make_contact(world.owner, keeper, f"离职{i}"))

    assert_flat(english_client(world.manager_north), reverse("recycle-bin"), add)
