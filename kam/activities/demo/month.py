"""A lived-in month for every demo rep: follow-ups and visits over the past four weeks, planned visits
ahead, and each customer's follow-up clock (last / next) set from its follow-ups.

Office work happens on working days between 09:00 and 18:30 Shanghai time and never after `now`.
Customers close to returning to the 公海 are left alone, so the pool warnings still have work to do.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from kam.activities.demo import vocab
from kam.activities.demo.days import at, local_day
from kam.activities.demo.world import BookEntry, DemoWorld
from kam.activities.geo import haversine_m
from kam.activities.models import FollowUp, Visit, VisitStatus
from kam.core.models import User
from kam.customers.demo.people import NO_FOLLOWUP_DAYS
from kam.customers.models import Customer, OwnershipChange, OwnershipKind

WINDOW_DAYS = 28
OFFICE = (9 * 60, 18 * 60 + 30)
VISIT_HOURS = (9 * 60 + 30, 15 * 60 + 30)
FOLLOWUPS_A_DAY = {1: 15, 2: 30, 3: 30, 4: 17, 5: 8}
VISIT_CHANCE = 0.45
CANCELLED_CHANCE = 0.35
TIER_WEIGHT = {"A": 4, "B": 2, "C": 1}
FEEDBACK_CHANCE = {"visit": 0.8, "meeting": 0.75, "call": 0.5, "event": 0.5, "wechat": 0.45, "email": 0.25, "sms": 0.1}
NEXT_STEP_CHANCE = {"visit": 0.9, "meeting": 0.9, "call": 0.6, "event": 0.5, "wechat": 0.5, "email": 0.5, "sms": 0.2}
# A customer whose last follow-up is older than this share of its pool window is left to drift to the pool.
ACTIVE_SHARE = 0.7
FAR_CHANCE = 0.08
METRES_PER_DEGREE = 111_320.0


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def feedback_text(rng: random.Random) -> str:
    template = rng.choice(vocab.FEEDBACK[pick(rng, vocab.FEEDBACK_WEIGHTS)])
    return template.format(
        pct=rng.choice((5, 8, 10, 15)), budget=rng.choice((30, 50, 80, 120)), competitor=rng.choice(vocab.COMPETITORS)
    )


def _add_followup(world: DemoWorld, customer: BookEntry, author_id: int, kind: str, occurred: datetime) -> FollowUp:
    rng = world.rng
    met = rng.sample(customer.contacts, min(len(customer.contacts), rng.choice((1, 1, 1, 2))))
    who = met[0][1] if met else "对接人"
    content = rng.choice(vocab.CONTENT[kind]).format(contact=who, product=rng.choice(vocab.PRODUCTS))
    feedback = feedback_text(rng) if rng.random() < FEEDBACK_CHANCE[kind] else ""
    next_step, next_at = "", None
    if rng.random() < NEXT_STEP_CHANCE[kind]:
        next_step = rng.choice(vocab.NEXT_STEPS)
        if rng.random() < 0.85:
            next_at = at(world.days.after(local_day(occurred), rng.randint(1, 8)), rng.choice((600, 870, 960)))
    created = min(occurred + timedelta(minutes=rng.randint(5, 90)), world.now)
    followup = FollowUp(
        organization=world.org,
        customer_id=customer.pk,
        author_id=author_id,
        kind=kind,
        occurred_at=occurred,
        content=content,
        feedback=feedback,
        next_step=next_step,
        next_followup_at=next_at,
        created_at=created,
        updated_at=created,
    )
    world.followups.append(followup)
    world.met.append([pk for pk, _text in met])
    return followup


# --- the past before the month: one follow-up at each customer's story time -------------------------


def _office_moment(world: DemoWorld, moment: datetime, earliest: datetime) -> datetime:
    """`moment`, or an earlier office-hours moment on a working day when it fell at night or on a day off."""
    day = local_day(moment)
    minutes = (moment - at(day, 0)).total_seconds() / 60
    if world.days.is_workday(day) and OFFICE[0] <= minutes <= OFFICE[1]:
        return moment
    if minutes < OFFICE[1] or not world.days.is_workday(day):
        day = world.days.after(day, -1)
    snapped = at(day, world.rng.randint(*OFFICE))
    return snapped if earliest <= snapped <= moment else moment


def _history(world: DemoWorld) -> None:
    """The follow-up each customer's story ends with, by whoever held the customer then."""
    moves: dict[int, list[tuple[datetime, int]]] = {}
    changes = OwnershipChange.objects.filter(
        organization=world.org, kind__in=[OwnershipKind.RETURN, OwnershipKind.TRANSFER], from_user__isnull=False
    )
    for customer_id, moved_at, from_user_id in changes.order_by("at", "pk").values_list(
        "customer_id", "at", "from_user_id"
    ):
        moves.setdefault(customer_id, []).append((moved_at, from_user_id))
    for customer in world.customers.values():
        if customer.last is None:
            continue
        author = next((who for moved_at, who in moves.get(customer.pk, []) if customer.last <= moved_at), None)
        author = author or customer.owner_id
        if author is None:  # put straight into the pool: nobody ever followed it up
            continue
        kind = pick(world.rng, vocab.KIND_WEIGHTS)
        followup = _add_followup(
            world, customer, author, kind, _office_moment(world, customer.last, customer.created_at)
        )
        followup.next_followup_at = customer.next if customer.owner_id else None


