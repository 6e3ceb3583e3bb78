"""Input of coordination requests, shared by the pages and the API; the status machine is in the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.activities.forms_tasks import CUSTOMER_ERRORS, bound_id
from kam.activities.models import HelpRole, RequestKind
from kam.activities.queries_requests import RequestState, RequestTab
from kam.core.models import User
from kam.core.queries import colleagues_of
from kam.customers.models import Customer
from kam.customers.queries import visible_customers


class RequestForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("customer"), queryset=Customer.objects.none(), error_messages=CUSTOMER_ERRORS
    )
    role = forms.ChoiceField(
        label=_("role asked"), choices=[("", _("— a named colleague —")), *HelpRole.choices], required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("colleague asked"),
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose an active colleague.")},
    )
    kind = forms.ChoiceField(label=_("kind"), choices=RequestKind.choices)
    subject = forms.CharField(label=_("subject"), max_length=200)
    detail = forms.CharField(label=_("detail"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    working_days = forms.IntegerField(
        label=_("working days"),
        min_value=1,
        max_value=60,
        initial=3,
        help_text=_("Counted in working days: weekends and public holidays are skipped."),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["customer"].queryset = visible_customers(actor)  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = colleagues_of(actor).exclude(pk=actor.pk)  # type: ignore[attr-defined]

    def chosen(self, name: str) -> Any:
        """The customer or colleague shown as picked: the valid bound one, else the initial one."""
        if self.is_bound and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get(name)
        pk = bound_id(self, name)
        if pk is None:
            return None
        field = self.fields[name]
        return field.queryset.filter(pk=pk).first()  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason for rejecting"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("result"), widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class RequestListForm(forms.Form):
    tab = forms.ChoiceField(
        choices=[
            (RequestTab.MINE, _("Asked by me")),
            (RequestTab.TODO, _("Waiting for me")),
            (RequestTab.TEAM, _("My team's")),
        ],
        required=False,
    )
    state = forms.ChoiceField(
        label=_("status"),
        choices=[
            (RequestState.PENDING, _("Pending")),
            (RequestState.FINISHED, _("Finished")),
            (RequestState.ALL, _("All")),
        ],
        required=False,
    )
