"""Deals of the large dataset (DESIGN.md §5: 200k opportunities for 20k customers and 400 reps).

Deals are split over the owned customers by tier and by how long the owner has held them (a customer
taken on last week has had no time for two years of deals); about 15 % are open, the rest closed over
the past two years (won only at active customers). Rows are tuples written with `executemany` in one
transaction, ids given here; on SQLite the deal tables' indexes are built after the load. A sample of
deals gets needs versions and buying influences through the demo's generator; each customer's newest
follow-up is linked to an open deal of its author, which sets that deal's `last_activity_at`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from tqdm import tqdm

from kam.activities.models import FollowUp
from kam.core.models import Organization, User
from kam.customers.demo.timestamps import manual_timestamps
from kam.customers.models import Contact, Customer
from kam.market.models import Competitor, PriceIntel
from kam.sales.demo.bulk import indexes_rebuilt, reset_sequences, stamp
from kam.sales.demo.large_rows import DealRows, Holding, sample_influences
from kam.sales.demo.market import create_competitors, price_history
from kam.sales.demo.world import Account, DealWorld, Person, load_deal_world
from kam.sales.models import (
    BuyingInfluence,
    DealCompetitor,
    NeedsVersion,
    Opportunity,
    OpportunityMember,
    QualificationScore,
    RequirementItem,
    StageChange,
)

TIER_WEIGHT = {"A": 3.0, "B": 1.5, "C": 1.0}
MAX_OPEN_PER_CUSTOMER = 4
CHUNK = 900  # ids per IN (…) (SQLite's default variable limit is 999 on old builds)


@dataclass(frozen=True)
class LargeDeals:
    opportunities: int
    open: int
    won: int
    lost: int
    invalid: int
    stage_changes: int
    deal_competitors: int
    scores: int
    needs_versions: int
    influences: int
    price_intel: int
    followups_linked: int
    seconds: float

    def line(self) -> str:
        rate = (self.opportunities + self.stage_changes) / self.seconds if self.seconds else 0
        return (
            f"Deals: {self.opportunities} opportunities ({self.open} open, {self.won} won, {self.lost} lost, "
            f"{self.invalid} invalid), {self.stage_changes} stage changes, {self.deal_competitors} deal "
            f"competitors, {self.scores} MEDDPICC scores, {self.needs_versions} needs versions and "
            f"{self.influences} buying influences for a sample, {self.price_intel} price intel, "
            f"{self.followups_linked} follow-ups linked in {self.seconds:.0f} s ({rate:.0f} rows/s)."
        )


def _holdings(org: Organization, now: datetime) -> list[Holding]:
    """Owned live customers with their newest follow-up (the one at `last_followup_at`), in id order."""
    rows = Customer.objects.filter(organization=org, owner__isnull=False, deleted_at__isnull=True).order_by("pk")
    latest: dict[int, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.id, f.customer_id, f.author_id FROM activities_followup f "
            "JOIN customers_customer c ON c.id = f.customer_id AND f.occurred_at = c.last_followup_at "
            "WHERE c.organization_id = %s AND c.owner_id IS NOT NULL",
            [org.pk],
        )
        for followup_id, customer_id, author_id in cursor.fetchall():
            latest[customer_id] = (followup_id, author_id)
    holdings = []
    for pk, name, short, city, tier, status, owner_id, since, created, won_at, last in rows.values_list(
        "pk", "name", "short_name", "city__name", "tier", "status", "owner_id", "owner_since", "created_at", "won_at",
        "last_followup_at",
    ):  # fmt: skip
        account = Account(pk, name, short, city or "", tier, status, owner_id, min(since or created, now), won_at)
        found = latest.get(pk)
        holdings.append(Holding(account, (found[0], found[1], last) if found and last else None))
    return holdings


def allocate(holdings: list[Holding], total: int, now: datetime) -> list[int]:
    """`total` deals split by tier × days held (up to two years), largest remainders first."""
    weights = [
        TIER_WEIGHT.get(h.account.tier, 1.0) * min(730.0, max(1.0, (now - h.account.since).total_seconds() / 86400))
        for h in holdings
    ]
    whole = sum(weights)
    if not holdings or whole <= 0:
        return [0] * len(holdings)
    raw = [total * w / whole for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(len(holdings)), key=lambda i: (-(raw[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _people(holdings: list[Holding], customer_ids: set[int]) -> None:
    """Contacts of the sampled deals' customers, onto their accounts."""
    by_pk = {h.account.pk: h.account for h in holdings if h.account.pk in customer_ids}
    ids = sorted(by_pk)
    for start in range(0, len(ids), CHUNK):
        people = Contact.objects.filter(customer_id__in=ids[start : start + CHUNK], deleted_at__isnull=True)
        for pk, customer_id, name, title, role, attitude, influence in people.order_by("pk").values_list(
            "pk", "customer_id", "name", "title", "buying_role", "attitude", "influence"
        ):
            by_pk[customer_id].people.append(Person(pk, name, title, role, attitude, influence))


