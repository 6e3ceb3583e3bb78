"""The search index (search_backend, migration 0004): same results as a plain `contains`, kept in sync.

Every comparison runs the indexed search against the reference — `search_text__contains` of the
lowered, space-stripped term or its phone key, as search_q did before the index — on whatever
database the suite runs on (SQLite: FTS5 trigram tables; PostgreSQL: pg_trgm GIN indexes).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.china import phone_key
from kam.core.models import User
from kam.customers import search_backend
from kam.customers.actions import (
    create_contact,
    delete_customer,
    merge_customers,
    purge_customer,
    restore_customer,
    update_contact,
    update_customer,
)
from kam.customers.imports.runner import run
from kam.customers.models import Contact, Customer
from kam.customers.queries import (
    CustomerFilters,
    customer_list,
    search,
    search_q,
    visible_contacts,
    visible_customers,
)
from kam.customers.search_backend import IndexedCandidates, fts_phrase, rebuild_search_index, substring_q
from kam.customers.tests.domain_helpers import credit_code, make_customer
from kam.customers.tests.import_scene import (  # noqa: F401 - _import_settings is an autouse fixture
    NAMES,
    _import_settings,
    five_rows,
    mapping_of,
    table,
)

SQLITE = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="the pg_trgm index is PostgreSQL's")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def reference_q(term: str, prefix: str = "") -> Q:
    """search_q before the index: the plain `contains` the indexed search must equal."""
    term = term.strip().lower().replace(" ", "")
    q = Q(**{f"{prefix}search_text__contains": term})
    key = phone_key(term)
    if key and key != term:
        q |= Q(**{f"{prefix}search_text__contains": key})
    return q


def ids(qs: QuerySet[Any]) -> list[int]:
    return sorted(qs.values_list("pk", flat=True))


# Raw search_text written with QuerySet.update(), past refresh_*_search: upper-case ASCII and
# non-ASCII, LIKE wildcards, quotes and FTS5 query syntax as data.
ODD_TEXTS = [
    'ABC Äbc a%b_c"d*e or near( hw* x',
    "z",
    "",
    "中",
    "'quoted' \"double\" (paren) {brace} ^caret -dash :colon \\back |pipe @at",
    "İstanbul Ǆemal ßtraße 🙂 e\u0301",
]


@pytest.fixture
def corpus(world: OrgWorld) -> dict[str, Any]:
    """Customers and contacts whose search_text covers every kind of needle the tests use."""
    huawei = make_customer(
        world.owner, "华为技术有限公司", short_name="华为", credit_code=credit_code(1), phone="0755-28780808"
    )
    zte = make_customer(world.teammate, "中兴通讯股份有限公司", short_name="中兴", credit_code=credit_code(2))
    east = make_customer(world.stranger, "上海华东精密机械有限公司", phone="021-64381234")
    odd_customers = [make_customer(world.stranger, f"特殊客户{i}号有限公司") for i in range(len(ODD_TEXTS))]
    zhang = create_contact(
        world.owner, huawei, {"name": "张伟", "mobile": "13812345678", "email": "zw@huawei.com", "wechat": "a%b_c"}
    )
    wang = create_contact(world.teammate, zte, {"name": "王芳", "phone": "010-62345678", "wechat": 'o"r*'})
    odd_contacts = [create_contact(world.stranger, east, {"name": f"联系人{i}"}) for i in range(len(ODD_TEXTS))]
    for text, customer, contact in zip(ODD_TEXTS, odd_customers, odd_contacts, strict=True):
        Customer.objects.filter(pk=customer.pk).update(search_text=text)
        Contact.objects.filter(pk=contact.pk).update(search_text=text)
    return {"huawei": huawei, "zte": zte, "east": east, "zhang": zhang, "wang": wang}


TRICKY_TERMS = [
    # Chinese, 1 / 2 / 3+ characters, inside a field and across two fields
    "华", "为", "中", "华为", "中兴", "张伟", "华为技术", "技术有限公司", "有限公司", "公司华为", "精密机械",
    # pinyin, initials, mixed case and spaces
    "huawei", "hua", "hw", "h", "z", "zh", "HWJS", "hw js", "zhangwei", "zw", "zhongxing", "zxtx",
    # credit code fragments
    credit_code(1), credit_code(1).lower(), credit_code(1)[:2], credit_code(1)[2:8], credit_code(1)[-4:], "9",
    # phone fragments and phones as displayed
    "0755", "28780808", "0755-28780808", "075528780808", "138", "13812345678", "138-1234-5678",
    "+86 138 1234 5678", "010-62345678", "62345678", "1", "13",
    # LIKE wildcards and escapes
    "%", "_", "%%", "a%b", "a_b", "a%b_c", "\\", "%_",
    # quotes and FTS5 query syntax
    "'", "''", '"', '""', '"hw"', "*", "hw*", "or", "OR", "hw OR zw", "o\"r*", "NEAR(", "near(hw", "and",
    "not", "-", "^", ":", "(", ")", "{", "|", "@", ".com", "zw@huawei.com", "d*e",
    # case folding: LIKE folds ASCII only
    "abc", "ABC", "äbc", "ÄBC", "istanbul", "i̇stanbul", "ǆemal", "strasse", "🙂", "é", "e\u0301",
    # no match, blank
    "x" * 40, "不存在的客户", "", "   ",
]  # fmt: skip


@pytest.mark.parametrize("term", TRICKY_TERMS)
def test_indexed_search_equals_plain_contains_over_all_rows(corpus: dict[str, Any], term: str) -> None:
    for model in (Customer, Contact):
        rows = model.all_objects.all()
        indexed = rows.filter(_forced_index_q(term))
        assert ids(indexed) == ids(rows.filter(reference_q(term))), (model.__name__, term)


def _forced_index_q(term: str) -> Q:
    """search_q with the index clause whatever the user: what a director's search runs."""
    term = term.strip().lower().replace(" ", "")
    key = phone_key(term)
    return substring_q("search_text", [term, key] if key and key != term else [term], indexed=True)


