"""The garbage values of the sweep and the query strings every GET is sent with."""

from __future__ import annotations

from dataclasses import dataclass, field

HUGE = str(10**30)
INT64_PLUS_ONE = str(2**63)
SQLISH = "' OR 1=1; DROP TABLE customers_customer;--"
EMOJI_NAME = "😀星辰😀科技有限公司"
LONG = "长" * 10_000

Params = list[tuple[str, str]]


@dataclass(frozen=True)
class GetVariant:
    label: str
    params: Params
    headers: dict[str, str] = field(default_factory=dict)


# Query parameters every page or API route of the project reads somewhere.
_NUMERIC_KEYS = ("page", "owner", "team", "tag", "pool", "stale_days", "duplicate", "limit", "offset")
# … and those of issue 3's pages and routes (people, customers, visits, reports, working days, years).
_ID_KEYS = ("user", "customer", "customer_id", "owner_id", "author_id", "visit", "working_days", "year")
_CHOICE_KEYS = ("kind", "scope", "tab", "state", "when", "priority", "done", "optional")
# … and issue 4's (deal filters and pages, needs history and rows, price history, win/loss, plans).
_DEAL_ID_KEYS = (
    "stage", "business_line", "competitor", "team_id", "page_size", "index", "before", "from", "to", "amount_min",
    "amount_max",
)  # fmt: skip
_DEAL_CHOICE_KEYS = ("period", "outcome", "forecast_category", "confidence", "card")

