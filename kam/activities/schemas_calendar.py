"""Schemas of the calendar API: days with their working status, calendar entries, the feed address."""

from datetime import date

from ninja import Schema

from kam.core.api import LocalDateTime, UserRef


class DayOut(Schema):
    day: date
    is_workday: bool
    kind: str  # workday, weekend, holiday (statutory or company day off), makeup (调休 working weekend day)
    name: str  # the holiday's or override's name, "" for an ordinary day
    overridden: bool  # the organization's own override decides this day
    known: bool  # False: the year's statutory schedule is unknown and Monday–Friday is assumed


class EventOut(Schema):
    uid: str
    kind: str  # visit, task, followup, request
    id: int  # of the visit, task or request; of the customer for a follow-up due
    title: str
    day: date
    all_day: bool
    start: LocalDateTime | None
    end: LocalDateTime | None
    status: str
    status_label: str
    customer_id: int | None
    customer_name: str
    detail: str
    url: str | None  # the entry's page, when that page exists


class CalendarOut(Schema):
    user: UserRef
    start: date
    end: date
    days: list[DayOut]
    events: list[EventOut]


class FeedOut(Schema):
    url: str
    created_at: LocalDateTime
