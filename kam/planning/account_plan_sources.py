"""The account plan's candidates for the next-day plan (明日计划): objectives and actions coming due.

A user's open objectives, and the open actions of open objectives, whose due date is on or before the
plan day (overdue ones included), in plans whose customer the user can still open. Scores follow
kam/planning/plan_sources.py:

    source                 weight  urgency
    account_plan objective   38    3 per day late to the plan day (at most 30), +20 when overdue today
    account_plan action      36    the same
    tier weight of the customer: A +20, B +10, C 0

The reason counts days from today ("账户计划目标 3 天后到期"), since that is when the rep reads it.
Two queries whatever the number of plans.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.core.models import User
from kam.customers.queries import visible_customers
from kam.planning.models.account_plans import ObjectiveStatus, PlanAction, PlanObjective
from kam.planning.plan_sources import OVERDUE_BONUS, PlanWindow, days_late, plan_window, record_url, score, tier_weight
from kam.planning.registry import PlanCandidate

SOURCE = "account_plan"
OBJECTIVE_WEIGHT = 38.0
ACTION_WEIGHT = 36.0


def objective_reason(window: PlanWindow, due: date) -> str:
    days = (due - window.today).days
    if days < 0:
        return ngettext(
            "Account plan objective overdue by %(days)d day",
            "Account plan objective overdue by %(days)d days",
            -days,
        ) % {"days": -days}
    if days == 0:
        return _("Account plan objective due today")
    return ngettext(
        "Account plan objective due in %(days)d day", "Account plan objective due in %(days)d days", days
    ) % {"days": days}


def action_reason(window: PlanWindow, due: date) -> str:
    days = (due - window.today).days
    if days < 0:
        return ngettext(
            "Account plan action overdue by %(days)d day", "Account plan action overdue by %(days)d days", -days
        ) % {"days": -days}
    if days == 0:
        return _("Account plan action due today")
    return ngettext("Account plan action due in %(days)d day", "Account plan action due in %(days)d days", days) % {
        "days": days
    }


def _value(weight: float, window: PlanWindow, due: date, tier: str | None) -> float:
    overdue = due < window.today
    return score(weight + 3 * days_late(window, due) + (OVERDUE_BONUS if overdue else 0) + tier_weight(tier))


def _plan_url(plan_id: int, anchor: str) -> str:
    url = record_url("account-plan-detail", plan_id)
    return f"{url}#{anchor}" if url else ""


def plan_items_due(user: User, day: date, now: datetime) -> Iterable[PlanCandidate]:
    """My open account-plan objectives and actions due by the plan day. Two queries."""
    window = plan_window(day, now)
    visible = visible_customers(user).values("pk")
    objectives = (
        PlanObjective.objects.filter(
            owner_id=user.pk, status=ObjectiveStatus.OPEN, due_date__lte=window.day, plan__customer_id__in=visible
        )
        .order_by("due_date", "pk")
        .values_list(
            "pk", "title", "due_date", "plan_id", "plan__customer_id", "plan__customer__name", "plan__customer__tier"
        )
    )
    for pk, title, due, plan_id, customer_id, customer, tier in objectives:
        yield PlanCandidate(
            source=SOURCE,
            ref=f"plan-objective:{pk}",
            title=f"{customer}: {title}",
            reason=objective_reason(window, due),
            score=_value(OBJECTIVE_WEIGHT, window, due, tier),
            customer_id=customer_id,
            url=_plan_url(plan_id, f"objective-{pk}"),
        )
    actions = (
        PlanAction.objects.filter(
            owner_id=user.pk,
            done_at__isnull=True,
            due_date__lte=window.day,
            objective__status=ObjectiveStatus.OPEN,
            objective__plan__customer_id__in=visible,
        )
        .order_by("due_date", "pk")
        .values_list(
            "pk",
            "title",
            "due_date",
            "objective__plan_id",
            "objective__plan__customer_id",
            "objective__plan__customer__name",
            "objective__plan__customer__tier",
        )
    )
    for pk, title, action_due, plan_id, customer_id, customer, tier in actions:
        if action_due is None:  # excluded by the filter; typed as nullable
            continue
        yield PlanCandidate(
            source=SOURCE,
            ref=f"plan-action:{pk}",
            title=f"{customer}: {title}",
            reason=action_reason(window, action_due),
            score=_value(ACTION_WEIGHT, window, action_due, tier),
            customer_id=customer_id,
            url=_plan_url(plan_id, f"action-{pk}"),
        )
