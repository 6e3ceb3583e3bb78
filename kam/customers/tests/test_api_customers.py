"""Customers over the API: validation through the shared form, 查重 answers, versions, and the moves."""

from __future__ import annotations

from dataclasses import fields

import pytest

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry
from kam.core.tests.api_support import _fast_password_hashing, call, session_client  # noqa: F401
from kam.customers.models import Collaborator, Customer, CustomerTier, OwnershipChange, Pool, PoolMember
from kam.customers.queries import CustomerFilters
from kam.customers.schemas import CustomerFilterQuery
from kam.customers.tests.api_scene import credit_code, make_contact, make_customer


def locs(response: object) -> list[list[str]]:
    return [item["loc"] for item in response.data["detail"]]  # type: ignore[attr-defined]


# --- create -------------------------------------------------------------------------------------


def test_create_returns_the_customer_with_references_by_code_and_an_etag(world: OrgWorld) -> None:
    body = {
        "name": "北京星辰科技有限公司",
        "credit_code": credit_code(7).lower(),
        "industry": "I",
        "city": "110100",
        "latitude": 39.9042,
        "longitude": "116.407396",
        "phone": "+86 138 1234 5678",
        "tags": ["重点", "华北"],
        "next_followup_at": "2026-12-01T09:00:00",
    }
    response = call(session_client(world.owner), "POST", "/customers", body)
    assert response.status_code == 201
    assert response["ETag"] == '"1"'
    data = response.data
    customer = Customer.objects.get()
    assert data["id"] == customer.pk
    assert data["credit_code"] == credit_code(7)
    assert data["industry"] == {"code": "I", "name": "信息传输、软件和信息技术服务业"}
    assert data["province"] == {"code": "110000", "name": "北京市"}
    assert data["city"] == {"code": "110100", "name": "北京市"}
    assert data["city_tier"] == "一线"
    assert (data["latitude"], data["longitude"]) == (39.9042, 116.407396)
    assert data["phone"] == "13812345678"
    assert data["tags"] == sorted(["重点", "华北"])
    assert data["owner"] == {"id": world.owner.pk, "username": "owner", "name": "owner"}
    assert data["pool"] is None
    assert data["next_followup_at"] == "2026-12-01T09:00:00+08:00"
    assert data["created_at"].endswith("+08:00")
    assert OwnershipChange.objects.filter(customer=customer, kind="create", to_user=world.owner).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credit_code", "91110108000000051X"),
        ("industry", "ZZ"),
        ("city", "999999"),
        ("website", "not a url"),
        ("tier", "Z"),
    ],
)
def test_bad_field_answers_422_at_that_field_and_creates_nothing(world: OrgWorld, field: str, value: str) -> None:
    response = call(session_client(world.owner), "POST", "/customers", {"name": "北京星辰科技有限公司", field: value})
    assert response.status_code == 422
    assert locs(response) == [["body", field]]
    assert response.data["detail"][0]["type"] == "value_error"
    assert Customer.all_objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_schema_errors_keep_ninja_field_paths(world: OrgWorld) -> None:
    response = call(session_client(world.owner), "POST", "/customers", {"latitude": "north", "tags": "a"})
    assert response.status_code == 422
    assert locs(response) == [["body", "name"], ["body", "latitude"], ["body", "tags"]]
    assert Customer.all_objects.count() == 0


def test_validation_messages_follow_accept_language(world: OrgWorld) -> None:
    client = session_client(world.owner)
    body = {"name": "星"}
    english = call(client, "POST", "/customers", body, **{"Accept-Language": "en"})
    chinese = call(client, "POST", "/customers", body)
    assert english.data["detail"][0]["msg"] == "A customer name needs at least 2 characters."
    assert chinese.data["detail"][0]["msg"] == "客户名称至少需要2个字。"


