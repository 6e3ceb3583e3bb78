"""Checks shared by the demo and large-dataset tests: what the deal actions keep, asserted with queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Sum

from kam.activities.models import FollowUp
from kam.core.models import Organization
from kam.customers.models import Customer
from kam.sales.gates import check_gate
from kam.sales.models import (
    BuyingInfluence,
    NeedsVersion,
    Opportunity,
    OpportunityMember,
    Stage,
    StageChange,
    TeamRole,
)


def assert_teams(org: Organization) -> None:
    """One owner row per deal (the deal's owner, write access) and splits summing to 100."""
    deals = Opportunity.objects.filter(organization=org)
    owners = OpportunityMember.objects.filter(organization=org, role=TeamRole.OWNER)
    assert owners.count() == deals.count()
    assert not owners.exclude(user_id=F("opportunity__owner_id")).exists()
    assert set(owners.values_list("access", flat=True)) == {"write"}
    totals = (
        OpportunityMember.objects.filter(organization=org).values("opportunity_id").annotate(t=Sum("split_percent"))
    )
    assert {row["t"] for row in totals} == {Decimal(100)}


def assert_history(org: Organization, now: datetime) -> None:
    """Each deal's stage history chains from its creation to its current stage, status and closing."""
    changes: dict[int, list[StageChange]] = defaultdict(list)
    for change in StageChange.objects.filter(organization=org).order_by("at", "pk"):
        changes[change.opportunity_id].append(change)
    for deal in Opportunity.objects.filter(organization=org):
        rows = changes[deal.pk]
        first = rows[0]
        assert (first.from_stage_id, first.from_status, first.to_status, first.at) == (
            None,
            "",
            "open",
            deal.created_at,
        )
        for before, after in zip(rows, rows[1:], strict=False):
            assert (after.from_stage_id, after.from_status) == (before.to_stage_id, before.to_status), deal.pk
            assert after.at > before.at, deal.pk
        assert (rows[-1].to_stage_id, rows[-1].to_status) == (deal.stage_id, deal.status), deal.pk
        entering = [r for r in rows if r.to_status == "open"][-1]
        assert entering.at == deal.stage_entered_at, deal.pk
        assert (deal.closed_at is None) == (deal.status == "open")
        if deal.closed_at is not None:
            assert rows[-1].at == deal.closed_at
        assert rows[-1].at <= now


def assert_gates(org: Organization) -> None:
    """Open deals meet every gate of their stage and the stages before it."""
    stages = list(Stage.objects.filter(organization=org).order_by("position"))
    for deal in Opportunity.objects.filter(organization=org, status="open").select_related("stage"):
        for stage in stages[: stages.index(deal.stage) + 1]:
            assert check_gate(deal, stage) == [], (deal.pk, stage.name)


def assert_needs(org: Organization) -> None:
    """Versions numbered 1…n, V1 without a reason, later ones with one; needs_changed_at = the last change."""
    versions: dict[int, list[NeedsVersion]] = defaultdict(list)
    for version in NeedsVersion.objects.filter(organization=org).order_by("number"):
        versions[version.opportunity_id].append(version)
    changed = dict(Opportunity.objects.filter(organization=org).values_list("pk", "needs_changed_at"))
    for pk, rows in versions.items():
        assert [v.number for v in rows] == list(range(1, len(rows) + 1))
        assert rows[0].reason == ""
        assert all(v.reason for v in rows[1:])
        assert changed[pk] == (rows[-1].created_at if len(rows) > 1 else None)
    assert not Opportunity.objects.filter(
        organization=org, needs_changed_at__isnull=False, needs_versions=None
    ).exists()


def assert_influences(org: Organization) -> None:
    influences = BuyingInfluence.objects.filter(organization=org)
    economic = influences.filter(role="economic").values("opportunity_id").annotate(n=Count("id"))
    assert {row["n"] for row in economic} <= {1}
    assert not influences.exclude(contact__customer_id=F("opportunity__customer_id")).exists()


def assert_closing(org: Organization) -> None:
    """Reasons of the deal's outcome, winners only on lost deals, won deals at customers won no later."""
    closed = Opportunity.objects.filter(organization=org).exclude(status="open")
    for status in ("won", "lost", "invalid"):
        assert not closed.filter(status=status).exclude(close_reason__outcome=status).exists(), status
    assert not closed.exclude(status="lost").filter(won_by__isnull=False).exists()
    assert not Opportunity.objects.filter(organization=org, status="open", close_reason__isnull=False).exists()
    firsts = closed.filter(status="won").values("customer_id").annotate(first=Min("closed_at"))
    won_at = dict(Customer.objects.filter(organization=org).values_list("pk", "won_at"))
    for row in firsts:
        assert won_at[row["customer_id"]] is not None
        assert won_at[row["customer_id"]] <= row["first"]


def assert_activity(org: Organization) -> None:
    """Linked follow-ups are about the deal's customer by its owner; last_activity_at is the newest (or creation)."""
    linked = FollowUp.objects.filter(organization=org, opportunity__isnull=False)
    assert not linked.exclude(customer_id=F("opportunity__customer_id")).exists()
    assert not linked.exclude(author_id=F("opportunity__owner_id")).exists()
    latest = dict(
        linked.values("opportunity_id").annotate(last=Max("occurred_at")).values_list("opportunity_id", "last")
    )
    for pk, created, last in Opportunity.objects.filter(organization=org).values_list(
        "pk", "created_at", "last_activity_at"
    ):
        assert last == max(created, latest.get(pk, created)), pk


def assert_all(org: Organization, now: datetime) -> None:
    assert_teams(org)
    assert_history(org, now)
    assert_gates(org)
    assert_needs(org)
    assert_influences(org)
    assert_closing(org)
    assert_activity(org)
