"""`kam report daily|weekly|monthly --user USERNAME [--date YYYY-MM-DD] [--lang en]`: print the draft.

The draft is what the report page proposes (nothing is stored): 今日工作 grouped by customer,
the 销售简报 numbers and the proposed plan. Chinese by default.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.core.models import User
from kam.planning.forms_reports import MAX_DAY, MIN_DAY
from kam.planning.models import ReportKind
from kam.planning.reports import ReportDraft, draft_report, plan_heading, work_heading

LANGUAGES = {"zh": "zh-hans", "zh-hans": "zh-hans", "zh-cn": "zh-hans", "en": "en"}


def _day(text: str | None) -> date:
    if text is None:
        return timezone.localdate()
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--date must be a date like 2026-12-01, not {text!r}") from exc
    if not MIN_DAY <= day <= MAX_DAY:
        raise CommandError(f"--date must lie between {MIN_DAY} and {MAX_DAY}")
    return day


def render_draft(user: User, draft: ReportDraft) -> list[str]:
    """The draft as plain lines, in the active language."""
    period = draft.period
    lines = [f"{ReportKind(period.kind).label} · {user.name} · {period.label}", "", f"【{work_heading(period.kind)}】"]
    for group in draft.work:
        lines.append(group["customer"] or _("Other"))
        lines.extend(f"  {item['time']} {item['kind']} {item['text']}".rstrip() for item in group["items"])
    if not draft.work:
        lines.append(_("No follow-ups or visits recorded in this period."))
    lines += ["", f"【{_('Sales summary')}】"]
    lines.extend(_("%(label)s: %(count)d") % {"label": stat.label, "count": stat.count} for stat in draft.stat_lines)
    lines += ["", f"【{plan_heading(period.kind, draft.plan_day)}】"]
    lines.append(draft.plan or _("Nothing proposed."))
    return lines


class Command(BaseCommand):
    help = "Print the draft of a user's daily, weekly or monthly report (nothing is saved)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(ReportKind.values))
        parser.add_argument("--user", required=True, help="username of the report's author")
        parser.add_argument("--date", help="a day of the period, YYYY-MM-DD (default: today in Shanghai)")
        parser.add_argument("--lang", default="zh", choices=sorted(LANGUAGES), help="output language (default zh)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.select_related("organization").filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        day = _day(options["date"])
        with translation.override(LANGUAGES[options["lang"]]):
            draft = draft_report(user, options["kind"], day, timezone.now())
            self.stdout.write("\n".join(render_draft(user, draft)))
