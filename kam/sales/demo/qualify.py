"""Qualification of the demo's deals: Blue Sheet buying influences on the customer's contacts (with the
red flags a real pipeline has), MEDDPICC scores that satisfy every gate up to the deal's stage, and the
needs analysis with its versions (V1, and V2/V3 with a reason for a third of the open deals)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from kam.sales.demo import vocab
from kam.sales.demo.deals import Draft
from kam.sales.demo.story import WAN
from kam.sales.demo.world import DealWorld, Person
from kam.sales.models import (
    BuyingInfluence,
    Fit,
    InfluenceDegree,
    InfluenceRole,
    MeddpiccElement,
    Necessity,
    NeedsVersion,
    QualificationScore,
    RequirementItem,
    RequirementPriority,
    ResponseMode,
)

RATING_RANGE = {"economic": (-2, 4), "user": (-1, 4), "technical": (-3, 3), "coach": (3, 5)}
MODE_WEIGHTS = {ResponseMode.GROWTH: 35, ResponseMode.TROUBLE: 30, ResponseMode.EVEN_KEEL: 25,
                ResponseMode.OVERCONFIDENT: 10}  # fmt: skip
PRIORITIES = (RequirementPriority.HIGH, RequirementPriority.MEDIUM, RequirementPriority.LOW)
FITS = {Fit.MET: 60, Fit.PARTLY: 20, Fit.WORKAROUND: 12, Fit.NOT_MET: 8}


@dataclass
class Qualification:
    """What qualify adds to a draft."""

    influences: list[BuyingInfluence] = field(default_factory=list)
    scores: list[QualificationScore] = field(default_factory=list)
    versions: list[tuple[NeedsVersion, list[RequirementItem]]] = field(default_factory=list)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.uniform(0.1, 0.9) if end > start else start


def _pick(people: list[Person], roles: tuple[str, ...], taken: set[int]) -> Person | None:
    return next((p for p in people if p.buying_role in roles and p.pk not in taken), None)


def influences_for(world: DealWorld, draft: Draft) -> list[BuyingInfluence]:
    """The economic buyer (from 方案/报价 on always), user and technical buyers, a coach on most deals."""
    rng, path = world.rng, draft.path
    if draft.stage_index == 0 and rng.random() < 0.5:
        return []
    people, taken = draft.account.people, set[int]()
    chosen: list[tuple[str, Person]] = []  # (InfluenceRole value, contact)
    economic = _pick(people, ("decision",), taken) or people[0]
    if draft.stage_index >= 2 or rng.random() < 0.6:
        chosen.append((InfluenceRole.ECONOMIC, economic))
        taken.add(economic.pk)
    wanted: tuple[tuple[str, tuple[str, ...]], ...] = (
        (InfluenceRole.TECHNICAL, ("technical",)),
        (InfluenceRole.USER, ("user", "other")),
    )
    for role, kinds in wanted:
        person = _pick(people, kinds, taken)
        if person is not None:
            chosen.append((role, person))
            taken.add(person.pk)
    coach = _pick([p for p in people if p.attitude == "support"], ("technical", "user", "other", "coach"), taken)
    if coach is not None and rng.random() < 0.8:  # no coach: the first red flag of the Blue Sheet
        chosen.append((InfluenceRole.COACH, coach))
    rows = []
    qualified = path.entered[min(1, len(path.entered) - 1)]
    for role, person in chosen:
        low, high = RATING_RANGE[role]
        rating = rng.randint(low, high) if rng.random() > 0.06 else rng.choice((-4, -5))
        new_person = rng.random() < 0.08 and draft.deal.status == "open"
        added = _between(rng, qualified, world.now) if new_person else _between(rng, path.created_at, qualified)
        rows.append(
            BuyingInfluence(
                organization=world.org,
                contact_id=person.pk,
                role=role,
                influence=person.influence if person.influence in InfluenceDegree.values else InfluenceDegree.MEDIUM,
                response_mode=rng.choices(list(MODE_WEIGHTS), weights=list(MODE_WEIGHTS.values()))[0],
                rating=rating,
                personal_win=rng.choice(vocab.PERSONAL_WINS),
                business_result=rng.choice(vocab.BUSINESS_RESULTS),
                notes=vocab.INFLUENCE_NOTES[2] if new_person else rng.choice(vocab.INFLUENCE_NOTES),
                added_at=min(added, world.now),
            )
        )
    return rows


def scores_for(world: DealWorld, draft: Draft, influences: list[BuyingInfluence]) -> list[QualificationScore]:
    """All eight elements; at least what the gates up to the deal's stage ask, more the further it got."""
    rng, stage_index = world.rng, draft.stage_index
    required = world.pipeline.required[stage_index]
    by_role = {i.role: i.contact_id for i in influences}
    names = {p.pk: p.name for p in draft.account.people}
    competitor = rng.choice(vocab.COMPETITORS)[0]
    rows = []
    for element in MeddpiccElement.values:
        bonus = rng.choices((0, 1, 2), weights=(60 - 10 * stage_index, 30, 10 + 10 * stage_index))[0]
        score = min(2, max(required.get(element, 0), bonus if rng.random() < 0.2 + 0.15 * stage_index else 0))
        contact = None
        if element == MeddpiccElement.ECONOMIC_BUYER:
            contact = by_role.get(InfluenceRole.ECONOMIC)
        elif element == MeddpiccElement.CHAMPION:
            contact = by_role.get(InfluenceRole.COACH) or by_role.get(InfluenceRole.USER)
        if contact is None and element in (MeddpiccElement.ECONOMIC_BUYER, MeddpiccElement.CHAMPION):
            score = min(score, 1)
        who = names.get(contact or 0, "对接人")
        evidence = vocab.EVIDENCE[element].format(
            pct=rng.choice((8, 10, 15, 20)), loss=rng.choice((50, 80, 120, 200)), contact=who, competitor=competitor
        )
        rows.append(
            QualificationScore(
                organization=world.org,
                element=element,
                score=score,
                evidence=evidence if score else "",
                contact_id=contact if score else None,
                updated_by=draft.deal.owner,
                updated_at=_between(rng, draft.path.created_at, draft.path.last_moment),
            )
        )
    return rows


