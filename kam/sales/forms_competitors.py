"""Input of a deal's competitor rows, shared by the deal page and the API.

The rules that need the deal (once per deal, one winner, write access) live in the actions.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.core.models import User
from kam.market.models import Competitor
from kam.market.queries import active_competitors
from kam.sales.models import CompetitorStatus, Opportunity

NOTES_LIMIT = 2000


class DealCompetitorForm(forms.Form):
    """Add (competitor, status, notes) or, with `editing=True`, change status and notes of a row."""

    competitor = forms.ModelChoiceField(
        label=_("competitor"),
        queryset=Competitor.objects.none(),
        error_messages={"invalid_choice": _("Choose an active competitor of your organization.")},
    )
    status = forms.ChoiceField(
        label=_("status"), choices=CompetitorStatus.choices, initial=CompetitorStatus.SHORTLISTED
    )
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=NOTES_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, actor: User, deal: Opportunity | None = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offered = Competitor.objects.none()
        if editing:
            del self.fields["competitor"]
            return
        field = self.fields["competitor"]
        field.queryset = active_competitors(actor)  # type: ignore[attr-defined]
        self.offered = active_competitors(actor)
        if deal is not None:
            # Offer only those not listed yet; one listed already still passes the form, so the action
            # refuses it with the precise message ("in the deal already").
            self.offered = self.offered.exclude(deals__opportunity_id=deal.pk)
            field.widget.choices = forms.ModelChoiceField(queryset=self.offered).choices  # type: ignore[attr-defined]
