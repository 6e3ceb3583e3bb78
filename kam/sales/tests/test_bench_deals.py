"""The benchmark's deal operations on a tiny generated dataset: they run, with their targets, and a page or
query function that does not exist is reported as not available."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kam.bench import deal_operations as deal_ops
from kam.bench.operations import pick_subjects
from kam.bench.timing import measure
from kam.conftest import OrgWorld
from kam.customers.demo.large import LargeSize, build_large

pytestmark = pytest.mark.django_db

PINNED_NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
TINY = LargeSize(reps=4, customers=24, contacts=100, followups_per_customer=4, visits_per_customer=1,
                 tasks_per_rep=1, requests_per_rep=1)  # fmt: skip
EXPECTED = [
    ("deal board (HTML) — rep", 50.0),
    ("deal board query — rep", 50.0),
    ("deal board raw SQL — rep", 50.0),
    ("deal board (HTML) — director (whole org)", 300.0),
    ("deal board query — director (whole org)", 300.0),
    ("deal board raw SQL — director (whole org)", 300.0),
    ("deal board (HTML) — admin (whole org)", 300.0),
    ("deal board query — admin (whole org)", 300.0),
    ("deal board raw SQL — admin (whole org)", 300.0),
    ("deal page (HTML) — rep", 50.0),
    ("deal page (HTML) — director", 50.0),
    ("deal page query — rep", 50.0),
    ("deal page raw SQL", 50.0),
    ("win/loss page (HTML) — rep", 50.0),
    ("win/loss query — rep", 50.0),
    ("win/loss raw SQL — rep", 50.0),
    ("win/loss page (HTML) — director (whole org)", 300.0),
    ("win/loss query — director (whole org)", 300.0),
    ("win/loss raw SQL — director (whole org)", 300.0),
]


def test_deal_operations_run_on_a_tiny_large_dataset() -> None:
    build_large(seed=5, size=TINY, now=PINNED_NOW)
    subjects = pick_subjects()

    found = deal_ops.deal_operations(subjects.rep, subjects.director, PINNED_NOW.date())

    assert found.unavailable == []
    assert [(op.name, op.target_ms) for op in found.operations] == EXPECTED
    assert found.notes[0].startswith(f"deals: {subjects.rep.username} holds ")
    for operation in found.operations:
        operation.run()
    result = measure(found.operations[2], repeat=2, warmup=1)
    assert len(result.times) == len(result.raw_times) == 2


def test_missing_pages_and_queries_are_reported_and_raw_sql_still_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_large(seed=5, size=TINY, now=PINNED_NOW)
    subjects = pick_subjects()
    monkeypatch.setattr(deal_ops, "_url", lambda name, *args: None)
    monkeypatch.setattr(deal_ops, "_function", lambda module, name: None)

    found = deal_ops.deal_operations(subjects.rep, subjects.director)

    assert found.unavailable == [
        "deal board page: URL name deal-board does not resolve yet",
        "deal board query: kam.sales.queries_lists.board does not exist yet",
        "deal page: URL name deal-detail does not resolve yet",
        "deal page query: kam.sales.page_deals.detail_context does not exist yet",
        "win/loss page: URL name winloss does not resolve yet",
        "win/loss query: kam.market.winloss.win_loss does not exist yet",
    ]
    assert [op.name for op in found.operations] == [name for name, _t in EXPECTED if "raw SQL" in name]
    for operation in found.operations:
        operation.run()


def test_a_dataset_without_deals_has_no_deal_operations(world: OrgWorld) -> None:
    found = deal_ops.deal_operations(world.owner, world.director)

    assert found.operations == []
    assert found.unavailable == ["deal operations: the dataset has no deals"]