def _items(rng: random.Random, product: str, keys: int) -> list[RequirementItem]:
    texts = vocab.REQUIREMENTS.get(product) or vocab.REQUIREMENTS["MES系统"]
    picked = rng.sample(texts, min(len(texts), rng.randint(3, 5)))
    return [
        RequirementItem(
            key=keys + n + 1,
            position=n,
            description=text,
            priority=rng.choice(PRIORITIES),
            necessity=Necessity.MUST if rng.random() < 0.7 else Necessity.NICE,
            fit=rng.choices(list(FITS), weights=list(FITS.values()))[0],
        )
        for n, text in enumerate(picked)
    ]


def _changed(rng: random.Random, product: str, items: list[RequirementItem], top: int) -> list[RequirementItem]:
    """The next version's requirements: one re-prioritised or re-fitted, one added, maybe one dropped."""
    kept = [RequirementItem(key=i.key, description=i.description, priority=i.priority, necessity=i.necessity,
                            fit=i.fit) for i in items]  # fmt: skip
    if len(kept) > 3 and rng.random() < 0.4:
        kept.pop(rng.randrange(len(kept)))
    target = rng.choice(kept)
    target.priority = RequirementPriority.HIGH if target.priority != RequirementPriority.HIGH else PRIORITIES[1]
    target.fit = rng.choice((Fit.PARTLY, Fit.WORKAROUND, Fit.MET))
    known = {i.description for i in kept}
    extra = [t for t in (vocab.REQUIREMENTS.get(product) or ()) if t not in known] or ["移动端审批"]
    kept.append(RequirementItem(key=top + 1, description=rng.choice(extra), priority=RequirementPriority.HIGH,
                                necessity=Necessity.MUST, fit=rng.choice(list(FITS))))  # fmt: skip
    for position, item in enumerate(kept):
        item.position = position
    return kept


def _version(world: DealWorld, draft: Draft, number: int, at: datetime, reason: str) -> NeedsVersion:
    rng, amount = world.rng, draft.deal.amount
    low = (amount * Decimal(rng.choice((70, 80, 90))) / 100 / WAN).quantize(Decimal(1)) * WAN
    return NeedsVersion(
        organization=world.org,
        number=number,
        pain=rng.choice(vocab.PAINS).format(loss=rng.choice((50, 80, 120, 200))),
        budget_min=low,
        budget_max=max(low, amount * Decimal("1.1")).quantize(Decimal(1)),
        timeline=rng.choice(vocab.TIMELINES),
        decision_criteria=rng.choice(vocab.DECISION_CRITERIA),
        solution_notes=rng.choice(vocab.SOLUTION_NOTES),
        reason=reason,
        author=draft.deal.owner,
        created_at=at,
    )


def needs_for(
    world: DealWorld, draft: Draft, changed_yesterday: bool = False
) -> list[tuple[NeedsVersion, list[RequirementItem]]]:
    """V1 from 需求分析 on; a third of the open deals (and the one of yesterday) changed once or twice."""
    rng, path = world.rng, draft.path
    if draft.stage_index == 0 and not changed_yesterday:
        return []
    start = path.entered[1] if len(path.entered) > 1 else path.created_at
    first_at = start - timedelta(hours=rng.uniform(2, 48))
    first_at = max(first_at, path.created_at + timedelta(minutes=30))
    items = _items(rng, draft.product, 0)
    versions = [(_version(world, draft, 1, first_at, ""), items)]
    changes = 0
    if draft.deal.status == "open" and (changed_yesterday or rng.random() < 0.34):
        changes = 1 if changed_yesterday or rng.random() < 0.6 else 2
    moment = first_at
    for number in range(2, 2 + changes):
        last = number == 1 + changes
        if last and changed_yesterday:
            moment = world.office.moment(world.yesterday)
        else:
            moment = world.office.snap(_between(rng, moment, world.now - timedelta(days=2)))
        if moment <= versions[-1][0].created_at:
            moment = versions[-1][0].created_at + timedelta(hours=1)
        top = max(i.key for _v, its in versions for i in its)
        items = _changed(rng, draft.product, versions[-1][1], top)
        versions.append((_version(world, draft, number, min(moment, world.now), rng.choice(vocab.CHANGE_REASONS)),
                         items))  # fmt: skip
    if changes:
        draft.deal.needs_changed_at = versions[-1][0].created_at
    return versions


def qualify(world: DealWorld, draft: Draft, changed_yesterday: bool = False) -> Qualification:
    influences = influences_for(world, draft)
    return Qualification(
        influences=influences,
        scores=scores_for(world, draft, influences),
        versions=needs_for(world, draft, changed_yesterday),
    )
