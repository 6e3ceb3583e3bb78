"""Input validation shared by the web pages, the API and imports: one path, one set of messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kam.core.china import normalize_phone, validate_credit_code
from kam.core.models import User
from kam.customers.models import Contact, Customer, Region, RegionLevel

CUSTOMER_FIELDS = [
    "name",
    "short_name",
    "credit_code",
    "industry",
    "province",
    "city",
    "address",
    "latitude",
    "longitude",
    "phone",
    "website",
    "employees_band",
    "revenue_band",
    "source",
    "tier",
    "status",
    "notes",
    "next_followup_at",
]

CONTACT_FIELDS = [
    "name",
    "title",
    "department",
    "mobile",
    "phone",
    "email",
    "wechat",
    "reports_to",
    "buying_role",
    "influence",
    "attitude",
    "strength",
    "relationship_owner",
    "is_key_person",
    "birthday",
    "notes",
]


class CustomerForm(forms.ModelForm[Customer]):
    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")
    tag_names = forms.CharField(
        label=_("tags"), required=False, help_text=_("Separate tags with commas."), max_length=300
    )

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "next_followup_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Region.objects.filter(level=RegionLevel.PROVINCE)  # type: ignore[attr-defined]
        self.fields["city"].queryset = Region.objects.filter(level=RegionLevel.CITY)  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["tag_names"] = ", ".join(t.name for t in self.instance.tags.all())

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if len(name) < 2:
            raise ValidationError(_("A customer name needs at least 2 characters."))
        return name

    def clean_credit_code(self) -> str:
        code = str(self.cleaned_data.get("credit_code") or "").strip()
        return validate_credit_code(code) if code else ""

    def clean_phone(self) -> str:
        raw = str(self.cleaned_data.get("phone") or "").strip()
        return normalize_phone(raw) if raw else ""

    def clean_latitude(self) -> Any:
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise ValidationError(_("Latitude must be between -90 and 90."))
        return value

    def clean_longitude(self) -> Any:
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise ValidationError(_("Longitude must be between -180 and 180."))
        return value

    def clean_next_followup_at(self) -> Any:
        value = self.cleaned_data.get("next_followup_at")
        if value is not None and not 1900 <= value.year <= 2100:
            raise ValidationError(_("Choose a date between 1900 and 2100."))
        return value

    def clean_tag_names(self) -> list[str]:
        raw = str(self.cleaned_data.get("tag_names") or "").replace("，", ",").replace("、", ",")
        names = []
        for part in raw.split(","):
            name = part.strip()
            if not name:
                continue
            if len(name) > 30:
                raise ValidationError(_("A tag may have at most 30 characters."))
            if name not in names:
                names.append(name)
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        province, city = data.get("province"), data.get("city")
        if city is not None and province is not None and city.parent_id != province.pk:
            self.add_error("city", _("This city is not in the chosen province."))
        if city is not None and province is None:
            data["province"] = city.parent
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data


class ContactForm(forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "birthday": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        colleagues = self.fields["reports_to"]
        others = Contact.objects.filter(customer=customer)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        colleagues.queryset = others.order_by("name")  # type: ignore[attr-defined]
        self.fields["relationship_owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organization_id=customer.organization_id, is_active=True
        ).order_by("username")

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise ValidationError(_("Enter the contact's name."))
        return name

    def clean_mobile(self) -> str:
        raw = str(self.cleaned_data.get("mobile") or "").strip()
        if not raw:
            return ""
        number = normalize_phone(raw)
        if not number.startswith("1") or len(number) != 11:
            raise ValidationError(_("Enter a valid mobile number (11 digits starting with 1)."))
        return number

    def clean_phone(self) -> str:
        raw = str(self.cleaned_data.get("phone") or "").strip()
        return normalize_phone(raw) if raw else ""

    def clean_birthday(self) -> Any:
        value = self.cleaned_data.get("birthday")
        if value is not None and not 1900 <= value.year <= 2100:
            raise ValidationError(_("Choose a date between 1900 and 2100."))
        return value

    def clean_reports_to(self) -> Contact | None:
        boss: Contact | None = self.cleaned_data.get("reports_to")
        if boss is None or not self.instance.pk:
            return boss
        # Walk up from the new boss: reaching this contact would make a reporting loop.
        seen = {self.instance.pk}
        node: Contact | None = boss
        while node is not None:
            if node.pk in seen:
                raise ValidationError(_("This would make a reporting loop."))
            seen.add(node.pk)
            node = node.reports_to
        return boss
