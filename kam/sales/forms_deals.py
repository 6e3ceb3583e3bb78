"""Input of one deal, shared by the pages and the API: create/edit, move, close, reopen.

Forms parse and bound the values; the business rules (who may own the deal, the probability reason,
stage gates, which reason fits which outcome) live in the actions, so the API obeys them too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kam.core.models import User
from kam.core.money import MAX_AMOUNT
from kam.core.queries import colleagues_of
from kam.customers.models import Customer
from kam.sales.actions_deals import OPEN_FORECASTS
from kam.sales.models import BusinessLine, CloseOutcome, DealSource, ForecastCategory, Opportunity, Stage
from kam.sales.queries import may_manage_deal_team
from kam.sales.queries_deals import close_reasons, competitors_for, possible_owners, writable_customers

MAX_DB_ID = 2**63 - 1
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHOICE_ERRORS = {"invalid_choice": _("Choose one of the listed values.")}


def in_range(value: date | None) -> date | None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValidationError(_("Choose a date between 2000 and 2100."))
    return value


def bound_id(form: forms.BaseForm, name: str) -> int | None:
    """The id the form is about to validate for `name` (bound data first, then the initial value)."""
    raw = form.data.get(name) if form.is_bound else form.initial.get(name)
    if isinstance(raw, Customer):
        return raw.pk
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_DB_ID else None


class StageChoiceField(forms.ModelChoiceField[Stage]):
    """Stages named with their business line, since two lines may both have a 「方案报价」."""

    def label_from_instance(self, obj: Stage) -> str:
        return f"{obj.business_line.name} · {obj.name}"


class DealForm(forms.Form):
    """A new deal (customer, business line and stage chosen) or an existing one (`deal` given: those stay)."""

    customer = forms.ModelChoiceField(
        label=_("customer"),
        queryset=Customer.objects.none(),
        error_messages={"invalid_choice": _("Choose a customer you can edit.")},
    )
    name = forms.CharField(label=_("deal name"), max_length=200)
    amount = forms.DecimalField(
        label=_("amount (yuan)"), min_value=0, max_value=MAX_AMOUNT, max_digits=18, decimal_places=2
    )
    expected_close_date = forms.DateField(label=_("expected close date"), widget=DATE_WIDGET)
    business_line = forms.ModelChoiceField(
        label=_("business line"),
        queryset=BusinessLine.objects.none(),
        required=False,
        empty_label=_("The default business line"),
        error_messages=CHOICE_ERRORS,
    )
    stage = StageChoiceField(
        label=_("stage"),
        queryset=Stage.objects.none(),
        required=False,
        empty_label=_("The line's first stage"),
        error_messages=CHOICE_ERRORS,
    )
    probability = forms.IntegerField(
        label=_("win probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty for the stage's default."),
    )
    probability_reason = forms.CharField(
        label=_("reason for probability"),
        max_length=200,
        required=False,
        help_text=_("Required when the probability differs from the stage's default."),
    )
    forecast_category = forms.ChoiceField(
        label=_("forecast category"),
        choices=[(c.value, c.label) for c in OPEN_FORECASTS],
        initial=ForecastCategory.PIPELINE,
        required=False,
    )
    source = forms.ChoiceField(label=_("source"), choices=[("", "—"), *DealSource.choices], required=False)
    products_of_interest = forms.CharField(label=_("products of interest"), max_length=300, required=False)
    objective = forms.CharField(
        label=_("single sales objective"),
        max_length=300,
        required=False,
        help_text=_("What, how many, by when."),
    )
    owner = forms.ModelChoiceField(
        label=_("owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
        error_messages={
            "invalid_choice": _(
                "Choose the customer's owner, a write collaborator, yourself or a manager above the owner."
            )
        },
    )
    next_step = forms.CharField(label=_("next step"), max_length=200, required=False)
    next_step_date = forms.DateField(label=_("next step date"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, actor: User, deal: Opportunity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.deal = deal
        if deal is not None:
            for name in ("customer", "business_line", "stage"):
                del self.fields[name]
            if not deal.is_open:
                # Closing fixed these; reopening frees them again.
                for name in ("probability", "probability_reason", "forecast_category"):
                    del self.fields[name]
            if may_manage_deal_team(actor, deal):
                # The current owner stays a valid choice, so saving other fields never trips on it.
                owners = possible_owners(actor, deal.customer) | User.objects.filter(pk=deal.owner_id)
                self.fields["owner"].queryset = owners.distinct()  # type: ignore[attr-defined]
            else:
                del self.fields["owner"]
            return
        self.customers = writable_customers(actor)
        self.fields["customer"].queryset = self.customers  # type: ignore[attr-defined]
        self.fields["business_line"].queryset = BusinessLine.objects.filter(  # type: ignore[attr-defined]
            organization_id=actor.organization_id, active=True
        )
        self.fields["stage"].queryset = Stage.objects.filter(  # type: ignore[attr-defined]
            organization_id=actor.organization_id, active=True
        ).select_related("business_line")
        customer = self.chosen_customer()
        owners = possible_owners(actor, customer) if customer is not None else colleagues_of(actor)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_expected_close_date(self) -> date | None:
        return in_range(self.cleaned_data.get("expected_close_date"))

    def clean_next_step_date(self) -> date | None:
        return in_range(self.cleaned_data.get("next_step_date"))

    def chosen_customer(self) -> Customer | None:
        """The customer shown as picked: the valid bound one, else the initial one."""
        if self.deal is not None:
            return self.deal.customer
        if self.is_bound and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get("customer")
        customer_id = bound_id(self, "customer")
        if customer_id is None:
            return None
        return self.customers.select_related("owner__team").filter(pk=customer_id).first()

    def values(self) -> dict[str, Any]:
        """The cleaned values for the actions (empty choices as absent, so defaults apply)."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "customer"}
        for name in ("business_line", "stage", "owner", "forecast_category"):
            if name in data and not data[name]:
                del data[name]
        return data


