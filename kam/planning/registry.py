"""Extension points of the rep's day: later modules plug their items in here, not into one function.

- plan sources propose candidate items for the next-day plan (明日计划);
- briefing sections add blocks to the morning briefing (晨会);
- report counters add numbers to the 销售简报 of 日报/周报/月报, and work sources add lines to 今日工作.

Each app registers in its AppConfig.ready(); the order of registration does not matter because
every entry carries its own sort key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from kam.core.models import User


# --- 明日计划 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanCandidate:
    """One proposed item. `ref` names the underlying record ("customer:12") so it is proposed once;
    `score` ranks it (higher first); `reason` tells the rep why it is there."""

    source: str
    ref: str
    title: str
    reason: str
    score: float
    customer_id: int | None = None
    url: str = ""


# (user, the plan's working day, now) -> candidates
PlanSource = Callable[["User", date, datetime], Iterable[PlanCandidate]]


@dataclass(frozen=True)
class PlanSourceEntry:
    key: str
    label: str | Promise
    fetch: PlanSource


_plan_sources: dict[str, PlanSourceEntry] = {}


def register_plan_source(key: str, label: str | Promise, fetch: PlanSource) -> None:
    _plan_sources[key] = PlanSourceEntry(key, label, fetch)


def plan_sources() -> list[PlanSourceEntry]:
    return sorted(_plan_sources.values(), key=lambda entry: entry.key)


# --- 晨会 ------------------------------------------------------------------------------------


@dataclass
class BriefingBlock:
    """A section's content as a plain table, so the page, the print view and the PDF render it alike.

    `links[i]` is the URL of row i (or ""); `highlight[i]` marks rows to draw attention to.
    """

    columns: Sequence[str | Promise]
    rows: list[list[str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    highlight: list[bool] = field(default_factory=list)
    total: int | None = None  # when rows are cut short, how many there were in all


@dataclass(frozen=True)
class BriefingWindow:
    """Whose work and which times a briefing covers (all times aware, Asia/Shanghai days)."""

    viewer: User
    member_ids: list[int]  # the people the briefing is about (the viewer's team, or the viewer)
    day: date  # the day of the meeting
    since: datetime  # start of the previous working day
    until: datetime  # start of the meeting day


# (window) -> block, or None when the section has nothing to show
BriefingFetch = Callable[[BriefingWindow], "BriefingBlock | None"]


@dataclass(frozen=True)
class BriefingSection:
    key: str
    title: str | Promise
    order: int
    fetch: BriefingFetch


_briefing_sections: dict[str, BriefingSection] = {}


def register_briefing_section(key: str, title: str | Promise, order: int, fetch: BriefingFetch) -> None:
    _briefing_sections[key] = BriefingSection(key, title, order, fetch)


def briefing_sections() -> list[BriefingSection]:
    return sorted(_briefing_sections.values(), key=lambda section: (section.order, section.key))


# --- 日报 / 周报 / 月报 -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkLine:
    """One line of 今日工作: something the user did for a customer in the period."""

    customer_id: int | None
    customer: str
    at: datetime
    kind: str  # the record type as shown ("拜访", "电话" ...)
    text: str


# (user, start, end) -> lines; start/end are aware datetimes bounding the period
WorkSource = Callable[["User", datetime, datetime], Iterable[WorkLine]]
# (user, start, end) -> a count for the 销售简报
ReportCounter = Callable[["User", datetime, datetime], int]


@dataclass(frozen=True)
class ReportCounterEntry:
    key: str
    label: str | Promise
    order: int
    count: ReportCounter


_work_sources: dict[str, WorkSource] = {}
_report_counters: dict[str, ReportCounterEntry] = {}


def register_work_source(key: str, fetch: WorkSource) -> None:
    _work_sources[key] = fetch


def work_sources() -> list[WorkSource]:
    return [_work_sources[key] for key in sorted(_work_sources)]


def register_report_counter(key: str, label: str | Promise, order: int, count: ReportCounter) -> None:
    _report_counters[key] = ReportCounterEntry(key, label, order, count)


def report_counters() -> list[ReportCounterEntry]:
    return sorted(_report_counters.values(), key=lambda entry: (entry.order, entry.key))
