"""Writes of the deal team: members with a role, read or write access and a revenue split.

The owner, the managers above the owner and admins manage the team (`may_manage_deal_team`). The
splits of a deal always add up to 100 %: a change that breaks the sum is refused, naming the sum it
would give; a removed member's split goes back to the deal owner. Every change is an audit row on
the deal; a new member is notified.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.core.notify import notify
from kam.sales.models import MemberAccess, Opportunity, OpportunityMember, TeamRole
from kam.sales.queries import get_opportunity_for_user, may_manage_deal_team

TEAM_FIELD = "deal_team"
HUNDRED = Decimal("100")
SPLIT_PLACES = Decimal("0.01")


def _percent(value: Decimal) -> str:
    """12.50 → "12.5", 100.00 → "100" (how people write a split)."""
    text = format(value.quantize(SPLIT_PLACES), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def describe(member: OpportunityMember) -> str:
    """One member as the audit history reads it: 张三: 售前, 只读, 20 %."""
    with translation.override(settings.LANGUAGE_CODE):
        role, access = TeamRole(member.role).label, MemberAccess(member.access).label
        return f"{member.user.name}: {role}, {access}, {_percent(member.split_percent)} %"


def check_manager(actor: User, deal: Opportunity) -> None:
    """403 unless `actor` manages this (visible) deal's team."""
    if not may_manage_deal_team(actor, deal):
        raise PermissionDenied


def no_colleague_message() -> str:
    return _("Choose an active colleague from your organization.")


def _managed_deal(actor: User, deal: Opportunity) -> Opportunity:
    """The deal reloaded for `actor` (404 when hidden), locked; 403 unless they manage its team."""
    deal = get_opportunity_for_user(actor, deal.pk)
    check_manager(actor, deal)
    # Two managers editing splits at once must not both pass the 100 % check.
    Opportunity.objects.select_for_update().filter(pk=deal.pk).values_list("pk", flat=True).first()
    return deal


def clean_split(value: Any, field: str = "split_percent") -> Decimal:
    """A split between 0 and 100 with at most two decimals."""
    try:
        split = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise refuse(_("Enter the split as a number between 0 and 100."), field) from exc
    if not split.is_finite() or not 0 <= split <= HUNDRED or split != split.quantize(SPLIT_PLACES):
        raise refuse(_("Enter the split as a number between 0 and 100."), field)
    return split.quantize(SPLIT_PLACES)


def _check_total(total: Decimal, current: Decimal, field: str) -> None:
    if total != HUNDRED:
        raise refuse(
            _(
                "The revenue splits of the deal team must add up to 100 %%; "
                "they add up to %(current)s %% now and would add up to %(total)s %% with this change."
            )
            % {"current": _percent(current), "total": _percent(total)},
            field,
        )


def _check_role(deal: Opportunity, user: User, role: str, access: str) -> None:
    if role not in TeamRole.values:
        raise refuse(_("Choose a role from the list."), "role")
    if access not in MemberAccess.values:
        raise refuse(_("Choose read-only or read-write access."), "access")
    if user.pk == deal.owner_id and (role != TeamRole.OWNER or access != MemberAccess.WRITE):
        raise refuse(_("The deal owner keeps the owner role and write access."), "role")
    if user.pk != deal.owner_id and role == TeamRole.OWNER:
        raise refuse(_("Only the deal owner has the owner role; change the deal's owner instead."), "role")


