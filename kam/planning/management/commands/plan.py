"""`kam plan --user rep1 [--date 2026-12-01] [--lang en]`: print a rep's ranked plan of a day.

The stored plan when the rep made one (in their order, dropped items left out), otherwise what the
plan sources propose; nothing is written. Chinese by default.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam.core.models import User
from kam.planning.models import PlanStatus
from kam.planning.plan import draft_candidates, plan_day_for
from kam.planning.queries_plan import plan_for_day, plan_items

LANGUAGES = ("zh-hans", "en")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--date: %(value)s is not a date (YYYY-MM-DD).") % {"value": repr(value)}) from None


def _now(value: str | None) -> datetime:
    if not value:
        return timezone.now()
    moment = parse_datetime(value) if len(value) > 10 else None
    if moment is None:
        raise CommandError(_("--now: %(value)s is not a time (YYYY-MM-DDTHH:MM+08:00).") % {"value": repr(value)})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_default_timezone())


class Command(BaseCommand):
    help = "Print a user's ranked plan of a day (position, title, reason, score)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--date", default=None, help="the plan's day, YYYY-MM-DD (default: next working day)")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE, choices=LANGUAGES, help="output language")
        parser.add_argument("--now", default=None, help="the moment to plan from (default: now), for reproducible runs")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            self._print_plan(options)

    def _print_plan(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).select_related("organization").first()
        if user is None or user.organization_id is None:
            raise CommandError(_("No active user %(name)s.") % {"name": repr(options["user"])})
        now = _now(options["now"])
        day = _date(options["date"]) if options["date"] else plan_day_for(user, now)
        if not date(1900, 1, 1) <= day <= date(2999, 12, 31):
            raise CommandError(_("--date: %(value)s is out of range.") % {"value": day.isoformat()})
        plan = plan_for_day(user, day)
        if plan is None:
            status = _("proposed, not saved")
            rows = [(c.title, c.reason, c.score) for c in draft_candidates(user, day, now)]
        else:
            status = _("accepted") if plan.status == PlanStatus.ACCEPTED else _("draft")
            rows = [
                (i.title, i.reason if i.ref else _("Your own item"), i.score) for i in plan_items(plan) if not i.dropped
            ]
        heading = _("Plan of %(name)s for %(day)s (%(status)s)") % {
            "name": user.name,
            "day": f"{day.isoformat()} {date_format(day, 'l')}",
            "status": status,
        }
        self.stdout.write(heading)
        if not rows:
            self.stdout.write(_("Nothing planned."))
            return
        self.stdout.write("\t".join([_("No."), _("Item"), _("Reason"), _("Score")]))
        for position, (title, reason, score) in enumerate(rows, start=1):
            self.stdout.write(f"{position}\t{title}\t{reason}\t{score:.1f}")