def test_possible_duplicate_answers_409_then_201_when_confirmed(world: OrgWorld) -> None:
    make_customer(world.stranger, "北京星辰科技有限公司")
    client = session_client(world.owner)
    body = {"name": "星辰科技有限公司"}
    first = call(client, "POST", "/customers", body)
    assert first.status_code == 409
    assert first.data["duplicates"] == [
        {"customer_id": None, "kind": "name", "score": 100, "visible": False, "name": "", "holder": "stranger"}
    ]
    assert Customer.objects.count() == 1
    confirmed = call(client, "POST", "/customers", {**body, "confirm_duplicates": True})
    assert confirmed.status_code == 201
    assert Customer.objects.count() == 2


def test_taken_credit_code_is_refused_even_when_confirmed(world: OrgWorld) -> None:
    make_customer(world.stranger, "上海海纳软件有限公司", credit_code=credit_code(3))
    body = {"name": "北京星辰科技有限公司", "credit_code": credit_code(3), "confirm_duplicates": True}
    response = call(session_client(world.owner), "POST", "/customers", body)
    assert response.status_code == 422
    assert locs(response) == [["body", "credit_code"]]
    assert Customer.objects.count() == 1


def test_rep_cannot_give_a_new_customer_to_another_team(world: OrgWorld) -> None:
    body = {"name": "北京星辰科技有限公司", "owner_id": world.stranger.pk}
    response = call(session_client(world.owner), "POST", "/customers", body)
    assert response.status_code == 422
    assert locs(response) == [["body", "owner_id"]]
    assert Customer.objects.count() == 0


def test_manager_creates_for_a_rep_and_pool_admin_into_the_pool(world: OrgWorld) -> None:
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=world.manager_north, is_admin=True)
    client = session_client(world.manager_north)
    for_rep = call(client, "POST", "/customers", {"name": "北京星辰科技有限公司", "owner_id": world.owner.pk})
    into_pool = call(client, "POST", "/customers", {"name": "上海海纳软件有限公司", "pool_id": pool.pk})
    assert for_rep.data["owner"]["id"] == world.owner.pk
    assert (into_pool.data["owner"], into_pool.data["pool"]) == (None, {"id": pool.pk, "name": "华北公海"})


def test_unknown_pool_is_a_field_error(world: OrgWorld) -> None:
    response = call(session_client(world.owner), "POST", "/customers", {"name": "北京星辰科技有限公司", "pool_id": 999})
    assert (response.status_code, locs(response)) == (422, [["body", "pool_id"]])


# --- read, list, filters ------------------------------------------------------------------------


def test_filter_query_has_every_customer_filter() -> None:
    assert set(CustomerFilterQuery.model_fields) == {f.name for f in fields(CustomerFilters)}


def test_list_paginates_with_the_total_count(world: OrgWorld) -> None:
    for index, name in enumerate(["星辰", "海纳", "远航", "蓝鲸", "云栖"]):
        make_customer(world.owner, f"北京{name}科技有限公司", tier="A" if index < 3 else "B")
    client = session_client(world.owner)
    page = call(client, "GET", "/customers?limit=2&offset=2&sort=name")
    assert page.data["count"] == 5
    assert [c["name"] for c in page.data["items"]] == ["北京星辰科技有限公司", "北京远航科技有限公司"]
    tier_a = call(client, "GET", "/customers?tier=A&q=haina")
    assert (tier_a.data["count"], tier_a.data["items"][0]["name"]) == (1, "北京海纳科技有限公司")
    assert call(client, "GET", "/customers?limit=0").status_code == 422


def test_list_filters_by_owner_team_industry_and_tag(world: OrgWorld) -> None:
    mine = make_customer(world.owner, "北京星辰科技有限公司", industry="I", tags=["重点"])
    make_customer(world.teammate, "北京海纳软件有限公司", industry="C")
    client = session_client(world.manager_north)

    def ids(query: str) -> list[int]:
        return [c["id"] for c in call(client, "GET", "/customers?" + query).data["items"]]

    tag_id = mine.tags.get().pk
    assert ids(f"owner={world.owner.pk}") == [mine.pk]
    assert ids(f"team={world.beijing.pk}&industry=I") == [mine.pk]
    assert ids(f"tag={tag_id}") == [mine.pk]
    assert ids(f"team={world.shanghai.pk}") == []


