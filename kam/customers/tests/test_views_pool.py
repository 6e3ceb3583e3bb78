"""客户公海 pages: pool list and detail, claim and assign with their refusals."""

from __future__ import annotations

from django.urls import reverse

from kam.conftest import OrgWorld
from kam.customers.actions import claim_customer
from kam.customers.models import Customer, OwnershipChange, Pool
from kam.customers.tests.view_scene import (  # noqa: F401 - _fast_hasher is an autouse fixture
    _fast_hasher,
    english_client,
    fingerprint,
    make_customer,
    make_pool,
)


def _pool(world: OrgWorld) -> Pool:
    return make_pool(world, members=(world.owner, world.teammate), admins=(world.manager_north,))


def test_pool_list_shows_only_my_pools(world: OrgWorld) -> None:
    _pool(world)
    make_pool(world, "华东公海", members=(world.stranger,))
    body = english_client(world.owner).get(reverse("pool-list")).content.decode()
    assert "华北公海" in body
    assert "华东公海" not in body
    assert (
        "You are not a member of any public pool."
        in english_client(world.director).get(reverse("pool-list")).content.decode()
    )


def test_pool_detail_lists_waiting_customers_with_claim_buttons(world: OrgWorld) -> None:
    pool = _pool(world)
    waiting = make_customer(world.manager_north, "天津远航物流有限公司", pool=pool)
    make_customer(world.owner, "北京星河数据科技有限公司")
    body = english_client(world.owner).get(reverse("pool-detail", args=[pool.pk])).content.decode()
    assert "天津远航物流有限公司" in body
    assert "北京星河数据科技有限公司" not in body
    assert reverse("customer-claim", args=[waiting.pk]) in body
    assert reverse("customer-assign", args=[waiting.pk]) not in body
    admin_body = english_client(world.manager_north).get(reverse("pool-detail", args=[pool.pk])).content.decode()
    assert reverse("customer-assign", args=[waiting.pk]) in admin_body


def test_claim_from_the_pool_page(world: OrgWorld) -> None:
    pool = _pool(world)
    waiting = make_customer(world.manager_north, "天津远航物流有限公司", pool=pool)
    response = english_client(world.owner).post(reverse("customer-claim", args=[waiting.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("customer-detail", args=[waiting.pk])
    assert "You now own 天津远航物流有限公司." in response.content.decode()
    assert Customer.objects.get(pk=waiting.pk).owner == world.owner


def test_claim_over_the_daily_cap_shows_the_reason_and_changes_nothing(world: OrgWorld) -> None:
    pool = _pool(world)
    Pool.objects.filter(pk=pool.pk).update(claim_daily_cap=1)
    first = make_customer(world.manager_north, "天津远航物流有限公司", pool=pool)
    second = make_customer(world.manager_north, "河北长城建材有限公司", pool=pool)
    claim_customer(world.owner, first)
    before = fingerprint()
    back = reverse("pool-detail", args=[pool.pk])
    response = english_client(world.owner).post(
        reverse("customer-claim", args=[second.pk]), {"next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == back
    assert "You have claimed 1 customers today, the daily limit of this pool." in response.content.decode()
    assert fingerprint() == before


def test_claim_ignores_an_outside_next_url(world: OrgWorld) -> None:
    pool = _pool(world)
    Pool.objects.filter(pk=pool.pk).update(claim_daily_cap=0)
    waiting = make_customer(world.manager_north, "天津远航物流有限公司", pool=pool)
    response = english_client(world.owner).post(
        reverse("customer-claim", args=[waiting.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("customer-detail", args=[waiting.pk])


def test_pool_admin_assigns_and_returns_to_the_pool_page(world: OrgWorld) -> None:
    pool = _pool(world)
    waiting = make_customer(world.manager_north, "天津远航物流有限公司", pool=pool)
    response = english_client(world.manager_north).post(
        reverse("customer-assign", args=[waiting.pk]), {"user": world.teammate.pk}
    )
    assert response["Location"] == reverse("pool-detail", args=[pool.pk])
    assert Customer.objects.get(pk=waiting.pk).owner == world.teammate
    assert OwnershipChange.objects.filter(customer=waiting, kind="assign", to_user=world.teammate).count() == 1


def test_assign_to_an_outsider_is_refused(world: OrgWorld) -> None:
    pool = _pool(world)
    waiting = make_customer(world.manager_north, "天津远航物流有限公司", pool=pool)
    before = fingerprint()
    response = english_client(world.manager_north).post(
        reverse("customer-assign", args=[waiting.pk]), {"user": world.outsider.pk}, follow=True
    )
    assert "Colleague: Select a valid choice." in response.content.decode()
    assert fingerprint() == before


def test_return_to_pool_then_owner_lands_on_the_list(world: OrgWorld) -> None:
    pool = _pool(world)
    mine = make_customer(world.owner, "北京星河数据科技有限公司")
    response = english_client(world.owner).post(reverse("customer-return", args=[mine.pk]), {"reason": "暂无预算"})
    assert response["Location"] == reverse("customer-list")
    change = OwnershipChange.objects.get(customer=mine, kind="return")
    assert (change.from_user, change.pool, change.reason) == (world.owner, pool, "暂无预算")


def test_transfer_outside_the_team_is_refused_with_a_message(world: OrgWorld) -> None:
    mine = make_customer(world.owner, "北京星河数据科技有限公司")
    before = fingerprint()
    response = english_client(world.manager_north).post(
        reverse("customer-transfer", args=[mine.pk]), {"user": world.stranger.pk}, follow=True
    )
    assert "You may only transfer to people in your own team." in response.content.decode()
    assert fingerprint() == before


def test_customer_page_offers_claim_to_members_and_assign_to_pool_admins(world: OrgWorld) -> None:
    pool = _pool(world)
    waiting = make_customer(world.manager_north, "天津远航物流有限公司", pool=pool)
    url = reverse("customer-detail", args=[waiting.pk])
    claim, assign = reverse("customer-claim", args=[waiting.pk]), reverse("customer-assign", args=[waiting.pk])
    member = english_client(world.owner).get(url).content.decode()
    assert claim in member
    assert assign not in member
    assert reverse("customer-edit", args=[waiting.pk]) not in member
    pool_admin = english_client(world.manager_north).get(url).content.decode()
    assert assign in pool_admin
    org_admin = english_client(world.admin).get(url).content.decode()
    assert claim not in org_admin
    assert assign in org_admin
