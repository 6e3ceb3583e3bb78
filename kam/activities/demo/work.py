"""Open and finished 待办 for every demo rep, and 协调请求 in every state, to named colleagues and to roles.

Exactly one request is overdue (rep1's, in progress with presales1), so the overdue flag shows once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kam.activities.demo import vocab
from kam.activities.demo.days import at
from kam.activities.demo.world import BookEntry, DemoWorld
from kam.activities.models import (
    CoordinationRequest,
    RequestComment,
    RequestStatus,
    Task,
    TaskPriority,
)
from kam.core.models import User

# The states of each rep's requests, in turn, so every state appears several times over 12 reps.
REQUEST_PLAN = (
    ("accepted", "name"),
    ("open", "role"),
    ("done", "name"),
    ("rejected", "name"),
    ("open", "name"),
    ("done", "role"),
    ("accepted", "role"),
    ("cancelled", "name"),
)
REQUESTS_PER_REP = 2
NAMED = {"presales": "presales1", "finance": "finance1", "service": "service1"}


def _task(
    world: DemoWorld,
    rep: User,
    customer: BookEntry | None,
    due: datetime | None,
    *,
    priority: str = TaskPriority.NORMAL,
    remind_at: datetime | None = None,
    created_by: User | None = None,
) -> Task:
    rng = world.rng
    title = rng.choice(vocab.TASKS).format(customer=customer.name if customer else "团队")
    contact_id = customer.contacts[0][0] if customer and customer.contacts and rng.random() < 0.5 else None
    created = min(due - timedelta(days=rng.randint(1, 6)), world.now - timedelta(hours=2)) if due else world.now
    task = Task(
        organization=world.org,
        owner=rep,
        created_by=created_by or rep,
        title=title,
        notes=rng.choice(vocab.TASK_NOTES),
        due_at=due,
        customer_id=customer.pk if customer else None,
        contact_id=contact_id,
        created_at=created,
        updated_at=created,
        priority=priority,
        remind_at=remind_at,
    )
    if task.remind_at is not None and task.remind_at <= world.now:
        task.reminded_at = task.remind_at
    world.tasks.append(task)
    return task


def _rep_tasks(world: DemoWorld, rep: User) -> None:
    """Two done, one or two overdue, one or two due today (with reminders), a few ahead, one undated."""
    rng, days, today = world.rng, world.days, world.today
    book = world.book(rep)

    def customer() -> BookEntry | None:
        return rng.choice(book) if book and rng.random() < 0.85 else None

    for back in (rng.randint(3, 9), rng.randint(10, 20)):
        due = at(days.after(today, -back), rng.choice((600, 960)))
        task = _task(world, rep, customer(), due)
        task.done_at = task.updated_at = due - timedelta(minutes=rng.randint(10, 600))
    for _index in range(rng.randint(1, 2)):
        due = at(days.after(today, -rng.randint(1, 4)), rng.choice((600, 1020)))
        _task(world, rep, customer(), due, priority=TaskPriority.HIGH if rng.random() < 0.5 else TaskPriority.NORMAL)
    for minutes in rng.sample((660, 900, 1020, 1050), rng.randint(1, 2)):
        due = at(today, minutes)
        _task(world, rep, customer(), due, remind_at=due - timedelta(minutes=30), priority=TaskPriority.HIGH)
    for _index in range(rng.randint(2, 3)):
        due = at(days.after(today, rng.randint(1, 7)), rng.choice((600, 840, 1020)))
        remind = due - timedelta(hours=1) if rng.random() < 0.5 else None
        _task(world, rep, customer(), due, remind_at=remind, priority=rng.choice(list(TaskPriority)))
    if rng.random() < 0.5:
        _task(world, rep, None, None, priority=TaskPriority.LOW, created_by=world.manager_of(rep))


def _request(world: DemoWorld, rep: User, customer: BookEntry, state: str, by: str, created_day: date) -> None:
    rng, days = world.rng, world.days
    kind, role, subject, detail, result, reason = rng.choice(vocab.REQUESTS)
    helper = world.users[NAMED[role]]
    named = by == "name" or state not in ("open",)
    working_days = rng.randint(2, 5)
    created = min(at(created_day, rng.randint(9 * 60, 17 * 60)), world.now - timedelta(minutes=30))
    request = CoordinationRequest(
        organization=world.org,
        customer_id=customer.pk,
        requester=rep,
        assignee=helper if named else None,
        role="" if by == "name" else role,
        kind=kind,
        subject=subject.format(customer=customer.name),
        detail=detail,
        working_days=working_days,
        due_date=days.after(created_day, working_days),
        status=state,
        created_at=created,
        updated_at=created,
    )
    accepted = min(created + timedelta(hours=rng.randint(1, 20)), world.now)
    if state in (RequestStatus.ACCEPTED, RequestStatus.DONE):
        request.accepted_at = request.updated_at = accepted
    if state == RequestStatus.DONE:
        request.result = result
        request.completed_at = request.updated_at = min(accepted + timedelta(hours=rng.randint(4, 40)), world.now)
    elif state == RequestStatus.REJECTED:
        request.reject_reason, request.updated_at = reason, accepted
    elif state == RequestStatus.CANCELLED:
        request.updated_at = accepted
    world.requests.append(request)


def _created_day(world: DemoWorld, state: str) -> date:
    """Pending requests fall due today or later; finished ones are a week or two old."""
    back = world.rng.randint(0, 1) if state in ("open", "accepted") else world.rng.randint(5, 12)
    return world.days.after(world.today, -back) if back else world.today


def _requests(world: DemoWorld) -> None:
    turn = 0
    for rep in world.reps:
        book = sorted(world.book(rep), key=lambda c: (c.tier, c.pk))
        if not book:
            continue
        for _index in range(REQUESTS_PER_REP):
            state, by = REQUEST_PLAN[turn % len(REQUEST_PLAN)]
            turn += 1
            _request(world, rep, book[world.rng.randrange(min(len(book), 8))], state, by, _created_day(world, state))
    _overdue(world)


def _overdue(world: DemoWorld) -> None:
    """rep1's price check with finance1, accepted and past its due date."""
    rep = world.users["rep1"]
    book = sorted(world.book(rep), key=lambda c: (c.tier, c.pk))
    if not book:
        return
    created_day = world.days.after(world.today, -6)
    _request(world, rep, book[0], RequestStatus.ACCEPTED, "name", created_day)
    request = world.requests[-1]
    request.working_days = 3
    request.due_date = world.days.after(created_day, 3)


def _comments(world: DemoWorld) -> list[RequestComment]:
    comments = []
    for request in world.requests:
        if request.assignee_id is None or request.status == RequestStatus.OPEN:
            continue
        moment = request.created_at
        for number in range(world.rng.randint(1, 3)):
            moment = min(moment + timedelta(minutes=world.rng.randint(20, 300)), world.now)
            author_id = request.assignee_id if number % 2 == 0 else request.requester_id
            comments.append(
                RequestComment(
                    organization=world.org,
                    request=request,
                    author_id=author_id,
                    body=world.rng.choice(vocab.REQUEST_COMMENTS),
                    created_at=moment,
                )
            )
    return comments


def build_work(world: DemoWorld) -> None:
    """Tasks and coordination requests (with comments) of every demo rep, saved."""
    for rep in world.reps:
        _rep_tasks(world, rep)
    _requests(world)
    Task.objects.bulk_create(world.tasks, batch_size=500)
    CoordinationRequest.objects.bulk_create(world.requests, batch_size=500)
    RequestComment.objects.bulk_create(_comments(world), batch_size=500)
