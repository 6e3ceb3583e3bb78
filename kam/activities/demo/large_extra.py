"""The large dataset's per-rep rows: visits planned for the coming days, tasks, coordination requests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from kam.activities.demo import vocab
from kam.activities.demo.days import WorkDays, at, local_day
from kam.activities.models import CoordinationRequest, RequestStatus, Task, TaskPriority, Visit
from kam.core.models import Organization, Role, User
from kam.customers.demo.timestamps import manual_timestamps
from kam.customers.models import Customer

PLANNED_PER_REP = 3
BATCH = 2000
# The life of a rep's requests over the past months: mostly finished, some pending, a few overdue.
REQUEST_STATES = (
    RequestStatus.DONE,
    RequestStatus.DONE,
    RequestStatus.ACCEPTED,
    RequestStatus.OPEN,
    RequestStatus.REJECTED,
    RequestStatus.DONE,
    RequestStatus.CANCELLED,
    RequestStatus.ACCEPTED,
)


@dataclass(frozen=True)
class Extras:
    planned_visits: int
    tasks: int
    requests: int


@dataclass
class _Context:
    org: Organization
    now: datetime
    rng: random.Random
    days: WorkDays
    helpers: dict[str, list[User]]


def _books(org: Organization) -> tuple[list[User], dict[int, list[tuple[int, str]]]]:
    reps = list(User.objects.filter(organization=org, role=Role.REP).order_by("username"))
    books: dict[int, list[tuple[int, str]]] = {}
    for pk, owner_id, name in (
        Customer.objects.filter(organization=org, owner__role=Role.REP)
        .order_by("pk")
        .values_list("pk", "owner_id", "name")
    ):
        books.setdefault(owner_id, []).append((pk, name))
    return reps, books


def _tasks(ctx: _Context, rep: User, book: list[tuple[int, str]], count: int) -> list[Task]:
    """Mostly done in the past two months; some overdue, some due today, the rest in the next two weeks."""
    rng, today, tasks = ctx.rng, local_day(ctx.now), []
    for number in range(count):
        pk, name = rng.choice(book)
        share = number / max(count, 1)
        if share < 0.6:
            due, done = at(ctx.days.after(today, -rng.randint(1, 40)), rng.choice((600, 960))), True
        elif share < 0.7:
            due, done = at(ctx.days.after(today, -rng.randint(1, 5)), rng.choice((600, 1020))), False
        elif share < 0.8:
            due, done = at(today, rng.choice((660, 900, 1020))), False
        else:
            due, done = at(ctx.days.after(today, rng.randint(1, 10)), rng.choice((600, 840))), False
        created = min(due - timedelta(days=rng.randint(1, 7)), ctx.now)
        remind = due - timedelta(minutes=30) if rng.random() < 0.4 else None
        tasks.append(
            Task(
                organization=ctx.org,
                owner=rep,
                created_by=rep,
                title=rng.choice(vocab.TASKS).format(customer=name),
                due_at=due,
                remind_at=remind,
                reminded_at=remind if remind and remind <= ctx.now else None,
                priority=rng.choice(list(TaskPriority)),
                customer_id=pk,
                done_at=due - timedelta(minutes=rng.randint(10, 300)) if done else None,
                created_at=created,
                updated_at=created,
            )
        )
    return tasks


def _requests(ctx: _Context, rep: User, book: list[tuple[int, str]], count: int) -> list[CoordinationRequest]:
    rng, today, found = ctx.rng, local_day(ctx.now), []
    for number in range(count):
        pk, name = rng.choice(book)
        kind, role, subject, detail, result, reason = rng.choice(vocab.REQUESTS)
        state = REQUEST_STATES[(number + rep.pk) % len(REQUEST_STATES)]
        pending = state in (RequestStatus.OPEN, RequestStatus.ACCEPTED)
        created_day = ctx.days.after(today, -(rng.randint(0, 2) if pending else rng.randint(5, 60)))
        if pending and rng.random() < 0.1:  # overdue
            created_day = ctx.days.after(today, -rng.randint(6, 12))
        created = min(at(created_day, rng.randint(540, 1020)), ctx.now - timedelta(minutes=30))
        working_days = rng.randint(2, 5)
        helper = rng.choice(ctx.helpers[role]) if ctx.helpers.get(role) else None
        by_role = helper is None or rng.random() < 0.4
        assignee = None if state == RequestStatus.OPEN and by_role else helper
        touched = min(created + timedelta(hours=rng.randint(1, 30)), ctx.now)
        found.append(
            CoordinationRequest(
                organization=ctx.org,
                customer_id=pk,
                requester=rep,
                assignee=assignee,
                role=role if by_role else "",
                kind=kind,
                subject=subject.format(customer=name),
                detail=detail,
                working_days=working_days,
                due_date=ctx.days.after(created_day, working_days),
                status=state,
                accepted_at=touched if state in (RequestStatus.ACCEPTED, RequestStatus.DONE) else None,
                result=result if state == RequestStatus.DONE else "",
                completed_at=touched if state == RequestStatus.DONE else None,
                reject_reason=reason if state == RequestStatus.REJECTED else "",
                created_at=created,
                updated_at=touched if state != RequestStatus.OPEN else created,
            )
        )
    return found


def _planned(ctx: _Context, rep: User, book: list[tuple[int, str]]) -> list[Visit]:
    rng, today = ctx.rng, local_day(ctx.now)
    return [
        Visit(
            organization=ctx.org,
            customer_id=rng.choice(book)[0],
            owner=rep,
            purpose=rng.choice(vocab.VISIT_PURPOSES),
            planned_at=at(ctx.days.after(today, offset), rng.choice((600, 630, 870, 900))),
            planned_minutes=60,
            created_at=ctx.now - timedelta(hours=rng.randint(2, 72)),
            updated_at=ctx.now - timedelta(hours=1),
        )
        for offset in range(1, PLANNED_PER_REP + 1)
    ]


def write_extras(
    org: Organization, now: datetime, rng: random.Random, *, tasks_per_rep: int, requests_per_rep: int
) -> Extras:
    """Planned visits, tasks and requests of every rep of `org` who holds customers."""
    helpers: dict[str, list[User]] = {}
    for user in User.objects.filter(organization=org, role__in=[Role.PRESALES, Role.FINANCE, Role.SERVICE]).order_by(
        "pk"
    ):
        helpers.setdefault(user.role, []).append(user)
    ctx = _Context(org, now, rng, WorkDays(org.pk), helpers)
    reps, books = _books(org)
    visits: list[Visit] = []
    tasks: list[Task] = []
    requests: list[CoordinationRequest] = []
    for rep in reps:
        book = books.get(rep.pk)
        if not book:
            continue
        visits += _planned(ctx, rep, book)
        tasks += _tasks(ctx, rep, book, tasks_per_rep)
        requests += _requests(ctx, rep, book, requests_per_rep)
    with manual_timestamps(Visit, Task, CoordinationRequest):
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        Task.objects.bulk_create(tasks, batch_size=BATCH)
        CoordinationRequest.objects.bulk_create(requests, batch_size=BATCH)
    return Extras(planned_visits=len(visits), tasks=len(tasks), requests=len(requests))
