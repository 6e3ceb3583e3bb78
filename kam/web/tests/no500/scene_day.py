"""The rep's day in the sweep's scene (issue 3), made through the actions: for the owner, the stranger
(another team) and the outsider (another organization) each a follow-up with a photo, a planned and a
checked-in visit with a photo, a task, a request with a comment, a calendar feed, a plan item, a
submitted daily report and news; plus a done visit with and one without its follow-up record, a
manager's report comment, report rules and holiday overrides."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kam.activities import actions_calendar, actions_followups, actions_requests, actions_tasks, actions_visits
from kam.activities.geo import Position
from kam.activities.models import CoordinationRequest, FollowUp
from kam.conftest import OrgWorld
from kam.core.actions_holidays import add_holiday_override
from kam.core.admin_actions import create_user
from kam.core.models import User
from kam.core.notify import notify
from kam.customers.models import Contact, Customer
from kam.planning import actions_news, actions_plan, actions_reports
from kam.planning.models import WorkReport


def png(name: str = "门头😀.png") -> SimpleUploadedFile:
    """A real 4×4 PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _followup(actor: User, customer: Customer, now: datetime, **kwargs: Any) -> FollowUp:
    data = {
        "kind": "call",
        "occurred_at": now - timedelta(hours=2),
        "content": "电话沟通方案😀",
        "feedback": "客户关注交付周期",
        "next_step": "发报价",
        "next_followup_at": now + timedelta(days=2),
    }
    return actions_followups.create_followup(actor, customer, data, now=now, **kwargs)


def _person_rows(actor: User, customer: Customer, now: datetime, asked: str, prefix: str) -> dict[str, int | str]:
    """The rows of one person's day, through the actions; keys prefixed with `prefix`."""
    followup = _followup(actor, customer, now, uploads=[png()])
    visit = actions_visits.plan_visit(actor, customer, now + timedelta(hours=3), 60, "方案演示")
    checked_in = actions_visits.plan_visit(actor, customer, now - timedelta(minutes=30), 90, "拜访")
    actions_visits.check_in(actor, checked_in, Position(Decimal("39.9"), Decimal("116.4"), 20.0), now=now)
    photo = actions_visits.add_visit_photos(actor, checked_in, [png("合影.png")])[0]
    task = actions_tasks.create_task(
        actor, {"title": "准备方案", "customer": customer, "due_at": now + timedelta(days=1), "priority": "high"}
    )
    request = actions_requests.create_request(
        actor,
        {"customer": customer, "role": asked, "kind": "solution", "subject": "技术方案", "working_days": 3},
        today=timezone.localdate(now),
    )
    actions_requests.add_comment(actor, request, "请尽快😀")
    feed = actions_calendar.regenerate_feed(actor)
    item = actions_plan.add_item_to_day(actor, timezone.localdate(now), "拜访客户😀", now, customer_id=customer.pk)
    report = actions_reports.submit(actor, "daily", timezone.localdate(now), now=now, summary="今日总结😀")
    news = actions_news.create_news(
        actor,
        {"title": "行业动态😀", "body": "内容", "source": "网", "industry": None, "region": None, "team": actor.team},
    )
    rows: dict[str, int | str] = {
        "followup": followup.pk,
        "attachment": followup.attachments.get().pk,
        "visit": visit.pk,
        "checked_in_visit": checked_in.pk,
        "visit_photo": photo.pk,
        "task": task.pk,
        "request": request.pk,
        "feed_token": feed.token,
        "plan_item": item.pk,
        "report": report.pk,
        "news": news.pk,
    }
    return {(prefix + key if prefix else key): value for key, value in rows.items()}


def day_rows(
    w: OrgWorld, customer: Customer, contact: Contact, stranger_customer: Customer, outsider_customer: Customer
) -> dict[str, int | str]:
    """Follow-ups, visits, attachments, tasks, requests, feeds, plans, reports, news, rules and holiday
    overrides of the owner, of the stranger (another team) and of the outsider (another organization)."""
    now = timezone.now()
    today = timezone.localdate(now)
    rows = _person_rows(w.owner, customer, now, "presales", "")
    rows |= _person_rows(w.stranger, stranger_customer, now, "presales", "stranger_")
    # The other organization has nobody to ask yet: its admin (the outsider) adds a presales user.
    create_user(w.outsider, username="outsider_presales", password="Qv7#lantern-harbor-42", role="presales", team=None)
    rows |= _person_rows(w.outsider, outsider_customer, now, "presales", "outsider_")

    # A done visit with its follow-up record, a task with a contact, a comment of the manager.
    done = actions_visits.plan_visit(w.owner, customer, now - timedelta(hours=3), 60, "回访")
    actions_visits.check_in(w.owner, done, None, now=now - timedelta(hours=3))
    actions_visits.check_out(w.owner, done, None, now=now - timedelta(hours=2))
    _followup(w.owner, customer, now, visit=done, contacts=[contact])
    unrecorded = actions_visits.plan_visit(w.owner, customer, now - timedelta(hours=5), 30, "送样")
    actions_visits.check_in(w.owner, unrecorded, None, now=now - timedelta(hours=5))
    actions_visits.check_out(w.owner, unrecorded, None, now=now - timedelta(hours=4))
    # The stranger's request to the presales role, accepted: the collaborator may complete it.
    stranger_request = CoordinationRequest.objects.get(pk=rows["stranger_request"])
    actions_requests.accept_request(w.collaborator, stranger_request, now=now)
    actions_tasks.create_task(w.owner, {"title": "回电", "customer": customer, "contact": contact})
    report = WorkReport.objects.get(pk=rows["report"])
    actions_reports.add_comment(w.manager_north, report, "收到，辛苦😀")

    rule = actions_reports.create_rule(w.admin, kind="daily", role="rep", team=None, due_time=time(18, 30))
    outsider_rule = actions_reports.create_rule(w.outsider, kind="weekly", role="rep", team=None, due_time=time(17))
    holiday = add_holiday_override(w.admin, day=date(today.year + 1, 1, 3), is_workday=True, name="调休上班")
    outsider_holiday = add_holiday_override(w.outsider, day=date(today.year + 1, 1, 4), is_workday=False, name="放假")
    notes = {
        "stranger_notification": notify(w.stranger, "sweep", "提醒😀", url="/tasks/"),
        "outsider_notification": notify(w.outsider, "sweep", "提醒", url="/tasks/"),
    }
    return {
        **rows,
        "report_rule": rule.pk,
        "outsider_report_rule": outsider_rule.pk,
        "done_visit": unrecorded.pk,
        "owner_user": w.owner.pk,
        "stranger_user": w.stranger.pk,
        "offset": 1,
        "holiday": holiday.pk,
        "outsider_holiday": outsider_holiday.pk,
        **{key: note.pk for key, note in notes.items()},
        # reports/<kind>/<day>/: the owner's submitted daily report; other kinds; a day not yet
        # started, and a day before anyone used KAM.
        "daily": "daily",
        "weekly": "weekly",
        "monthly": "monthly",
        "today": today.isoformat(),
        "monday": (today - timedelta(days=today.weekday())).isoformat(),
        "next_year": date(today.year + 1, 6, 1).isoformat(),
        "year_2000": "2000-01-03",
    }
