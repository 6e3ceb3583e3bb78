"""查重/撞单: credit code exact, normalised name fuzzy, phone exact; who holds a match; block vs warn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.core.models.org import DedupMode
from kam.customers.actions import DuplicatesFound, create_contact, create_customer
from kam.customers.dedup import DuplicateMatch, creation_blocked, find_duplicates
from kam.customers.models import Contact, Customer
from kam.customers.tests.domain_helpers import credit_code, make_customer, make_pool


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def huawei(world: OrgWorld) -> Customer:
    return make_customer(world.owner, "华为技术有限公司", credit_code=credit_code(1), phone="0755-28780808")


def test_credit_code_matches_exactly_and_case_insensitively(world: OrgWorld, huawei: Customer) -> None:
    expected = DuplicateMatch(
        customer_id=huawei.pk, kind="credit_code", score=100, visible=True, name="华为技术有限公司",
        owner_name="owner", pool_name="",
    )  # fmt: skip
    assert find_duplicates(world.owner, credit_code=credit_code(1)) == [expected]
    assert find_duplicates(world.owner, credit_code=credit_code(1).lower()) == [expected]
    assert find_duplicates(world.owner, credit_code=credit_code(2)) == []


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("华为技术有限公司", "北京华为技术有限公司"),
        ("北京华为技术有限公司", "华为技术有限公司"),
        ("腾讯科技（深圳）有限公司", "腾讯科技(深圳)有限公司"),
        ("腾讯科技(深圳)有限公司", "腾讯科技 （深圳） 有限公司"),
        ("阿里巴巴集团控股有限公司", "阿里巴巴集团控股有限公司"),
        ("中兴通讯股份有限公司", "中兴通讯有限责任公司"),
    ],
)
def test_normalised_names_match(world: OrgWorld, existing: str, typed: str) -> None:
    customer = make_customer(world.owner, existing)
    matches = find_duplicates(world.owner, name=typed)
    assert [(m.customer_id, m.kind, m.score) for m in matches] == [(customer.pk, "name", 100)]


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("北京银行股份有限公司", "南京银行股份有限公司"),
        ("华为技术有限公司", "中兴通讯股份有限公司"),
        ("腾讯科技(深圳)有限公司", "腾讯音乐娱乐有限公司"),
    ],
)
def test_different_companies_do_not_match(world: OrgWorld, existing: str, typed: str) -> None:
    make_customer(world.owner, existing)
    assert find_duplicates(world.owner, name=typed) == []


def test_a_near_name_matches_with_its_score(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "深圳市华为技术服务有限公司")
    matches = find_duplicates(world.owner, name="华为技术服务部有限公司")
    assert [(m.customer_id, m.kind) for m in matches] == [(customer.pk, "name")]
    assert 88 <= matches[0].score < 100


def test_phones_match_exactly_through_contact_mobiles_and_switchboards(world: OrgWorld, huawei: Customer) -> None:
    other = make_customer(world.owner, "中兴通讯股份有限公司")
    create_contact(world.owner, other, {"name": "张伟", "mobile": "13812345678"})
    by_mobile = find_duplicates(world.owner, phones=["+86 138 1234 5678"])
    assert [(m.customer_id, m.kind, m.score) for m in by_mobile] == [(other.pk, "phone", 100)]
    by_switchboard = find_duplicates(world.owner, phones=["0755 2878 0808"])
    assert [(m.customer_id, m.kind) for m in by_switchboard] == [(huawei.pk, "phone")]
    assert find_duplicates(world.owner, phones=["13812345679", "", "not a phone"]) == []


def test_contact_office_phones_match_too(world: OrgWorld) -> None:
    other = make_customer(world.owner, "中兴通讯股份有限公司")
    create_contact(world.owner, other, {"name": "张伟", "phone": "010-12345678"})
    assert [m.customer_id for m in find_duplicates(world.owner, phones=["01012345678"])] == [other.pk]


def test_deleted_contacts_and_deleted_customers_do_not_match(world: OrgWorld, huawei: Customer) -> None:
    other = make_customer(world.owner, "中兴通讯股份有限公司")
    contact = create_contact(world.owner, other, {"name": "张伟", "mobile": "13812345678"})
    Contact.objects.filter(pk=contact.pk).update(deleted_at=timezone.now())
    Customer.objects.filter(pk=huawei.pk).update(deleted_at=timezone.now())
    assert find_duplicates(world.owner, phones=["13812345678", "0755-28780808"]) == []
    assert find_duplicates(world.owner, name="华为技术有限公司", credit_code=credit_code(1)) == []


def test_other_organizations_never_match(world: OrgWorld, huawei: Customer) -> None:
    assert find_duplicates(world.outsider, name="华为技术有限公司", credit_code=credit_code(1)) == []


def test_matches_in_the_pool_name_the_pool_as_holder(world: OrgWorld) -> None:
    pool = make_pool(world.org.pk, members=(world.owner,))
    pooled = make_customer(world.admin, "华为技术有限公司", pool=pool)
    match = find_duplicates(world.owner, name="华为技术有限公司")[0]
    assert (match.customer_id, match.visible, match.name, match.owner_name, match.pool_name) == (
        pooled.pk,
        True,
        "华为技术有限公司",
        "",
        "华北公海",
    )
    assert match.holder == "public pool 华北公海"
    assert match.describe() == "华为技术有限公司 (held by public pool 华北公海)"
    hidden = find_duplicates(world.stranger, name="华为技术有限公司")[0]
    assert (hidden.visible, hidden.name, hidden.pool_name) == (False, "", "华北公海")


def test_a_match_the_user_cannot_open_shows_the_holder_but_not_the_name(world: OrgWorld, huawei: Customer) -> None:
    match = find_duplicates(world.teammate, name="华为技术有限公司")[0]
    assert (match.customer_id, match.kind, match.visible, match.name, match.owner_name) == (
        huawei.pk,
        "name",
        False,
        "",
        "owner",
    )
    assert match.describe() == "an existing customer (held by owner)"
    assert find_duplicates(world.manager_north, name="华为技术有限公司")[0].visible is True


def test_one_customer_matching_several_ways_is_listed_once_by_its_strongest_kind(
    world: OrgWorld, huawei: Customer
) -> None:
    phone_only = make_customer(world.owner, "中兴通讯股份有限公司")
    create_contact(world.owner, phone_only, {"name": "张伟", "mobile": "13812345678"})
    name_only = make_customer(world.owner, "北京华为技术有限公司")
    matches = find_duplicates(
        world.owner, name="华为技术有限公司", credit_code=credit_code(1), phones=["0755-28780808", "13812345678"]
    )
    assert [(m.customer_id, m.kind) for m in matches] == [
        (huawei.pk, "credit_code"),
        (phone_only.pk, "phone"),
        (name_only.pk, "name"),
    ]


def test_exclude_id_leaves_the_customer_itself_out(world: OrgWorld, huawei: Customer) -> None:
    assert find_duplicates(world.owner, name="华为技术有限公司", credit_code=credit_code(1), exclude_id=huawei.pk) == []


def test_creation_blocked_by_credit_code_always_and_by_others_only_in_block_mode(
    world: OrgWorld, huawei: Customer
) -> None:
    by_code = find_duplicates(world.owner, credit_code=credit_code(1))
    by_name = find_duplicates(world.owner, name="华为技术有限公司")
    assert creation_blocked(world.owner, by_code) is True
    assert creation_blocked(world.owner, by_name) is False
    assert creation_blocked(world.owner, []) is False
    world.org.dedup_mode = DedupMode.BLOCK
    world.org.save(update_fields=["dedup_mode"])
    world.owner.refresh_from_db()
    assert creation_blocked(world.owner, by_name) is True
    assert creation_blocked(world.owner, []) is False


def test_warn_mode_raises_duplicates_found_until_confirmed(world: OrgWorld, huawei: Customer) -> None:
    with pytest.raises(DuplicatesFound) as exc:
        create_customer(world.teammate, {"name": "北京华为技术有限公司"})
    assert [(m.customer_id, m.visible, m.owner_name) for m in exc.value.matches] == [(huawei.pk, False, "owner")]
    assert Customer.objects.count() == 1
    confirmed = create_customer(world.teammate, {"name": "北京华为技术有限公司"}, confirm_duplicates=True)
    assert confirmed.owner == world.teammate


def test_block_mode_refuses_even_when_confirmed(world: OrgWorld, huawei: Customer) -> None:
    world.org.dedup_mode = DedupMode.BLOCK
    world.org.save(update_fields=["dedup_mode"])
    world.teammate.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        create_customer(world.teammate, {"name": "北京华为技术有限公司"}, confirm_duplicates=True)
    assert exc.value.message_dict == {
        "name": ["A matching customer already exists: an existing customer (held by owner)."]
    }
    assert Customer.objects.count() == 1


def test_a_credit_code_match_is_refused_even_when_confirmed(world: OrgWorld, huawei: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        create_customer(world.manager_north, {"name": "随便", "credit_code": credit_code(1)}, confirm_duplicates=True)
    assert exc.value.message_dict == {
        "credit_code": ["This credit code is already registered: 华为技术有限公司 (held by owner)."]
    }


def test_a_phone_match_on_create_warns(world: OrgWorld, huawei: Customer) -> None:
    with pytest.raises(DuplicatesFound) as exc:
        create_customer(world.owner, {"name": "完全不同科技有限公司", "phone": "0755-28780808"})
    assert [(m.customer_id, m.kind) for m in exc.value.matches] == [(huawei.pk, "phone")]
