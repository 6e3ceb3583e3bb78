"""The DESIGN.md §5 "large" dataset: 400 reps in a deep team tree, 20k customers, 200k contacts, 2M activities,
200k opportunities.

The fast path: rows are built in memory (search columns by kam.customers.search_index, valid credit
codes, the same fabricator as the demo) and written with bulk_create in batches, one transaction per
batch. Then a year of activities (kam.activities.demo.large: 1.8M follow-ups, 200k visits, tasks and
requests) goes in with executemany in one transaction, and then two years of deals (kam.sales.demo.large:
200k opportunities with their stage history, competitors and price intel) the same way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from kam.activities.demo.large import LargeActivities, build_large_activities
from kam.core.actions import create_team
from kam.core.models import AuditEntry, Organization, Role, Team, TeamKind, User
from kam.customers.demo.fabricate import City, Fabricator, Reference
from kam.customers.demo.large_rows import BatchWriter, Holder
from kam.customers.demo.people import PersonSpec, create_people, create_pool, create_service_levels, password_hash
from kam.customers.demo.timestamps import manual_timestamps
from kam.customers.models import Collaborator, Contact, Customer, Pool
from kam.sales.demo.large import LargeDeals, build_large_deals

LARGE_CODE = "large"
LARGE_NAME = "远航智造集团有限公司"
BATCH = 500
REPS_PER_TEAM = 5
# 大区 → 省区 (with their GB/T 2260 province prefixes); teams hang under each 省区.
LARGE_REGIONS: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    ("华北大区", (("北京", ("11",)), ("津冀", ("12", "13")), ("山东", ("37",)), ("晋蒙", ("14", "15")))),
    ("华东大区", (("上海", ("31",)), ("江苏", ("32",)), ("浙江", ("33",)), ("皖赣", ("34", "36")))),
    ("华南大区", (("广东", ("44",)), ("福建", ("35",)), ("桂琼", ("45", "46")), ("湖南", ("43",)))),
    ("中西部大区", (("湖北", ("42",)), ("河南", ("41",)), ("川渝", ("51", "50")), ("云贵藏", ("52", "53", "54")))),
    ("北方大区", (("辽宁", ("21",)), ("吉黑", ("22", "23")), ("陕西", ("61",)), ("西北", ("62", "63", "64", "65")))),
)
TEAM_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class LargeSize:
    reps: int = 400
    customers: int = 20_000
    contacts: int = 200_000
    pool_share: float = 0.06
    # Activities scale with the customers: 90 follow-ups (10 of them ending a visit) and 10 visits each,
    # 2M activities for 20k customers. Every followed-up customer gets at least its last follow-up.
    followups_per_customer: int = 90
    visits_per_customer: int = 10
    tasks_per_rep: int = 20
    requests_per_rep: int = 5
    # Deals scale with the customers too: 10 each, 200k for 20k customers (over the owned ones).
    opportunities_per_customer: int = 10
    open_deal_share: float = 0.15
    deal_competitor_share: float = 0.35
    # Deals that also get needs versions and buying influences.
    deal_sample_share: float = 0.05

    @property
    def followups(self) -> int:
        return self.followups_per_customer * self.customers

    @property
    def visits(self) -> int:
        return self.visits_per_customer * self.customers

    @property
    def opportunities(self) -> int:
        return self.opportunities_per_customer * self.customers


LARGE_SIZE = LargeSize()


class LargeDatasetExists(Exception):
    """The database already holds users or an organisation the large dataset would clash with."""


@dataclass
class LargeSummary:
    seed: int
    size: LargeSize
    users: int = 0
    teams: int = 0
    customers: int = 0
    contacts: int = 0
    in_pool: int = 0
    seconds: float = 0.0
    activities: LargeActivities | None = None
    deals: LargeDeals | None = None

    def lines(self) -> list[str]:
        later = (self.activities.seconds if self.activities else 0) + (self.deals.seconds if self.deals else 0)
        customers_seconds = self.seconds - later
        rate = self.contacts / customers_seconds if customers_seconds else 0
        lines = [
            f"Created {LARGE_NAME} (seed {self.seed}): {self.users} users in {self.teams} teams, "
            f"{self.customers} customers ({self.in_pool} in public pools), {self.contacts} contacts "
            f"in {customers_seconds:.0f} s ({rate:.0f} contacts/s).",
        ]
        if self.activities is not None:
            a = self.activities
            rate = (a.followups + a.visits) / a.seconds if a.seconds else 0
            lines.append(
                f"Activities: {a.followups} follow-ups, {a.visits} visits done and {a.planned_visits} planned, "
                f"{a.tasks} tasks, {a.requests} coordination requests in {a.seconds:.0f} s ({rate:.0f} rows/s)."
            )
        if self.deals is not None:
            lines.append(self.deals.line())
        return [*lines, "Logins (password: demo): admin, director, manager001…, rep001…"]


@dataclass
class _Region:
    """One 大区 with its pool, and per 省区 the cities and the reps who sell there."""

    name: str
    manager: User
    pool: Pool | None = None
    areas: list[tuple[list[City], list[User]]] = field(default_factory=list)


def _team_name(area: str, index: int) -> str:
    return f"{area}{TEAM_NUMERALS[index]}组" if index < len(TEAM_NUMERALS) else f"{area}{index + 1}组"


def _tree(org: Organization, reps: int) -> tuple[list[PersonSpec], list[tuple[str, list[Team]]]]:
    """Teams (公司 → 大区 → 省区 → 团队) and the people who sit in them, in a fixed order."""
    company = create_team(org, "远航智造", kind=TeamKind.COMPANY)
    areas = sum(len(a) for _r, a in LARGE_REGIONS)
    per_area = max(1, math.ceil(reps / REPS_PER_TEAM / areas))
    specs = [PersonSpec("admin", Role.ADMIN, company), PersonSpec("director", Role.DIRECTOR, company)]
    managers: list[PersonSpec] = []
    tree: list[tuple[str, list[Team]]] = []
    for region_name, region_areas in LARGE_REGIONS:
        region = create_team(org, region_name, parent=company, kind=TeamKind.REGION)
        managers.append(PersonSpec("", Role.MANAGER, region))
        for area_name, _provinces in region_areas:
            area = create_team(org, f"{area_name}省区", parent=region, kind=TeamKind.REGION)
            managers.append(PersonSpec("", Role.MANAGER, area))
            teams = [create_team(org, _team_name(area_name, i), parent=area) for i in range(per_area)]
            managers += [PersonSpec("", Role.MANAGER, team) for team in teams]
            tree.append((region_name, teams))
    specs += [PersonSpec(f"manager{i + 1:03d}", s.role, s.team) for i, s in enumerate(managers)]
    all_teams = [team for _region, teams in tree for team in teams]
    specs += [PersonSpec(f"rep{i + 1:03d}", Role.REP, all_teams[i % len(all_teams)]) for i in range(reps)]
    for role, count in ((Role.PRESALES, 10), (Role.SERVICE, 10), (Role.FINANCE, 5)):
        specs += [PersonSpec(f"{role}{i + 1:02d}", role, company) for i in range(count)]
    return specs, tree


def _regions(
    fab: Fabricator, org: Organization, users: dict[str, User], tree: list[tuple[str, list[Team]]]
) -> list[_Region]:
    by_team: dict[int, list[User]] = {}
    for user in users.values():
        if user.role == Role.REP and user.team_id is not None:
            by_team.setdefault(user.team_id, []).append(user)
    managers = {u.team_id: u for u in users.values() if u.role == Role.MANAGER}
    regions: list[_Region] = []
    area_specs = [area for _r, areas in LARGE_REGIONS for area in areas]
    for (region_name, teams), (_area, provinces) in zip(tree, area_specs, strict=True):
        if not regions or regions[-1].name != region_name:
            region_team = teams[0].parent.parent  # type: ignore[union-attr]
            regions.append(_Region(region_name, managers[region_team.pk]))  # type: ignore[union-attr]
        reps = [u for team in teams for u in by_team.get(team.pk, [])]
        regions[-1].areas.append((fab.ref.cities_in(provinces), reps))
    for region in regions:
        path = region.manager.team.path  # type: ignore[union-attr]
        members = [u for u in users.values() if u.team is not None and u.team.path.startswith(path)]
        region.pool = create_pool(org, region.name, members, [region.manager, users["admin"]])
    return regions


def _contact_counts(fab: Fabricator, customers: int, contacts: int) -> list[int]:
    """Contacts per customer: at least 3, spread around the mean, summing exactly to `contacts`."""
    mean = max(3, contacts // max(customers, 1))
    low, high = max(3, mean // 2), max(3, 2 * mean - max(3, mean // 2))
    counts = [fab.rng.randint(low, high) for _c in range(customers)]
    diff = contacts - sum(counts)
    while diff:
        index = fab.rng.randrange(customers)
        step = 1 if diff > 0 else -1
        if low <= counts[index] + step <= high + mean:
            counts[index] += step
            diff -= step
    return counts


def _holders(fab: Fabricator, regions: list[_Region], size: LargeSize) -> Iterator[Holder]:
    """Who holds each customer and where it is: a rep (some reps hold three times as many) or a pool."""
    areas = [(region, cities, reps) for region in regions for cities, reps in region.areas if reps]
    weights = {rep.pk: fab.rng.uniform(0.5, 1.5) for _r, _c, reps in areas for rep in reps}
    area_weights = [sum(weights[r.pk] for r in reps) for _r, _c, reps in areas]
    for _index in range(size.customers):
        region, cities, reps = fab.rng.choices(areas, weights=area_weights)[0]
        city = fab.pick_city(cities)
        if fab.rng.random() < size.pool_share:
            yield Holder(city=city, owner=None, pool=region.pool, region_reps=reps)
        else:
            owner = fab.rng.choices(reps, weights=[weights[r.pk] for r in reps])[0]
            yield Holder(city=city, owner=owner, pool=None, region_reps=reps)


def _check_empty() -> None:
    if Organization.objects.filter(code=LARGE_CODE).exists() or User.objects.filter(username="director").exists():
        raise LargeDatasetExists(
            "The large dataset needs a database without it or the demo: "
            "KAM_SQLITE_PATH=var/large.sqlite3 kam migrate && KAM_SQLITE_PATH=var/large.sqlite3 kam demo --scale large"
        )


def build_large(
    *, seed: int = 2024, size: LargeSize = LARGE_SIZE, now: datetime | None = None, progress: bool = False
) -> LargeSummary:
    """Bulk-load the large dataset; same seed and size, same data (give `now` to pin the timestamps too)."""
    started = time.perf_counter()
    if size.contacts < 3 * size.customers:
        raise ValueError("every customer gets at least 3 contacts: contacts must be >= 3 x customers")
    _check_empty()
    now = now or timezone.now()
    fab = Fabricator(seed, Reference.load())
    with transaction.atomic():
        org = Organization.objects.create(name=LARGE_NAME, code=LARGE_CODE)
        specs, tree = _tree(org, size.reps)
        users = create_people(org, fab, specs, password_hash())
        regions = _regions(fab, org, users, tree)
        create_service_levels(org)
    writer = BatchWriter(fab, org, users, now)
    counts = iter(_contact_counts(fab, size.customers, size.contacts))
    bar = tqdm(total=size.customers, unit="customers", disable=not progress, desc="large dataset", smoothing=0.1)
    batch: list[Holder] = []
    with manual_timestamps(Customer, Contact, AuditEntry, Collaborator), bar:
        for holder in _holders(fab, regions, size):
            holder.contacts = next(counts)
            batch.append(holder)
            if len(batch) == BATCH:
                writer.write(batch)
                bar.update(len(batch))
                bar.set_postfix_str(f"{writer.contacts:,} contacts", refresh=False)
                batch = []
        if batch:
            writer.write(batch)
            bar.update(len(batch))
    activities = build_large_activities(
        org, now, seed, followups=size.followups, visits=size.visits, tasks_per_rep=size.tasks_per_rep,
        requests_per_rep=size.requests_per_rep, progress=progress,
    )  # fmt: skip
    deals = build_large_deals(
        org, now, seed, per_customer=size.opportunities_per_customer, open_share=size.open_deal_share,
        competitor_share=size.deal_competitor_share, sample_share=size.deal_sample_share, progress=progress,
    )  # fmt: skip
    return LargeSummary(
        seed=seed,
        size=size,
        users=len(users),
        teams=Team.objects.filter(organization=org).count(),
        customers=writer.customers,
        contacts=writer.contacts,
        in_pool=writer.in_pool,
        seconds=time.perf_counter() - started,
        activities=activities,
        deals=deals,
    )
