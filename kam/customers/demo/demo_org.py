"""The demo organisation 演示科技有限公司: a team tree, 21 logins, a 公海 and 300 customers.

Customers, contacts, collaborators, locks, transfers and returns go through the real actions, so
the audit trail and the ownership history are what the product itself would have written; then
the timestamps are moved into the past with queryset updates, so the data tells a story. Last, a
lived-in month of the reps' day (follow-ups, visits, tasks, requests, 日报, market news) is
bulk-inserted relative to `now` (kam.activities.demo, kam.planning.demo), and then the deals: every
rep's pipeline, two years of wins and losses, competitors and account plans (kam.sales.demo).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from kam.core.models import Organization, Role, Team, User
from kam.customers.actions import (
    create_contact,
    create_customer,
    return_to_pool,
    set_collaborator,
    set_locked,
    transfer_customer,
)
from kam.customers.demo import vocab
from kam.customers.demo.backdate import backdate
from kam.customers.demo.fabricate import CustomerSpec, Fabricator, Reference, Story
from kam.customers.demo.people import PersonSpec, create_people, create_pool, create_service_levels, create_tree
from kam.customers.demo.people import password_hash as demo_password_hash
from kam.customers.models import CollaboratorAccess, Contact, Customer, Pool

DEMO_CODE = "demo"
DEMO_NAME = "演示科技有限公司"
DEMO_CUSTOMERS = 300
POOL_DIRECT = 20  # put in the pool by the admin (e.g. a trade-fair list)
POOL_RETURNED = 10  # created by reps, then given back
# 大区, its teams, and the provinces (GB/T 2260 prefixes) its customers are in.
REGIONS = (
    ("华北大区", ["北京一组", "北京二组"], ("11", "12", "13", "14", "15", "21", "22", "23", "37", "41", "61", "62")),
    ("华东大区", ["上海一组", "杭州一组"], ("31", "32", "33", "34", "36")),
    ("华南大区", ["广州一组"], ("44", "35", "45", "46", "43", "42", "50", "51", "52", "53")),
)


@dataclass
class DemoSummary:
    organization: Organization
    users: int = 0
    customers: int = 0
    contacts: int = 0
    in_pool: int = 0
    seconds: float = 0.0
    activity_lines: list[str] = field(default_factory=list)


@dataclass
class _Build:
    """What the steps share: the fabricator, the people, and each customer's story."""

    fab: Fabricator
    org: Organization
    users: dict[str, User]
    now: datetime
    stories: dict[int, Story] = field(default_factory=dict)
    events: dict[tuple[int, str], datetime] = field(default_factory=dict)
    contacts: int = 0

    def user(self, name: str) -> User:
        return self.users[name]

    def reps_of(self, region: int) -> list[User]:
        return [self.users[f"rep{4 * region + i}"] for i in range(1, 5)]


