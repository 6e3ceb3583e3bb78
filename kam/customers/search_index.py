"""The denormalised search columns of customers and contacts.

One lower-cased `search_text` per row holds every way a user may type the record: the name,
the short name, full pinyin and initials (with heteronym variants), the credit code and the
phone keys. A single `contains` over it answers the search box on SQLite and PostgreSQL alike;
kam/customers/search_backend.py puts an index beside it (SQLite FTS5 tables kept by triggers on
`search_text`, PostgreSQL pg_trgm), so whatever writes `search_text` — save, bulk_create,
update() — needs no extra call.
"""

from __future__ import annotations

from collections.abc import Iterable

from kam.core.china import normalize_company_name, phone_key, search_terms
from kam.customers.models import Contact, Customer

CUSTOMER_SEARCH_FIELDS = ("name", "short_name", "credit_code", "phone")
CONTACT_SEARCH_FIELDS = ("name", "mobile", "phone", "email", "wechat")


def _join(parts: Iterable[str]) -> str:
    return " ".join(p for p in parts if p).lower()


def refresh_customer_search(customer: Customer) -> None:
    full, initials = search_terms(customer.name)
    short_full, short_initials = search_terms(customer.short_name) if customer.short_name else ("", "")
    customer.name_pinyin = full[:600]
    customer.name_initials = initials[:300]
    customer.name_norm = normalize_company_name(customer.name)[:200]
    customer.search_text = _join(
        [
            customer.name.replace(" ", ""),
            customer.short_name.replace(" ", ""),
            full.replace(" ", "|"),
            initials.replace(" ", "|"),
            short_full.replace(" ", "|"),
            short_initials.replace(" ", "|"),
            customer.credit_code,
            phone_key(customer.phone),
        ]
    )


def refresh_contact_search(contact: Contact) -> None:
    full, initials = search_terms(contact.name)
    contact.name_pinyin = full[:300]
    contact.name_initials = initials[:100]
    contact.search_text = _join(
        [
            contact.name.replace(" ", ""),
            full.replace(" ", "|"),
            initials.replace(" ", "|"),
            phone_key(contact.mobile),
            phone_key(contact.phone),
            contact.email,
            contact.wechat,
        ]
    )