def _save_sample(world: DealWorld, rows: DealRows, holdings: list[Holding]) -> tuple[int, int]:
    """Needs versions with their requirements and buying influences of the sampled deals."""
    _people(holdings, {draft.account.pk for draft, _v in rows.sample})
    versions = []
    for draft, found in rows.sample:
        for version, its in found:
            version.opportunity_id = draft.deal.pk
            versions.append((version, its))
    NeedsVersion.objects.bulk_create([v for v, _i in versions], batch_size=1000)
    items = []
    for version, its in versions:
        for item in its:
            item.organization_id, item.version_id = world.org.pk, version.pk
            items.append(item)
    RequirementItem.objects.bulk_create(items, batch_size=2000)
    influences = sample_influences(world, rows.sample)
    BuyingInfluence.objects.bulk_create(influences, batch_size=2000)
    return len(versions), len(influences)


def _finish(rows: DealRows, holdings: list[Holding]) -> None:
    """Link the follow-ups, and give customers with a won deal their first win (when earlier)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(str(FollowUp._meta.db_table))
        cursor.executemany(f"UPDATE {table} SET opportunity_id = %s WHERE id = %s", rows.links)  # noqa: S608
        wins = [
            (stamp(h.first_win), h.account.pk)
            for h in holdings
            if h.first_win is not None and (h.account.won_at is None or h.first_win < h.account.won_at)
        ]
        table = connection.ops.quote_name(str(Customer._meta.db_table))
        cursor.executemany(f"UPDATE {table} SET won_at = %s WHERE id = %s", wins)  # noqa: S608


def build_large_deals(
    org: Organization, now: datetime, seed: int, *, per_customer: int, open_share: float, competitor_share: float,
    sample_share: float, progress: bool = False,
) -> LargeDeals:  # fmt: skip
    """Write the deals of the large dataset: `per_customer` × customers opportunities, with their rows."""
    started = time.perf_counter()
    world = load_deal_world(org, {}, now, seed, accounts=False)
    holdings = _holdings(org, now)
    total = per_customer * Customer.objects.filter(organization=org).count()
    counts = allocate(holdings, total, now)
    users = {u.pk: u for u in User.objects.filter(organization=org)}
    reps = sorted((u for u in users.values() if u.role == "rep"), key=lambda u: u.username)
    tables = (Opportunity, StageChange, OpportunityMember, DealCompetitor, QualificationScore)
    with transaction.atomic(), manual_timestamps(Competitor, PriceIntel, NeedsVersion):
        competitors = create_competitors(org, now)
        intel = price_history(world, competitors, reps[:40] or list(users.values())[:1])
        PriceIntel.objects.bulk_create(intel, batch_size=1000)
        shares = {"competitors": competitor_share, "sample": sample_share}
        rows = DealRows(world, users, [c.pk for c in competitors], shares)
        bar = tqdm(total=total, unit="deals", disable=not progress, desc="deals", smoothing=0.1)
        with indexes_rebuilt(*tables), bar:
            for holding, count in zip(holdings, counts, strict=True):
                first, last = rows.customer_window(holding)
                for _index in range(count):
                    open_deal = first >= last or (
                        len(holding.open_ids) < MAX_OPEN_PER_CUSTOMER and world.rng.random() < open_share
                    )
                    rows.add(holding, open_deal)
                bar.update(count)
            rows.flush(force=True)
        reset_sequences(Opportunity)
        versions, influences = _save_sample(world, rows, holdings)
        _finish(rows, holdings)
    c = rows.counts
    return LargeDeals(
        opportunities=rows.deals.written, open=c.open, won=c.won, lost=c.lost, invalid=c.invalid,
        stage_changes=rows.changes.written, deal_competitors=rows.deal_competitors.written,
        scores=rows.scores.written, needs_versions=versions, influences=influences, price_intel=len(intel),
        followups_linked=c.linked, seconds=time.perf_counter() - started,
    )  # fmt: skip
