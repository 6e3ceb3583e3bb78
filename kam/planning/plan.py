"""The next-day plan (明日计划): which working day a plan is for, and the ranked candidates for it.

The candidates come from every registered plan source (kam/planning/plan_sources.py has the built-in
ones and the score formula); the 日报's proposed plan and the plan page both start here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import pgettext

from kam.core.models import User
from kam.core.workcal import next_workday
from kam.planning.registry import PlanCandidate, plan_sources

# A record proposed by several sources ranks above one proposed by a single source of the same score.
MERGE_BONUS = 5.0
REASON_MAX = 300


def today_for(now: datetime) -> date:
    """The Shanghai day of `now`."""
    return timezone.localdate(now, timezone.get_default_timezone())


def plan_day_for(user: User, now: datetime) -> date:
    """The day a plan made at `now` is for: the next working day after today (Friday → Monday)."""
    return next_workday(today_for(now), user.organization_id)


def rank_key(candidate: PlanCandidate) -> tuple[float, str, str]:
    """Higher score first; ties by source key, then ref, so the order never depends on the database."""
    return (-candidate.score, candidate.source, candidate.ref)


def _merged(group: list[PlanCandidate]) -> PlanCandidate:
    """One candidate for a record several sources propose: the best one, a bonus, all the reasons."""
    if len(group) == 1:
        return group[0]
    group = sorted(group, key=rank_key)
    separator = pgettext("list separator", "; ")
    reason = separator.join(candidate.reason for candidate in group if candidate.reason)
    best = group[0]
    return replace(best, score=round(best.score + MERGE_BONUS * (len(group) - 1), 1), reason=reason[:REASON_MAX])


def draft_candidates(user: User, day: date, now: datetime) -> list[PlanCandidate]:
    """Every source's candidates for `user`'s plan of `day`, one per record, best first."""
    groups: dict[str, list[PlanCandidate]] = {}
    unnamed: list[PlanCandidate] = []
    for entry in plan_sources():
        for candidate in entry.fetch(user, day, now):
            if candidate.ref:
                groups.setdefault(candidate.ref, []).append(candidate)
            else:
                unnamed.append(candidate)
    merged = [_merged(group) for group in groups.values()] + unnamed
    return sorted(merged, key=rank_key)