def _people(teams: dict[str, Team]) -> list[PersonSpec]:
    company = teams[""]
    specs = [PersonSpec("admin", Role.ADMIN, company), PersonSpec("director", Role.DIRECTOR, company)]
    for index, (region, team_names, _provinces) in enumerate(REGIONS):
        specs.append(PersonSpec(f"manager{index + 1}", Role.MANAGER, teams[region]))
        for offset in range(4):  # four reps per region, spread over its teams in order
            team = teams[team_names[offset * len(team_names) // 4]]
            specs.append(PersonSpec(f"rep{4 * index + offset + 1}", Role.REP, team))
    specs += [PersonSpec(f"{role}1", role, company) for role in (Role.PRESALES, Role.SERVICE, Role.FINANCE)]
    return specs


def _owner_plan(build: _Build) -> list[tuple[User, int]]:
    """(owner, region index) for every customer created by its owner; rep1 gets a full book."""
    fab = build.fab
    plan = [(build.user("rep1"), 0)] * 26
    plan += [(build.user(f"manager{r + 1}"), r) for r in range(3) for _i in range(6)]
    others = [(build.reps_of(r)[i], r) for r in range(3) for i in range(4) if (r, i) != (0, 0)]
    weights = [fab.rng.uniform(0.7, 1.3) for _o in others]
    plan += fab.rng.choices(others, weights=weights, k=DEMO_CUSTOMERS - POOL_DIRECT - len(plan))
    fab.rng.shuffle(plan)
    return plan


def _add_contacts(build: _Build, actor: User, customer: Customer, spec: CustomerSpec, owner: User | None) -> None:
    fab = build.fab
    created: list[Contact] = []
    for person in fab.contacts(spec, fab.rng.randint(3, 8)):
        data = person.form_data()
        data["reports_to"] = created[person.boss] if person.boss is not None else None
        data["relationship_owner"] = owner if owner is not None and fab.rng.random() < 0.75 else None
        created.append(create_contact(actor, customer, data))
    build.contacts += len(created)


def _create(build: _Build, actor: User, spec: CustomerSpec, pool: Pool | None = None) -> Customer:
    customer = create_customer(
        actor, spec.form_data(build.fab.ref), tag_names=spec.tag_names, pool=pool, confirm_duplicates=True
    )
    build.stories[customer.pk] = build.fab.story(spec.tier, spec.status, build.now)
    return customer


def _create_customers(build: _Build, pool_admin: User, pool: Pool) -> list[Customer]:
    fab = build.fab
    owned = []
    for owner, region in _owner_plan(build):
        spec = fab.customer(fab.pick_city(fab.ref.cities_in(REGIONS[region][2])))
        customer = _create(build, owner, spec)
        _add_contacts(build, owner, customer, spec, owner)
        owned.append(customer)
    for _index in range(POOL_DIRECT):
        spec = fab.customer(fab.pick_city(fab.ref.cities))
        spec.status, spec.source = "prospect", fab.rng.choice(("exhibition", "import", "website"))
        customer = _create(build, pool_admin, spec, pool=pool)
        _add_contacts(build, pool_admin, customer, spec, None)
    return owned


def _between(build: _Build, customer: Customer, earliest_days: int = 5) -> datetime:
    """A moment after the customer was created and before now."""
    start = build.stories[customer.pk].created_at + timedelta(days=earliest_days)
    span = max((build.now - start).total_seconds(), 3600.0)
    return start + timedelta(seconds=build.fab.rng.uniform(0, span * 0.9))


def _ownership_moves(build: _Build, owned: list[Customer]) -> None:
    """Some reps give customers back to the pool; some managers move customers between reps."""
    fab = build.fab
    reps = [c for c in owned if c.owner is not None and c.owner.role == Role.REP]
    chosen = fab.rng.sample(reps, POOL_RETURNED + 4)
    for customer in chosen[:POOL_RETURNED]:
        at = _between(build, customer)
        build.events[(customer.pk, "owner")] = at
        return_to_pool(customer.owner, customer, fab.rng.choice(vocab.RETURN_REASONS), now=at)  # type: ignore[arg-type]
    for customer in chosen[POOL_RETURNED:]:
        region = next(r for r in range(3) if customer.owner in build.reps_of(r))
        target = fab.rng.choice([u for u in build.reps_of(region) if u != customer.owner])
        at = _between(build, customer)
        build.events[(customer.pk, "owner")] = at
        transfer_customer(build.user(f"manager{region + 1}"), customer, target, "区域调整", now=at)


def _collaborators_and_locks(build: _Build, owned: list[Customer]) -> None:
    fab = build.fab
    kept = Customer.objects.filter(pk__in=[c.pk for c in owned], owner__isnull=False).select_related("owner")
    still_owned = {c.pk: c for c in kept.order_by("pk")}  # a fixed order, so the seed decides the picks
    important = [c for c in still_owned.values() if c.tier in ("A", "B")]
    active = [c for c in still_owned.values() if c.status == "active"]
    grants = [(c, build.user("presales1"), CollaboratorAccess.WRITE) for c in fab.rng.sample(important, 20)]
    grants += [(c, build.user("service1"), CollaboratorAccess.READ) for c in fab.rng.sample(active, 15)]
    for customer in fab.rng.sample(list(still_owned.values()), 10):
        region = next((r for r in range(3) if customer.owner in build.reps_of(r)), 0)
        peer = fab.rng.choice([u for u in build.reps_of(region) if u != customer.owner])
        grants.append((customer, peer, CollaboratorAccess.READ))
    for customer, user, access in grants:
        if user.pk != customer.owner_id:
            build.events[(customer.pk, "collaborators")] = _between(build, customer, 1)
            set_collaborator(customer.owner, customer, user, access)  # type: ignore[arg-type]
    for customer in fab.rng.sample([c for c in still_owned.values() if c.tier == "A"], 8):
        build.events[(customer.pk, "locked")] = _between(build, customer, 1)
        set_locked(customer.owner, customer, True)  # type: ignore[arg-type]


def _the_month(org: Organization, users: dict[str, User], now: datetime, seed: int) -> list[str]:
    """The reps' last four weeks: activities first, then the reports written from them."""
    from kam.activities.demo import build_demo_activities, summarize
    from kam.activities.models import CoordinationRequest, FollowUp, RequestComment, Task, Visit
    from kam.customers.demo.timestamps import manual_timestamps
    from kam.planning.demo import build_reports
    from kam.planning.models import MarketNews, ReportComment, ReportRead, WorkReport

    with manual_timestamps(FollowUp, Visit, Task, CoordinationRequest, RequestComment, WorkReport, ReportRead,
                           ReportComment, MarketNews):  # fmt: skip
        world = build_demo_activities(org, users, now, seed)
        reports = build_reports(world)
    return [
        summarize(world).line(),
        f"{reports['reports']} submitted reports, {reports['drafts']} drafts, {reports['missing']} daily reports "
        f"missing, {reports['news']} market news",
    ]


def _the_deals(org: Organization, users: dict[str, User], now: datetime, seed: int) -> str:
    """Deals in every stage for every rep, two years of wins and losses, competitors, account plans."""
    from kam.sales.demo import build_demo_deals

    return build_demo_deals(org, users, now, seed).line()


def build_demo(*, seed: int = 2024, now: datetime | None = None) -> DemoSummary:
    """Create the demo organisation: people, pool, 300 customers, their last month and their deals (5–10 s)."""
    started = time.perf_counter()
    with transaction.atomic():
        org = Organization.objects.create(name=DEMO_NAME, code=DEMO_CODE)
        fab = Fabricator(seed, Reference.load())
        teams = create_tree(org, "演示科技", [(name, teams) for name, teams, _p in REGIONS])
        users = create_people(org, fab, _people(teams), demo_password_hash())
        build = _Build(fab=fab, org=org, users=users, now=now or timezone.now())
        sales = [u for u in users.values() if u.role in (Role.REP, Role.MANAGER)]
        admins = [users["admin"], *(users[f"manager{i}"] for i in (1, 2, 3))]
        pool = create_pool(org, "全国", sales, admins)
        create_service_levels(org)
        owned = _create_customers(build, users["admin"], pool)
        _ownership_moves(build, owned)
        _collaborators_and_locks(build, owned)
        backdate(org, build.stories, build.events, fab.rng, build.now)
        activity_lines = _the_month(org, users, build.now, seed)
        activity_lines.append(_the_deals(org, users, build.now, seed))
    return DemoSummary(
        organization=org,
        users=len(users),
        customers=Customer.objects.filter(organization=org).count(),
        contacts=build.contacts,
        in_pool=Customer.objects.filter(organization=org).in_pool().count(),
        seconds=time.perf_counter() - started,
        activity_lines=activity_lines,
    )
