"""Input of buying influences and MEDDPICC scores, shared by the pages and the API.

The forms parse values and bound their sizes; the rules (a contact of this customer, one economic
buyer, evidence behind a score) live in actions_qualification, so every caller obeys them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.customers.models import Contact
from kam.sales.actions_qualification import EVIDENCE_LIMIT, RATING_MAX, RATING_MIN, TEXT_LIMITS
from kam.sales.models import BuyingInfluence, InfluenceDegree, InfluenceRole, MeddpiccElement, Opportunity, ResponseMode
from kam.sales.queries_qualification import (
    CONTACT_ELEMENTS,
    ELEMENT_ORDER,
    MAX_ID,
    ElementScore,
    customer_contacts,
    signed,
)

CONTACT_ERRORS = {"invalid_choice": _("Choose a contact of this customer.")}
SCORE_CHOICES = [(0, _("0 · unknown")), (1, _("1 · identified")), (2, _("2 · validated with the buyer"))]
RATING_CHOICES = [(r, signed(r)) for r in range(RATING_MAX, RATING_MIN - 1, -1)]


class CustomerContactField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A contact of the deal's customer; an id too large for the database is simply not a choice."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.isdigit() and int(value) > MAX_ID:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def _contact_field(deal: Opportunity, label: Any, required: bool) -> CustomerContactField:
    return CustomerContactField(
        label=label, queryset=customer_contacts(deal), required=required, error_messages=CONTACT_ERRORS
    )


class InfluenceForm(forms.Form):
    role = forms.ChoiceField(label=_("buying role"), choices=InfluenceRole.choices)
    influence = forms.ChoiceField(label=_("influence"), choices=InfluenceDegree.choices, initial=InfluenceDegree.MEDIUM)
    response_mode = forms.ChoiceField(
        label=_("response mode"), choices=[("", "—"), *ResponseMode.choices], required=False
    )
    rating = forms.TypedChoiceField(label=_("rating (−5…+5)"), choices=RATING_CHOICES, coerce=int, initial=0)
    personal_win = forms.CharField(label=_("personal win"), max_length=TEXT_LIMITS["personal_win"], required=False)
    business_result = forms.CharField(
        label=_("business result"), max_length=TEXT_LIMITS["business_result"], required=False
    )
    notes = forms.CharField(
        label=_("notes"), max_length=TEXT_LIMITS["notes"], required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, deal: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"] = _contact_field(deal, _("contact"), required=True)
        self.order_fields(["contact"])

    @staticmethod
    def initial_of(influence: BuyingInfluence) -> dict[str, Any]:
        return {
            "contact": influence.contact_id,
            "role": influence.role,
            "influence": influence.influence,
            "response_mode": influence.response_mode,
            "rating": influence.rating,
            "personal_win": influence.personal_win,
            "business_result": influence.business_result,
            "notes": influence.notes,
        }


@dataclass(frozen=True)
class ElementFields:
    """The form fields of one element, for the template to lay out together."""

    element: str
    label: str
    score: forms.BoundField
    evidence: forms.BoundField
    contact: forms.BoundField | None


class MeddpiccForm(forms.Form):
    """All eight elements at once: <element>_score, <element>_evidence and, for people, <element>_contact."""

    def __init__(self, *args: Any, deal: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for element in ELEMENT_ORDER:
            self.fields[f"{element}_score"] = forms.TypedChoiceField(
                label=_("score"), choices=SCORE_CHOICES, coerce=int, initial=0
            )
            self.fields[f"{element}_evidence"] = forms.CharField(
                label=_("evidence"),
                max_length=EVIDENCE_LIMIT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if element in CONTACT_ELEMENTS:
                self.fields[f"{element}_contact"] = _contact_field(deal, _("contact"), required=False)

    @staticmethod
    def initial_of(scores: list[ElementScore], economic_buyer: Contact | None = None) -> dict[str, Any]:
        """The stored values; an economic buyer without a person proposes `economic_buyer` (the influence)."""
        initial: dict[str, Any] = {}
        for item in scores:
            initial[f"{item.element}_score"] = item.score
            initial[f"{item.element}_evidence"] = item.evidence
            if item.names_contact:
                initial[f"{item.element}_contact"] = item.contact.pk if item.contact else None
        key = f"{MeddpiccElement.ECONOMIC_BUYER}_contact"
        if initial.get(key) is None and economic_buyer is not None:
            initial[key] = economic_buyer.pk
        return initial

    def element_fields(self) -> list[ElementFields]:
        return [
            ElementFields(
                str(element),
                str(MeddpiccElement(element).label),
                self[f"{element}_score"],
                self[f"{element}_evidence"],
                self[f"{element}_contact"] if element in CONTACT_ELEMENTS else None,
            )
            for element in ELEMENT_ORDER
        ]

    def scores(self) -> dict[str, tuple[int, str, Contact | None]]:
        """The cleaned input as set_scores takes it."""
        data = self.cleaned_data
        return {
            str(element): (data[f"{element}_score"], data[f"{element}_evidence"], data.get(f"{element}_contact"))
            for element in ELEMENT_ORDER
        }