def initial_of(deal: Opportunity) -> dict[str, Any]:
    """A deal's stored values as the edit form's initial data."""
    names = [name for name in DealForm.base_fields if name not in ("customer", "business_line", "stage", "owner")]
    initial = {name: getattr(deal, name) for name in names}
    initial["owner"] = deal.owner_id
    return initial


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("stage"),
        queryset=Stage.objects.none(),
        error_messages={"invalid_choice": _("Choose an active stage of the deal's business line.")},
    )
    override_reason = forms.CharField(label=_("override reason"), max_length=300, required=False)

    def __init__(self, *args: Any, deal: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(  # type: ignore[attr-defined]
            business_line_id=deal.business_line_id, active=True
        )


class CloseForm(forms.Form):
    """Closing as one outcome: its reasons only; the winning competitor only when lost."""

    outcome = forms.ChoiceField(label=_("outcome"), choices=CloseOutcome.choices, widget=forms.HiddenInput)
    reason = forms.ModelChoiceField(
        label=_("reason"),
        queryset=Stage.objects.none(),
        error_messages={"invalid_choice": _("Choose a reason from the list.")},
    )
    won_by = forms.ModelChoiceField(
        label=_("winning competitor"),
        queryset=Stage.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a competitor from the list.")},
    )
    price_gap = forms.DecimalField(
        label=_("price gap (yuan)"),
        required=False,
        help_text=_("How far our last price was above (+) or below (−) the winner's."),
        max_digits=18,
        decimal_places=2,
    )
    notes = forms.CharField(label=_("close notes"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args: Any, actor: User, outcome: str, only_outcome_fields: bool = True, **kwargs: Any) -> None:
        """`only_outcome_fields`: pages show the winner and price gap on the lost form only; the API
        keeps them on every outcome so a winner sent with "won" is refused, not ignored."""
        super().__init__(*args, **kwargs)
        self.outcome_code = outcome if outcome in CloseOutcome.values else CloseOutcome.WON
        self.fields["outcome"].initial = self.outcome_code
        reasons = close_reasons(actor.organization_id, self.outcome_code)  # type: ignore[arg-type]
        self.fields["reason"].queryset = reasons  # type: ignore[attr-defined]
        self.fields["won_by"].queryset = competitors_for(actor.organization_id)  # type: ignore[attr-defined,arg-type]
        if only_outcome_fields and self.outcome_code != CloseOutcome.LOST:
            del self.fields["won_by"]
            del self.fields["price_gap"]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "won_by": data.get("won_by"),
            "notes": data.get("notes", ""),
            "price_gap": data.get("price_gap"),
        }


class ReopenForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("stage"),
        queryset=Stage.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose an active stage of the deal's business line.")},
    )

    def __init__(self, *args: Any, deal: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(  # type: ignore[attr-defined]
            business_line_id=deal.business_line_id, active=True
        )