@transaction.atomic
def set_member(
    actor: User, deal: Opportunity, user: User, *, role: str, access: str, split_percent: Any
) -> OpportunityMember:
    """Add a colleague to the deal team or change their role, access or split (owner, managers above,
    admins). A split that changes must leave the team's splits at exactly 100 %."""
    deal = _managed_deal(actor, deal)
    split = clean_split(split_percent)
    _check_role(deal, user, role, access)
    members = list(OpportunityMember.objects.filter(opportunity_id=deal.pk).select_related("user").order_by("id"))
    existing = next((m for m in members if m.user_id == user.pk), None)
    if existing is None and (user.organization_id != deal.organization_id or not user.is_active):
        raise refuse(no_colleague_message(), "user")
    current = sum((m.split_percent for m in members), Decimal("0"))
    previous = existing.split_percent if existing else Decimal("0")
    if split != previous:
        _check_total(current - previous + split, current, "split_percent")
    if existing is None:
        member = OpportunityMember.objects.create(
            organization_id=deal.organization_id,
            opportunity=deal,
            user=user,
            role=role,
            access=access,
            split_percent=split,
        )
        audit.record(actor, deal, AuditAction.UPDATE, field=TEAM_FIELD, new=describe(member))
        if user.pk != actor.pk:
            _notify_added(actor, deal, user)
        return member
    before = describe(existing)
    existing.role, existing.access, existing.split_percent = role, access, split
    existing.save(update_fields=["role", "access", "split_percent"])
    after = describe(existing)
    if after != before:
        audit.record(actor, deal, AuditAction.UPDATE, field=TEAM_FIELD, old=before, new=after)
    return existing


@transaction.atomic
def set_splits(actor: User, deal: Opportunity, splits: Mapping[int, Any]) -> list[OpportunityMember]:
    """Set several members' splits at once (user id → %); members not named keep theirs. The result
    must add up to exactly 100 %."""
    deal = _managed_deal(actor, deal)
    members = list(OpportunityMember.objects.filter(opportunity_id=deal.pk).select_related("user").order_by("id"))
    by_user = {m.user_id: m for m in members}
    unknown = [user_id for user_id in splits if user_id not in by_user]
    if unknown:
        raise refuse(_("Only members of the deal team have a split."), "splits")
    wanted = {user_id: clean_split(value, "splits") for user_id, value in splits.items()}
    current = sum((m.split_percent for m in members), Decimal("0"))
    total = sum((wanted.get(m.user_id, m.split_percent) for m in members), Decimal("0"))
    _check_total(total, current, "splits")
    changed = [m for m in members if m.user_id in wanted and wanted[m.user_id] != m.split_percent]
    for member in changed:
        before = describe(member)
        member.split_percent = wanted[member.user_id]
        member.save(update_fields=["split_percent"])
        audit.record(actor, deal, AuditAction.UPDATE, field=TEAM_FIELD, old=before, new=describe(member))
    return members


@transaction.atomic
def remove_member(actor: User, deal: Opportunity, user: User) -> None:
    """Take someone off the deal team; their split goes back to the deal owner. The owner stays."""
    deal = _managed_deal(actor, deal)
    if user.pk == deal.owner_id:
        raise refuse(_("The deal owner cannot leave the deal team; give the deal to someone else first."), "user")
    member = OpportunityMember.objects.filter(opportunity_id=deal.pk, user_id=user.pk).select_related("user").first()
    if member is None:
        return
    if member.split_percent:
        owner_row = (
            OpportunityMember.objects.filter(opportunity_id=deal.pk, user_id=deal.owner_id)
            .select_related("user")
            .first()
        )
        if owner_row is not None:
            before = describe(owner_row)
            owner_row.split_percent += member.split_percent
            owner_row.save(update_fields=["split_percent"])
            audit.record(actor, deal, AuditAction.UPDATE, field=TEAM_FIELD, old=before, new=describe(owner_row))
    audit.record(actor, deal, AuditAction.UPDATE, field=TEAM_FIELD, old=describe(member))
    member.delete()


def deal_url(deal: Opportunity) -> str:
    """The deal page (empty while the deal pages are not installed)."""
    try:
        return reverse("deal-detail", args=[deal.pk])
    except NoReverseMatch:
        return ""


@contextmanager
def _default_language() -> Iterator[None]:
    # Written once and read by the recipient, whatever language the actor browses in.
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _notify_added(actor: User, deal: Opportunity, user: User) -> None:
    with _default_language():
        title = _("%(name)s added you to the deal team of %(deal)s") % {"name": actor.name, "deal": deal.name}
        body = _("Customer: %(customer)s") % {"customer": deal.customer.name}
    notify(user, "deal.team_added", title, body, deal_url(deal))
