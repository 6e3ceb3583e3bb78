"""The search box: only customers and contacts the user may open, by name, pinyin or initials."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.customers.actions import create_contact, create_customer, set_collaborator
from kam.customers.models import CollaboratorAccess, Customer
from kam.web.tests.conftest import WORLD_USERS, ClientFor, MakeCustomers, query_count

CUSTOMER_NAME = "北京星辰科技有限公司"
CONTACT_NAME = "张伟"


@pytest.fixture
def customer(world: OrgWorld) -> Customer:
    customer = create_customer(world.owner, {"name": CUSTOMER_NAME})
    create_contact(world.owner, customer, {"name": CONTACT_NAME, "title": "采购经理"})
    set_collaborator(world.owner, customer, world.collaborator, CollaboratorAccess.READ)
    return customer


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get("/search/?q=bjxc")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/search/%3Fq%3Dbjxc"


@pytest.mark.parametrize("who", WORLD_USERS)
def test_every_user_gets_the_search_page(world: OrgWorld, who: str, client_for: ClientFor) -> None:
    response = client_for(getattr(world, who)).get("/search/?q=anything")
    assert response.status_code == 200


@pytest.mark.parametrize("q", [CUSTOMER_NAME, "星辰", "bjxc", "beijingxingchen", "BJXCKJ"])
@pytest.mark.parametrize(
    ("who", "finds"),
    [
        ("owner", True),
        ("collaborator", True),
        ("manager_north", True),
        ("director", True),
        ("admin", True),
        ("teammate", False),
        ("stranger", False),
        ("manager_east", False),
        ("outsider", False),
    ],
)
def test_search_finds_a_customer_only_for_those_who_may_open_it(
    world: OrgWorld, customer: Customer, client_for: ClientFor, q: str, who: str, finds: bool
) -> None:
    response = client_for(getattr(world, who)).get("/search/", {"q": q})
    assert response.status_code == 200
    assert [c.pk for c in response.context["customers"]] == ([customer.pk] if finds else [])
    assert (f">{CUSTOMER_NAME}</a>" in response.content.decode()) is finds


@pytest.mark.parametrize(("who", "finds"), [("owner", True), ("manager_north", True), ("stranger", False)])
def test_search_finds_contacts_by_initials_only_when_visible(
    world: OrgWorld, customer: Customer, client_for: ClientFor, who: str, finds: bool
) -> None:
    response = client_for(getattr(world, who)).get("/search/", {"q": "zw"})
    contacts = response.context["contacts"]
    assert [c.name for c in contacts] == ([CONTACT_NAME] if finds else [])
    assert (f">{CONTACT_NAME}</a>" in response.content.decode()) is finds


def test_empty_query_shows_nothing(world: OrgWorld, customer: Customer, client_for: ClientFor) -> None:
    response = client_for(world.owner).get("/search/?q=+")
    assert response.context["customers"] == []
    assert response.context["contacts"] == []


def test_no_match_says_so(world: OrgWorld, customer: Customer, en_client: ClientFor) -> None:
    html = en_client(world.owner).get("/search/", {"q": "不存在"}).content.decode()
    assert "No customers or contacts match “不存在”." in html


def test_htmx_request_gets_the_results_partial(world: OrgWorld, customer: Customer, client_for: ClientFor) -> None:
    response = client_for(world.owner).get("/search/", {"q": "bjxc"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["web/_search_results.html"]
    html = response.content.decode()
    assert "<html" not in html
    assert f'<a href="{reverse("customer-detail", args=[customer.pk])}">{CUSTOMER_NAME}</a>' in html


def test_search_is_get_only(world: OrgWorld, client_for: ClientFor) -> None:
    assert client_for(world.owner).post("/search/", {"q": "x"}).status_code == 405


def test_search_query_count_does_not_grow_with_rows(
    world: OrgWorld, client_for: ClientFor, make_customers: MakeCustomers
) -> None:
    client = client_for(world.owner)

    def add_rows(count: int) -> None:
        for customer in make_customers(world.owner, count, prefix=f"星辰{Customer.objects.count()}批"):
            create_contact(world.owner, customer, {"name": "星辰联系人"})

    add_rows(3)
    page = query_count(client, "/search/?q=xingchen")
    partial = query_count(client, "/search/?q=xingchen", **{"HX-Request": "true"})
    add_rows(27)
    assert query_count(client, "/search/?q=xingchen") == page
    assert query_count(client, "/search/?q=xingchen", **{"HX-Request": "true"}) == partial
    assert page <= 5
