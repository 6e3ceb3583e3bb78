"""What the demo's activity generators share: the people, the customer book, the clock, the rows made."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from kam.activities.demo.days import WorkDays, local_day
from kam.activities.models import CoordinationRequest, FollowUp, Task, Visit
from kam.core.models import Organization, Role, User
from kam.customers.models import Contact, Customer


@dataclass
class BookEntry:
    """A customer as the generators see it; `last`/`next` are its follow-up clock as the story left it."""

    pk: int
    name: str
    tier: str
    owner_id: int | None
    created_at: datetime
    created_by_id: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    last: datetime | None
    next: datetime | None
    contacts: list[tuple[int, str]] = field(default_factory=list)  # (pk, "采购经理王芳")


@dataclass
class DemoWorld:
    org: Organization
    users: dict[str, User]
    now: datetime
    rng: random.Random
    days: WorkDays
    customers: dict[int, BookEntry]
    followups: list[FollowUp] = field(default_factory=list)
    met: list[list[int]] = field(default_factory=list)  # contacts met, by position in `followups`
    visits: list[Visit] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    requests: list[CoordinationRequest] = field(default_factory=list)

    @property
    def today(self) -> date:
        return local_day(self.now)

    @property
    def reps(self) -> list[User]:
        reps = [u for u in self.users.values() if u.role == Role.REP]
        return sorted(reps, key=lambda u: (len(u.username), u.username))  # rep1, rep2, …, rep10

    def manager_of(self, rep: User) -> User:
        """The demo's 大区 manager above a rep (rep1–4: manager1, rep5–8: manager2, rep9–12: manager3)."""
        number = int(rep.username.removeprefix("rep"))
        return self.users[f"manager{(number - 1) // 4 + 1}"]

    def book(self, user: User) -> list[BookEntry]:
        return [c for c in self.customers.values() if c.owner_id == user.pk]


def load_world(org: Organization, users: dict[str, User], now: datetime, seed: int) -> DemoWorld:
    """The organization's customers and contacts, read once, in a fixed order."""
    rows = Customer.objects.filter(organization=org).order_by("pk")
    customers = {
        c.pk: BookEntry(
            c.pk,
            c.name,
            c.tier,
            c.owner_id,
            c.created_at,
            c.created_by_id,
            c.latitude,
            c.longitude,
            c.last_followup_at,
            c.next_followup_at,
        )
        for c in rows.only(
            "name",
            "tier",
            "owner",
            "created_at",
            "created_by",
            "latitude",
            "longitude",
            "last_followup_at",
            "next_followup_at",
        )
    }
    people: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, customer_id, name, title in (
        Contact.objects.filter(organization=org).order_by("pk").values_list("pk", "customer_id", "name", "title")
    ):
        people[customer_id].append((pk, f"{title}{name}"))
    for customer in customers.values():
        customer.contacts = people.get(customer.pk, [])
    rng = random.Random(seed * 7919 + 17)  # its own stream: the customers stay what they were
    return DemoWorld(org=org, users=users, now=now, rng=rng, days=WorkDays(org.pk), customers=customers)
