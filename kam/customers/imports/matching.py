"""查重 for many rows at once: the rules of kam.customers.dedup.find_duplicates, loaded once per job.

find_duplicates reads every normalised name of the organization on each call; for an import
of 50,000 rows against tens of thousands of customers that is billions of comparisons fetched
through the ORM. Here the names, credit codes and phones are loaded once, exact keys answer
from dicts, and rapidfuzz compares a name only with names whose length can reach the
similarity threshold (fuzz.ratio ≥ NAME_SIMILARITY bounds the length difference).
The same rules apply inside the file, where earlier rows play the role of the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from kam.core.china import normalize_company_name
from kam.core.models import User
from kam.customers.dedup import NAME_SIMILARITY, DuplicateMatch
from kam.customers.models import Contact, Customer
from kam.customers.queries import customer_access, customer_scope

KIND_ORDER = {"credit_code": 0, "phone": 1, "name": 2}
NAME_LIMIT = 5  # as find_duplicates: the five most similar names


def _length_window(length: int) -> range:
    """Lengths b for which 2·min(a, b) / (a + b) can reach the threshold (a = length)."""
    ratio = NAME_SIMILARITY / 100
    low = int(length * ratio / (2 - ratio))
    high = int(length * (2 - ratio) / ratio) + 1
    return range(max(low, 1), high + 1)


class NameIndex:
    """Normalised names bucketed by length, for fuzz.ratio matching above NAME_SIMILARITY."""

    def __init__(self) -> None:
        self._names: dict[int, list[str]] = defaultdict(list)
        self._keys: dict[int, list[int]] = defaultdict(list)

    def add(self, norm: str, key: int) -> None:
        if norm:
            self._names[len(norm)].append(norm)
            self._keys[len(norm)].append(key)

    def match(self, norm: str) -> dict[int, int]:
        """{key: score} of the NAME_LIMIT best names at least NAME_SIMILARITY similar to `norm`."""
        if not norm:
            return {}
        found: list[tuple[int, int]] = []
        for length in _length_window(len(norm)):
            names = self._names.get(length)
            if not names:
                continue
            hits = process.extract(norm, names, scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY, limit=NAME_LIMIT)
            found.extend((int(score), self._keys[length][index]) for _name, score, index in hits)
        found.sort(key=lambda hit: (-hit[0], hit[1]))
        best: dict[int, int] = {}
        for score, key in found:
            if key not in best and len(best) < NAME_LIMIT:
                best[key] = score
        return best


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