@pytest.mark.parametrize("term", TRICKY_TERMS)
def test_list_and_search_box_equal_plain_contains_for_every_user(
    world: OrgWorld, corpus: dict[str, Any], term: str
) -> None:
    for who in ("director", "admin", "manager_north", "manager_east", "owner", "collaborator", "outsider"):
        user: User = getattr(world, who)
        listed = ids(customer_list(user, CustomerFilters(q=term)))
        if term.strip():
            assert listed == ids(visible_customers(user).filter(reference_q(term))), (who, term)
            customers, contacts = search(user, term, limit=1000)
            expected_contacts = visible_contacts(user).filter(reference_q(term))
            assert sorted(c.pk for c in customers) == listed, (who, term)
            assert sorted(c.pk for c in contacts) == ids(expected_contacts), (who, term)
        else:
            assert listed == ids(visible_customers(user)), (who, term)


def test_anonymous_users_find_nothing(corpus: dict[str, Any]) -> None:
    anonymous = AnonymousUser()
    assert search(anonymous, "华为") == ([], [])  # type: ignore[arg-type]
    assert list(customer_list(anonymous, CustomerFilters(q="华为"))) == []  # type: ignore[arg-type]


def test_the_prefix_form_searches_the_related_customer(corpus: dict[str, Any]) -> None:
    contacts = Contact.all_objects.all()
    for term in ("华为", "zxtx", "hw", "0755-28780808"):
        indexed = contacts.filter(search_q(term, prefix="customer__"))
        assert ids(indexed) == ids(contacts.filter(reference_q(term, prefix="customer__"))), term
        forced = contacts.filter(substring_q("customer__search_text", [term.lower()], indexed=True))
        assert ids(forced) == ids(contacts.filter(customer__search_text__contains=term.lower())), term


@SQLITE
def test_wide_scopes_use_the_fts5_index_and_reps_test_their_rows(world: OrgWorld, corpus: dict[str, Any]) -> None:
    def sql(user: User, term: str) -> str:
        return str(customer_list(user, CustomerFilters(q=term)).query)

    for who in ("director", "admin", "manager_north"):
        assert "customers_customer_fts" in sql(getattr(world, who), "华为"), who
        assert "customers_customer_fts_terms" in sql(getattr(world, who), "hw"), who
    for who in ("owner", "collaborator"):
        assert "_fts" not in sql(getattr(world, who), "华为"), who
    # Single letters and digits are in nearly every row: no index clause even for the director.
    assert "_fts" not in sql(world.director, "h")
    assert "customers_customer_fts_terms" in sql(world.director, "华")