def test_get_sends_the_version_as_etag(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    response = call(session_client(world.owner), "GET", f"/customers/{customer.pk}")
    assert (response.status_code, response["ETag"], response.data["version"]) == (200, '"1"', 1)


def test_missing_customer_is_404_json(world: OrgWorld) -> None:
    response = call(session_client(world.owner), "GET", "/customers/999", **{"Accept-Language": "en"})
    assert (response.status_code, response.data) == (404, {"detail": "Not found"})


# --- patch and versions ---------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_audits_them(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司", tier="B", city="110100", tags=["旧"])
    client = session_client(world.owner)
    response = call(
        client, "PATCH", f"/customers/{customer.pk}", {"tier": "A", "tags": ["重点"]}, **{"If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert (response.data["tier"], response.data["tags"], response.data["city"]["code"]) == ("A", ["重点"], "110100")
    changes = AuditEntry.objects.filter(entity_id=customer.pk, action="update")
    assert sorted(changes.values_list("field", "old")) == [("tags", "旧"), ("tier", str(CustomerTier.B.label))]
    history = call(client, "GET", f"/customers/{customer.pk}/history")
    assert [(row["action"], row["field"]) for row in history.data][:2] in (
        [("update", "tier"), ("update", "tags")],
        [("update", "tags"), ("update", "tier")],
    )
    assert history.data[-1]["action"] == "create"


def test_stale_if_match_answers_412_and_changes_nothing(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    client = session_client(world.owner)
    call(client, "PATCH", f"/customers/{customer.pk}", {"short_name": "星辰"})
    response = call(client, "PATCH", f"/customers/{customer.pk}", {"short_name": "旧值"}, **{"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.data["current_version"] == 2
    assert response["ETag"] == '"2"'
    customer.refresh_from_db()
    assert (customer.short_name, customer.version) == ("星辰", 2)


def test_unreadable_if_match_never_matches(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    response = call(
        session_client(world.owner), "PATCH", f"/customers/{customer.pk}", {"tier": "A"}, **{"If-Match": "x"}
    )
    assert response.status_code == 412


def test_patch_validates_merged_data_with_the_form(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司", province="110000")
    client = session_client(world.owner)
    wrong_city = call(client, "PATCH", f"/customers/{customer.pk}", {"city": "310100"})
    bad_code = call(client, "PATCH", f"/customers/{customer.pk}", {"credit_code": "123"})
    no_name = call(client, "PATCH", f"/customers/{customer.pk}", {"name": None})
    assert (wrong_city.status_code, locs(wrong_city)) == (422, [["body", "city"]])
    assert locs(bad_code) == [["body", "credit_code"]]
    assert locs(no_name) == [["body", "name"]]
    customer.refresh_from_db()
    assert (customer.city_id, customer.credit_code, customer.version) == (None, "", 1)
    moved = call(client, "PATCH", f"/customers/{customer.pk}", {"province": "310000", "city": "310100"})
    assert (moved.data["province"]["code"], moved.data["city"]["code"]) == ("310000", "310100")


# --- recycle bin, lock, ownership moves --------------------------------------------------------------


def test_delete_then_restore(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    contact = make_contact(world.owner, customer, "张伟")
    client = session_client(world.owner)
    assert call(client, "DELETE", f"/customers/{customer.pk}").status_code == 204
    assert call(client, "GET", f"/customers/{customer.pk}").status_code == 404
    assert call(client, "GET", f"/contacts/{contact.pk}").status_code == 404
    restored = call(client, "POST", f"/customers/{customer.pk}/restore")
    assert (restored.status_code, restored.data["id"]) == (200, customer.pk)
    assert call(client, "GET", f"/contacts/{contact.pk}").status_code == 200


def test_lock_and_unlock(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    client = session_client(world.owner)
    assert call(client, "POST", f"/customers/{customer.pk}/lock").data["locked"] is True
    assert call(client, "POST", f"/customers/{customer.pk}/unlock").data["locked"] is False


def test_lock_limit_is_a_422(world: OrgWorld) -> None:
    world.owner.lock_limit = 0
    world.owner.save(update_fields=["lock_limit"])
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    response = call(session_client(world.owner), "POST", f"/customers/{customer.pk}/lock")
    assert (response.status_code, locs(response)) == (422, [["body"]])
    customer.refresh_from_db()
    assert customer.locked is False


def test_manager_transfers_and_ownership_lists_the_move(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    client = session_client(world.manager_north)
    body = {"user_id": world.teammate.pk, "reason": "区域调整"}
    moved = call(client, "POST", f"/customers/{customer.pk}/transfer", body)
    assert moved.data["owner"]["id"] == world.teammate.pk
    rows = call(client, "GET", f"/customers/{customer.pk}/ownership").data
    assert [(r["kind"], r["from_user"] and r["from_user"]["id"], r["to_user"]["id"]) for r in rows] == [
        ("transfer", world.owner.pk, world.teammate.pk),
        ("create", None, world.owner.pk),
    ]
    assert rows[0]["reason"] == "区域调整"


def test_transfer_to_another_team_is_a_field_error(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    body = {"user_id": world.stranger.pk}
    response = call(session_client(world.manager_north), "POST", f"/customers/{customer.pk}/transfer", body)
    assert (response.status_code, locs(response)) == (422, [["body", "user_id"]])
    assert Customer.objects.get().owner_id == world.owner.pk


def test_return_to_pool_needs_a_reason(world: OrgWorld) -> None:
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=world.owner)
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    client = session_client(world.owner)
    no_reason = call(client, "POST", f"/customers/{customer.pk}/return", {"reason": " "})
    assert (no_reason.status_code, locs(no_reason)) == (422, [["body", "reason"]])
    returned = call(client, "POST", f"/customers/{customer.pk}/return", {"reason": "预算取消"})
    assert (returned.data["owner"], returned.data["pool"]["id"]) == (None, pool.pk)


def test_claim_and_assign_from_the_pool(world: OrgWorld) -> None:
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=world.owner)
    PoolMember.objects.create(pool=pool, user=world.manager_north, is_admin=True)
    first = make_customer(world.admin, "北京星辰科技有限公司", pool=pool)
    second = make_customer(world.admin, "上海海纳软件有限公司", pool=pool)
    listed = call(session_client(world.owner), "GET", f"/pools/{pool.pk}/customers")
    assert sorted(c["id"] for c in listed.data["items"]) == sorted([first.pk, second.pk])
    claimed = call(session_client(world.owner), "POST", f"/pools/{pool.pk}/customers/{first.pk}/claim")
    assert (claimed.data["owner"]["id"], claimed.data["pool"]) == (world.owner.pk, None)
    body = {"user_id": world.teammate.pk}
    assigned = call(session_client(world.manager_north), "POST", f"/pools/{pool.pk}/customers/{second.pk}/assign", body)
    assert assigned.data["owner"]["id"] == world.teammate.pk
    assert call(session_client(world.owner), "GET", f"/pools/{pool.pk}/customers").data["count"] == 0


def test_claim_through_the_wrong_pool_is_404(world: OrgWorld) -> None:
    north = Pool.objects.create(organization=world.org, name="华北公海")
    east = Pool.objects.create(organization=world.org, name="华东公海")
    PoolMember.objects.create(pool=north, user=world.owner)
    PoolMember.objects.create(pool=east, user=world.owner)
    customer = make_customer(world.admin, "北京星辰科技有限公司", pool=north)
    response = call(session_client(world.owner), "POST", f"/pools/{east.pk}/customers/{customer.pk}/claim")
    assert response.status_code == 404
    assert Customer.objects.get().owner_id is None


def test_merge_moves_contacts_to_the_survivor(world: OrgWorld) -> None:
    survivor = make_customer(world.owner, "北京星辰科技有限公司")
    duplicate = make_customer(world.owner, "星辰科技（北京）有限公司", phone="010-12345678")
    make_contact(world.owner, duplicate, "张伟")
    client = session_client(world.manager_north)
    body = {"survivor_id": survivor.pk, "duplicate_id": duplicate.pk}
    merged = call(client, "POST", "/customers/merge", body)
    assert (merged.status_code, merged.data["phone"]) == (200, "010-12345678")
    assert [c["name"] for c in call(client, "GET", f"/customers/{survivor.pk}/contacts").data] == ["张伟"]
    assert call(client, "GET", f"/customers/{duplicate.pk}").status_code == 404


def test_collaborators_put_list_delete(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    client = session_client(world.owner)
    path = f"/customers/{customer.pk}/collaborators/{world.collaborator.pk}"
    added = call(client, "PUT", path, {"access": "write"})
    assert (added.status_code, added.data["user"]["id"], added.data["access"]) == (200, world.collaborator.pk, "write")
    assert call(client, "PUT", path, {"access": "read"}).data["access"] == "read"
    listed = call(client, "GET", f"/customers/{customer.pk}/collaborators").data
    assert [(c["user"]["username"], c["access"]) for c in listed] == [("collab", "read")]
    assert call(client, "GET", path).data["access"] == "read"
    assert call(client, "PUT", path, {"access": "admin"}).status_code == 422
    assert call(client, "DELETE", path).status_code == 204
    assert Collaborator.objects.count() == 0
    assert call(client, "GET", path).status_code == 404


def test_collaborator_from_another_org_is_404(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    path = f"/customers/{customer.pk}/collaborators/{world.outsider.pk}"
    assert call(session_client(world.owner), "PUT", path, {"access": "read"}).status_code == 404
    assert Collaborator.objects.count() == 0


def test_owner_as_collaborator_is_a_field_error(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    path = f"/customers/{customer.pk}/collaborators/{world.owner.pk}"
    response = call(session_client(world.owner), "PUT", path, {"access": "read"})
    assert (response.status_code, locs(response)) == (422, [["body", "user_id"]])


# --- search and 查重 ----------------------------------------------------------------------------


def test_search_finds_customers_and_contacts_by_pinyin(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    contact = make_contact(world.owner, customer, "张伟", title="采购总监")
    client = session_client(world.owner)
    found = call(client, "GET", "/search?q=xc").data
    assert [c["id"] for c in found["customers"]] == [customer.pk]
    people = call(client, "GET", "/search?q=zhangwei").data["contacts"]
    assert people == [{"id": contact.pk, "name": "张伟", "title": "采购总监",
                       "customer": {"id": customer.pk, "name": "北京星辰科技有限公司"}}]  # fmt: skip
    assert call(client, "GET", "/search?q=").data == {"customers": [], "contacts": []}


def test_duplicate_check_by_credit_code_and_phone(world: OrgWorld) -> None:
    by_code = make_customer(world.owner, "北京星辰科技有限公司", credit_code=credit_code(9))
    by_phone = make_customer(world.owner, "上海海纳软件有限公司", phone="021-55556666")
    body = {"name": "", "credit_code": credit_code(9).lower(), "phones": ["02155556666"]}
    response = call(session_client(world.owner), "POST", "/customers/duplicates", body)
    assert [(m["customer_id"], m["kind"]) for m in response.data] == [
        (by_code.pk, "credit_code"),
        (by_phone.pk, "phone"),
    ]
