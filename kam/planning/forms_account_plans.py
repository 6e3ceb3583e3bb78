"""Input of account plans, shared by the pages and the API (one path, one set of messages).

Forms parse and bound values; the rules that need the plan (one plan per customer, who gets a cell's
spend, unique names) live in the actions, so the API obeys them too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.models import User
from kam.core.money import MAX_AMOUNT
from kam.core.queries import colleagues_of, teams_of
from kam.customers.models import Contact
from kam.customers.views.forms import FastSelect
from kam.market.models import Competitor
from kam.planning.models.account_plans import (
    AccountPlan,
    CellStatus,
    KeyPlayerRole,
    ObjectiveStatus,
    RelationshipStage,
    SpendHolder,
)
from kam.planning.queries_account_plans import PLAN_FIELDS, PlanFilters, plan_contacts

TEXT_MAX = 5000
COLLEAGUE_ERRORS = {"invalid_choice": _("Choose an active colleague.")}
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _in_range(value: date | None) -> date | None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValidationError(_("Choose a date between 2000 and 2100."))
    return value


def _text(label: Any, max_length: int = TEXT_MAX, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def _money(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=18,
        decimal_places=2,
        localize=False,
        **kwargs,
    )


class PlanForm(forms.Form):
    """The Gold Sheet fields of a plan; `version` is the one the editor loaded (stale → refused)."""

    trends = _text(_("customer trends and opportunities"))
    strengths = _text(_("our strengths"))
    vulnerabilities = _text(_("our vulnerabilities"))
    relationship_stage = forms.ChoiceField(
        label=_("relationship stage"), choices=RelationshipStage.choices, initial=RelationshipStage.EXPLORATORY
    )
    revenue_goal_3y = _money(_("3-year revenue goal (yuan)"))
    share_of_wallet_goal = forms.DecimalField(
        label=_("share of wallet goal (%)"), required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31, widget=forms.HiddenInput)


def plan_initial(plan: AccountPlan) -> dict[str, Any]:
    return {**{name: getattr(plan, name) for name in PLAN_FIELDS}, "version": plan.version}


class ColleagueField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


def _colleagues(actor: User, current: int | None) -> Any:
    """Active colleagues of the organization; the current holder stays valid though since deactivated."""
    people = colleagues_of(actor)
    if current is not None:
        people = User.objects.filter(
            Q(pk__in=people.values("pk")) | Q(pk=current, organization_id=actor.organization_id)
        ).order_by("username")
    return people


class TeamMemberForm(forms.Form):
    user = ColleagueField(label=_("colleague"), queryset=User.objects.none(), error_messages=COLLEAGUE_ERRORS)
    responsibility = forms.CharField(label=_("responsibility"), max_length=100, required=False)

    def __init__(self, *args: Any, actor: User, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _colleagues(actor, current)  # type: ignore[attr-defined]


class KeyPlayerForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("contact"),
        queryset=Contact.objects.none(),
        error_messages={"invalid_choice": _("Choose a contact of this customer.")},
    )
    role = forms.ChoiceField(label=_("role"), choices=KeyPlayerRole.choices)
    notes = forms.CharField(label=_("notes"), max_length=300, required=False)

    def __init__(self, *args: Any, plan: AccountPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = plan_contacts(plan)  # type: ignore[attr-defined]


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("objective"), max_length=200)
    owner = ColleagueField(label=_("owner"), queryset=User.objects.none(), error_messages=COLLEAGUE_ERRORS)
    due_date = forms.DateField(label=_("due date"), widget=DATE_WIDGET)
    status = forms.ChoiceField(label=_("status"), choices=ObjectiveStatus.choices, initial=ObjectiveStatus.OPEN)

    def __init__(self, *args: Any, actor: User, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _colleagues(actor, current)  # type: ignore[attr-defined]

    def clean_due_date(self) -> date | None:
        return _in_range(self.cleaned_data.get("due_date"))


class ActionForm(forms.Form):
    title = forms.CharField(label=_("action"), max_length=200)
    owner = ColleagueField(label=_("owner"), queryset=User.objects.none(), error_messages=COLLEAGUE_ERRORS)
    due_date = forms.DateField(label=_("due date"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, actor: User, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _colleagues(actor, current)  # type: ignore[attr-defined]

    def clean_due_date(self) -> date | None:
        return _in_range(self.cleaned_data.get("due_date"))


class BusinessUnitForm(forms.Form):
    name = forms.CharField(label=_("business unit"), max_length=100)
    position = forms.IntegerField(label=_("order"), required=False, min_value=0, max_value=32767)


class CellForm(forms.Form):
    """One whitespace cell. Who gets the spend and the named competitor must agree (checked by the action)."""

    status = forms.ChoiceField(label=_("status"), choices=CellStatus.choices, initial=CellStatus.GAP)
    annual_spend = _money(_("annual spend (yuan)"))
    holder = forms.ChoiceField(label=_("who gets it"), choices=[("", "—"), *SpendHolder.choices], required=False)
    competitor = forms.ModelChoiceField(
        label=_("competitor"),
        queryset=Competitor.objects.none(),
        required=False,
        widget=FastSelect,
        error_messages={"invalid_choice": _("Choose a competitor from the competitor list.")},
    )
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)

    def __init__(self, *args: Any, actor: User, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        competitors = Competitor.objects.filter(organization_id=actor.organization_id)
        # Inactive competitors stay valid where a cell already names one.
        competitors = competitors.filter(Q(active=True) | Q(pk=current)) if current else competitors.filter(active=True)
        self.fields["competitor"].queryset = competitors.order_by("name")  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("review date"), widget=DATE_WIDGET)
    comments = forms.CharField(label=_("comments"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_reviewed_on(self) -> date | None:
        return _in_range(self.cleaned_data.get("reviewed_on"))


class PlanFilterForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("owner"), required=False, coerce=int, empty_value=None, widget=FastSelect)
    team = forms.TypedChoiceField(label=_("team"), required=False, coerce=int, empty_value=None, widget=FastSelect)
    stage = forms.ChoiceField(
        label=_("relationship stage"), required=False, choices=[("", _("All stages")), *RelationshipStage.choices]
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = colleagues_of(actor).values_list("pk", "display_name", "username")
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("All owners")),
            *((pk, display or username) for pk, display, username in people),
        ]
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", _("All teams")),
            *teams_of(actor).values_list("pk", "name"),
        ]

    def filters(self) -> PlanFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return PlanFilters(owner=data.get("owner"), team=data.get("team"), stage=data.get("stage") or "")
