"""The filters of the win/loss analysis (page and API): period preset or dates, team, business line.

Invalid values are reported on their field and then ignored: the analysis falls back to the last
12 months, the viewer's whole scope and every business line, and never fails.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import User
from kam.customers.views.forms import FastSelect, TeamChoiceField
from kam.market.winloss_rows import WinLossQuery
from kam.market.winloss_scope import analysis_teams
from kam.sales.models import BusinessLine

MAX_SPAN_DAYS = 5 * 366  # the monthly chart stays readable (≤ 61 months)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class Period(models.TextChoices):
    THIS_QUARTER = "this_quarter", _("This quarter")
    LAST_QUARTER = "last_quarter", _("Last quarter")
    THIS_YEAR = "this_year", _("This year")
    LAST_12_MONTHS = "last_12_months", _("Last 12 months")
    CUSTOM = "custom", _("Custom dates")


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def preset_dates(period: str, today: date) -> tuple[date, date]:
    """The first and last day (inclusive, Shanghai calendar) of a preset period containing `today`."""
    if period == Period.THIS_QUARTER:
        start = _quarter_start(today)
        return start, _months_before(start, -3) - timedelta(days=1)
    if period == Period.LAST_QUARTER:
        end = _quarter_start(today) - timedelta(days=1)
        return _quarter_start(end), end
    if period == Period.THIS_YEAR:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    # The last 12 months: this month and the eleven before it, so every chart month is whole.
    return _months_before(today, 11), today


class WinLossFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=pgettext_lazy("analysis", "Period"),
        choices=Period.choices,
        required=False,
        initial=Period.LAST_12_MONTHS,
        widget=FastSelect,
    )
    start = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE_WIDGET)
    team = TeamChoiceField(label=_("Team"), queryset=None, required=False, widget=FastSelect)
    business_line: forms.ModelChoiceField[BusinessLine] = forms.ModelChoiceField(
        label=_("Business line"), queryset=None, required=False, widget=FastSelect
    )

    def __init__(self, *args: Any, user: User, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        teams = analysis_teams(user)
        if user.supervises or user.is_org_admin:
            self.fields["team"].queryset = teams  # type: ignore[attr-defined]
            self.fields["team"].empty_label = _("All my teams")  # type: ignore[attr-defined]
            if user.team is not None and not user.is_org_admin and user.role != "director":
                self.fields["team"].base_depth = user.team.path.count("/") - 2  # type: ignore[attr-defined]
        else:
            del self.fields["team"]  # a rep's numbers are their own deals
        self.fields["business_line"].queryset = BusinessLine.objects.filter(  # type: ignore[attr-defined]
            organization_id=user.organization_id
        ).order_by("position", "id")
        self.fields["business_line"].empty_label = _("All business lines")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        custom = data.get("period") == Period.CUSTOM or (not data.get("period") and (start or end))
        if not custom:
            return data
        if start is None and "start" not in self.errors:
            self.add_error("start", _("Choose the first day of the period."))
        if end is None and "end" not in self.errors:
            self.add_error("end", _("Choose the last day of the period."))
        if start and end and end < start:
            self.add_error("end", _("The period must end on or after its first day."))
        elif start and end and (end - start).days > MAX_SPAN_DAYS:
            self.add_error("end", _("Choose a period of at most five years."))
        for name in ("start", "end"):
            value = data.get(name)
            if value and not 2000 <= value.year <= 2099 and name not in self.errors:
                self.add_error(name, _("Choose a day between 2000 and 2099."))
        return data

    def query(self) -> WinLossQuery:
        """The valid part of the input as a WinLossQuery (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        period = data.get("period") or Period.LAST_12_MONTHS
        dates_ok = not ({"start", "end"} & set(self.errors)) and data.get("start") and data.get("end")
        if (period == Period.CUSTOM or not data.get("period")) and dates_ok:
            start, end = data["start"], data["end"]
        else:
            start, end = preset_dates(period if period != Period.CUSTOM else Period.LAST_12_MONTHS, self.today)
        return WinLossQuery(start, end, data.get("team"), data.get("business_line"))
