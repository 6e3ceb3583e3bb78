"""Input validation of the admin console pages (organization, teams, users).

The actions re-check what only the database can tell (unique usernames, sibling names, tree moves)
and answer with field errors that the views put back onto these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_stubs_ext import StrOrPromise

from kam.core.admin_queries import UserFilters, depth_of, teams_for_admin
from kam.core.china import normalize_phone
from kam.core.models import Role, Team, TeamKind, User, WebhookKind
from kam.core.models.org import DedupMode

# Django 5.2 words this validator message with %d; its own zh_Hans catalogue only knows the older
# %(min_length)d wording, so KAM's catalogue carries the translation (makemessages finds it here).
PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    8,
)

LIMIT_MAX = 100_000


class TeamChoiceField(forms.ModelChoiceField[Team]):
    """Teams in tree order, each indented by its depth, so one select shows the tree."""

    def label_from_instance(self, obj: Team) -> str:
        return "\u3000" * depth_of(obj) + obj.name


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Organization name"), max_length=200)
    dedup_mode = forms.ChoiceField(
        label=_("Duplicate handling"),
        choices=DedupMode.choices,
        help_text=_("Block refuses a new customer that matches an existing one; warn lets the user confirm."),
    )
    default_holding_limit = forms.IntegerField(
        label=_("Default holding limit"),
        min_value=1,
        max_value=LIMIT_MAX,
        help_text=_("How many customers one person may own, unless their account says otherwise."),
    )
    default_lock_limit = forms.IntegerField(
        label=_("Default lock limit"),
        min_value=0,
        max_value=LIMIT_MAX,
        help_text=_("How many customers one person may lock against recycling, unless their account says otherwise."),
    )
    checkin_radius_m = forms.IntegerField(
        label=_("Visit check-in radius (m)"),
        min_value=50,
        max_value=5000,
        help_text=_("A check-in farther than this from the customer's stored location is flagged as out of range."),
    )


class ServiceLevelForm(forms.Form):
    """Visit cadence per tier; an empty field means the tier promises no cadence."""

    TIERS = ("A", "B", "C")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for tier in self.TIERS:
            self.fields[f"tier_{tier}"] = forms.IntegerField(
                label=_("Tier %(tier)s: visit at least every N days") % {"tier": tier},
                min_value=1,
                max_value=3650,
                required=False,
            )

    def cadences(self) -> dict[str, int | None]:
        return {tier: self.cleaned_data.get(f"tier_{tier}") for tier in self.TIERS}


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices, initial=TeamKind.TEAM)
    parent = TeamChoiceField(
        label=_("Parent team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("(top level)"),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = teams_for_admin(actor)  # type: ignore[attr-defined]


class TeamEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    webhook_kind = forms.ChoiceField(
        label=_("Group robot"),
        choices=[("", _("(none)")), *WebhookKind.choices],
        required=False,
        help_text=_("A WeCom or DingTalk group robot that receives the team's notifications."),
    )
    webhook_url = forms.URLField(
        label=_("Webhook address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
        help_text=_("The robot's address as the group settings show it, starting with https://."),
    )
    webhook_secret = forms.CharField(
        label=_("Signing secret"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("DingTalk only, when the robot signs its messages (加签); leave empty otherwise."),
    )

    def clean_webhook_url(self) -> str:
        url: str = self.cleaned_data.get("webhook_url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Enter an address starting with http:// or https://."), code="scheme")
        return url

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        kind, url, secret = (cleaned.get(name) for name in ("webhook_kind", "webhook_url", "webhook_secret"))
        if kind and not url and "webhook_url" not in self.errors:
            self.add_error("webhook_url", _("Enter the robot's webhook address."))
        if url and not kind:
            self.add_error("webhook_kind", _("Choose which kind of robot this address belongs to."))
        if secret and kind != WebhookKind.DINGTALK:
            self.add_error("webhook_secret", _("Only DingTalk robots sign their messages; leave the secret empty."))
        return cleaned


def team_initial(team: Team) -> dict[str, Any]:
    return {name: getattr(team, name) for name in TeamEditForm.base_fields}


class TeamMoveForm(forms.Form):
    parent = TeamChoiceField(
        label=_("New parent team"), queryset=Team.objects.none(), required=False, empty_label=_("(top level)")
    )

    def __init__(self, *args: Any, actor: User, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The team's own subtree stays in the list: picking it gets a clear refusal, not a vanished option.
        self.fields["parent"].queryset = teams_for_admin(actor).exclude(pk=team.pk)  # type: ignore[attr-defined]


ACTIVE_CHOICES = [("", _("Active and deactivated")), ("1", _("Active")), ("0", _("Deactivated"))]


class UserFilterForm(forms.Form):
    """The user list filters. Invalid values are dropped, never fatal."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.SearchInput)
    team = TeamChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *Role.choices], required=False)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Name, username or phone"), "aria-label": _("Search accounts")}
        )
        self.fields["team"].queryset = teams_for_admin(actor)  # type: ignore[attr-defined]

    def filters(self) -> UserFilters:
        """The valid part of the input; call after is_valid()."""
        data = getattr(self, "cleaned_data", {})
        active = data.get("active")
        return UserFilters(
            q=data.get("q") or "",
            team=data.get("team"),
            role=data.get("role") or "",
            active=None if not active else active == "1",
        )


