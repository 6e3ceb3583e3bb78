"""The briefing page's picker: which meeting day and (managers) which of their teams."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.core.models import Team, User
from kam.customers.views.forms import FastSelect, TeamChoiceField
from kam.planning.briefing import briefing_teams

# Beyond these the working calendar is guesswork and date arithmetic may overflow.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


class BriefingForm(forms.Form):
    date = forms.DateField(label=_("Meeting day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = TeamChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All my teams"), widget=FastSelect
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = briefing_teams(viewer).only("id", "name", "path")
        if viewer.team is not None and viewer.supervises:
            self.fields["team"].base_depth = viewer.team.path.count("/") - 2  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.offers_teams = viewer.supervises or viewer.is_org_admin
        if not self.offers_teams:
            del self.fields["team"]

    def clean_date(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data["date"]
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(_("Choose a day between 2000 and 2099."))
        return day

    def day(self, default: dt.date) -> dt.date:
        """The chosen day; an empty or invalid one falls back to `default` (the error stays shown)."""
        self.is_valid()
        chosen: dt.date | None = self.cleaned_data.get("date")
        return chosen or default
