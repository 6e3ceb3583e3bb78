"""Input of the deal table, the board, saved views and the deal team, shared by the pages and the API.

Filter values that do not parse are dropped and reported, never fatal; the team and view forms only
parse, the rules (who may manage the team, the 100 % split) live in the actions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kam.core.models import Role, Team, User
from kam.core.money import MAX_AMOUNT
from kam.customers.choices import team_choices
from kam.customers.views.forms import FastSelect, TeamChoiceField, UserChoiceField
from kam.sales.models import ForecastCategory, MemberAccess, OpportunityStatus, TeamRole
from kam.sales.queries_lists import (
    DEAL_STATUS_LABELS,
    DEFAULT_SORT,
    STATUS_ANY,
    STATUS_CLOSED,
    DealFilters,
    business_lines_of,
    deal_owner_choices,
    stage_choices,
)

MAX_DB_ID = 2**63 - 1
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_MAX = MAX_AMOUNT

SORT_LABELS = {
    "close": _("Close date, soonest first"),
    "-close": _("Close date, latest first"),
    "-amount": _("Amount, largest first"),
    "amount": _("Amount, smallest first"),
    "updated": _("Recently updated"),
    "name": _("Name A–Z"),
    "-name": _("Name Z–A"),
}
STATUS_LABELS = [
    *DEAL_STATUS_LABELS.items(),
    (STATUS_CLOSED, _("All closed")),
    (STATUS_ANY, _("All deals")),
]


def _in_range(value: Any) -> None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValidationError(_("Choose a date between 2000 and 2100."))


def _money_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_value=MONEY_MAX,
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class DealFilterForm(forms.Form):
    """The filters of the deal table (and, without status, of the board)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.SearchInput)
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False, widget=FastSelect)
    team = TeamChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False, widget=FastSelect)
    business_line = forms.TypedChoiceField(
        label=_("Business line"), coerce=int, required=False, empty_value=None, widget=FastSelect
    )
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False, empty_value=None, widget=FastSelect)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_LABELS, required=False, widget=FastSelect)
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"),
        choices=[("", "---------"), *ForecastCategory.choices],
        required=False,
        widget=FastSelect,
    )
    close_from = forms.DateField(label=_("Closing from"), required=False, widget=DATE_WIDGET, validators=[_in_range])
    close_to = forms.DateField(label=_("Closing until"), required=False, widget=DATE_WIDGET, validators=[_in_range])
    amount_min = _money_field(_("Amount from (yuan)"))
    amount_max = _money_field(_("Amount up to (yuan)"))
    customer = forms.IntegerField(
        label=_("Customer"), required=False, min_value=1, max_value=MAX_DB_ID, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=list(SORT_LABELS.items()), required=False, widget=FastSelect)

    BASIC = ("status", "stage", "owner", "sort")
    ADVANCED = ("team", "business_line", "forecast_category", "close_from", "close_to", "amount_min", "amount_max")
    BOARD = ("owner", "team", "forecast_category", "close_from", "close_to", "amount_min", "amount_max")

    def __init__(self, *args: Any, user: User, for_board: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if for_board:
            # The board is one line's open deals by stage: these choices are the board's own.
            for name in ("business_line", "stage", "status", "sort"):
                del self.fields[name]
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Deal or customer name"), "aria-label": _("Search deals"), "id": "deal-q"}
        )
        self.fields["owner"].queryset = deal_owner_choices(user)  # type: ignore[attr-defined]
        self.fields["team"].queryset = team_choices(user)  # type: ignore[attr-defined]
        if user.team is not None and user.role != Role.ADMIN:
            self.fields["team"].base_depth = user.team.path.count("/") - 2  # type: ignore[attr-defined]
        if not for_board:
            lines = business_lines_of(user)
            self.fields["business_line"].choices = [("", "---------")] + [(line.pk, line.name) for line in lines]  # type: ignore[attr-defined]
            self.fields["stage"].choices = _stage_options(user, several_lines=len(lines) > 1)  # type: ignore[attr-defined]

    def filters(self) -> DealFilters:
        """The valid part of the input as DealFilters; call after is_valid()."""
        data = self.cleaned_data
        owner, team = data.get("owner"), data.get("team")
        return DealFilters(
            q=data.get("q") or "",
            owner=owner.pk if owner else None,
            team=team.pk if team else None,
            business_line=data.get("business_line"),
            stage=data.get("stage"),
            status=data.get("status") or OpportunityStatus.OPEN,
            forecast_category=data.get("forecast_category") or "",
            close_from=data.get("close_from"),
            close_to=data.get("close_to"),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            customer=data.get("customer"),
            sort=data.get("sort") or DEFAULT_SORT,
        )

    def basic_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.BASIC]

    def advanced_fields(self) -> list[forms.BoundField]:
        """The filters folded under "More filters" (a long form on a phone otherwise)."""
        return [self[name] for name in self.ADVANCED]

    def board_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.BOARD]

    def advanced_active(self) -> bool:
        return any(self.data.get(name) for name in self.ADVANCED)

    def board_active(self) -> bool:
        return any(self.data.get(name) for name in self.BOARD)


def _stage_options(user: User, *, several_lines: bool) -> list[Any]:
    """Stages as options; grouped by business line when there are several (same names repeat)."""
    stages = stage_choices(user)
    if not several_lines:
        return [("", "---------")] + [(s.pk, s.name) for s in stages]
    groups: dict[str, list[tuple[int, str]]] = {}
    for stage in stages:
        groups.setdefault(stage.business_line.name, []).append((stage.pk, stage.name))
    return [("", "---------"), *groups.items()]


class BoardLineForm(forms.Form):
    """The board's business line picker."""

    business_line = forms.TypedChoiceField(
        label=_("Business line"), coerce=int, required=False, empty_value=None, widget=FastSelect
    )

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business_line"].choices = [(line.pk, line.name) for line in lines]  # type: ignore[attr-defined]
        self.fields["business_line"].widget.attrs["id"] = "deal-board-line"


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("View name"), max_length=50)
    params = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)


class TeamMemberForm(forms.Form):
    """Add or change one member of the deal team."""

    user = forms.IntegerField(label=_("Colleague"), min_value=1, max_value=MAX_DB_ID)
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices, initial=TeamRole.SALES)
    access = forms.ChoiceField(label=_("Access"), choices=MemberAccess.choices, initial=MemberAccess.READ)
    split_percent = forms.DecimalField(
        label=_("Revenue split (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}),
    )


class TeamSplitsForm(forms.Form):
    """Every member's split at once (field split_<user id>); the sum rule is the action's."""

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"split_{member.user_id}"] = forms.DecimalField(
                label=member.user.name,
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                max_digits=5,
                decimal_places=2,
                initial=member.split_percent,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}),
            )

    def splits(self) -> dict[int, Decimal]:
        return {m.user_id: self.cleaned_data[f"split_{m.user_id}"] for m in self.members}
