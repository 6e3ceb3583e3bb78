"""The rep's day in the benchmark: the morning briefing, one rep's next-day plan, every rep's plan.

They run at the dataset's own clock (the manifest's `built_at`), so the follow-ups due, the tasks
overdue and "yesterday" are what the generator made them, whenever the benchmark runs. A function
another module has not written yet is reported as not available instead of failing the run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from kam.bench.timing import Operation
from kam.core.models import Role, Team, User

BRIEFING_TARGET_MS = 100.0
PLAN_TARGET_MS = 100.0
ALL_PLANS_TARGET_MS = 10_000.0
ALL_PLANS_REPEAT = 3  # seconds each: three runs give a median and a worst case


@dataclass
class DayOperations:
    operations: list[Operation] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return found if callable(found) else None


def clock_of(manifest: dict[str, Any]) -> datetime:
    """The moment the dataset's data is relative to (its build), or now for older manifests."""
    built = manifest.get("clock") or manifest.get("built_at")
    if isinstance(built, str):
        try:
            moment = datetime.fromisoformat(built)
        except ValueError:
            return timezone.now()
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    return timezone.now()


def _managers_above(rep: User) -> tuple[User | None, User | None]:
    """The manager of the rep's own team and the one of its 大区 (the second level of the tree)."""
    team = rep.team
    if team is None:
        return None, None
    ids = [int(part) for part in team.path.strip("/").split("/") if part]
    managers = {u.team_id: u for u in User.objects.filter(role=Role.MANAGER, team_id__in=ids).order_by("id")}
    region = ids[1] if len(ids) > 1 else None
    return managers.get(team.pk), managers.get(region) if region is not None else None


def _next_workday(day: date, organization_id: int) -> date:
    from kam.core.workcal import next_workday

    return next_workday(day, organization_id)


def day_operations(rep: User, now: datetime) -> DayOperations:
    """The briefing and plan operations that exist in this checkout."""
    found = DayOperations()
    today = timezone.localdate(now, timezone.get_default_timezone())
    briefing_for = _function("kam.planning.briefing", "briefing_for")
    draft_candidates = _function("kam.planning.plan", "draft_candidates")
    team_manager, region_manager = _managers_above(rep)
    if briefing_for is None:
        found.unavailable.append("briefing: kam.planning.briefing.briefing_for does not exist yet")
    else:
        for label, manager in (("team", team_manager), ("大区", region_manager)):
            if manager is None:
                continue
            members = User.objects.filter(team__path__startswith=_path(manager.team)).count()
            found.notes.append(f"briefing — {label} manager: {manager.username} ({members} people), day {today}")
            found.operations.append(
                Operation(
                    f"briefing — {label} manager ({members} people)",
                    _briefing(briefing_for, manager, today, now),
                    target_ms=BRIEFING_TARGET_MS,
                )
            )
    if draft_candidates is None:
        found.unavailable.append("next-day plans: kam.planning.plan.draft_candidates does not exist yet")
        return found
    plan_day = _next_workday(today, rep.organization_id)
    reps = list(User.objects.filter(organization_id=rep.organization_id, role=Role.REP, is_active=True).order_by("id"))
    found.notes.append(f"plans for {plan_day} at {timezone.localtime(now):%Y-%m-%d %H:%M} (the dataset's clock)")
    found.operations += [
        Operation(
            f"next-day plan — rep {rep.username}",
            _plans(draft_candidates, [rep], plan_day, now),
            target_ms=PLAN_TARGET_MS,
        ),
        Operation(
            f"next-day plans — all {len(reps)} reps",
            _plans(draft_candidates, reps, plan_day, now),
            target_ms=ALL_PLANS_TARGET_MS,
            repeat=ALL_PLANS_REPEAT,
        ),
    ]
    return found


def _path(team: Team | None) -> str:
    return team.path if team is not None else "/"


def _briefing(briefing_for: Callable[..., Any], viewer: User, day: date, now: datetime) -> Callable[[], object]:
    def run() -> object:
        briefing = briefing_for(viewer, day, None, now)
        return [part.block.rows for part in getattr(briefing, "parts", [])]

    return run


def _plans(draft: Callable[..., Any], reps: list[User], day: date, now: datetime) -> Callable[[], object]:
    def run() -> object:
        return [list(draft(rep, day, now)) for rep in reps]

    return run
