"""Input validation of the pool admin pages: pool settings, members, recycling rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.core.models import User
from kam.customers.models import CustomerTier, Pool, RecycleReason
from kam.customers.pool_admin_queries import membership_candidates


class PoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    claim_daily_cap = forms.IntegerField(
        label=_("Claims per user per day"), min_value=0, max_value=1000, initial=5, help_text=_("0 stops claiming.")
    )
    reclaim_cooldown_days = forms.IntegerField(
        label=_("Days before a previous owner may reclaim"), min_value=0, max_value=3650, initial=30
    )
    warn_days_before = forms.IntegerField(
        label=_("Warn owners this many days before recycling"), min_value=0, max_value=365, initial=3
    )


def initial_of_pool(pool: Pool) -> dict[str, Any]:
    return {name: getattr(pool, name) for name in PoolForm.base_fields}


class MemberChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name} ({obj.team.name})" if obj.team is not None else obj.name


class PoolMemberForm(forms.Form):
    user = MemberChoiceField(label=_("Colleague"), queryset=User.objects.none())
    is_admin = forms.BooleanField(
        label=_("Pool admin"), required=False, help_text=_("Pool admins assign pool customers to colleagues.")
    )

    def __init__(self, *args: Any, actor: User, pool: Pool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = membership_candidates(actor, pool)  # type: ignore[attr-defined]


TIER_CHOICES = [("", _("All tiers")), *CustomerTier.choices]


class PoolRuleForm(forms.Form):
    reason = forms.ChoiceField(label=_("Rule"), choices=RecycleReason.choices)
    tier = forms.ChoiceField(label=_("Tier"), choices=TIER_CHOICES, required=False)
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=3650,
        help_text=_("Return the customer to the pool after this many days."),
    )
    exempt_locked = forms.BooleanField(label=_("Locked customers are exempt"), required=False, initial=True)
    exempt_won = forms.BooleanField(label=_("Won customers are exempt"), required=False, initial=True)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


def initial_of_rule(rule: Any) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in PoolRuleForm.base_fields}
