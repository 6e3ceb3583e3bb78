"""Forms that only the web pages need: list filters and the small action forms of the 360 page.

Customer and contact fields themselves are validated by kam.customers.forms, shared with the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kam.core.models import Role, Team, User
from kam.customers.choices import cities_of, owner_choices, province_choices, team_choices
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


class FastSelect(forms.Select):
    """forms.Select written out in Python, with the same HTML.

    Django renders every <option> through a template include (about 50 µs each); a director's list
    filters still offer several hundred owners and teams, so the page spent tens of milliseconds
    there (docs/benchmarks.md §5). Single choice only.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = self.format_value(value)
        parts: list[str] = [format_html('<select name="{}"{}>', name, _attributes(self.build_attrs(self.attrs, attrs)))]
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(sub_value, sub_label, chosen) for sub_value, sub_label in option_label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, option_label, chosen))
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every part went through format_html

    @staticmethod
    def _option(value: Any, label: Any, chosen: list[str]) -> SafeString:
        value = "" if value is None else str(value)
        if value in chosen:
            chosen.clear()  # like forms.Select: only the first matching option is selected
            return format_html('<option value="{}" selected>{}</option>', value, label)
        return format_html('<option value="{}">{}</option>', value, label)


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """Attributes in their order, as django/forms/widgets/attrs.html writes them (flatatt sorts them)."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


class TeamChoiceField(forms.ModelChoiceField[Team]):
    """Teams in tree order, indented under their parent (relative to the first level offered)."""

    base_depth = 0

    def label_from_instance(self, obj: Team) -> str:
        depth = max(obj.path.count("/") - 2 - self.base_depth, 0)
        return "\u3000" * depth + obj.name


def _offer_cities(field: forms.Field, province: str) -> None:
    """A province's cities; without a province the select says what to do instead of staying empty."""
    field.queryset = cities_of(province)  # type: ignore[attr-defined]
    if not province:
        field.empty_label = _("Choose a province first")  # type: ignore[attr-defined]


class IndustryChoiceField(forms.ModelChoiceField[Industry]):
    def label_from_instance(self, obj: Industry) -> str:
        # 大类 are indented under their 门类 so one select offers both levels.
        return f"{obj}" if obj.section_id is None else f"\u3000{obj}"


class CustomerFilterForm(forms.Form):
    """The list filters. Invalid values are dropped (and reported), never fatal."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.SearchInput)
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False, widget=FastSelect)
    team = TeamChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False, widget=FastSelect)
    tier = forms.ChoiceField(
        label=_("Tier"), choices=[("", "---------"), *CustomerTier.choices], required=False, widget=FastSelect
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "---------"), *CustomerStatus.choices], required=False, widget=FastSelect
    )
    industry = IndustryChoiceField(
        label=_("Industry"), queryset=Industry.objects.none(), required=False, widget=FastSelect
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Region.objects.none(), required=False, widget=FastSelect
    )
    city = forms.ModelChoiceField(label=_("City"), queryset=Region.objects.none(), required=False, widget=FastSelect)
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.none(), required=False, widget=FastSelect)
    stale_days = forms.IntegerField(
        label=_("No follow-up for days"), required=False, min_value=1, max_value=3650, widget=forms.NumberInput
    )
    sort = forms.ChoiceField(
        label=_("Sort"), choices=[(k, SORT_LABELS.get(k, k)) for k in SORTS], required=False, widget=FastSelect
    )

    def __init__(self, *args: Any, user: User, cities_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Name, pinyin, credit code or phone"), "aria-label": _("Search customers")}
        )
        # Each select offers only what can match for this user (docs/benchmarks.md §5: the list page
        # rendered ~1,200 options, every colleague and every city, even for a rep).
        self.fields["owner"].queryset = owner_choices(user)  # type: ignore[attr-defined]
        self.fields["team"].queryset = team_choices(user)  # type: ignore[attr-defined]
        if user.team is not None and user.role != Role.ADMIN:
            self.fields["team"].base_depth = user.team.path.count("/") - 2  # type: ignore[attr-defined]
        self.fields["industry"].queryset = Industry.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["province"].queryset = province_choices()  # type: ignore[attr-defined]
        _offer_cities(self.fields["city"], self._province_of_city())
        self.fields["tag"].queryset = Tag.objects.filter(organization_id=user.organization_id).order_by("name")  # type: ignore[attr-defined]
        if cities_url:
            # Choosing a province fetches its cities first; the answer then triggers the table refresh
            # (customer_list.html), so the table never sees the old province's city.
            # hx-push-url is inherited from the form, so it is switched off here.
            self.fields["province"].widget.attrs.update(
                {"hx-get": cities_url, "hx-target": "#id_city", "hx-swap": "outerHTML", "hx-push-url": "false"}
            )

    def _province_of_city(self) -> str:
        """The province whose cities the city select offers: the chosen one, else the city's own (a
        link with only a city keeps working). A city outside the chosen province stays invalid and is
        reported like any other bad value."""
        if not self.is_bound:
            return ""
        province, city = str(self.data.get("province") or ""), str(self.data.get("city") or "")
        if province or not city:
            return province
        parent = Region.objects.filter(pk=city, level=RegionLevel.CITY).values_list("parent_id", flat=True).first()
        return str(parent or "")

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


class CityChoiceForm(forms.Form):
    """The city select of CustomerFilterForm alone, for the partial fetched when the province changes."""

    city = forms.ModelChoiceField(label=_("City"), queryset=Region.objects.none(), required=False, widget=FastSelect)

    def __init__(self, *args: Any, province: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_cities(self.fields["city"], province)


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
