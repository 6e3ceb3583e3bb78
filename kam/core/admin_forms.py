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
from kam.core.models import Role, Team, TeamKind, User
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
