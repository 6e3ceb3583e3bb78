"""Input of the report pages: the author's text, comments, the team page filters and the admin's rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.core.admin_forms import TeamChoiceField
from kam.core.admin_queries import teams_for_admin
from kam.core.models import Role, Team, User
from kam.planning.actions_reports import COMMENT_LIMIT, TEXT_LIMIT
from kam.planning.models import ReportKind, ReportRule

# Dates a person could mean; anything else is an input error, not a crash further down.
MIN_DAY = date(2000, 1, 1)
MAX_DAY = date(2100, 12, 31)
# PeriodForm has a field called `date`, which hides the type inside its body.
Day = date


def _text(label: Any, rows: int, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReportTextForm(forms.Form):
    """What the author writes: 遇到的问题, a summary, and the plan (proposed by KAM, edited by them)."""

    problems = _text(_("Problems met"), 4, _("What got in the way, and what help you need."))
    summary = _text(_("Summary"), 3)
    plan = _text(_("Plan"), 6, _("One item a line. KAM proposed it from your plan and due items; change it freely."))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=COMMENT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))


class DateField(forms.DateField):
    def clean(self, value: Any) -> Any:
        day = super().clean(value)
        if day is not None and not MIN_DAY <= day <= MAX_DAY:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return day


class PeriodForm(forms.Form):
    """?kind=&date= of the list and team pages; bad values fall back to the defaults."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices, required=False)
    date = DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def values(self, default_kind: str = ReportKind.DAILY) -> tuple[str, Day]:
        data = self.cleaned_data if self.is_valid() else {}
        kind = data.get("kind") or default_kind
        day = data.get("date") or timezone.localdate()
        return kind, day


class ReportFilterForm(PeriodForm):
    """The list filters: every kind unless one is chosen, any period unless a date is given."""

    kind = forms.ChoiceField(label=_("Report"), choices=[("", _("All reports")), *ReportKind.choices], required=False)


class ReportRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REP)
    team = TeamChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Everyone"),
        help_text=_("The team and every team below it; empty means the whole organization."),
    )
    due_time = forms.TimeField(
        label=_("Due by"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "Daily reports are due on working days; weekly on the last working day of the week; "
            "monthly on the last working day of the month."
        ),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, actor: User, with_active: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_for_admin(actor)  # type: ignore[attr-defined]
        if not with_active:
            del self.fields["active"]


def initial_of_rule(rule: ReportRule) -> dict[str, Any]:
    return {"kind": rule.kind, "role": rule.role, "team": rule.team, "due_time": rule.due_time, "active": rule.active}
