"""What the deal generators read once: the pipeline (stages, gates, reasons, product lines), the sellers
and their customers with contacts, in a fixed order so the same seed gives the same deals."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from kam.activities.demo.days import WorkDays, local_day
from kam.core.models import Organization, Role, User
from kam.customers.models import Contact, Customer
from kam.sales.demo.story import Office
from kam.sales.models import BusinessLine, CloseReason, ProductLine, Stage, StageGate
from kam.sales.setup import ensure_default_pipeline


@dataclass(frozen=True)
class Person:
    """A contact as the generators see it."""

    pk: int
    name: str
    title: str
    buying_role: str
    attitude: str
    influence: str


@dataclass
class Account:
    """A customer with an owner: who holds it since when, its status and contacts."""

    pk: int
    name: str
    short: str
    city: str
    tier: str
    status: str
    owner_id: int
    since: datetime
    won_at: datetime | None
    people: list[Person] = field(default_factory=list)
    last_followup: datetime | None = None

    @property
    def label(self) -> str:
        return self.short or self.name.removesuffix("有限公司").removesuffix("股份")[:6]

    @property
    def site(self) -> str:
        """The city as people say it (苏州, 锡林郭勒), for plant names."""
        for suffix in ("自治州", "地区", "市", "盟"):
            if self.city.endswith(suffix) and len(self.city) > len(suffix) + 1:
                return self.city.removesuffix(suffix)
        return self.city or self.label


@dataclass
class Pipeline:
    """The default business line: stages in order, the minimum scores to be in each stage, reasons, lines."""

    line: BusinessLine
    stages: list[Stage]
    # required[i]: {element: minimum} a deal in stage i satisfies (every gate up to and including stage i).
    required: list[dict[str, int]]
    reasons: dict[str, list[CloseReason]]
    product_lines: list[ProductLine]


def load_pipeline(org: Organization) -> Pipeline:
    """The organization's default line (created when missing) with its gates accumulated by stage."""
    line = ensure_default_pipeline(org)
    stages = list(Stage.objects.filter(business_line=line, active=True).order_by("position", "id"))
    gates: dict[int, list[StageGate]] = defaultdict(list)
    for gate in StageGate.objects.filter(stage__in=stages).order_by("id"):
        gates[gate.stage_id].append(gate)
    required: list[dict[str, int]] = []
    running: dict[str, int] = {}
    for stage in stages:
        for gate in gates[stage.pk]:
            running[gate.element] = max(running.get(gate.element, 0), gate.min_score)
        required.append(dict(running))
    reasons: dict[str, list[CloseReason]] = defaultdict(list)
    for reason in CloseReason.objects.filter(organization=org, active=True).order_by("outcome", "position", "id"):
        reasons[reason.outcome].append(reason)
    lines = list(ProductLine.objects.filter(organization=org, active=True).order_by("position", "id"))
    return Pipeline(line=line, stages=stages, required=required, reasons=dict(reasons), product_lines=lines)


def load_accounts(org: Organization, owner_ids: list[int] | None = None) -> dict[int, list[Account]]:
    """Owned, live customers by owner, each with its contacts (top of the org chart first)."""
    rows = Customer.objects.filter(organization=org, owner__isnull=False, deleted_at__isnull=True)
    if owner_ids is not None:
        rows = rows.filter(owner_id__in=owner_ids)
    fields = ("pk", "name", "short_name", "city__name", "tier", "status", "owner_id", "owner_since", "created_at",
              "won_at", "last_followup_at")  # fmt: skip
    accounts: dict[int, Account] = {}
    for pk, name, short, city, tier, status, owner_id, since, created, won_at, last in rows.order_by("pk").values_list(
        *fields
    ):
        accounts[pk] = Account(pk, name, short, city or "", tier, status, owner_id, since or created, won_at)
        accounts[pk].last_followup = last
    people = Contact.objects.filter(customer_id__in=list(accounts), deleted_at__isnull=True).order_by("pk")
    for pk, customer_id, name, title, role, attitude, influence in people.values_list(
        "pk", "customer_id", "name", "title", "buying_role", "attitude", "influence"
    ):
        accounts[customer_id].people.append(Person(pk, name, title, role, attitude, influence))
    by_owner: dict[int, list[Account]] = defaultdict(list)
    for account in accounts.values():
        if len(account.people) >= 2:
            by_owner[account.owner_id].append(account)
    return dict(by_owner)


@dataclass
class DealWorld:
    """The demo organisation as the deal generators see it, with its own random stream."""

    org: Organization
    users: dict[str, User]
    now: datetime
    rng: random.Random
    days: WorkDays
    office: Office
    pipeline: Pipeline
    accounts: dict[int, list[Account]]

    @property
    def today(self) -> date:
        return local_day(self.now)

    @property
    def yesterday(self) -> date:
        """The previous working day: the briefing's "yesterday"."""
        return self.days.after(self.today, -1)

    def sellers(self) -> list[User]:
        """Reps and managers who hold customers, reps first (rep1, rep2 … rep10), then managers."""
        people = [u for u in self.users.values() if u.role in (Role.REP, Role.MANAGER) and u.pk in self.accounts]
        return sorted(people, key=lambda u: (u.role != Role.REP, len(u.username), u.username))

    def manager_above(self, user: User) -> User | None:
        """The manager of the seller's 大区 (the demo's teams hang under one region each), or the director."""
        if user.role == Role.MANAGER:
            return self.users.get("director")
        path = user.team.path if user.team is not None else ""
        managers = [u for u in self.users.values() if u.role == Role.MANAGER and u.team is not None]
        above = [m for m in managers if path.startswith(m.team.path) and m.pk != user.pk]  # type: ignore[union-attr]
        return max(above, key=lambda m: len(m.team.path), default=self.users.get("director"))  # type: ignore[union-attr]

    def peers_of(self, user: User) -> list[User]:
        """Other reps under the same manager: co-sellers on a deal."""
        manager = self.manager_above(user)
        return [
            u for u in self.sellers() if u.role == Role.REP and u.pk != user.pk and self.manager_above(u) == manager
        ]

    def helper(self, role: str) -> User | None:
        found = sorted((u for u in self.users.values() if u.role == role), key=lambda u: u.username)
        return found[0] if found else None


def load_deal_world(
    org: Organization, users: dict[str, User], now: datetime, seed: int, *, accounts: bool = True
) -> DealWorld:
    """The pipeline (created when missing) and, unless `accounts` is False, every seller's customers."""
    rng = random.Random(seed * 6151 + 29)  # its own stream: the customers and activities stay what they were
    days = WorkDays(org.pk)
    return DealWorld(
        org=org,
        users=users,
        now=now,
        rng=rng,
        days=days,
        office=Office(days, rng),
        pipeline=load_pipeline(org),
        accounts=load_accounts(org) if accounts else {},
    )
