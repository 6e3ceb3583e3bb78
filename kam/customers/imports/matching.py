"""查重 for many rows at once: the rules of kam.customers.dedup.find_duplicates, loaded once per job.

find_duplicates reads every normalised name of the organization on each call; for an import
of 50,000 rows against tens of thousands of customers that is billions of comparisons fetched
through the ORM. Here the names, credit codes and phones are loaded once, exact keys answer
from dicts, and rapidfuzz scores a name only against the names that can reach the similarity
threshold (NameIndex).
The same rules apply inside the file, where earlier rows play the role of the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from kam.core.china import normalize_company_name
from kam.core.models import User
from kam.customers.dedup import NAME_SIMILARITY, DuplicateMatch
from kam.customers.models import Contact, Customer
from kam.customers.queries import customer_access, customer_scope

KIND_ORDER = {"credit_code": 0, "phone": 1, "name": 2}
NAME_LIMIT = 5  # as find_duplicates: the five most similar names


def _pair_distance(a: int, b: int) -> int:
    """The largest Indel distance at which names of lengths a and b still score ≥ NAME_SIMILARITY."""
    return (a + b) * (100 - NAME_SIMILARITY) // 100


def _partner_lengths(length: int) -> range:
    """Lengths that can score ≥ NAME_SIMILARITY with a name of `length` (2·min/(a+b) bounds the ratio)."""
    low = -(-length * NAME_SIMILARITY // (200 - NAME_SIMILARITY))
    return range(max(low, 1), length * (200 - NAME_SIMILARITY) // NAME_SIMILARITY + 1)


@cache
def _layout(length: int) -> tuple[tuple[int, int], ...]:
    """(start, size) of the runs a name of `length` is cut into: one more than the largest distance
    it can have from any partner, so that within that distance at least one run survives whole."""
    count = max(_pair_distance(length, other) for other in _partner_lengths(length)) + 1
    size, extra = divmod(length, count)
    runs, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            runs.append((start, end - start))
        start = end
    return tuple(runs)


class NameIndex:
    """Normalised names for fuzz.ratio matching above NAME_SIMILARITY without comparing every pair.

    Pigeonhole filter: each insertion or deletion breaks at most one run of a stored name and
    shifts the others by at most one place, so a name within the allowed distance d contains
    one of its runs unchanged, at most d places from where it was. A query looks up, for each
    possible partner length, its substrings at those places, and rapidfuzz scores only the
    names found.
    """

    def __init__(self) -> None:
        self._names: dict[int, str] = {}
        self._runs: dict[tuple[str, int, int], list[int]] = defaultdict(list)

    def add(self, norm: str, key: int) -> None:
        if not norm:
            return
        self._names[key] = norm
        for start, size in _layout(len(norm)):
            self._runs[(norm[start : start + size], start, len(norm))].append(key)

    def _candidates(self, norm: str) -> set[int]:
        found: set[int] = set()
        length = len(norm)
        for other in _partner_lengths(length):
            reach = _pair_distance(length, other)
            for start, size in _layout(other):
                for place in range(max(start - reach, 0), min(start + reach, length - size) + 1):
                    found.update(self._runs.get((norm[place : place + size], start, other), ()))
        return found

    def match(self, norm: str) -> dict[int, int]:
        """{key: score} of the NAME_LIMIT best names at least NAME_SIMILARITY similar to `norm`."""
        if not norm:
            return {}
        keys = sorted(self._candidates(norm))
        hits = process.extract(
            norm, [self._names[k] for k in keys], scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY, limit=None
        )
        found = sorted(((int(score), keys[index]) for _name, score, index in hits), key=lambda h: (-h[0], h[1]))
        return {key: score for score, key in found[:NAME_LIMIT]}


def merge_kinds(
    code_hits: Iterable[int], phone_hits: Iterable[int], name_hits: dict[int, int]
) -> dict[int, tuple[str, int]]:
    """One (kind, score) per match, the strongest kind winning, as find_duplicates does."""
    kinds: dict[int, tuple[str, int]] = {}
    for key in code_hits:
        kinds[key] = ("credit_code", 100)
    for key in phone_hits:
        kinds.setdefault(key, ("phone", 100))
    for key, score in name_hits.items():
        kinds.setdefault(key, ("name", score))
    return kinds


class DatabaseIndex:
    """The organization's live customers, loaded once; plus credit codes held by deleted ones."""

    def __init__(self, organization_id: int) -> None:
        self.names = NameIndex()
        self.codes: dict[str, int] = {}
        self.phones: dict[str, set[int]] = defaultdict(set)
        self.deleted_codes: set[str] = set()
        rows = Customer.objects.filter(organization_id=organization_id).values_list(
            "id", "name_norm", "credit_code", "phone"
        )
        for pk, norm, code, phone in rows:
            self.names.add(norm, pk)
            if code:
                self.codes[code] = pk
            if phone:
                self.phones[phone].add(pk)
        contacts = Contact.objects.filter(organization_id=organization_id, customer__deleted_at__isnull=True)
        for customer_id, mobile, phone in contacts.values_list("customer_id", "mobile", "phone"):
            for number in (mobile, phone):
                if number:
                    self.phones[number].add(customer_id)
        # The unique constraint on credit codes includes the recycle bin.
        self.deleted_codes = set(
            Customer.all_objects.filter(organization_id=organization_id, deleted_at__isnull=False)
            .exclude(credit_code="")
            .values_list("credit_code", flat=True)
        )

    def match(self, name: str, credit_code: str, phones: Iterable[str]) -> dict[int, tuple[str, int]]:
        code_hits = [self.codes[credit_code]] if credit_code in self.codes else []
        phone_hits = {pk for number in phones if number for pk in self.phones.get(number, ())}
        return merge_kinds(code_hits, phone_hits, self.names.match(normalize_company_name(name)))


