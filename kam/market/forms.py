"""Input of the competitor master and price intelligence, shared by the pages and the API.

Forms parse and bound values; the rules that need the database or the actor (unique names, who may
edit, which customer a price may name, a date not in the future) are checked again by the actions,
so the API obeys them too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.core.models import User
from kam.customers.models import Customer, Industry
from kam.customers.queries import visible_customers
from kam.market.models import Competitor, PriceConfidence, PricePositioning
from kam.market.queries import CompetitorFilters, PriceFilters, active_competitors, org_competitors

MAX_DB_ID = 2**63 - 1
LONG_TEXT = 5000
TEXTAREA = forms.Textarea(attrs={"rows": 3})
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CUSTOMER_ERRORS = {"invalid_choice": _("Choose a customer you can open.")}
COMPETITOR_ERRORS = {"invalid_choice": _("Choose an active competitor of your organization.")}


def check_year(value: date | None) -> None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValidationError(_("Choose a date between 2000 and 2100."))


class CompetitorForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    products = forms.CharField(label=_("products"), required=False, max_length=LONG_TEXT, widget=TEXTAREA)
    price_positioning = forms.ChoiceField(
        label=_("price positioning"), required=False, choices=[("", "—"), *PricePositioning.choices]
    )
    strengths = forms.CharField(label=_("strengths"), required=False, max_length=LONG_TEXT, widget=TEXTAREA)
    weaknesses = forms.CharField(label=_("weaknesses"), required=False, max_length=LONG_TEXT, widget=TEXTAREA)
    tactics = forms.CharField(label=_("typical tactics"), required=False, max_length=LONG_TEXT, widget=TEXTAREA)
    notes = forms.CharField(label=_("notes"), required=False, max_length=LONG_TEXT, widget=TEXTAREA)
    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            # A new profile is active; deactivating is a later decision.
            del self.fields["active"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter the competitor's name."))
        return name


class CompetitorFilterForm(forms.Form):
    """The competitor list's filters; unreadable values are ignored (and said so)."""

    q = forms.CharField(label=_("name"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("state"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))],
    )

    def filters(self) -> CompetitorFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return CompetitorFilters(q=(data.get("q") or "").strip(), state=data.get("state") or "active")


class PriceIntelForm(forms.Form):
    competitor = forms.ModelChoiceField(
        label=_("competitor"), queryset=Competitor.objects.none(), error_messages=COMPETITOR_ERRORS
    )
    product = forms.CharField(label=_("product"), max_length=100)
    price = forms.DecimalField(
        label=_("price (yuan)"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        error_messages={"min_value": _("A price cannot be negative.")},
    )
    unit = forms.CharField(label=_("unit"), required=False, max_length=20, help_text=_("For example 套, 台 or 年"))
    observed_on = forms.DateField(label=_("date"), widget=DATE_WIDGET, help_text=_("When the price was seen."))
    customer = forms.ModelChoiceField(
        label=_("customer"), queryset=Customer.objects.none(), required=False, error_messages=CUSTOMER_ERRORS
    )
    source = forms.CharField(
        label=_("source"), required=False, max_length=200, help_text=_("For example a tender result or the buyer")
    )
    confidence = forms.ChoiceField(
        label=_("confidence"), choices=PriceConfidence.choices, initial=PriceConfidence.MEDIUM
    )
    notes = forms.CharField(label=_("notes"), required=False, max_length=LONG_TEXT, widget=TEXTAREA)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["competitor"].queryset = active_competitors(actor)  # type: ignore[attr-defined]
        self.customers = visible_customers(actor)
        self.fields["customer"].queryset = self.customers  # type: ignore[attr-defined]

    def clean_product(self) -> str:
        product = " ".join(self.cleaned_data["product"].split())
        if not product:
            raise ValidationError(_("Enter the product."))
        return product

    def clean_observed_on(self) -> date:
        value: date = self.cleaned_data["observed_on"]
        check_year(value)
        if value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value

    def chosen_customer(self) -> Customer | None:
        """The customer shown as picked in the customer picker: a valid bound one, else none."""
        if self.is_bound and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get("customer")
        raw = self.initial.get("customer")
        if raw is None or not str(raw).isdigit() or not 0 < int(str(raw)) <= MAX_DB_ID:
            return None
        return self.customers.filter(pk=int(str(raw))).first()


class PriceFilterForm(forms.Form):
    """The price list's filters; values it cannot read are ignored (and said so), never an error page."""

    competitor = forms.ModelChoiceField(
        label=_("competitor"), queryset=Competitor.objects.none(), required=False, empty_label=_("Any")
    )
    product = forms.CharField(label=_("product contains"), required=False, max_length=100)
    date_from = forms.DateField(label=_("from"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("until"), required=False, widget=DATE_WIDGET)
    confidence = forms.ChoiceField(
        label=_("confidence"), required=False, choices=[("", _("Any")), *PriceConfidence.choices]
    )
    industry = forms.ModelChoiceField(
        label=_("industry"), queryset=Industry.objects.all(), required=False, empty_label=_("Any")
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competitor"].queryset = org_competitors(actor).order_by("name")  # type: ignore[attr-defined]

    def clean_date_from(self) -> date | None:
        value: date | None = self.cleaned_data.get("date_from")
        check_year(value)
        return value

    def clean_date_to(self) -> date | None:
        value: date | None = self.cleaned_data.get("date_to")
        check_year(value)
        return value

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> PriceFilters:
        self.is_valid()
        competitor = self.value("competitor")
        industry = self.value("industry")
        return PriceFilters(
            competitor=competitor.pk if competitor is not None else None,
            product=(self.value("product") or "").strip(),
            date_from=self.value("date_from"),
            date_to=self.value("date_to"),
            confidence=self.value("confidence") or "",
            industry=industry.pk if industry is not None else "",
        )
