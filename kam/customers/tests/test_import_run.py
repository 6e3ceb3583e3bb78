"""The import pipeline: grouping, validation, duplicates, decisions, and all-or-nothing writing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.models import AuditAction, AuditEntry
from kam.core.models.org import DedupMode
from kam.customers.actions import create_contact, create_customer, delete_customer
from kam.customers.dedup import find_duplicates
from kam.customers.imports import writer as writer_module
from kam.customers.imports.matching import DatabaseIndex
from kam.customers.imports.runner import check, progress_key, run
from kam.customers.imports.writer import ImportRejected
from kam.customers.models import Contact, Customer, OwnershipChange, OwnershipKind
from kam.customers.models.imports import RowDecision
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    HEADERS,
    NAMES,
    _import_settings,
    credit_code,
    fingerprint,
    five_rows,
    mapping_of,
    table,
    user_holding,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def run_rows(world: OrgWorld, rows: list[list[Any]], decisions: dict[int, str] | None = None, **kw: Any) -> Any:
    t = table(rows)
    return run(t, mapping_of(t), kw.pop("user", world.owner), decisions or {}, **kw)


def check_rows(world: OrgWorld, rows: list[list[Any]], decisions: dict[int, str] | None = None, **kw: Any) -> Any:
    t = table(rows)
    return check(t, mapping_of(t), kw.pop("user", world.owner), decisions or {}, **kw)


# --- the happy path --------------------------------------------------------------------------


def test_import_creates_customers_contacts_audit_and_ownership_rows(world: OrgWorld) -> None:
    counts = run_rows(world, five_rows())
    assert (counts.created, counts.merged, counts.skipped, counts.contacts) == (5, 0, 0, 5)
    customer = Customer.objects.get(name="华东精密机械有限公司")
    assert customer.owner == world.owner
    assert customer.created_by == world.owner
    assert (customer.province_id, customer.city_id, customer.city_tier, customer.tier) == (
        "110000",
        "110100",
        "一线",
        "B",
    )
    assert customer.name_norm == "华东精密机械"
    assert "hdjmjx" in customer.search_text
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.mobile, contact.title) == ("张伟", "13800138000", "经理")
    assert "zw" in contact.search_text
    change = OwnershipChange.objects.get(customer=customer)
    assert (change.kind, change.to_user, change.actor) == (OwnershipKind.IMPORT, world.owner, world.owner)
    entries = AuditEntry.objects.filter(action=AuditAction.CREATE, actor=world.owner)
    assert entries.filter(entity="customers.customer", entity_id=customer.pk, entity_repr=customer.name).count() == 1
    assert entries.filter(entity="customers.contact", entity_id=contact.pk).count() == 1


def test_imported_customer_matches_one_made_by_create_customer(world: OrgWorld) -> None:
    """The bulk path writes what create_customer writes (apart from the ownership kind)."""
    run_rows(
        world, [["客户名称", "城市", "电话", "标签"], ["杭州云栖软件有限公司", "杭州", "0571-88888888", "重点、华东"]]
    )
    imported = Customer.objects.get(name="杭州云栖软件有限公司")
    made = create_customer(
        world.teammate,
        {
            "name": "杭州云栖软件有限公司",
            "city": imported.city,
            "province": imported.province,
            "phone": "0571-88888888",
        },
        tag_names=["重点", "华东"],
        confirm_duplicates=True,
    )
    fields = ["name_norm", "name_pinyin", "name_initials", "search_text", "city_tier", "province_id", "phone", "tier"]
    assert [getattr(imported, f) for f in fields] == [getattr(made, f) for f in fields]
    assert sorted(t.name for t in imported.tags.all()) == sorted(t.name for t in made.tags.all()) == ["华东", "重点"]


def test_rows_with_the_same_customer_add_contacts_to_one_customer(world: OrgWorld) -> None:
    rows = [
        ["客户名称", "统一社会信用代码", "联系人", "手机"],
        ["蓝海物流股份有限公司", credit_code(7), "张伟", "13800138000"],
        ["蓝海物流股份有限公司", "", "王芳", "13800138001"],
        ["", credit_code(7), "李娜", "13800138002"],
        ["", "", "刘洋", "13800138003"],  # a continuation row (merged cells in Excel)
    ]
    counts = run_rows(world, rows)
    assert (counts.created, counts.contacts) == (1, 4)
    customer = Customer.objects.get()
    assert sorted(customer.contacts.values_list("name", flat=True)) == ["刘洋", "张伟", "李娜", "王芳"]


def test_a_row_contradicting_an_earlier_row_of_its_customer_is_an_error(world: OrgWorld) -> None:
    rows = [
        ["客户名称", "客户等级", "联系人"],
        ["蓝海物流股份有限公司", "A", "张伟"],
        ["蓝海物流股份有限公司", "B", "王芳"],
    ]
    _prepared, _matches, plan = check_rows(world, rows)
    assert plan.errors == {3: {"tier": ["Row 2 gives this customer a different value."]}}


def test_owner_column_takes_user_name_or_display_name_and_checks_the_team(world: OrgWorld) -> None:
    world.teammate.display_name = "李队友"
    world.teammate.save(update_fields=["display_name"])
    rows = [["客户名称", "负责人"], ["蓝海物流股份有限公司", "李队友"], ["青松医药科技有限公司", "nobody"]]
    _prepared, _matches, plan = check_rows(world, rows, user=world.manager_north)
    assert plan.errors == {3: {"owner": ["No active colleague is called “nobody”."]}}
    run_rows(world, rows[:2], user=world.manager_north)
    assert Customer.objects.get().owner == world.teammate
    # A rep may not give customers to someone else.
    _prepared, _matches, plan = check_rows(world, rows[:2], user=world.owner)
    assert plan.errors == {2: {"owner": ["You may only give customers to people in your own team."]}}


def test_holding_limit_is_checked_for_the_whole_file(world: OrgWorld) -> None:
    user_holding(world.owner, 3)
    before = fingerprint()
    with pytest.raises(ImportRejected) as caught:
        run_rows(world, five_rows())
    assert caught.value.errors == {5: {"owner": ["owner already holds 0 customers; the limit is 3."]}}
    assert fingerprint() == before


# --- all or nothing --------------------------------------------------------------------------


@pytest.mark.parametrize("bad_row", [4, 6], ids=["row 3 of 5", "last row"])
def test_a_failing_row_leaves_the_database_unchanged(world: OrgWorld, bad_row: int) -> None:
    before = fingerprint()
    with pytest.raises(ImportRejected) as caught:
        run_rows(world, five_rows(bad_row=bad_row))
    assert caught.value.errors == {bad_row: {"contact_mobile": ["Enter a valid phone number."]}}
    assert fingerprint() == before


@pytest.mark.parametrize("failing_person", ["李娜", "陈静"], ids=["row 3 of 5", "last row"])
def test_a_failure_while_writing_rolls_back_the_rows_already_written(
    world: OrgWorld, monkeypatch: pytest.MonkeyPatch, failing_person: str
) -> None:
    """Customers are written one per batch here, so earlier rows are in the database when the failure comes."""
    monkeypatch.setattr(writer_module, "BATCH", 1)
    real = writer_module.refresh_contact_search

    def failing(contact: Contact) -> None:
        if contact.name == failing_person:
            assert Customer.objects.count() >= 1  # earlier rows were written inside the transaction
            raise RuntimeError("disk full")
        real(contact)

    monkeypatch.setattr(writer_module, "refresh_contact_search", failing)
    before = fingerprint()
    with pytest.raises(RuntimeError):
        run_rows(world, five_rows())
    assert fingerprint() == before


# --- duplicates ------------------------------------------------------------------------------


def test_dry_run_finds_duplicates_in_the_database_with_their_holder(world: OrgWorld) -> None:
    mine = create_customer(world.owner, {"name": "华东精密机械有限公司"})
    theirs = create_customer(world.stranger, {"name": "蓝海物流有限公司", "credit_code": credit_code(101)})
    phone_match = create_customer(world.stranger, {"name": "毫不相干贸易有限公司"})
    create_contact(world.stranger, phone_match, {"name": "某人", "mobile": "13800138002"})
    before = fingerprint()
    prepared, matches, plan = check_rows(world, five_rows())
    assert fingerprint() == before
    found = {row: [m.as_json() for m in infos] for row, infos in matches.items()}
    assert found == {
        2: [{"customer_id": mine.pk, "kind": "name", "score": 100, "visible": True, "writable": True,
             "name": "华东精密机械有限公司", "holder": "owner"}],
        3: [{"customer_id": theirs.pk, "kind": "credit_code", "score": 100, "visible": False, "writable": False,
             "name": "", "holder": "stranger"}],
        4: [{"customer_id": phone_match.pk, "kind": "phone", "score": 100, "visible": False, "writable": False,
             "name": "", "holder": "stranger"}],
    }  # fmt: skip
    # Rows with duplicates default to skip; the others would be created.
    assert plan.skipped == 3
    assert [g.first_row for kind, g, _pk in plan.steps] == [5, 6]


def test_dry_run_finds_duplicates_within_the_file(world: OrgWorld) -> None:
    rows = [
        ["客户名称", "联系人", "手机"],
        ["蓝海物流股份有限公司", "张伟", "13800138000"],
        ["北京蓝海物流有限公司", "王芳", "13800138001"],  # same normalised name as row 2
        ["青松医药科技有限公司", "李娜", "13800138000"],  # same mobile as row 2
        ["星河电子有限责任公司", "刘洋", "13800138009"],
    ]
    prepared, _matches, _plan = check_rows(world, rows)
    assert {g.first_row: g.file_matches for g in prepared.groups} == {
        2: {},
        3: {2: ("name", 100)},
        4: {2: ("phone", 100)},
        5: {},
    }


def test_batch_matching_agrees_with_find_duplicates(world: OrgWorld) -> None:
    for i, name in enumerate(NAMES):
        customer = create_customer(world.stranger, {"name": name, "credit_code": credit_code(300 + i)})
        create_contact(world.stranger, customer, {"name": "某人", "mobile": f"1390013900{i}"})
    index = DatabaseIndex(world.org.pk)
    probes = [
        ("上海华东精密机械有限公司", "", []),
        ("蓝海物流集团", credit_code(303), []),
        ("全新公司", "", ["13900139004"]),
        ("青松医药科技股份有限公司", "", ["13900139000"]),
    ]
    for name, code, phones in probes:
        expected = {
            m.customer_id: (m.kind, m.score)
            for m in find_duplicates(world.owner, name=name, credit_code=code, phones=phones)
        }
        assert index.match(name, code, phones) == expected


def test_a_credit_code_in_the_recycle_bin_cannot_be_imported_again(world: OrgWorld) -> None:
    old = create_customer(world.owner, {"name": "旧客户有限公司", "credit_code": credit_code(100)})
    delete_customer(world.owner, old)
    _prepared, _matches, plan = check_rows(world, five_rows())
    assert plan.errors == {
        2: {
            "credit_code": ["This credit code belongs to a customer in the recycle bin; restore that customer instead."]
        }
    }


# --- decisions -------------------------------------------------------------------------------


def _existing(world: OrgWorld) -> Customer:
    customer = create_customer(
        world.owner, {"name": "华东精密机械有限公司", "tier": "A"}, tag_names=["老客户"], confirm_duplicates=True
    )
    create_contact(world.owner, customer, {"name": "张伟", "mobile": "13800138000"})
    return customer


def test_skip_decision_leaves_the_existing_customer_alone(world: OrgWorld) -> None:
    existing = _existing(world)
    counts = run_rows(world, five_rows(), {2: RowDecision.SKIP})
    assert (counts.created, counts.merged, counts.skipped) == (4, 0, 1)
    existing.refresh_from_db()
    assert (existing.version, existing.credit_code, existing.contacts.count()) == (1, "", 1)
    assert Customer.objects.filter(name="华东精密机械有限公司").count() == 1


def test_merge_decision_fills_blank_fields_and_adds_contacts(world: OrgWorld) -> None:
    existing = _existing(world)
    rows = [
        [*HEADERS, "标签"],
        [*five_rows()[1], "重点"],
        ["华东精密机械有限公司", "", "", "", "", "赵敏", "13800138010", "总监", ""],
    ]
    counts = run_rows(world, rows, {2: RowDecision.MERGE})
    assert (counts.created, counts.merged, counts.contacts) == (0, 1, 1)
    existing.refresh_from_db()
    # Blank fields filled, set fields kept (tier A stays although the file says B).
    assert (existing.credit_code, existing.province_id, existing.city_id, existing.tier) == (
        credit_code(100), "110000", "110100", "A"
    )  # fmt: skip
    assert sorted(existing.tags.values_list("name", flat=True)) == ["老客户", "重点"]
    # 张伟 13800138000 was there already; 赵敏 is new.
    assert sorted(existing.contacts.values_list("name", flat=True)) == ["张伟", "赵敏"]
    changed = set(
        AuditEntry.objects.filter(entity_id=existing.pk, action=AuditAction.UPDATE).values_list("field", flat=True)
    )
    assert {"credit_code", "province", "city", "tags"} <= changed


def test_create_decision_creates_a_second_customer_despite_a_similar_name(world: OrgWorld) -> None:
    existing = _existing(world)
    counts = run_rows(world, five_rows(), {2: RowDecision.CREATE})
    assert counts.created == 5
    assert Customer.objects.filter(name="华东精密机械有限公司").exclude(pk=existing.pk).count() == 1


def test_create_decision_is_refused_for_a_registered_credit_code_or_in_block_mode(world: OrgWorld) -> None:
    create_customer(world.stranger, {"name": "别的名字有限公司", "credit_code": credit_code(101)})
    with pytest.raises(ImportRejected) as caught:
        run_rows(world, five_rows(), {3: RowDecision.CREATE})
    assert caught.value.errors == {
        3: {"credit_code": ["This credit code is already registered: an existing customer (held by stranger)."]}
    }
    world.org.dedup_mode = DedupMode.BLOCK
    world.org.save(update_fields=["dedup_mode"])
    _existing(world)
    world.owner.refresh_from_db()
    _prepared, _matches, plan = check_rows(world, five_rows()[:2], {2: RowDecision.CREATE})
    assert plan.errors == {2: {"name": ["A matching customer already exists: 华东精密机械有限公司 (held by owner)."]}}


def test_merge_into_an_earlier_row_of_the_file(world: OrgWorld) -> None:
    rows = [
        ["客户名称", "地址", "联系人", "手机"],
        ["蓝海物流股份有限公司", "", "张伟", "13800138000"],
        ["北京蓝海物流有限公司", "北京市朝阳区建国路1号", "王芳", "13800138001"],
    ]
    counts = run_rows(world, rows, {2: RowDecision.CREATE, 3: RowDecision.MERGE})
    assert (counts.created, counts.contacts) == (1, 2)
    customer = Customer.objects.get()
    assert (customer.name, customer.address) == ("蓝海物流股份有限公司", "北京市朝阳区建国路1号")


def test_merge_into_a_customer_the_user_may_not_change_fails_the_import(world: OrgWorld) -> None:
    create_customer(world.stranger, {"name": "华东精密机械有限公司"})
    before = fingerprint()
    with pytest.raises(ImportRejected) as caught:
        run_rows(world, five_rows(), {2: RowDecision.MERGE})
    assert caught.value.errors == {2: {"__all__": ["The customer to merge into is gone."]}}
    assert fingerprint() == before


def test_skipped_rows_do_not_fail_the_import_with_their_errors(world: OrgWorld) -> None:
    rows = five_rows(bad_row=4)
    _existing(world)  # row 2 now has a duplicate, so it is asked about too
    counts = run_rows(world, rows, {4: RowDecision.SKIP})
    assert (counts.created, counts.skipped) == (3, 2)


# --- progress --------------------------------------------------------------------------------


def test_progress_goes_to_the_cache_every_batch_of_rows(world: OrgWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from kam.customers.imports import plan as plan_module
    from kam.customers.imports.runner import cache_progress

    monkeypatch.setattr(plan_module, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(writer_module, "PROGRESS_EVERY", 2)
    seen: list[tuple[str, int, int]] = []
    report = cache_progress(999, lambda phase, done, total: seen.append((phase, done, total)))
    run_rows(world, five_rows(), progress=report)
    assert seen == [
        ("check", 2, 5),
        ("check", 4, 5),
        ("check", 5, 5),
        ("write", 2, 5),
        ("write", 4, 5),
        ("write", 5, 5),
    ]
    assert cache.get(progress_key(999)) == {"phase": "write", "done": 5, "total": 5}


def test_name_index_finds_exactly_the_names_a_full_comparison_finds() -> None:
    """The pigeonhole filter must never lose a match: compare with rapidfuzz over every name."""
    import random

    from rapidfuzz import fuzz, process

    from kam.customers.dedup import NAME_SIMILARITY
    from kam.customers.imports.matching import NameIndex

    rng = random.Random(7)
    alphabet = "华东精密机械蓝海物流青松医药星河电子远航建设"
    names: list[str] = []
    for _ in range(400):
        if names and rng.random() < 0.5:  # a near copy: one or two characters inserted, dropped or changed
            chars = list(rng.choice(names))
            for _edit in range(rng.randint(1, 2)):
                spot = rng.randrange(len(chars))
                kind = rng.choice("idc")
                if kind == "i":
                    chars.insert(spot, rng.choice(alphabet))
                elif kind == "d" and len(chars) > 2:
                    del chars[spot]
                else:
                    chars[spot] = rng.choice(alphabet)
            names.append("".join(chars))
        else:
            names.append("".join(rng.choice(alphabet) for _ in range(rng.randint(2, 20))))
    index = NameIndex()
    for key, name in enumerate(names):
        index.add(name, key)
    compared = with_others = 0
    for query in names[::3]:
        full = process.extract(query, names, scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY, limit=None)
        expected = {key: int(score) for _n, score, key in full}
        found = index.match(query)
        with_others += len(expected) > 1
        if len(expected) <= 5:
            assert found == expected, query
            compared += 1
        else:
            assert set(found.values()) <= set(expected.values())
    assert compared > 100
    assert with_others > 30  # the near copies really are found