@POSTGRES
def test_postgresql_adds_no_clause_and_uses_the_trigram_index(world: OrgWorld, corpus: dict[str, Any]) -> None:
    assert "_fts" not in str(customer_list(world.director, CustomerFilters(q="华为")).query)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s ORDER BY 1", ["%search_trgm_idx"])
        assert [r[0] for r in cursor.fetchall()] == ["contact_search_trgm_idx", "customer_search_trgm_idx"]
        cursor.execute("SET LOCAL enable_seqscan = off")
        for model, index in ((Customer, "customer_search_trgm_idx"), (Contact, "contact_search_trgm_idx")):
            query = model.all_objects.filter(search_q("huawei")).values("pk").query
            sql, params = query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            assert index in " ".join(r[0] for r in cursor.fetchall()), model.__name__


# --- kept in sync by the writes --------------------------------------------------------------


def found(user: User, term: str) -> tuple[list[str], list[str]]:
    customers, contacts = search(user, term, limit=100)
    return sorted(c.name for c in customers), sorted(c.name for c in contacts)


def test_updates_move_a_customer_and_a_contact_to_their_new_terms(world: OrgWorld, corpus: dict[str, Any]) -> None:
    huawei = update_customer(world.owner, corpus["huawei"], {"name": "鸿蒙软件有限公司", "short_name": "鸿蒙"})
    update_contact(world.owner, corpus["zhang"], {"name": "李娜"})
    for user in (world.director, world.owner):
        assert found(user, "华为技术") == ([], [])
        assert found(user, "鸿蒙") == (["鸿蒙软件有限公司"], [])
        assert found(user, "hmrj") == (["鸿蒙软件有限公司"], [])
        assert found(user, "zhangwei") == ([], [])
        assert found(user, "李娜") == ([], ["李娜"])
    assert huawei.search_text.startswith("鸿蒙软件有限公司")


def test_delete_hides_and_restore_brings_back(world: OrgWorld, corpus: dict[str, Any]) -> None:
    delete_customer(world.owner, corpus["huawei"])
    for user in (world.director, world.admin, world.owner):
        assert found(user, "华为") == ([], []), user
        assert found(user, "张伟") == ([], []), user
    restore_customer(world.owner, corpus["huawei"].pk)
    for user in (world.director, world.admin, world.owner):
        assert found(user, "华为") == (["华为技术有限公司"], []), user
        assert found(user, "zhangwei") == ([], ["张伟"]), user


def test_merge_leaves_only_the_survivor_with_the_duplicates_contacts(world: OrgWorld, corpus: dict[str, Any]) -> None:
    survivor = make_customer(world.owner, "华为终端有限公司")
    merge_customers(world.manager_north, survivor, corpus["huawei"])
    code = credit_code(1)
    for user in (world.director, world.manager_north, world.owner):
        assert found(user, "华为") == (["华为终端有限公司"], []), user
        assert found(user, code[-6:]) == (["华为终端有限公司"], []), user  # the code moved to the survivor
        customers, contacts = search(user, "zhangwei")
        assert [c.customer_id for c in contacts] == [survivor.pk], user


def test_imported_rows_are_found(world: OrgWorld) -> None:
    t = table(five_rows())
    run(t, mapping_of(t), world.owner, {})
    for user in (world.director, world.owner):
        assert found(user, "精密机械") == ([NAMES[0]], []), user
        assert found(user, "lhwl") == ([NAMES[1]], []), user  # 蓝海物流
        assert found(user, "李娜") == ([], ["李娜"]), user
        assert found(user, "13800138002") == ([], ["李娜"]), user


