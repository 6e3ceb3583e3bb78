"""Input of the plan page: which day, and the rep's own items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.core.models import User
from kam.customers.models import Customer

# Days further than this from today are refused as input errors (no one plans a year ahead).
DAY_RANGE = dt.timedelta(days=366)


class PlanDayForm(forms.Form):
    """The `date` of the plan page (GET) and of its POSTs; empty means the default day."""

    date = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_date(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("date")
        if day is not None and abs(day - self.today) > DAY_RANGE:
            raise forms.ValidationError(_("Choose a day within a year of today."))
        return day


class PlanItemForm(forms.Form):
    """A manual item: what to do, optionally for one of my customers."""

    title = forms.CharField(label=_("What to do"), max_length=200)
    # A typed choice, not a ModelChoiceField: the posted value is checked against the list, never
    # sent to the database.
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["customer"]
        assert isinstance(field, forms.TypedChoiceField)
        mine = Customer.objects.filter(owner_id=owner.pk).order_by("name_pinyin", "pk").values_list("pk", "name")
        field.choices = [("", _("(no customer)")), *mine]


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class DoneForm(forms.Form):
    """A checkbox: present means done, absent means not done."""

    done = forms.BooleanField(required=False)
