"""Generated activities: a lived-in month for the demo organisation and bulk rows for the large dataset.

`build_demo_activities()` runs after the demo's customers exist (kam.customers.demo.demo_org calls it);
kam.activities.demo.large fills the large dataset. Both are seeded: the same seed, the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kam.activities.demo.month import build_month
from kam.activities.demo.work import build_work
from kam.activities.demo.world import DemoWorld, load_world
from kam.activities.models import Task, VisitStatus
from kam.core.models import Organization, User


@dataclass(frozen=True)
class ActivitySummary:
    followups: int
    visits_done: int
    visits_planned: int
    open_tasks: int
    requests: int
    requests_by_status: dict[str, int]

    def line(self) -> str:
        states = ", ".join(f"{count} {state}" for state, count in sorted(self.requests_by_status.items()))
        return (
            f"{self.followups} follow-ups, {self.visits_done} visits done and {self.visits_planned} planned, "
            f"{self.open_tasks} open tasks, {self.requests} coordination requests ({states})"
        )


def summarize(world: DemoWorld) -> ActivitySummary:
    by_status: dict[str, int] = {}
    for request in world.requests:
        by_status[str(request.status)] = by_status.get(str(request.status), 0) + 1
    open_tasks: list[Task] = [t for t in world.tasks if t.done_at is None]
    return ActivitySummary(
        followups=len(world.followups),
        visits_done=sum(1 for v in world.visits if v.status == VisitStatus.DONE),
        visits_planned=sum(1 for v in world.visits if v.status == VisitStatus.PLANNED),
        open_tasks=len(open_tasks),
        requests=len(world.requests),
        requests_by_status=by_status,
    )


def build_demo_activities(org: Organization, users: dict[str, User], now: datetime, seed: int) -> DemoWorld:
    """Follow-ups, visits, tasks and requests of the demo's reps over the past month, saved."""
    world = load_world(org, users, now, seed)
    build_month(world)
    build_work(world)
    return world


__all__ = ["ActivitySummary", "build_demo_activities", "summarize"]