def test_bulk_created_and_updated_rows_are_found(world: OrgWorld, corpus: dict[str, Any]) -> None:
    """bulk_create and QuerySet.update skip Python; the triggers still index them."""
    Customer.objects.bulk_create(
        [Customer(organization=world.org, owner=world.owner, name="批量客户", search_text="批量客户 plkh")]
    )
    Customer.objects.filter(pk=corpus["zte"].pk).update(search_text="改写 gx")
    for user in (world.director, world.owner, world.teammate):
        assert found(user, "plkh")[0] == (["批量客户"] if user != world.teammate else []), user
    assert found(world.director, "zxtx") == ([], [])
    assert found(world.director, "改写") == (["中兴通讯股份有限公司"], [])


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def indexed_trigrams(base: str) -> dict[int, list[tuple[str, int]]]:
    """What the FTS5 table of `base` holds: each row's trigrams with their positions."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIRTUAL TABLE temp.probe USING fts5vocab(main, {base}_fts, instance)")
        cursor.execute('SELECT doc, term, "offset" FROM temp.probe')
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE temp.probe")
    held: dict[int, list[tuple[str, int]]] = {}
    for doc, term, offset in rows:
        held.setdefault(doc, []).append((term, offset))
    return {doc: sorted(terms) for doc, terms in held.items()}


def expected_trigrams(texts: dict[int, str]) -> dict[int, list[tuple[str, int]]]:
    """lower(search_text) || '  ' (SQLite's lower() folds ASCII only), cut into trigrams."""
    expected = {}
    for pk, text in texts.items():
        padded = text.translate(ASCII_LOWER) + "  "
        if len(padded) >= 3:
            expected[pk] = sorted((padded[i : i + 3], i) for i in range(len(padded) - 2))
    return expected


@SQLITE
def test_the_fts5_rows_follow_inserts_updates_merges_and_purges(world: OrgWorld, corpus: dict[str, Any]) -> None:
    survivor = make_customer(world.owner, "华为终端有限公司")
    merge_customers(world.manager_north, survivor, corpus["huawei"])
    update_contact(world.owner, corpus["zhang"], {"name": "李娜"})
    purge_customer(world.admin, corpus["huawei"].pk)
    for model in (Customer, Contact):
        base = model._meta.db_table
        texts = dict(model.all_objects.values_list("pk", "search_text"))
        assert indexed_trigrams(base) == expected_trigrams(texts), base
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {base}_fts({base}_fts, rank) VALUES ('integrity-check', 0)")  # noqa: S608
    assert corpus["huawei"].pk not in ids(Customer.all_objects.filter(_forced_index_q("华为")))


@SQLITE
def test_the_triggers_survive_every_later_migration(db: None) -> None:
    """A later migration that rebuilds customers_customer or customers_contact drops these: re-create them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_fts_%' ORDER BY name")
        names = [r[0] for r in cursor.fetchall()]
    assert names == [
        f"customers_{model}_fts_{event}"
        for model in ("contact", "customer")
        for event in ("delete", "insert", "update")
    ]


@SQLITE
def test_rebuild_refills_an_emptied_index(world: OrgWorld, corpus: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO customers_customer_fts(customers_customer_fts) VALUES ('delete-all')")
    assert found(world.director, "华为")[0] == []  # the index decides what a wide search may see
    rebuild_search_index()
    assert found(world.director, "华为")[0] == ["华为技术有限公司"]


# --- the pieces --------------------------------------------------------------------------------


def test_fts_phrases_quote_everything() -> None:
    assert fts_phrase('a"b') == '"a""b"'
    assert fts_phrase("hw OR zw*") == '"hw OR zw*"'


@pytest.mark.parametrize(
    ("needle", "indexable", "upper"),
    [
        ("华为", True, "华" + chr(ord("为") + 1)),
        ("hw", True, "hx"),
        ("华", True, chr(ord("华") + 1)),
        ("h", False, "i"),
        ("%", False, "&"),
        ("a\x00b", False, "a\x00c"),
        ("\ud7ff", True, "\ue000"),
        ("a\U0010ffff", False, None),
        ("abc\U0010ffff", True, None),
    ],
)
def test_which_needles_the_index_answers(needle: str, indexable: bool, upper: str | None) -> None:
    assert search_backend._indexable(needle) is indexable
    assert search_backend._next_prefix(needle) == upper


def test_the_index_clause_is_dropped_for_blank_and_other_models(world: OrgWorld) -> None:
    assert substring_q("search_text", [""], indexed=True) == Q(search_text__contains="")
    assert substring_q("search_text", ["华为"], indexed=False) == Q(search_text__contains="华为")
    # A model without an FTS5 table gets no clause, only the test.
    users = User.objects.filter(IndexedCandidates(F("username"), ("own",)), username__contains="own")
    assert list(users.values_list("username", flat=True)) == ["owner"]


def test_a_failed_statement_in_the_migration_does_not_abort_it(world: OrgWorld) -> None:
    migration = importlib.import_module("kam.customers.migrations.0004_search_index")

    class Editor:
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    assert migration._in_savepoint(Editor(), "CREATE TABLE kam_probe (id integer)") is True
    assert migration._in_savepoint(Editor(), "CREATE TABLE kam_probe (id integer)") is False  # exists already
    assert Customer.objects.count() == 0  # the surrounding transaction still works
