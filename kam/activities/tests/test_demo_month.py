"""`kam demo`: the lived-in month of the reps' day, built once for the module at a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kam.activities.demo.days import WorkDays
from kam.activities.geo import haversine_m
from kam.activities.models import CoordinationRequest, FollowUp, RequestStatus, Task, Visit, VisitStatus
from kam.core.models import Organization, Role, User
from kam.customers.demo.demo_org import build_demo
from kam.customers.models import Customer
from kam.planning.models import (
    MarketNews,
    ReportComment,
    ReportKind,
    ReportRead,
    ReportRule,
    ReportStatus,
    WorkReport,
)

# Wednesday 18 November 2026, 10:30 in Shanghai: the last working day is Tuesday the 17th.
NOW = datetime(2026, 11, 18, 2, 30, tzinfo=UTC)
TODAY = date(2026, 11, 18)
LAST_WORKDAY = date(2026, 11, 17)
REPS = [f"rep{i}" for i in range(1, 13)]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Organization]:
    """The demo organisation, built once and rolled away after the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = build_demo(seed=2024, now=NOW)
        yield summary.organization
        transaction.set_rollback(True)


@pytest.fixture
def org(demo: Organization, db: None) -> Organization:
    return demo


def _users(org: Organization) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(organization=org)}


def _shanghai(day: date, at: time = time.min) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_default_timezone())


def test_every_rep_followed_up_customers_in_the_last_seven_days(org: Organization) -> None:
    users = _users(org)
    week = FollowUp.objects.filter(organization=org, occurred_at__gte=NOW - timedelta(days=7), occurred_at__lt=NOW)

    for name in REPS:
        assert week.filter(author=users[name]).count() >= 3, name
    assert not FollowUp.objects.filter(organization=org, occurred_at__gt=NOW).exists()
    with_feedback = FollowUp.objects.filter(organization=org).exclude(feedback="").count()
    assert with_feedback > FollowUp.objects.filter(organization=org).count() * 0.3


def test_customers_follow_up_clock_is_their_latest_follow_up(org: Organization) -> None:
    customers = Customer.objects.filter(organization=org).annotate(latest=Max("followups__occurred_at"))

    assert customers.count() == 300
    assert [c.pk for c in customers if c.last_followup_at != c.latest] == []  # type: ignore[attr-defined]
    for customer in customers.filter(owner__isnull=False, latest__isnull=False):
        newest = FollowUp.objects.filter(customer=customer).order_by("-occurred_at", "-pk").first()
        assert newest is not None
        assert customer.next_followup_at == newest.next_followup_at, customer.pk
    assert not customers.filter(owner__isnull=True, next_followup_at__isnull=False).exists()
    due_today = customers.filter(
        next_followup_at__gte=_shanghai(TODAY), next_followup_at__lt=_shanghai(TODAY, time.max)
    )
    assert due_today.count() >= 12


def test_done_visits_are_checked_in_and_out_near_the_customer(org: Organization) -> None:
    done = Visit.objects.filter(organization=org, status=VisitStatus.DONE).select_related("customer", "followup")
    workdays = WorkDays(org.pk)

    assert done.count() >= 50
    for visit in done:
        assert visit.followup is not None
        assert visit.check_in_at is not None
        assert visit.check_out_at is not None
        assert (visit.followup.kind, visit.followup.author_id, visit.followup.customer_id) == (
            "visit",
            visit.owner_id,
            visit.customer_id,
        )
        assert visit.stay_minutes == round((visit.check_out_at - visit.check_in_at).total_seconds() / 60)
        local = timezone.localtime(visit.check_in_at)
        assert workdays.is_workday(local.date())
        assert time(9, 0) <= local.time() <= time(16, 0)
        assert visit.check_in_latitude is not None
        assert visit.check_in_longitude is not None
        assert visit.customer.latitude is not None
        assert visit.customer.longitude is not None
        metres = haversine_m(
            visit.check_in_latitude, visit.check_in_longitude, visit.customer.latitude, visit.customer.longitude
        )
        assert visit.check_in_distance_m == round(metres)
        assert visit.check_in_out_of_range == (round(metres) > org.checkin_radius_m)
    assert done.filter(check_in_out_of_range=True).exists()
    assert done.filter(check_in_out_of_range=False).count() > done.count() * 0.8


def test_every_rep_has_visits_ahead_and_open_tasks_overdue_and_due_today(org: Organization) -> None:
    users = _users(org)
    for name in REPS:
        rep = users[name]
        planned = Visit.objects.filter(owner=rep, status=VisitStatus.PLANNED, planned_at__gt=NOW)
        open_tasks = Task.objects.open().filter(owner=rep)
        assert planned.exists(), name
        assert open_tasks.filter(due_at__lt=_shanghai(TODAY)).exists(), name
        assert open_tasks.filter(due_at__gte=_shanghai(TODAY), due_at__lt=_shanghai(TODAY, time.max)).exists(), name
        assert Task.objects.filter(owner=rep, done_at__isnull=False).count() == 2
    reminders = Task.objects.filter(organization=org, remind_at__isnull=False)
    assert reminders.exists()
    assert not reminders.filter(remind_at__lte=NOW, reminded_at__isnull=True).exists()


