"""Forms of the follow-up and visit pages. They parse and type the input; the business rules
(times, contacts of the customer, attachment checks) live in the actions, whose refusals land
on the same fields (kam.customers.views.helpers.apply_errors)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.activities.geo import Position
from kam.activities.models import FollowUp, FollowUpKind, Visit, VisitStatus
from kam.activities.queries_followups import FollowUpFilters, Scope
from kam.activities.queries_visits import VisitFilters, When
from kam.core.models import Role, User
from kam.customers.models import Contact, Customer

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ACCEPT = "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp,.pdf,.docx,.xlsx,.pptx,.txt,.csv,.zip"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the checks of kam.activities.attachments run in the action."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _year_range(value: Any, low: int = 2000, high: int = 2100) -> Any:
    if value is not None and not low <= value.year <= high:
        raise ValidationError(_("Choose a date between %(low)d and %(high)d.") % {"low": low, "high": high})
    return value


class ContactsField(forms.ModelMultipleChoiceField[Contact]):
    """Contacts met; an id past 64 bits is an invalid choice, not a database overflow (SQLite)."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple) and any(str(pk).isdigit() and int(pk) >= 2**63 for pk in value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""})
        return super().clean(value)


class DealField(forms.ModelChoiceField[Any]):
    """The deal a follow-up was about; an id that is not a number or past 64 bits is an invalid choice."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if not str(value).isdigit() or int(str(value)) >= 2**63:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def deal_choices(user: User, customer: Customer, current_id: int | None = None) -> Any:
    """Open deals of the customer that `user` may open, newest first; the deal already linked stays listed."""
    from kam.sales.queries import visible_opportunities

    deals = visible_opportunities(user).filter(customer_id=customer.pk)
    wanted = Q(status="open") | Q(pk=current_id) if current_id is not None else Q(status="open")
    return deals.filter(wanted).select_related("customer", "owner", "owner__team").order_by("-created_at", "-id")


class FollowUpForm(forms.ModelForm[FollowUp]):
    opportunity = DealField(
        label=_("Deal"),
        queryset=FollowUp.objects.none(),
        required=False,
        empty_label=_("— Not about a deal —"),
        help_text=_("The deal this contact was about keeps its last activity up to date."),
    )
    attachments = MultipleFileField(
        label=_("Photos and files"),
        help_text=_("Up to 9: photos (JPEG, PNG, WebP, 10 MB each) or PDF, Office, text, CSV, ZIP files (20 MB each)."),
    )

    class Meta:
        model = FollowUp
        fields = ["kind", "occurred_at", "contacts", "content", "feedback", "next_step", "next_followup_at"]
        field_classes = {"contacts": ContactsField}
        widgets = {
            "occurred_at": DATETIME_WIDGET,
            "next_followup_at": DATETIME_WIDGET,
            "content": forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
            "feedback": forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
            "contacts": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self,
        *args: Any,
        customer: Customer,
        with_files: bool = True,
        for_visit: bool = False,
        user: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        self._deal_choices(user)
        self.fields["contacts"].queryset = Contact.objects.filter(customer=customer).order_by("name")  # type: ignore[attr-defined]
        self.fields["occurred_at"].widget.format = "%Y-%m-%dT%H:%M"  # type: ignore[attr-defined]
        if not with_files:
            del self.fields["attachments"]
        if for_visit:
            # The record of a visit is a visit; its type is not a choice.
            self.fields["kind"].disabled = True

    def _deal_choices(self, user: User | None) -> None:
        """Offer the deal link only when there is a deal to name (or one is named already)."""
        current_id = self.instance.opportunity_id if self.instance.pk else None
        deals = deal_choices(user, self.customer, current_id) if user is not None else None
        if deals is None or not deals.exists():
            del self.fields["opportunity"]
            return
        self.fields["opportunity"].queryset = deals  # type: ignore[attr-defined]
        if current_id is not None and not self.is_bound:
            self.initial["opportunity"] = current_id

    @property
    def offers_deal(self) -> bool:
        return "opportunity" in self.fields

    def clean_occurred_at(self) -> Any:
        return _year_range(self.cleaned_data.get("occurred_at"))

    def clean_next_followup_at(self) -> Any:
        return _year_range(self.cleaned_data.get("next_followup_at"))

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name != "contacts"}


class VisitForm(forms.ModelForm[Visit]):
    planned_minutes = forms.IntegerField(
        label=Visit._meta.get_field("planned_minutes").verbose_name, min_value=5, max_value=720, initial=60
    )

    class Meta:
        model = Visit
        fields = ["planned_at", "planned_minutes", "purpose"]
        widgets = {"planned_at": DATETIME_WIDGET}

    def clean_planned_at(self) -> Any:
        return _year_range(self.cleaned_data.get("planned_at"))


class PositionForm(forms.Form):
    """What checkin.js fills in from navigator.geolocation; all empty means no position."""

    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90, max_digits=12, decimal_places=9)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, max_digits=13, decimal_places=9)
    accuracy_m = forms.FloatField(required=False, min_value=0, max_value=100_000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError(_("The position is incomplete; try again."))
        return data

    def position(self) -> Position | None:
        lat: Decimal | None = self.cleaned_data.get("latitude")
        lng: Decimal | None = self.cleaned_data.get("longitude")
        if lat is None or lng is None:
            return None
        return Position(lat, lng, self.cleaned_data.get("accuracy_m"))


class AttachmentsForm(forms.Form):
    attachments = MultipleFileField(label=_("Photos and files"))


def _scope_choices(user: User) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [(Scope.MINE, _("Mine"))]
    if user.supervises or user.role == Role.ADMIN:
        choices.append((Scope.TEAM, _("My team's")))
    choices.append((Scope.ALL, _("All I can see")))
    return choices


class FollowUpFilterForm(forms.Form):
    scope = forms.ChoiceField(label=_("Whose"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *FollowUpKind.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    customer = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = _scope_choices(user)  # type: ignore[attr-defined]

    def clean_date_from(self) -> date | None:
        return _year_range(self.cleaned_data.get("date_from"), 1900)  # type: ignore[no-any-return]

    def clean_date_to(self) -> date | None:
        return _year_range(self.cleaned_data.get("date_to"), 1900)  # type: ignore[no-any-return]

    def filters(self) -> FollowUpFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return FollowUpFilters(
            scope=data.get("scope") or "",
            customer=data.get("customer"),
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class VisitFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"), required=False, choices=[(When.UPCOMING, _("Upcoming")), (When.PAST, _("Past"))]
    )
    scope = forms.ChoiceField(label=_("Whose"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *VisitStatus.choices]
    )
    customer = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = _scope_choices(user)  # type: ignore[attr-defined]

    def filters(self) -> VisitFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return VisitFilters(
            scope=data.get("scope") or "",
            when=data.get("when") or When.UPCOMING,
            customer=data.get("customer"),
            status=data.get("status") or "",
        )
