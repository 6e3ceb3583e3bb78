"""The search box and the customer list (queries.search, customer_list): what matches, for whom, how fast."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.customers.actions import create_contact
from kam.customers.models import Collaborator, CollaboratorAccess, Customer
from kam.customers.queries import CustomerFilters, customer_list, search
from kam.customers.tests.domain_helpers import credit_code, make_customer, make_pool


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def huawei(world: OrgWorld) -> Customer:
    return make_customer(
        world.owner, "华为技术有限公司", short_name="华为", credit_code=credit_code(1), phone="0755-28780808"
    )


@pytest.mark.parametrize(
    "term",
    ["华为", "华为技术有限公司", "hwjs", "HWJS", "hw js", "huaweijishu", "huawei", "hw", credit_code(1),
     credit_code(1).lower(), "075528780808", "28780808"],
)  # fmt: skip
def test_customer_is_found_by_name_pinyin_initials_code_and_phone(world: OrgWorld, huawei: Customer, term: str) -> None:
    assert search(world.owner, term) == ([huawei], [])


def test_customer_is_found_by_the_phone_as_displayed(world: OrgWorld, huawei: Customer) -> None:
    assert search(world.owner, "0755-28780808") == ([huawei], [])


def test_contacts_are_found_by_name_pinyin_and_mobile(world: OrgWorld, huawei: Customer) -> None:
    contact = create_contact(world.owner, huawei, {"name": "张伟", "mobile": "13812345678", "email": "zw@huawei.com"})
    for term in ("张伟", "zhangwei", "zw", "13812345678", "zw@huawei.com"):
        assert search(world.owner, term)[1] == [contact], term


def test_search_finds_only_what_the_user_may_open(world: OrgWorld, huawei: Customer) -> None:
    create_contact(world.owner, huawei, {"name": "华为张伟"})
    for who in ("teammate", "stranger", "manager_east", "collaborator", "outsider"):
        assert search(getattr(world, who), "华为") == ([], []), who
    Collaborator.objects.create(
        organization=world.org, customer=huawei, user=world.collaborator, access=CollaboratorAccess.READ
    )
    customers, contacts = search(world.collaborator, "华为")
    assert (customers, [c.name for c in contacts]) == ([huawei], ["华为张伟"])


def test_search_skips_deleted_customers_and_their_contacts(world: OrgWorld, huawei: Customer) -> None:
    create_contact(world.owner, huawei, {"name": "华为张伟"})
    Customer.objects.filter(pk=huawei.pk).update(deleted_at=timezone.now())
    assert search(world.admin, "华为") == ([], [])


def test_blank_terms_return_nothing_without_a_query(
    world: OrgWorld, huawei: Customer, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert search(world.owner, "   ") == ([], [])


def test_search_respects_the_limit_and_is_two_queries(world: OrgWorld, django_assert_num_queries: Any) -> None:
    for i in range(6):
        make_customer(world.owner, f"华为{i}号分公司")
    with django_assert_num_queries(2):
        customers, contacts = search(world.manager_north, "华为", limit=4)
        owners = {c.owner.name for c in customers if c.owner}
    assert (len(customers), contacts, owners) == (4, [], {"owner"})


# --- customer_list ----------------------------------------------------------------------------


def test_customer_list_filters_by_team_tier_stale_and_pool(world: OrgWorld) -> None:
    north_a = make_customer(world.owner, "北京A级有限公司", tier="A")
    north_c = make_customer(world.teammate, "北京C级有限公司", tier="C")
    east = make_customer(world.stranger, "上海客户有限公司", tier="A")
    pool = make_pool(world.org.pk)
    pooled = make_customer(world.admin, "公海客户有限公司", pool=pool)
    Customer.objects.filter(pk=north_c.pk).update(last_followup_at=timezone.now() - timedelta(days=40))
    Customer.objects.filter(pk=north_a.pk).update(last_followup_at=timezone.now() - timedelta(days=5))

    def ids(**filters: Any) -> set[int]:
        return {c.pk for c in customer_list(world.director, CustomerFilters(**filters))}

    assert ids() == {north_a.pk, north_c.pk, east.pk}
    assert ids(team=world.north.pk) == {north_a.pk, north_c.pk}
    assert ids(team=world.shanghai.pk) == {east.pk}
    assert ids(team=999999) == set()
    assert ids(tier="A") == {north_a.pk, east.pk}
    assert ids(owner=world.teammate.pk) == {north_c.pk}
    assert ids(stale_days=30) == {north_c.pk, east.pk}
    assert ids(q="bj") == {north_a.pk, north_c.pk}
    assert {c.pk for c in customer_list(world.admin, CustomerFilters(pool=pool.pk))} == {pooled.pk}


def test_customer_list_never_widens_visibility(world: OrgWorld) -> None:
    make_customer(world.stranger, "上海客户有限公司")
    mine = make_customer(world.owner, "北京客户有限公司")
    assert list(customer_list(world.owner, CustomerFilters(team=world.company.pk))) == [mine]
    assert list(customer_list(world.outsider, CustomerFilters())) == []


def test_customer_list_query_count_does_not_grow_with_rows(world: OrgWorld, django_assert_num_queries: Any) -> None:
    for i in range(8):
        make_customer(world.owner, f"测试客户{i}号有限公司", tag_names=["重点", f"标签{i}"])
    with django_assert_num_queries(2):  # the rows, then their tags
        rows = [
            (c.owner.name if c.owner else "", c.pool, c.industry, c.city, [t.name for t in c.tags.all()])
            for c in customer_list(world.manager_north, CustomerFilters(sort="name"))
        ]
    assert len(rows) == 8
