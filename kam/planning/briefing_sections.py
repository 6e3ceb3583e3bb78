"""The built-in sections of the morning briefing (晨会), registered from PlanningConfig.ready().

Each section is one or two indexed queries with a LIMIT over the window's people and hours, and
returns a plain table (kam.planning.registry.BriefingBlock). Later modules add theirs with one call:

    register_briefing_section("deals_moved", _("Deals moved"), 45, fetch)

(`kam.planning.briefing_rows` has the pieces: a LIMITed read with its total, links, the table.)

Orders used here: 10 visits, 20 key follow-ups, 30 feedback, 40 new customers, 50 returning to the
pool, 60 overdue tasks, 70 overdue requests, 80 market news; pick a number in a gap.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import pgettext, pgettext_lazy

from kam.activities.models import CoordinationRequest, FollowUp, Task, TaskPriority, Visit, VisitStatus
from kam.customers.models import Customer, CustomerTier
from kam.customers.pool_rules import returning_soon
from kam.planning.briefing_rows import ROWS, link, local_day, local_time, person_name, shorten, table, take
from kam.planning.queries_news import visible_news
from kam.planning.registry import BriefingBlock, BriefingWindow, register_briefing_section

FEEDBACK_CHARS = 500  # feedback is the point of its section: shown whole up to this
NEWS_DAYS = 7  # market news of this many days before the meeting
RETURN_WITHIN_DAYS = 3


# --- 昨日拜访 -----------------------------------------------------------------------------------


def _visit_range(visit: Visit) -> str:
    if visit.check_in_at is None:
        return ""
    if visit.check_in_out_of_range or visit.check_out_out_of_range:
        distance = max(visit.check_in_distance_m or 0, visit.check_out_distance_m or 0)
        return pgettext("briefing", "Out of range (%(metres)s m)") % {"metres": f"{distance:,}"}
    return pgettext("briefing", "In range")


def _visit_stay(visit: Visit) -> str:
    return (
        pgettext("briefing", "%(minutes)d min") % {"minutes": visit.stay_minutes}
        if visit.stay_minutes is not None
        else ""
    )


def visits_section(window: BriefingWindow) -> BriefingBlock:
    """Visits of the window's people planned in its hours (cancelled ones left out)."""
    visits = (
        Visit.objects.filter(
            organization_id=window.viewer.organization_id,
            owner_id__in=window.member_ids,
            planned_at__gte=window.since,
            planned_at__lt=window.until,
            customer__deleted_at__isnull=True,
        )
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("owner", "customer")
        .order_by("planned_at", "id")
    )
    items, total = take(visits)
    columns = [
        pgettext("briefing", "Rep"),
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Time"),
        pgettext("briefing", "Stay"),
        pgettext("briefing", "Check-in"),
        pgettext("briefing", "Status"),
    ]
    return table(
        columns,
        items,
        total,
        lambda v: [
            person_name(v.owner),
            v.customer.name,
            local_time(v.check_in_at or v.planned_at),
            _visit_stay(v),
            _visit_range(v),
            v.get_status_display(),
        ],
        lambda v: link("visit-detail", v.pk),
        lambda v: v.check_in_out_of_range or v.check_out_out_of_range or v.status == VisitStatus.PLANNED,
    )


# --- 重点跟进 / 客户反馈 -------------------------------------------------------------------------


def _followups(window: BriefingWindow) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(
        organization_id=window.viewer.organization_id,
        author_id__in=window.member_ids,
        occurred_at__gte=window.since,
        occurred_at__lt=window.until,
        customer__deleted_at__isnull=True,
    ).select_related("author", "customer")


def key_followups_section(window: BriefingWindow) -> BriefingBlock:
    """Follow-ups with customer feedback or a next step, and every follow-up of an A-tier customer."""
    key = ~Q(feedback="") | ~Q(next_step="") | Q(customer__tier=CustomerTier.A)
    # By rep, then time: the order of followup_author_time_idx, so the database reads only the
    # team's rows (in time order it would walk the whole organization's window).
    items, total = take(_followups(window).filter(key).order_by("author_id", "occurred_at", "id"))
    columns = [
        pgettext("briefing", "Rep"),
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Type"),
        pgettext("briefing", "Time"),
        pgettext("briefing", "Content"),
        pgettext("briefing", "Next step"),
    ]
    return table(
        columns,
        items,
        total,
        lambda f: [
            person_name(f.author),
            f.customer.name,
            f.get_kind_display(),
            local_time(f.occurred_at),
            shorten(f.content),
            f.next_step,
        ],
        lambda f: link("followup-detail", f.pk),
        lambda f: f.customer.tier == CustomerTier.A,
    )