@dataclass(frozen=True)
class MatchInfo:
    """A database match as the dry run stores it (JSON-ready through as_json)."""

    match: DuplicateMatch
    writable: bool

    def as_json(self) -> dict[str, object]:
        m = self.match
        return {
            "customer_id": m.customer_id,
            "kind": m.kind,
            "score": m.score,
            "visible": m.visible,
            "writable": self.writable,
            "name": m.name,
            "holder": m.holder,
        }


def describe_matches(user: User, kinds_by_group: dict[int, dict[int, tuple[str, int]]]) -> dict[int, list[MatchInfo]]:
    """DuplicateMatch objects (who holds it, whether the user may open it) for every group, in few queries.

    Whether the user may change the best match (for "merge") is asked of customer_access, one
    customer at a time, and only for the best match of each group.
    """
    ids = {pk for kinds in kinds_by_group.values() for pk in kinds}
    customers: dict[int, Customer] = {}
    visible: set[int] = set()
    id_list = sorted(ids)
    for start in range(0, len(id_list), 2000):
        chunk = id_list[start : start + 2000]
        customers.update((c.pk, c) for c in Customer.objects.filter(pk__in=chunk).select_related("owner", "pool"))
        visible.update(Customer.objects.filter(customer_scope(user), pk__in=chunk).values_list("id", flat=True))
    result: dict[int, list[MatchInfo]] = {}
    for group, kinds in kinds_by_group.items():
        matches = sorted(
            (
                DuplicateMatch(
                    customer_id=pk,
                    kind=kinds[pk][0],
                    score=kinds[pk][1],
                    visible=pk in visible,
                    name=customers[pk].name if pk in visible else "",
                    owner_name=customers[pk].owner.name if customers[pk].owner else "",  # type: ignore[union-attr]
                    pool_name=customers[pk].pool.name if customers[pk].pool and not customers[pk].owner else "",  # type: ignore[union-attr]
                )
                for pk in kinds
                if pk in customers
            ),
            key=lambda m: (KIND_ORDER[m.kind], -m.score, m.customer_id),
        )
        if matches:
            best = customers[matches[0].customer_id]
            writable = matches[0].visible and customer_access(user, best).write
            result[group] = [MatchInfo(m, writable if i == 0 else False) for i, m in enumerate(matches)]
    return result