# Each variant keeps the parameters it does not attack valid, so one bad value does not hide the
# others behind an early 422 (the API validates every query parameter before the handler runs).
GET_VARIANTS: tuple[GetVariant, ...] = (
    GetVariant(
        # No huge owner/tag/pool here: an id past the column's range empties the query before it runs.
        "huge offset and page",
        [
            ("page", "99999"),
            ("limit", "500"),
            ("offset", INT64_PLUS_ONE),
            ("duplicate", HUGE),
            ("province", HUGE),
            ("city", HUGE),
            ("industry", HUGE),
            ("stale_days", "3650"),
            ("working_days", HUGE),
            ("year", HUGE),
            ("date", "9999-12-31"),
            ("start", "0001-01-01"),
            ("end", "9999-12-31"),
            ("date_from", "0001-01-01"),
            ("date_to", "9999-12-31"),
            ("due_from", "0001-01-01"),
            ("due_to", "9999-12-31"),
            ("amount_min", "0"),
            ("amount_max", "9999999999999999.99"),
            ("close_from", "0001-01-01"),
            ("close_to", "9999-12-31"),
            ("page_size", "200"),
            ("index", "500"),
            ("before", str(2**31 - 1)),
            ("from", "1"),
            ("to", str(2**31 - 1)),
        ],
    ),
    GetVariant(
        "negative numbers",
        [
            *((key, "-1") for key in (*_NUMERIC_KEYS, *_ID_KEYS, *_DEAL_ID_KEYS)),
            ("offset", "-5"),
            ("stale_days", "-5"),
            ("active", "-1"),
        ],
    ),
    GetVariant(
        "not numbers, evil choices, limit 10**9",
        [
            *((key, "abc") for key in (*_NUMERIC_KEYS, *_ID_KEYS)),
            *((key, "evil") for key in _CHOICE_KEYS),
            *((key, "abc") for key in _DEAL_ID_KEYS),
            *((key, "evil") for key in _DEAL_CHOICE_KEYS),
            ("close_from", "2024-02-30"),
            ("close_to", "31/12/2024"),
            ("date", "2024-02-30"),
            ("start", "2024-13-01"),
            ("end", "yesterday"),
            ("date_from", "2024-02-30"),
            ("due_to", "31/12/2024"),
            ("limit", str(10**9)),
            ("sort", "evil"),
            ("format", "exe"),
            ("with_count", "maybe"),
            ("tier", "Z"),
            ("status", "evil"),
            ("role", "god"),
            ("active", "maybe"),
        ],
    ),
    GetVariant(
        "unicode, SQL and NUL",
        [
            ("q", SQLISH + "\x00😀"),
            ("name", EMOJI_NAME + "\x00"),
            ("credit_code", "\x00" * 18),
            ("phone", "+86 (138) 0013-8000 转 123\x00"),
            ("province", "\x00"),
            ("city", "11'--"),
            ("industry", "%"),
            ("tier", "\x00"),
            ("sort", "name; DROP TABLE x"),
            ("format", "csv"),
            ("next", "//evil.example/\x00"),
            ("collaborator_q", "😀\x00"),
            ("duplicate", "1\x00"),
            ("page", "1\x00"),
            ("date", "2025-06-03\x00"),
            ("kind", "\x00"),
            ("scope", "😀"),
            ("region", "\x00"),
            ("assignee_q", "\x00😀"),
            ("customer_q", SQLISH),
            ("user", "1\x00"),
            ("member_q", "\x00😀"),
            ("product", SQLISH + "\x00"),
            ("competitor", "1\x00"),
            ("stage", "1\x00"),
            ("period", "\x00"),
            ("outcome", "\x00"),
            ("index", "٣"),
            ("before", "²"),
            ("from", "١"),
        ],
    ),
    GetVariant(
        # No huge team or tag: an unknown team, or a tag id past the column's range, empties the list
        # before the other filters run.
        "10,000-character values, ids past 64 bits",
        [
            ("q", LONG),
            ("name", LONG),
            ("province", "1" * 10_000),
            ("page", "9" * 10_000),
            ("duplicate", "9" * 10_000),
            ("transfer_q", LONG),
            ("owner", INT64_PLUS_ONE),
            ("pool", INT64_PLUS_ONE),
            ("customer", INT64_PLUS_ONE),
            ("visit", INT64_PLUS_ONE),
            ("date", "9" * 10_000),
            ("working_days", "9" * 10_000),
            ("assignee_q", LONG),
            ("customer_q", LONG),
            ("region", LONG),
            ("product", LONG),
            ("member_q", LONG),
            *((key, "9" * 10_000) for key in ("competitor", "index", "before", "amount_min")),
            ("stage", INT64_PLUS_ONE),
            ("business_line", INT64_PLUS_ONE),
        ],
    ),
    GetVariant(
        # The last value of a repeated key counts (QueryDict.get, ninja): the valid ones come last,
        # except stale_days, whose last value is the largest number of days a timedelta holds.
        "repeated keys, htmx, stale_days=999999999",
        [
            ("q", "\x00"),
            ("q", "星辰"),
            ("page", "abc"),
            ("page", "1"),
            ("owner", "x"),
            ("owner", "1"),
            ("sort", "evil"),
            ("sort", "name"),
            ("format", "exe"),
            ("format", "csv"),
            ("collaborator_q", "o"),
            ("transfer_q", "m"),
            ("assign_q", "a"),
            ("stale_days", "30"),
            ("stale_days", "999999999"),
            ("kind", "evil"),
            ("kind", "weekly"),
            ("date", "x"),
            ("date", "2025-06-03"),
            ("period", "evil"),
            ("period", "custom"),
            ("start", "2025-06-03"),
            ("end", "2024-06-03"),
            ("card", "1"),
            ("outcome", "lost"),
        ],
        {"HX-Request": "true"},
    ),
    GetVariant(
        # Valid dates at the edges of what a date holds: the week, month or range around them overflows.
        "the first and the last day of the calendar",
        [
            ("date", "0001-01-01"),
            ("start", "9999-12-25"),
            ("end", "9999-12-31"),
            ("date_from", "9999-12-31"),
            ("date_to", "9999-12-31"),
            ("due_from", "0001-01-01"),
            ("due_to", "0001-01-01"),
            ("kind", "monthly"),
            ("year", "9999"),
            ("working_days", "200"),
            ("when", "past"),
            ("tab", "team"),
            ("scope", "all"),
            ("state", "all"),
            ("done", "true"),
            ("period", "custom"),
            ("close_from", "9999-12-31"),
            ("close_to", "0001-01-01"),
        ],
    ),
    GetVariant(
        "the last day of the calendar, weekly",
        [
            ("date", "9999-12-31"),
            ("kind", "weekly"),
            ("start", "0001-01-01"),
            ("end", "0001-01-07"),
            ("year", "1"),
            ("date_from", "0001-01-01"),
            ("due_from", "9999-12-31"),
            ("due_to", "9999-12-31"),
            ("period", "custom"),
        ],
    ),
)