def feedback_section(window: BriefingWindow) -> BriefingBlock:
    """客户反馈 collected in the window, grouped by customer."""
    feedback = _followups(window).exclude(feedback="").order_by("customer__name_pinyin", "customer_id", "occurred_at")
    items, total = take(feedback)
    columns = [
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Feedback"),
        pgettext("briefing", "Rep"),
        pgettext("briefing", "Time"),
    ]
    return table(
        columns,
        items,
        total,
        lambda f: [
            f.customer.name,
            shorten(f.feedback, FEEDBACK_CHARS),
            person_name(f.author),
            local_time(f.occurred_at),
        ],
        lambda f: link("followup-detail", f.pk),
    )


# --- 新客户 / 即将退回公海 -------------------------------------------------------------------------


def new_customers_section(window: BriefingWindow) -> BriefingBlock:
    """Customers the window's people came to own that were created in its hours."""
    customers = (
        Customer.objects.filter(
            organization_id=window.viewer.organization_id,
            owner_id__in=window.member_ids,
            created_at__gte=window.since,
            created_at__lt=window.until,
        )
        .select_related("owner", "industry")
        .order_by("created_at", "id")
    )
    items, total = take(customers)
    columns = [
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Owner"),
        pgettext("briefing", "Tier"),
        pgettext("briefing", "Industry"),
        pgettext("briefing", "Source"),
        pgettext("briefing", "Created"),
    ]
    return table(
        columns,
        items,
        total,
        lambda c: [
            c.name,
            person_name(c.owner),
            c.tier,
            c.industry.name if c.industry else "",
            c.get_source_display() if c.source else "",
            local_time(c.created_at),
        ],
        lambda c: link("customer-detail", c.pk),
        lambda c: c.tier == CustomerTier.A,
    )


def returning_section(window: BriefingWindow) -> BriefingBlock:
    """Customers a pool rule returns to the public pool within three days of the meeting."""
    returning = returning_soon(window.member_ids, window.until, within_days=RETURN_WITHIN_DAYS)
    meeting_ends = window.until + timedelta(days=1)
    columns = [
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Owner"),
        pgettext("briefing", "Tier"),
        pgettext("briefing", "Returns on"),
        pgettext("briefing", "Rule"),
    ]
    return table(
        columns,
        returning[:ROWS],
        len(returning) if len(returning) > ROWS else None,
        lambda r: [
            r.customer.name,
            person_name(r.customer.owner),
            r.customer.tier,
            local_day(r.due_at),
            pgettext("briefing", "%(rule)s after %(days)d days")
            % {"rule": r.rule.get_reason_display(), "days": r.rule.days},
        ],
        lambda r: link("customer-detail", r.customer.pk),
        lambda r: r.due_at < meeting_ends,
    )


# --- 逾期待办 / 逾期协调请求 ----------------------------------------------------------------------


def overdue_tasks_section(window: BriefingWindow) -> BriefingBlock:
    """Open tasks of the window's people that were due before the meeting day."""
    tasks = (
        Task.objects.open()
        # No organization term: the people are of one organization, and task_owner_open_due_idx starts with owner.
        .filter(owner_id__in=window.member_ids, due_at__lt=window.until)
        .select_related("owner", "customer")
        .order_by("due_at", "id")
    )
    items, total = take(tasks)
    columns = [
        pgettext("briefing", "Assignee"),
        pgettext("briefing", "Task"),
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Due"),
        pgettext("briefing", "Priority"),
    ]
    return table(
        columns,
        items,
        total,
        lambda t: [
            person_name(t.owner),
            t.title,
            t.customer.name if t.customer is not None else "",
            local_time(t.due_at),
            t.get_priority_display(),
        ],
        lambda t: link("task-detail", t.pk),
        lambda t: t.priority == TaskPriority.HIGH,
    )


