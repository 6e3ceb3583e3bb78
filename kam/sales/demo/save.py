"""Writing the demo's deals with bulk_create, then tying them to the day: follow-ups about a deal point
at it (FollowUp.opportunity), `last_activity_at` is the newest of them (or the deal's creation), and a
customer with a won deal has `won_at` no later than its first win."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from kam.activities.models import FollowUp
from kam.customers.models import Customer
from kam.sales.demo.deals import Draft
from kam.sales.demo.qualify import Qualification
from kam.sales.models import (
    BuyingInfluence,
    DealCompetitor,
    NeedsVersion,
    Opportunity,
    OpportunityMember,
    OpportunityStatus,
    QualificationScore,
    RequirementItem,
    StageChange,
)

BATCH = 500


def _snapshot(draft: Draft, qualification: Qualification) -> None:
    if draft.deal.status != OpportunityStatus.OPEN:
        draft.deal.qualification_snapshot = {s.element: s.score for s in qualification.scores}


def save_deals(drafts: list[Draft], extras: list[tuple[Qualification, list[DealCompetitor]]]) -> None:
    """Every row of every draft, parents first; ids come back from bulk_create."""
    for draft, (qualification, _competitors) in zip(drafts, extras, strict=True):
        _snapshot(draft, qualification)
    Opportunity.objects.bulk_create([d.deal for d in drafts], batch_size=BATCH)
    changes: list[StageChange] = []
    members: list[OpportunityMember] = []
    influences: list[BuyingInfluence] = []
    scores: list[QualificationScore] = []
    competitors: list[DealCompetitor] = []
    versions: list[tuple[NeedsVersion, list[RequirementItem]]] = []
    for draft, (qualification, deal_competitors) in zip(drafts, extras, strict=True):
        pk = draft.deal.pk
        groups: list[tuple[list[Any], list[Any]]] = [
            (draft.changes, changes), (draft.members, members), (qualification.influences, influences),
            (qualification.scores, scores), (deal_competitors, competitors),
        ]  # fmt: skip
        for group, target in groups:
            for row in group:
                row.opportunity_id = pk
            target.extend(group)
        for version, items in qualification.versions:
            version.opportunity_id = pk
            versions.append((version, items))
    StageChange.objects.bulk_create(changes, batch_size=BATCH)
    OpportunityMember.objects.bulk_create(members, batch_size=BATCH)
    BuyingInfluence.objects.bulk_create(influences, batch_size=BATCH)
    QualificationScore.objects.bulk_create(scores, batch_size=BATCH)
    DealCompetitor.objects.bulk_create(competitors, batch_size=BATCH)
    NeedsVersion.objects.bulk_create([v for v, _items in versions], batch_size=BATCH)
    items = []
    for version, version_items in versions:
        for item in version_items:
            item.organization_id, item.version_id = version.organization_id, version.pk
            items.append(item)
    RequirementItem.objects.bulk_create(items, batch_size=BATCH)


def link_followups(drafts: list[Draft], now: datetime) -> int:
    """Follow-ups by the owner on the deal's customer while it was open go to that deal (the newest
    open deal when a customer has two); `last_activity_at` follows. Returns the follow-ups linked."""
    by_customer: dict[int, list[Draft]] = defaultdict(list)
    for draft in drafts:
        by_customer[draft.account.pk].append(draft)
    followups = list(
        FollowUp.objects.filter(customer_id__in=list(by_customer), opportunity__isnull=True)
        .order_by("occurred_at", "pk")
        .only("customer_id", "author_id", "occurred_at", "opportunity")
    )
    linked = []
    for followup in followups:
        candidates = [
            d for d in by_customer[followup.customer_id]
            if d.deal.owner_id == followup.author_id
            and d.path.created_at <= followup.occurred_at <= (d.path.closed_at or now)
        ]  # fmt: skip
        if not candidates or followup.pk % 5 == 0:  # one in five is about the customer in general
            continue
        draft = max(candidates, key=lambda d: (d.path.created_at, d.deal.pk))
        followup.opportunity_id = draft.deal.pk
        draft.deal.last_activity_at = max(draft.deal.last_activity_at, followup.occurred_at)
        linked.append(followup)
    FollowUp.objects.bulk_update(linked, ["opportunity"], batch_size=BATCH)
    touched = [d.deal for d in drafts if d.deal.last_activity_at != d.path.created_at]
    Opportunity.objects.bulk_update(touched, ["last_activity_at"], batch_size=BATCH)
    return len(linked)


def mark_wins(drafts: list[Draft]) -> None:
    """A customer's `won_at` (first won) is no later than its first won deal."""
    first: dict[int, datetime] = {}
    for draft in drafts:
        closed = draft.path.closed_at
        if draft.deal.status == OpportunityStatus.WON and closed is not None:
            first[draft.account.pk] = min(first.get(draft.account.pk, closed), closed)
    customers = list(Customer.objects.filter(pk__in=list(first)).only("won_at"))
    for customer in customers:
        won = first[customer.pk]
        customer.won_at = won if customer.won_at is None else min(customer.won_at, won)
    Customer.objects.bulk_update(customers, ["won_at"], batch_size=BATCH)
