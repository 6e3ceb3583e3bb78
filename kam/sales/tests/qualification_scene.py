"""Builders for the qualification tests (not a test module itself): contacts, influences, meetings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kam.activities.models import FollowUp
from kam.core.models import User
from kam.customers.models import Contact, Customer
from kam.sales.models import BuyingInfluence, Opportunity
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at

LONG_AGO = timedelta(days=60)


def make_contact(customer: Customer, name: str, **fields: Any) -> Contact:
    return Contact.objects.create(organization_id=customer.organization_id, customer=customer, name=name, **fields)


def make_influence(deal: Opportunity, contact: Contact, role: str, **fields: Any) -> BuyingInfluence:
    """An influence row written directly; added two months ago unless `added_at` says otherwise."""
    fields.setdefault("added_at", timezone.now() - LONG_AGO)
    return BuyingInfluence.objects.create(
        organization_id=deal.organization_id, opportunity=deal, contact=contact, role=role, **fields
    )


def meet(author: User, contacts: list[Contact], at: datetime) -> FollowUp:
    """A follow-up at `at` listing `contacts` as met."""
    followup = FollowUp.objects.create(
        organization_id=author.organization_id,
        customer=contacts[0].customer,
        author=author,
        kind="visit",
        occurred_at=at,
        content="拜访",
    )
    followup.contacts.add(*contacts)
    return followup


class BlueSheet:
    """A deal with all four roles filled by four met, friendly people: no red flag at all."""

    def __init__(self, owner: User, *, stage_position: int = 1, customer_name: str = "北京冶金集团") -> None:
        self.customer = make_customer(owner, customer_name)
        stage = stage_at(owner.organization, stage_position)
        self.deal = make_deal(owner, self.customer, stage)
        self.boss = make_contact(self.customer, "王总", title="总经理")
        self.user = make_contact(self.customer, "李工", title="车间主任", reports_to=self.boss)
        self.tech = make_contact(self.customer, "赵工", title="信息部经理", reports_to=self.boss)
        self.coach = make_contact(self.customer, "孙秘书", title="总经理秘书", reports_to=self.boss)
        self.economic_row = make_influence(self.deal, self.boss, "economic", response_mode="growth", rating=3)
        self.user_row = make_influence(self.deal, self.user, "user", response_mode="trouble", rating=2)
        self.tech_row = make_influence(self.deal, self.tech, "technical", rating=0)
        self.coach_row = make_influence(self.deal, self.coach, "coach", rating=5)
        meet(owner, [self.boss, self.user, self.tech, self.coach], timezone.now() - timedelta(days=10))
