"""Contacts over the API: the shared ContactForm rules, versions, search and pagination."""

from __future__ import annotations

from kam.conftest import OrgWorld
from kam.core.tests.api_support import _fast_password_hashing, call, session_client  # noqa: F401
from kam.customers.models import Contact
from kam.customers.tests.api_scene import make_contact, make_customer


def locs(response: object) -> list[list[str]]:
    return [item["loc"] for item in response.data["detail"]]  # type: ignore[attr-defined]


def test_create_contact_normalises_the_mobile(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    boss = make_contact(world.owner, customer, "王总")
    body = {
        "name": " 张  伟 ",
        "mobile": "+86 138-1234-5678",
        "reports_to_id": boss.pk,
        "relationship_owner_id": world.owner.pk,
        "buying_role": "decision",
        "strength": 5,
        "birthday": "1980-05-04",
    }
    response = call(session_client(world.owner), "POST", f"/customers/{customer.pk}/contacts", body)
    assert (response.status_code, response["ETag"]) == (201, '"1"')
    data = response.data
    assert (data["name"], data["mobile"], data["reports_to_id"]) == ("张 伟", "13812345678", boss.pk)
    assert data["relationship_owner"] == {"id": world.owner.pk, "username": "owner", "name": "owner"}
    assert data["customer"] == {"id": customer.pk, "name": "北京星辰科技有限公司"}
    assert (data["buying_role"], data["strength"], data["birthday"]) == ("decision", 5, "1980-05-04")


def test_invalid_mobile_is_422_and_creates_nothing(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    body = {"name": "张伟", "mobile": "010-12345678"}
    response = call(session_client(world.owner), "POST", f"/customers/{customer.pk}/contacts", body)
    assert (response.status_code, locs(response)) == (422, [["body", "mobile"]])
    assert Contact.all_objects.count() == 0


def test_reports_to_must_be_a_contact_of_the_same_customer(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    elsewhere = make_contact(world.owner, make_customer(world.owner, "上海海纳软件有限公司"), "王总")
    body = {"name": "张伟", "reports_to_id": elsewhere.pk, "strength": 9}
    response = call(session_client(world.owner), "POST", f"/customers/{customer.pk}/contacts", body)
    assert locs(response) == [["body", "reports_to_id"], ["body", "strength"]]
    assert Contact.objects.count() == 1


def test_patch_contact_with_if_match_and_a_stale_version(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    contact = make_contact(world.owner, customer, "张伟", title="经理")
    client = session_client(world.owner)
    got = call(client, "GET", f"/contacts/{contact.pk}")
    assert got["ETag"] == '"1"'
    changed = call(client, "PATCH", f"/contacts/{contact.pk}", {"title": "总监"}, **{"If-Match": got["ETag"]})
    assert (changed.status_code, changed["ETag"], changed.data["title"]) == (200, '"2"', "总监")
    stale = call(client, "PATCH", f"/contacts/{contact.pk}", {"title": "旧值"}, **{"If-Match": '"1"'})
    assert (stale.status_code, stale.data["current_version"]) == (412, 2)
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("总监", 2)


def test_patch_contact_cannot_make_a_reporting_loop(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    boss = make_contact(world.owner, customer, "王总")
    report = make_contact(world.owner, customer, "张伟", reports_to=boss)
    response = call(session_client(world.owner), "PATCH", f"/contacts/{boss.pk}", {"reports_to_id": report.pk})
    assert (response.status_code, locs(response)) == (422, [["body", "reports_to_id"]])
    boss.refresh_from_db()
    assert boss.reports_to_id is None


def test_delete_contact_hides_it(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    contact = make_contact(world.owner, customer, "张伟")
    client = session_client(world.owner)
    assert call(client, "DELETE", f"/contacts/{contact.pk}").status_code == 204
    assert call(client, "GET", f"/customers/{customer.pk}/contacts").data == []
    assert Contact.all_objects.get().deleted_by == world.owner


def test_contact_search_paginates_with_the_total(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星辰科技有限公司")
    for name in ["张伟", "张敏", "张静", "李娜"]:
        make_contact(world.owner, customer, name)
    client = session_client(world.owner)
    page = call(client, "GET", "/contacts?q=zhang&limit=2&offset=0")
    assert (page.data["count"], len(page.data["items"])) == (3, 2)
    assert call(client, "GET", "/contacts").data["count"] == 4
