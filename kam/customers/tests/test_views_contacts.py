"""Contact pages and the relationship map page."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.customers.actions import update_contact
from kam.customers.models import Contact
from kam.customers.tests.view_scene import (  # noqa: F401 - _fast_hasher is an autouse fixture
    _fast_hasher,
    contact_form_data,
    english_client,
    fingerprint,
    make_contact,
    make_customer,
)

NEW_CONTACT = {"name": "张新来", "buying_role": "user", "influence": "low", "attitude": "support", "strength": 2}


def test_create_contact_redirects_to_it(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    response = english_client(world.owner).post(
        reverse("contact-create", args=[customer.pk]), {**NEW_CONTACT, "mobile": "+86 138 0013 8000"}
    )
    contact = Contact.objects.get(customer=customer)
    assert response["Location"] == reverse("contact-detail", args=[contact.pk])
    assert (contact.name, contact.mobile) == ("张新来", "13800138000")


def test_invalid_mobile_shows_field_error_and_creates_nothing(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    before = fingerprint()
    response = english_client(world.owner).post(
        reverse("contact-create", args=[customer.pk]), {**NEW_CONTACT, "mobile": "12345"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="form-row field-error"' in body
    assert fingerprint() == before


def test_contact_detail_shows_fields_and_history(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    boss = make_contact(world.owner, customer, "王总")
    contact = make_contact(world.owner, customer, "李工", title="工程师", reports_to=boss)
    with translation.override("en"):
        update_contact(world.owner, contact, {"title": "总工程师"})
    body = english_client(world.owner).get(reverse("contact-detail", args=[contact.pk])).content.decode()
    assert "总工程师" in body
    assert "王总" in body
    assert "工程师</span> → 总工程师" in body
    assert "Job title" in body


def test_stale_contact_edit_is_refused(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    contact = make_contact(world.owner, customer, "李工")
    data = contact_form_data(contact, title="我的修改")
    update_contact(world.manager_north, contact, {"department": "采购部"})
    before = fingerprint()
    response = english_client(world.owner).post(reverse("contact-edit", args=[contact.pk]), data)
    assert response.status_code == 409
    assert "Someone else changed this contact while you were editing; reload the page" in response.content.decode()
    assert fingerprint() == before


def test_reporting_loop_is_a_field_error(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    boss = make_contact(world.owner, customer, "王总")
    worker = make_contact(world.owner, customer, "李工", reports_to=boss)
    before = fingerprint()
    response = english_client(world.owner).post(
        reverse("contact-edit", args=[boss.pk]), contact_form_data(boss, reports_to=worker.pk)
    )
    assert response.status_code == 200
    assert "This would make a reporting loop." in response.content.decode()
    assert fingerprint() == before


def test_delete_contact_returns_to_the_customer(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    contact = make_contact(world.owner, customer, "李工")
    response = english_client(world.owner).post(reverse("contact-delete", args=[contact.pk]))
    assert response["Location"] == reverse("customer-detail", args=[customer.pk])
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_relationship_map_renders_the_tree_and_warnings(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京星河数据科技有限公司")
    boss = make_contact(
        world.owner,
        customer,
        "王总",
        buying_role="decision",
        attitude="support",
        strength=4,
        is_key_person=True,
        relationship_owner=world.teammate,
    )
    # Activities keep last_contacted_at; the contact form does not edit it.
    Contact.objects.filter(pk=boss.pk).update(last_contacted_at=timezone.now() - timedelta(days=75, hours=1))
    make_contact(world.owner, customer, "李工", reports_to=boss, attitude="oppose")
    make_contact(world.owner, customer, "孙秘书")
    body = english_client(world.owner).get(reverse("relationship-map", args=[customer.pk])).content.decode()
    tree = body[body.index('<ul class="org-chart">') : body.index("Not placed in the org chart")]
    assert tree.index("王总") < tree.index("<ul>") < tree.index("李工")
    assert '<div class="org-node badge-support">' in tree
    assert '<div class="org-node badge-oppose">' in tree
    assert "●●●●○" in tree
    assert "teammate" in tree
    assert 'aria-label="Key person">★' in tree
    assert '<li data-warning="no_coach">No coach is known.</li>' in body
    assert '<li data-warning="key_person_cold">No contact with key person 王总 for 75 days.</li>' in body
    assert '<li data-warning="unplaced">1 contact is not placed in the org chart.</li>' in body
    assert "孙秘书" in body[body.index("Not placed in the org chart") :]
    assert "no_decision_maker" not in body