def _asked_of(request: CoordinationRequest) -> str:
    if request.assignee is not None:
        return request.assignee.name
    return request.get_role_display()


def _overdue_requests(window: BriefingWindow) -> tuple[list[CoordinationRequest], int | None]:
    """Asked by the people, then asked of them: two queries, each served by its own index
    (request_requester_idx, request_assignee_idx), where one OR would scan the organization's requests."""
    people = window.member_ids
    base = (
        CoordinationRequest.objects.pending()
        .filter(organization_id=window.viewer.organization_id, due_date__lt=window.day)
        .select_related("requester", "assignee", "customer")
        .order_by("due_date", "id")
    )
    asked_by = base.filter(requester_id__in=people)
    asked_of = base.filter(assignee_id__in=people).exclude(requester_id__in=people)
    by_rows, of_rows = list(asked_by[: ROWS + 1]), list(asked_of[: ROWS + 1])
    merged = sorted(by_rows + of_rows, key=lambda r: (r.due_date, r.pk))
    if len(by_rows) > ROWS or len(of_rows) > ROWS:
        return merged[:ROWS], asked_by.count() + asked_of.count()
    return merged[:ROWS], len(merged) if len(merged) > ROWS else None


def overdue_requests_section(window: BriefingWindow) -> BriefingBlock:
    """Unfinished coordination requests past their due date, asked by or of the window's people."""
    items, total = _overdue_requests(window)
    columns = [
        pgettext("briefing", "Subject"),
        pgettext("briefing", "Customer"),
        pgettext("briefing", "Requester"),
        pgettext("briefing", "Asked of"),
        pgettext("briefing", "Due date"),
        pgettext("briefing", "Status"),
    ]
    return table(
        columns,
        items,
        total,
        lambda r: [
            r.subject,
            r.customer.name,
            person_name(r.requester),
            _asked_of(r),
            local_day(r.due_date),
            r.get_status_display(),
        ],
        lambda r: link("request-detail", r.pk),
    )


# --- 市场动态 ---------------------------------------------------------------------------------------


def market_news_section(window: BriefingWindow) -> BriefingBlock:
    """Market news of the last days that the viewer may read (organization-wide or their teams')."""
    news = (
        visible_news(window.viewer)
        .filter(created_at__gte=window.until - timedelta(days=NEWS_DAYS), created_at__lt=window.until)
        .select_related("author", "industry", "region")
        .order_by("-created_at", "-id")
    )
    items, total = take(news)
    columns = [
        pgettext("briefing", "Title"),
        pgettext("briefing", "Industry"),
        pgettext("briefing", "Region"),
        pgettext("briefing", "Source"),
        pgettext("briefing", "By"),
        pgettext("briefing", "Date"),
    ]
    return table(
        columns,
        items,
        total,
        lambda n: [
            n.title,
            n.industry.name if n.industry else "",
            n.region.name if n.region else "",
            n.source,
            person_name(n.author),
            local_time(n.created_at),
        ],
        lambda n: link("news-detail", n.pk),
    )


register_briefing_section("visits", pgettext_lazy("briefing", "Yesterday's visits"), 10, visits_section)
register_briefing_section("key_followups", pgettext_lazy("briefing", "Key follow-ups"), 20, key_followups_section)
register_briefing_section("feedback", pgettext_lazy("briefing", "Customer feedback"), 30, feedback_section)
register_briefing_section("new_customers", pgettext_lazy("briefing", "New customers"), 40, new_customers_section)
register_briefing_section("returning", pgettext_lazy("briefing", "About to return to the pool"), 50, returning_section)
register_briefing_section("overdue_tasks", pgettext_lazy("briefing", "Overdue tasks"), 60, overdue_tasks_section)
register_briefing_section(
    "overdue_requests", pgettext_lazy("briefing", "Overdue coordination requests"), 70, overdue_requests_section
)
register_briefing_section("market_news", pgettext_lazy("briefing", "Market news"), 80, market_news_section)
