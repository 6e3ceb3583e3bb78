"""Input of the sales settings pages; the actions in kam.sales.actions_config enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.sales.models import BusinessLine, CloseOutcome, CloseReason, MeddpiccElement, ProductLine, Stage


class _NameForm(forms.Form):
    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name


class BusinessLineForm(_NameForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class StageForm(_NameForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    default_probability = forms.IntegerField(
        label=_("Default win rate (%)"),
        min_value=0,
        max_value=100,
        help_text=_("New deals in this stage start with this probability."),
    )
    exit_criteria = forms.CharField(
        label=_("Exit criteria"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What must be true before a deal leaves this stage."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class GateForm(forms.Form):
    element = forms.ChoiceField(label=_("MEDDPICC element"), choices=MeddpiccElement.choices)
    min_score = forms.TypedChoiceField(
        label=_("Minimum score"),
        choices=[(1, _("1 · identified")), (2, _("2 · validated with the buyer"))],
        coerce=int,
        initial=1,
    )


class CloseReasonCreateForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CloseOutcome.choices)
    label = forms.CharField(label=_("Reason"), max_length=50)

    def clean_label(self) -> str:
        label: str = self.cleaned_data["label"].strip()
        if not label:
            raise forms.ValidationError(_("Enter a reason."))
        return label


class CloseReasonForm(CloseReasonCreateForm):
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["outcome"]  # a reason stays in its outcome's list


class ProductLineForm(_NameForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


def initial_of(obj: BusinessLine | Stage | CloseReason | ProductLine, form: type[forms.Form]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in form.base_fields if hasattr(obj, name)}
