"""Hot API lists do not grow their query count with their rows (3 rows and 30 rows cost the same)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.core.tests.api_support import _fast_password_hashing, call, session_client  # noqa: F401
from kam.customers.models import Customer, Pool, PoolMember
from kam.customers.tests.api_scene import make_contact, make_customer

# Pinyin-distinct syllables so generated names never look like duplicates of each other.
WORDS = (
    "星辰 海纳 远航 蓝鲸 云栖 金桥 华信 博远 天工 银河 青松 明德 长风 瑞丰 汇通 "
    "启航 恒泰 中联 东方 南山 北辰 西岭 宏图 鼎盛 新宇 正源 安达 合众 永盛 立信"
).split()


def count_queries(path: str, user: User) -> int:
    client = session_client(user)
    call(client, "GET", path)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = call(client, "GET", path)
    assert response.status_code == 200
    return len(queries)


def grow(make: Callable[[int], object], start: int, stop: int) -> None:
    for index in range(start, stop):
        make(index)


@pytest.fixture
def tagged_customer(world: OrgWorld) -> Callable[[int], Customer]:
    def make(index: int) -> Customer:
        customer = make_customer(world.owner, f"{WORDS[index]}科技有限公司", industry="I", city="110100",
                                 tags=[f"标签{index}", "重点"])  # fmt: skip
        return customer

    return make


def test_customer_list_query_count_is_flat(world: OrgWorld, tagged_customer: Callable[[int], Customer]) -> None:
    grow(tagged_customer, 0, 3)
    few = count_queries("/customers", world.manager_north)
    grow(tagged_customer, 3, 30)
    many = count_queries("/customers", world.manager_north)
    assert few == many
    assert many <= 6  # session, user, manager's team (scope), count, page, tags


def test_contacts_of_a_customer_query_count_is_flat(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    boss = make_contact(world.owner, customer, "王总", relationship_owner=world.owner)

    def make(index: int) -> None:
        make_contact(world.owner, customer, f"联系人{index}", reports_to=boss, relationship_owner=world.teammate)

    grow(make, 0, 2)
    path = f"/customers/{customer.pk}/contacts"
    few = count_queries(path, world.owner)
    grow(make, 2, 29)
    assert count_queries(path, world.owner) == few


def test_pool_customer_list_query_count_is_flat(world: OrgWorld) -> None:
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=world.owner)

    def make(index: int) -> None:
        make_customer(world.admin, f"{WORDS[index]}科技有限公司", pool=pool, tags=["公海"])

    grow(make, 0, 3)
    path = f"/pools/{pool.pk}/customers"
    few = count_queries(path, world.owner)
    grow(make, 3, 30)
    assert count_queries(path, world.owner) == few


def test_search_query_count_is_flat(world: OrgWorld) -> None:
    def make(index: int) -> None:
        customer = make_customer(world.owner, f"{WORDS[index]}测试有限公司")
        make_contact(world.owner, customer, f"测试{index}")

    grow(make, 0, 3)
    few = count_queries("/search?q=ceshi", world.manager_north)
    grow(make, 3, 30)
    assert count_queries("/search?q=ceshi", world.manager_north) == few
