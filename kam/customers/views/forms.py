"""Forms that only the web pages need: list filters and the small action forms of the 360 page.

Customer and contact fields themselves are validated by kam.customers.forms, shared with the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.core.models import Role, Team, User
from kam.core.queries import teams_of
from kam.customers.forms import CustomerForm
from kam.customers.models import (
    CollaboratorAccess,
    CustomerStatus,
    CustomerTier,
    Industry,
    Pool,
    Region,
    RegionLevel,
    Tag,
)
from kam.customers.queries import SORTS, CustomerFilters, admin_pools_of, users_in_org

SORT_LABELS = {
    "updated": _("Recently updated"),
    "name": _("Name A–Z"),
    "-name": _("Name Z–A"),
    "created": _("Recently created"),
    "followup": _("Oldest follow-up first"),
    "-followup": _("Latest follow-up first"),
    "tier": _("Tier"),
}


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


class IndustryChoiceField(forms.ModelChoiceField[Industry]):
    def label_from_instance(self, obj: Industry) -> str:
        # 大类 are indented under their 门类 so one select offers both levels.
        return f"{obj}" if obj.section_id is None else f"\u3000{obj}"


class CustomerFilterForm(forms.Form):
    """The list filters. Invalid values are dropped (and reported), never fatal."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.SearchInput)
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", "---------"), *CustomerTier.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "---------"), *CustomerStatus.choices], required=False)
    industry = IndustryChoiceField(label=_("Industry"), queryset=Industry.objects.none(), required=False)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Region.objects.none(), required=False)
    city = forms.ModelChoiceField(label=_("City"), queryset=Region.objects.none(), required=False)
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.none(), required=False)
    stale_days = forms.IntegerField(
        label=_("No follow-up for days"), required=False, min_value=1, max_value=3650, widget=forms.NumberInput
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=[(k, SORT_LABELS.get(k, k)) for k in SORTS], required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Name, pinyin, credit code or phone"), "aria-label": _("Search customers")}
        )
        self.fields["owner"].queryset = users_in_org(user)  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams_of(user)  # type: ignore[attr-defined]
        self.fields["industry"].queryset = Industry.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["province"].queryset = Region.objects.filter(level=RegionLevel.PROVINCE)  # type: ignore[attr-defined]
        cities = Region.objects.filter(level=RegionLevel.CITY)
        province = self.data.get("province") if self.is_bound else None
        if province and str(province).isdigit():
            # With a province chosen, offer only its cities: a shorter list on a phone.
            cities = cities.filter(parent_id=province)
        self.fields["city"].queryset = cities  # type: ignore[attr-defined]
        self.fields["tag"].queryset = Tag.objects.filter(organization_id=user.organization_id).order_by("name")  # type: ignore[attr-defined]

    BASIC = ("tier", "status", "sort")
    ADVANCED = ("owner", "team", "industry", "province", "city", "tag", "stale_days")

    def basic_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.BASIC]

    def advanced_fields(self) -> list[forms.BoundField]:
        """The filters folded under "More filters" (a long form on a phone otherwise)."""
        return [self[name] for name in self.ADVANCED]

    def advanced_active(self) -> bool:
        return any(self.data.get(name) for name in self.ADVANCED)

    def filters(self) -> CustomerFilters:
        """The valid part of the input as CustomerFilters; call after is_valid()."""
        data = self.cleaned_data
        owner, team, industry = data.get("owner"), data.get("team"), data.get("industry")
        province, city, tag = data.get("province"), data.get("city"), data.get("tag")
        return CustomerFilters(
            q=data.get("q") or "",
            owner=owner.pk if owner else None,
            team=team.pk if team else None,
            tier=data.get("tier") or "",
            status=data.get("status") or "",
            industry=industry.pk if industry else "",
            province=province.pk if province else "",
            city=city.pk if city else "",
            tag=tag.pk if tag else None,
            stale_days=data.get("stale_days"),
            sort=data.get("sort") or "updated",
        )


def may_choose_owner(user: User) -> bool:
    return user.role == Role.ADMIN or user.supervises


class CustomerCreateForm(CustomerForm):
    """CustomerForm plus who gets the new customer: an owner (managers, admins) or a pool (pool admins)."""

    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    pool = forms.ModelChoiceField(
        label=_("Public pool"),
        queryset=Pool.objects.none(),
        required=False,
        help_text=_("Pool admins may put a new customer straight into a pool."),
    )

    def __init__(self, *args: Any, actor: User, duplicate_check_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if may_choose_owner(actor):
            self.fields["owner"].queryset = users_in_org(actor)  # type: ignore[attr-defined]
            self.fields["owner"].help_text = _("Empty means you.")
        else:
            del self.fields["owner"]
        pools = admin_pools_of(actor)
        if pools.exists():
            self.fields["pool"].queryset = pools  # type: ignore[attr-defined]
        else:
            del self.fields["pool"]
        if duplicate_check_url:
            # 查重 as you type: the name field asks the server for matches half a second after the last change.
            # `input`, not `keyup`: Chinese IME commits, pastes and autofill change the value without a keyup.
            live = {
                "hx-get": duplicate_check_url,
                "hx-target": "#duplicate-check",
                "hx-include": "[name=name],[name=credit_code],[name=phone]",
                "hx-trigger": "input changed delay:500ms",
                "hx-sync": "closest form:replace",
            }
            self.fields["name"].widget.attrs.update(live)
            self.fields["credit_code"].widget.attrs.update({**live, "hx-trigger": "change"})
            self.fields["phone"].widget.attrs.update({**live, "hx-trigger": "change"})

    def customer_data(self) -> dict[str, Any]:
        extra = {"tag_names", "owner", "pool"}
        return {k: v for k, v in self.cleaned_data.items() if k not in extra}


class CollaboratorForm(forms.Form):
    user = UserChoiceField(label=_("Colleague"), queryset=User.objects.none())
    access = forms.ChoiceField(label=_("Access"), choices=CollaboratorAccess.choices, initial=CollaboratorAccess.READ)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_in_org(actor)  # type: ignore[attr-defined]


class PickUserForm(forms.Form):
    """Transfer and assign: a colleague, and (for transfers) an optional reason."""

    user = UserChoiceField(label=_("Colleague"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_in_org(actor)  # type: ignore[attr-defined]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