def _limit_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=LIMIT_MAX, required=False, help_text=help_text)


class UserForm(forms.Form):
    """An account's profile; create adds the initial password (UserCreateForm)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Used to log in. Letters, digits and @/./+/-/_ only."),
    )
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REP)
    team = TeamChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    holding_limit = _limit_field(_("Holding limit"), _("Empty means the organization default."))
    lock_limit = _limit_field(_("Lock limit"), _("Empty means the organization default."))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_for_admin(actor)  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        raw = str(self.cleaned_data.get("phone") or "").strip()
        return normalize_phone(raw) if raw else ""

    def profile(self) -> dict[str, Any]:
        """The cleaned values the create/update actions take."""
        return {name: self.cleaned_data[name] for name in UserForm.base_fields}


def initial_of(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in UserForm.base_fields}


class PasswordFields(forms.Form):
    """A new password typed twice and checked by Django's validators against the account."""

    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_confirm = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = password_validators_help_text_html()

    def account(self) -> User | None:
        """The account the password is for, for the similarity check (None: checked by the action)."""
        return None

    def clean_password_confirm(self) -> str:
        password = self.cleaned_data.get("password")
        confirm: str = self.cleaned_data.get("password_confirm", "")
        if password and confirm and password != confirm:
            raise ValidationError(_("The two passwords differ."), code="password_mismatch")
        return confirm

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        password = cleaned.get("password")
        if password:
            try:
                validate_password(password, self.account())
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class UserCreateForm(UserForm, PasswordFields):
    def account(self) -> User:
        data = self.cleaned_data
        return User(username=data.get("username", ""), email=data.get("email", ""))


class PasswordResetForm(PasswordFields):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def account(self) -> User:
        return self.user


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name} ({obj.team.name})" if obj.team is not None else obj.name


class DeactivateForm(forms.Form):
    transfer_to = UserChoiceField(
        label=_("Transfer their customers to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(keep them with the deactivated account)"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, colleagues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transfer_to"].queryset = colleagues  # type: ignore[attr-defined]


WORKDAY_CHOICES = [("0", _("Day off")), ("1", _("Working day"))]


class HolidayOverrideForm(forms.Form):
    """One date that differs from the statutory calendar for this organization."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_workday = forms.TypedChoiceField(
        label=_("The day is"),
        choices=WORKDAY_CHOICES,
        coerce=lambda value: value == "1",
        empty_value=None,
        help_text=_("A day off (company holiday, a statutory holiday KAM does not know yet) or a working day (调休)."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        required=False,
        help_text=_("Shown on the calendar, e.g. 国庆节 or 调休上班."),
    )


def override_initial(override: Any) -> dict[str, Any]:
    return {"day": override.day, "is_workday": "1" if override.is_workday else "0", "name": override.name}


class HolidayYearForm(forms.Form):
    """The year shown on the holidays page; an invalid value falls back to this year."""

    year = forms.IntegerField(min_value=2000, max_value=2099, required=False)