# --- the month -----------------------------------------------------------------------------------


def _active(world: DemoWorld, customer: BookEntry) -> bool:
    if customer.last is None:
        return customer.created_at < world.now - timedelta(days=1)
    window = NO_FOLLOWUP_DAYS[customer.tier]  # type: ignore[index]
    return world.now - customer.last < timedelta(days=window * ACTIVE_SHARE)


def _position(world: DemoWorld, customer: BookEntry, far: bool) -> tuple[Decimal, Decimal, int] | None:
    """A browser reading near the customer's stored point (or far from it), with its distance in metres."""
    if customer.latitude is None or customer.longitude is None:
        return None
    rng = world.rng
    metres = rng.uniform(600, 2500) if far else rng.uniform(15, 320)
    bearing = rng.uniform(0, 2 * math.pi)
    lat0, lng0 = float(customer.latitude), float(customer.longitude)
    lat = lat0 + metres * math.cos(bearing) / METRES_PER_DEGREE
    lng = lng0 + metres * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(lat0)))
    lat_d, lng_d = Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")
    return lat_d, lng_d, round(haversine_m(lat_d, lng_d, customer.latitude, customer.longitude))


def _visit(world: DemoWorld, rep: User, customer: BookEntry, day: date) -> None:
    """A visit of `day`: done with its follow-up, still going (checked in), or later today (planned)."""
    rng = world.rng
    planned = at(day, rng.randint(VISIT_HOURS[0] // 30, VISIT_HOURS[1] // 30) * 30)
    visit = Visit(
        organization=world.org,
        customer_id=customer.pk,
        owner=rep,
        purpose=rng.choice(vocab.VISIT_PURPOSES),
        planned_at=planned,
        planned_minutes=rng.choice((60, 60, 90, 120)),
        created_at=planned - timedelta(days=rng.randint(1, 5)),
    )
    check_in = planned + timedelta(minutes=rng.randint(-10, 15))
    stay = rng.randint(30, 120)
    check_out = check_in + timedelta(minutes=stay)
    here = _position(world, customer, rng.random() < FAR_CHANCE)
    leaving = _position(world, customer, rng.random() < FAR_CHANCE / 2)
    radius = world.org.checkin_radius_m
    if check_in < world.now:
        visit.status, visit.check_in_at = VisitStatus.CHECKED_IN, check_in
        if here is not None:
            visit.check_in_latitude, visit.check_in_longitude, visit.check_in_distance_m = here
            visit.check_in_out_of_range = here[2] > radius
    if check_out < world.now:
        visit.status, visit.check_out_at, visit.stay_minutes = VisitStatus.DONE, check_out, stay
        if leaving is not None:
            visit.check_out_latitude, visit.check_out_longitude, visit.check_out_distance_m = leaving
            visit.check_out_out_of_range = leaving[2] > radius
        visit.followup = _add_followup(world, customer, rep.pk, "visit", check_in)
        visit.followup.created_at = visit.followup.updated_at = min(check_out + timedelta(minutes=10), world.now)
    visit.updated_at = visit.check_out_at or visit.check_in_at or visit.created_at
    world.visits.append(visit)


def _rep_day(world: DemoWorld, rep: User, active: list[BookEntry], day: date) -> None:
    rng = world.rng
    start = at(day, OFFICE[0])
    candidates = [c for c in active if c.created_at < start]
    if not candidates:
        return
    weights = [TIER_WEIGHT[c.tier] for c in candidates]
    if rng.random() < VISIT_CHANCE:
        _visit(world, rep, rng.choices(candidates, weights=weights)[0], day)
    count = rng.choices(list(FOLLOWUPS_A_DAY), weights=list(FOLLOWUPS_A_DAY.values()))[0]
    for _index in range(count):
        customer = rng.choices(candidates, weights=weights)[0]
        kind = pick(rng, vocab.KIND_WEIGHTS)
        occurred = at(day, rng.randint(*OFFICE))
        if occurred < world.now:
            _add_followup(world, customer, rep.pk, kind, occurred)


def _ahead(world: DemoWorld, rep: User, active: list[BookEntry]) -> None:
    """Visits planned for the next working days, and a cancelled one now and then."""
    rng = world.rng
    book = sorted(active or world.book(rep), key=lambda c: (c.tier, c.pk))
    if not book:
        return
    for offset in range(1, rng.randint(2, 4)):
        customer = book[rng.randrange(min(len(book), 6))]
        planned = at(world.days.after(world.today, offset), rng.choice((600, 630, 870, 900)))
        world.visits.append(
            Visit(
                organization=world.org,
                customer_id=customer.pk,
                owner=rep,
                purpose=rng.choice(vocab.VISIT_PURPOSES),
                planned_at=planned,
                planned_minutes=60,
                created_at=world.now - timedelta(hours=rng.randint(2, 60)),
                updated_at=world.now - timedelta(hours=1),
            )
        )
    if rng.random() < CANCELLED_CHANCE:
        planned = at(world.days.after(world.today, -rng.randint(2, 10)), 600)
        created = planned - timedelta(days=3)
        world.visits.append(
            Visit(
                organization=world.org,
                customer_id=book[-1].pk,
                owner=rep,
                purpose=rng.choice(vocab.VISIT_PURPOSES),
                planned_at=planned,
                status=VisitStatus.CANCELLED,
                created_at=created,
                updated_at=created,
            )
        )


def _due_soon(world: DemoWorld, rep: User) -> None:
    """Make a few of the rep's customers due for their next follow-up today and on the next working day."""
    latest = _latest(world)
    mine = [f for f in latest.values() if f.author_id == rep.pk and local_day(f.occurred_at) < world.today]
    mine.sort(key=lambda f: (f.occurred_at, f.customer_id))
    tomorrow = world.days.after(world.today)
    moments = [at(world.today, 600), at(world.today, 900), at(tomorrow, 600), at(tomorrow, 870)]
    for followup, moment in zip(mine[:: max(1, len(mine) // 4)], moments, strict=False):
        followup.next_followup_at = moment
        followup.next_step = followup.next_step or world.rng.choice(vocab.NEXT_STEPS)


def _latest(world: DemoWorld) -> dict[int, FollowUp]:
    latest: dict[int, FollowUp] = {}
    for followup in world.followups:
        held = latest.get(followup.customer_id)
        if held is None or followup.occurred_at > held.occurred_at:
            latest[followup.customer_id] = followup
    return latest


def _customer_clock(world: DemoWorld) -> None:
    """last_followup_at = the latest follow-up; next_followup_at = its next time (owned customers only)."""
    latest = _latest(world)
    customers = list(Customer.objects.filter(organization=world.org).only("owner", "updated_at"))
    for customer in customers:
        followup = latest.get(customer.pk)
        customer.last_followup_at = followup.occurred_at if followup else None
        customer.next_followup_at = followup.next_followup_at if followup and customer.owner_id else None
        if followup is not None:
            customer.updated_at = max(customer.updated_at, followup.created_at)
        entry = world.customers[customer.pk]
        entry.last, entry.next = customer.last_followup_at, customer.next_followup_at
    Customer.objects.bulk_update(customers, ["last_followup_at", "next_followup_at", "updated_at"], batch_size=200)


def _save(world: DemoWorld) -> None:
    FollowUp.objects.bulk_create(world.followups, batch_size=500)
    through = FollowUp.contacts.through
    links = [
        through(followup_id=f.pk, contact_id=pk)
        for f, met in zip(world.followups, world.met, strict=True)
        for pk in met
    ]
    through.objects.bulk_create(links, batch_size=500)
    for visit in world.visits:
        if visit.followup is not None:
            visit.followup_id = visit.followup.pk
    Visit.objects.bulk_create(world.visits, batch_size=500)


def build_month(world: DemoWorld) -> None:
    """Follow-ups and visits of the past four weeks and the visits ahead, saved; the customers' clock set."""
    _history(world)
    first = world.today - timedelta(days=WINDOW_DAYS - 1)
    for rep in world.reps:
        active = [c for c in world.book(rep) if _active(world, c)]
        for day in world.days.between(first, world.today):
            _rep_day(world, rep, active, day)
        _ahead(world, rep, active)
    for rep in world.reps:
        _due_soon(world, rep)
    _save(world)
    _customer_clock(world)