def test_coordination_requests_exist_in_every_state_and_one_is_overdue(org: Organization) -> None:
    requests = CoordinationRequest.objects.filter(organization=org)
    users = _users(org)

    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    overdue = requests.pending().filter(due_date__lt=TODAY)
    assert [(r.requester.username, r.status, r.assignee) for r in overdue] == [
        ("rep1", RequestStatus.ACCEPTED, users["finance1"])
    ]
    assert requests.filter(assignee=users["presales1"]).exists()
    assert requests.filter(assignee=users["finance1"]).exists()
    assert requests.filter(assignee__isnull=True, status=RequestStatus.OPEN).exclude(role="").exists()
    assert not requests.filter(status=RequestStatus.DONE, result="").exists()
    assert not requests.filter(status=RequestStatus.REJECTED, reject_reason="").exists()
    assert not requests.filter(status=RequestStatus.DONE, completed_at__isnull=True).exists()
    assert requests.filter(comments__isnull=False).exists()


def test_daily_reports_are_submitted_for_most_days_and_missing_for_a_few_reps(org: Organization) -> None:
    daily = WorkReport.objects.filter(organization=org, kind=ReportKind.DAILY)
    last_day = daily.filter(period_start=LAST_WORKDAY)

    submitted = set(last_day.filter(status=ReportStatus.SUBMITTED).values_list("author__username", flat=True))
    assert submitted == set(REPS) - {"rep4", "rep10", "rep11"}
    assert list(last_day.filter(status=ReportStatus.DRAFT).values_list("author__username", flat=True)) == ["rep10"]
    assert not daily.filter(period_start__gte=TODAY).exists()
    workdays = WorkDays(org.pk)
    assert all(workdays.is_workday(day) for day in daily.values_list("period_start", flat=True))
    assert daily.filter(status=ReportStatus.SUBMITTED).count() >= 12 * 15
    assert WorkReport.objects.filter(organization=org, kind=ReportKind.WEEKLY, status=ReportStatus.SUBMITTED).exists()


def test_a_daily_report_holds_the_days_follow_ups_grouped_by_customer(org: Organization) -> None:
    rep = _users(org)["rep1"]
    report = WorkReport.objects.get(author=rep, kind=ReportKind.DAILY, period_start=LAST_WORKDAY)
    day = FollowUp.objects.filter(author=rep).between(_shanghai(LAST_WORKDAY), _shanghai(TODAY))

    assert report.stats["followups"] == day.count()
    assert report.stats["visits"] == (
        Visit.objects.filter(owner=rep, status=VisitStatus.DONE)
        .filter(check_in_at__gte=_shanghai(LAST_WORKDAY), check_in_at__lt=_shanghai(TODAY))
        .count()
    )
    assert [group["customer_id"] for group in report.work] == list(
        dict.fromkeys(day.order_by("occurred_at", "customer_id").values_list("customer_id", flat=True))
    )
    items = [item for group in report.work for item in group["items"]]
    assert len(items) == day.count()
    assert all(set(item) == {"kind", "time", "text"} for item in items)
    assert report.submitted_at is not None
    assert timezone.localtime(report.submitted_at).date() == LAST_WORKDAY


def test_managers_read_and_comment_on_their_reps_reports(org: Organization) -> None:
    users = _users(org)
    reads = ReportRead.objects.filter(organization=org).select_related("reader", "report__author")
    comments = ReportComment.objects.filter(organization=org).select_related("author", "report__author")

    assert reads.count() > 150
    assert {r.reader.role for r in reads} <= {Role.MANAGER, Role.DIRECTOR}
    assert all(r.report.status == ReportStatus.SUBMITTED and r.read_at >= r.report.submitted_at for r in reads)  # type: ignore[operator]
    manager_comments = [c for c in comments if c.author.role == Role.MANAGER]
    assert len(manager_comments) >= 20
    rep_number = {c.report.author.username: int(c.report.author.username[3:]) for c in manager_comments}
    for comment in manager_comments:
        expected = users[f"manager{(rep_number[comment.report.author.username] - 1) // 4 + 1}"]
        assert comment.author == expected
    unread = WorkReport.objects.filter(organization=org, status=ReportStatus.SUBMITTED, reads__isnull=True)
    assert unread.filter(period_start=LAST_WORKDAY).exists()


def test_report_rules_and_market_news(org: Organization) -> None:
    rules = ReportRule.objects.filter(organization=org).order_by("kind")
    news = MarketNews.objects.filter(organization=org)

    assert [(r.kind, r.role, r.team_id, r.due_time, r.active) for r in rules] == [
        (ReportKind.DAILY, Role.REP, None, time(20, 0), True),
        (ReportKind.WEEKLY, Role.REP, None, time(18, 0), True),
    ]
    assert 10 <= news.count() <= 20
    assert not news.filter(industry__isnull=True).exists()
    assert news.filter(region__isnull=False).count() >= 10
    assert news.filter(created_at__gte=_shanghai(TODAY), created_at__lte=NOW).count() == 2
    assert not news.filter(created_at__gt=NOW).exists()
