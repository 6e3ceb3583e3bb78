"""Flat rows of a customer list, for GET /api/v1/customers.

The API list used to load five related objects per customer and let the output schema walk
them: about 300 model instances and 1,650 attribute lookups for a page of 50 (docs/benchmarks.md
§6). Here one SELECT with the joins returns plain values, and one more reads the page's tags.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from kam.customers.models import Customer

# Output field → what the database returns for it (the rest are the customer's own columns).
_REFERENCES = {
    "industry_code": F("industry_id"),
    "industry_name": F("industry__name"),
    "province_code": F("province_id"),
    "province_name": F("province__name"),
    "city_code": F("city_id"),
    "city_name": F("city__name"),
    "pool_name": F("pool__name"),
    "owner_username": F("owner__username"),
    "owner_display_name": F("owner__display_name"),
}
_COLUMNS = (
    "id",
    "version",
    "name",
    "short_name",
    "credit_code",
    "city_tier",
    "address",
    "latitude",
    "longitude",
    "phone",
    "website",
    "employees_band",
    "revenue_band",
    "source",
    "tier",
    "status",
    "notes",
    "owner_id",
    "pool_id",
    "locked",
    "last_followup_at",
    "next_followup_at",
    "created_at",
    "updated_at",
)


def customer_rows(customers: QuerySet[Customer], offset: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """Rows `offset`..`offset + limit` of `customers` (its filters and order) as flat dicts with their
    tag names, and whether more rows follow (one row more is read instead of counting)."""
    values = customers.prefetch_related(None).values(*_COLUMNS, **_REFERENCES)
    rows = list(values[offset : offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    tags: dict[int, list[str]] = {row["id"]: [] for row in rows}
    links = Customer.tags.through.objects.filter(customer_id__in=list(tags)).values_list("customer_id", "tag__name")
    for customer_id, tag_name in links:
        tags[customer_id].append(tag_name)
    for row in rows:
        username, display_name = row.pop("owner_username"), row.pop("owner_display_name")
        row["owner_name"] = (display_name or username) if row["owner_id"] is not None else None
        row["tags"] = sorted(tags[row["id"]])
    return rows, more
