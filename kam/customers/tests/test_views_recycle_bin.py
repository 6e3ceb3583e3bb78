"""回收站 page: what each user finds there, days left, restore and purge."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry
from kam.customers.actions import delete_contact, delete_customer
from kam.customers.models import Contact, Customer
from kam.customers.tests.view_scene import (  # noqa: F401 - _fast_hasher is an autouse fixture
    _fast_hasher,
    english_client,
    fingerprint,
    make_contact,
    make_customer,
)


def test_bin_lists_my_deleted_customers_and_contacts_only(world: OrgWorld) -> None:
    mine = make_customer(world.owner, "北京星河数据科技有限公司")
    delete_contact(world.owner, make_contact(world.owner, mine, "李离职"))
    gone = make_customer(world.owner, "北京远山建材有限公司")
    delete_customer(world.owner, gone)
    theirs = make_customer(world.stranger, "上海浦江航运有限公司")
    delete_customer(world.stranger, theirs)
    body = english_client(world.owner).get(reverse("recycle-bin")).content.decode()
    assert "北京远山建材有限公司" in body
    assert "李离职" in body
    assert "上海浦江航运有限公司" not in body
    assert reverse("recycle-purge", args=[gone.pk]) not in body
    admin_body = english_client(world.admin).get(reverse("recycle-bin")).content.decode()
    assert reverse("recycle-purge", args=[gone.pk]) in admin_body
    assert reverse("recycle-purge", args=[theirs.pk]) in admin_body


def test_bin_shows_days_left_and_hides_restore_once_expired(world: OrgWorld) -> None:
    gone = make_customer(world.owner, "北京星河数据科技有限公司")
    delete_customer(world.owner, gone)
    Customer.all_objects.filter(pk=gone.pk).update(deleted_at=timezone.now() - timedelta(days=10, hours=1))
    expired = make_customer(world.owner, "上海过期贸易有限公司")
    delete_customer(world.owner, expired)
    Customer.all_objects.filter(pk=expired.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    fresh = make_customer(world.owner, "广州刚删商贸有限公司")
    delete_customer(world.owner, fresh)
    body = english_client(world.owner).get(reverse("recycle-bin")).content.decode()
    assert "20 days left" in body
    assert "30 days left" in body
    assert "Expired" in body
    assert reverse("recycle-restore-customer", args=[gone.pk]) in body
    assert reverse("recycle-restore-customer", args=[expired.pk]) not in body


def test_restore_brings_back_the_customer_and_its_contacts(world: OrgWorld) -> None:
    gone = make_customer(world.owner, "北京星河数据科技有限公司")
    make_contact(world.owner, gone, "王建国")
    delete_customer(world.owner, gone)
    response = english_client(world.owner).post(reverse("recycle-restore-customer", args=[gone.pk]))
    assert response["Location"] == reverse("customer-detail", args=[gone.pk])
    assert Customer.objects.filter(pk=gone.pk).exists()
    assert Contact.objects.filter(customer=gone, name="王建国").exists()


def test_restore_contact(world: OrgWorld) -> None:
    mine = make_customer(world.owner, "北京星河数据科技有限公司")
    contact = make_contact(world.owner, mine, "李离职")
    delete_contact(world.owner, contact)
    response = english_client(world.owner).post(reverse("recycle-restore-contact", args=[contact.pk]))
    assert response["Location"] == reverse("contact-detail", args=[contact.pk])
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_purge_without_confirm_changes_nothing(world: OrgWorld) -> None:
    gone = make_customer(world.owner, "北京星河数据科技有限公司")
    delete_customer(world.owner, gone)
    before = fingerprint()
    response = english_client(world.admin).post(reverse("recycle-purge", args=[gone.pk]), follow=True)
    assert "Tick the box to confirm that the customer is deleted for good." in response.content.decode()
    assert fingerprint() == before


def test_admin_purge_deletes_for_good_and_keeps_an_audit_row(world: OrgWorld) -> None:
    gone = make_customer(world.owner, "北京星河数据科技有限公司")
    delete_customer(world.owner, gone)
    response = english_client(world.admin).post(reverse("recycle-purge", args=[gone.pk]), {"confirm": "1"})
    assert response["Location"] == reverse("recycle-bin")
    assert not Customer.all_objects.filter(pk=gone.pk).exists()
    assert AuditEntry.objects.filter(entity="customers.customer", entity_id=gone.pk, action="purge").count() == 1
