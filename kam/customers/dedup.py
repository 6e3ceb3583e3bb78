"""查重/撞单: find customers that a new or imported one would duplicate, across the whole organization.

The user learns who holds a match even when they may not open it — that is the point of 撞单 —
but sees its name only when they could open it anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from kam.core.china import normalize_company_name, normalize_phone
from kam.core.models import User
from kam.core.models.org import DedupMode
from kam.customers.models import Contact, Customer
from kam.customers.queries import customer_scope

# normalised names at least this similar (0–100) count as the same company
NAME_SIMILARITY = 88


@dataclass(frozen=True)
class DuplicateMatch:
    customer_id: int
    kind: str  # "credit_code" | "name" | "phone"
    score: int
    visible: bool
    name: str  # empty when the user may not open the match
    owner_name: str
    pool_name: str

    @property
    def holder(self) -> str:
        if self.owner_name:
            return self.owner_name
        return _("public pool %(pool)s") % {"pool": self.pool_name} if self.pool_name else ""

    def describe(self) -> str:
        what = self.name or _("an existing customer")
        return _("%(what)s (held by %(holder)s)") % {"what": what, "holder": self.holder}


def _name_matches(organization_id: int, name: str, exclude: set[int]) -> dict[int, int]:
    norm = normalize_company_name(name)
    if not norm:
        return {}
    rows = Customer.objects.filter(organization_id=organization_id).values_list("id", "name_norm")
    choices = {pk: n for pk, n in rows if pk not in exclude and n}
    found = process.extract(norm, choices, scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY, limit=5)
    return {int(pk): int(score) for _choice, score, pk in found}


def _normalised(phones: Iterable[str]) -> set[str]:
    numbers = set()
    for raw in phones:
        try:
            numbers.add(normalize_phone(raw))
        except ValidationError:
            continue
    return numbers


def _phone_matches(organization_id: int, phones: Iterable[str], exclude: set[int]) -> set[int]:
    """Phones are stored normalised (13812345678, 010-12345678), so equality is exact matching."""
    numbers = _normalised(p for p in phones if p)
    if not numbers:
        return set()
    ids = set(
        Contact.objects.filter(organization_id=organization_id, customer__deleted_at__isnull=True)
        .filter(Q(mobile__in=numbers) | Q(phone__in=numbers))
        .values_list("customer_id", flat=True)
    )
    ids |= set(Customer.objects.filter(organization_id=organization_id, phone__in=numbers).values_list("id", flat=True))
    return ids - exclude


def find_duplicates(
    user: User,
    *,
    name: str = "",
    credit_code: str = "",
    phones: Iterable[str] = (),
    exclude_id: int | None = None,
) -> list[DuplicateMatch]:
    """Matches by credit code (exact), normalised name (fuzzy) and phone (exact), best first."""
    org_id = user.organization_id
    assert org_id is not None
    exclude = {exclude_id} if exclude_id else set()
    kinds: dict[int, tuple[str, int]] = {}
    if credit_code:
        for pk in Customer.objects.filter(organization_id=org_id, credit_code=credit_code.upper()).values_list(
            "id", flat=True
        ):
            if pk not in exclude:
                kinds[pk] = ("credit_code", 100)
    for pk in _phone_matches(org_id, phones, exclude):
        kinds.setdefault(pk, ("phone", 100))
    for pk, score in _name_matches(org_id, name, exclude).items():
        kinds.setdefault(pk, ("name", score))
    if not kinds:
        return []
    customers = Customer.objects.filter(pk__in=kinds).select_related("owner", "pool")
    visible_ids = set(Customer.objects.filter(customer_scope(user), pk__in=kinds).values_list("id", flat=True))
    matches = [
        DuplicateMatch(
            customer_id=c.pk,
            kind=kinds[c.pk][0],
            score=kinds[c.pk][1],
            visible=c.pk in visible_ids,
            name=c.name if c.pk in visible_ids else "",
            owner_name=c.owner.name if c.owner else "",
            pool_name=c.pool.name if c.pool and not c.owner else "",
        )
        for c in customers
    ]
    order = {"credit_code": 0, "phone": 1, "name": 2}
    return sorted(matches, key=lambda m: (order[m.kind], -m.score, m.customer_id))


def creation_blocked(user: User, matches: list[DuplicateMatch]) -> bool:
    """A credit-code match always blocks; other matches block only when the admin setting says so."""
    if any(m.kind == "credit_code" for m in matches):
        return True
    return bool(matches) and user.organization is not None and user.organization.dedup_mode == DedupMode.BLOCK
