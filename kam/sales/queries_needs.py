"""Reads of a deal's needs analysis (需求分析) and its versions.

The caller has opened the deal through `kam.sales.queries.get_opportunity_for_user`; the needs are
as visible as the deal. Every read here costs a fixed number of queries whatever the number of
requirements or versions (versions with their author, plus one prefetch of their items).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404

from kam.sales.models import Fit, Necessity, NeedsVersion, Opportunity, RequirementItem
from kam.sales.needs_diff import NeedsDiff, diff_needs, snapshot_of

HISTORY_PAGE = 20


def _versions(deal: Opportunity) -> QuerySet[NeedsVersion]:
    items = Prefetch("items", queryset=RequirementItem.objects.order_by("position", "key"))
    return NeedsVersion.objects.filter(opportunity_id=deal.pk).select_related("author").prefetch_related(items)


def current_needs(deal: Opportunity) -> NeedsVersion | None:
    """The newest version with its requirements and author, or None before the first analysis. Two queries."""
    return _versions(deal).order_by("-number").first()


def current_number(deal: Opportunity) -> int:
    """The newest version's number, 0 when the deal has no needs yet (the base a first save starts from)."""
    number = NeedsVersion.objects.filter(opportunity_id=deal.pk).aggregate(top=Max("number"))["top"]
    return int(number or 0)


def get_needs_version(deal: Opportunity, number: Any) -> NeedsVersion:
    """Version `number` of the deal, 404 when it does not exist (or the number is garbage)."""
    try:
        wanted = int(number)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not 1 <= wanted < 2**31:
        raise Http404
    version = _versions(deal).filter(number=wanted).first()
    if version is None:
        raise Http404
    return version


def versions_newest_first(
    deal: Opportunity, *, below: int | None = None, limit: int = HISTORY_PAGE
) -> list[NeedsVersion]:
    """Up to `limit` versions, newest first, numbered below `below` when given (paging)."""
    versions = _versions(deal).order_by("-number")
    if below is not None:
        versions = versions.filter(number__lt=below)
    return list(versions[:limit])


@dataclass(frozen=True)
class FitSummary:
    """How well we fit: must-haves fully met out of all must-haves, and the count per fit."""

    must_met: int
    must_total: int
    counts: dict[str, int]

    @property
    def all_must_met(self) -> bool:
        return self.must_met == self.must_total


def fit_summary(version: NeedsVersion | None) -> FitSummary:
    """Counted from the loaded (prefetched) requirements: no query."""
    items = list(version.items.all()) if version is not None else []
    musts = [item for item in items if item.necessity == Necessity.MUST]
    counts = {value: sum(1 for item in items if item.fit == value) for value in Fit.values}
    return FitSummary(sum(1 for item in musts if item.fit == Fit.MET), len(musts), counts)


@dataclass(frozen=True)
class VersionChange:
    """A version of the history page with its diff against the version before it."""

    version: NeedsVersion
    diff: NeedsDiff


def history_page(deal: Opportunity, *, below: int | None = None) -> tuple[list[VersionChange], int | None]:
    """A page of the history, newest first, each version with its diff; and where the next page starts.

    One page of versions plus the version just before it (its diff base) in the same two queries.
    """
    loaded = versions_newest_first(deal, below=below, limit=HISTORY_PAGE + 1)
    shown = loaded[:HISTORY_PAGE]
    changes = []
    for index, version in enumerate(shown):
        previous = loaded[index + 1] if index + 1 < len(loaded) else None
        if previous is not None and previous.number != version.number - 1:
            previous = None  # numbers are consecutive; a gap would only come from a purged row
        changes.append(VersionChange(version, diff_needs(snapshot_of(previous), snapshot_of(version))))  # type: ignore[arg-type]
    more = len(loaded) > HISTORY_PAGE and shown[-1].number > 1
    return changes, (shown[-1].number if more else None)


def needs_diff_between(
    deal: Opportunity, from_number: Any, to_number: Any
) -> tuple[NeedsVersion, NeedsVersion, NeedsDiff]:
    """The diff from one version to another (either order of numbers is allowed; 404 for a missing one)."""
    old = get_needs_version(deal, from_number)
    new = get_needs_version(deal, to_number)
    return old, new, diff_needs(snapshot_of(old), snapshot_of(new))  # type: ignore[arg-type]
