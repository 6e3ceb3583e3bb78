"""Writes to 大客户规划: the plan itself (Gold Sheet fields), our team, the customer's key players and the
manager's reviews. Objectives and actions: actions_plan_objectives.py; the grid: actions_whitespace.py.

Every write re-reads the plan through the access rules (write: whoever may write the customer; review:
managers above the owner and admins) and leaves audit rows in its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import StaleVersion, refuse
from kam.core.models import AuditAction, User
from kam.core.notify import notify
from kam.customers.models import Contact, Customer
from kam.customers.queries import get_customer_for_user
from kam.planning.models.account_plans import (
    AccountPlan,
    AccountPlanReview,
    KeyPlayer,
    KeyPlayerRole,
    PlanTeamMember,
    RelationshipStage,
)
from kam.planning.queries_account_plans import PLAN_FIELDS, get_plan_for_user

REVIEW_NOTIFICATION = "account_plan_review"


def writable_plan(actor: User, plan: AccountPlan) -> AccountPlan:
    """The plan re-read for a write (404 hidden, 403 read-only), its row locked for the transaction."""
    plan = get_plan_for_user(actor, plan.pk, write=True)
    AccountPlan.objects.select_for_update().filter(pk=plan.pk).values_list("pk").get()
    return plan


def check_colleague(plan: AccountPlan, user: User, field: str, *, current: int | None = None) -> None:
    """An active user of the plan's organization (the one already there may stay though deactivated)."""
    if user.organization_id != plan.organization_id or (not user.is_active and user.pk != current):
        raise refuse(_("Choose an active colleague."), field)


def _plan_values(values: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: values[name] for name in PLAN_FIELDS if name in values}
    for name in ("trends", "strengths", "vulnerabilities"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "relationship_stage" in data and data["relationship_stage"] not in RelationshipStage.values:
        raise refuse(_("Choose a relationship stage."), "relationship_stage")
    return data


@transaction.atomic
def create_plan(actor: User, customer: Customer, values: Mapping[str, Any]) -> AccountPlan:
    """A new plan for a customer the actor may write; its owner is the customer's owner. One per customer."""
    customer = get_customer_for_user(actor, customer.pk, write=True)
    if customer.owner is None:
        raise refuse(_("Only a customer with an owner can have an account plan."), "customer")
    if AccountPlan.objects.filter(customer_id=customer.pk).exists():
        raise refuse(_("This customer has an account plan already."), "customer")
    data = _plan_values(values)
    try:
        with transaction.atomic():  # a plan created meanwhile trips the one-to-one key: same answer
            plan = AccountPlan.objects.create(
                organization_id=customer.organization_id, customer=customer, owner=customer.owner, **data
            )
    except IntegrityError as exc:
        raise refuse(_("This customer has an account plan already."), "customer") from exc
    audit.record(actor, plan, AuditAction.CREATE)
    return plan


@transaction.atomic
def update_plan(
    actor: User, plan: AccountPlan, values: Mapping[str, Any], *, expected_version: int | None = None
) -> AccountPlan:
    """Change the given Gold Sheet fields; one audit row per changed field; the version goes up."""
    plan = writable_plan(actor, plan)
    plan.refresh_from_db(fields=[*PLAN_FIELDS, "version"])
    if expected_version is not None and plan.version != expected_version:
        raise StaleVersion(plan.version)
    data = _plan_values(values)
    changed = [name for name, value in data.items() if getattr(plan, name) != value]
    if not changed:
        return plan
    before = audit.snapshot(plan, PLAN_FIELDS)
    for name in changed:
        setattr(plan, name, data[name])
    plan.version = F("version") + 1  # type: ignore[assignment]
    plan.save(update_fields=[*changed, "version", "updated_at"])
    plan.refresh_from_db(fields=[*PLAN_FIELDS, "version"])
    audit.record_changes(actor, plan, before)
    return plan


# --- our team ---------------------------------------------------------------------------------


@transaction.atomic
def add_team_member(actor: User, plan: AccountPlan, user: User, responsibility: str = "") -> PlanTeamMember:
    """Put a colleague on our side of the account with what they do for it (once per colleague)."""
    plan = writable_plan(actor, plan)
    check_colleague(plan, user, "user")
    if plan.team.filter(user_id=user.pk).exists():
        raise refuse(_("%(name)s is on the account team already.") % {"name": user.name}, "user")
    member = PlanTeamMember.objects.create(
        organization_id=plan.organization_id, plan=plan, user=user, responsibility=responsibility.strip()
    )
    audit.record(actor, member, AuditAction.CREATE)
    return member


@transaction.atomic
def update_team_member(actor: User, member: PlanTeamMember, responsibility: str) -> PlanTeamMember:
    """Change what a team member does for the account."""
    writable_plan(actor, member.plan)
    before = audit.snapshot(member, ["responsibility"])
    member.responsibility = responsibility.strip()
    member.save(update_fields=["responsibility"])
    audit.record_changes(actor, member, before)
    return member


@transaction.atomic
def remove_team_member(actor: User, member: PlanTeamMember) -> None:
    """Take a colleague off the account team."""
    writable_plan(actor, member.plan)
    audit.record(actor, member, AuditAction.DELETE, old=audit.in_default_language(member.user))
    member.delete()


# --- key players ------------------------------------------------------------------------------

KEY_PLAYER_FIELDS = ["role", "notes"]


def _check_role(role: str) -> None:
    if role not in KeyPlayerRole.values:
        raise refuse(_("Choose a role."), "role")


@transaction.atomic
def add_key_player(actor: User, plan: AccountPlan, contact: Contact, role: str, notes: str = "") -> KeyPlayer:
    """Name a contact of this customer as a key player of the account (once per contact)."""
    plan = writable_plan(actor, plan)
    if contact.customer_id != plan.customer_id or contact.is_deleted:
        raise refuse(_("Choose a contact of this customer."), "contact")
    _check_role(role)
    if plan.key_players.filter(contact_id=contact.pk).exists():
        raise refuse(_("%(name)s is a key player already.") % {"name": contact.name}, "contact")
    player = KeyPlayer.objects.create(
        organization_id=plan.organization_id, plan=plan, contact=contact, role=role, notes=notes.strip()
    )
    audit.record(actor, player, AuditAction.CREATE)
    return player


@transaction.atomic
def update_key_player(actor: User, player: KeyPlayer, values: Mapping[str, Any]) -> KeyPlayer:
    """Change a key player's role or notes."""
    writable_plan(actor, player.plan)
    data = {name: values[name] for name in KEY_PLAYER_FIELDS if name in values}
    if "role" in data:
        _check_role(data["role"])
    if "notes" in data:
        data["notes"] = (data["notes"] or "").strip()
    changed = [name for name, value in data.items() if getattr(player, name) != value]
    if changed:
        before = audit.snapshot(player, KEY_PLAYER_FIELDS)
        for name in changed:
            setattr(player, name, data[name])
        player.save(update_fields=changed)
        audit.record_changes(actor, player, before)
    return player


@transaction.atomic
def remove_key_player(actor: User, player: KeyPlayer) -> None:
    """Take a contact off the key players."""
    writable_plan(actor, player.plan)
    audit.record(actor, player, AuditAction.DELETE, old=audit.in_default_language(player))
    player.delete()


# --- reviews ----------------------------------------------------------------------------------


def shanghai_today() -> date:
    return timezone.localdate()


@transaction.atomic
def add_review(actor: User, plan: AccountPlan, reviewed_on: date, comments: str) -> AccountPlanReview:
    """A manager above the owner (or an admin) reviews the plan; the owner is told.

    `last_reviewed_on` keeps the latest review date, so a review entered late does not move it back.
    """
    plan = get_plan_for_user(actor, plan.pk, review=True)
    AccountPlan.objects.select_for_update().filter(pk=plan.pk).values_list("pk").get()
    plan.refresh_from_db(fields=["last_reviewed_on", "version"])
    comments = (comments or "").strip()
    if not comments:
        raise refuse(_("Write what you told the plan owner."), "comments")
    if reviewed_on > shanghai_today():
        raise refuse(_("A review cannot be dated in the future."), "reviewed_on")
    review = AccountPlanReview.objects.create(
        organization_id=plan.organization_id, plan=plan, reviewer=actor, reviewed_on=reviewed_on, comments=comments
    )
    audit.record(actor, review, AuditAction.CREATE)
    if plan.last_reviewed_on is None or reviewed_on > plan.last_reviewed_on:
        before = audit.snapshot(plan, ["last_reviewed_on"])
        plan.last_reviewed_on = reviewed_on
        plan.save(update_fields=["last_reviewed_on", "updated_at"])
        audit.record_changes(actor, plan, before)
    _notify_review(actor, plan, review)
    return review


def _notify_review(actor: User, plan: AccountPlan, review: AccountPlanReview) -> None:
    owner = plan.owner
    if owner.pk == actor.pk or not owner.is_active:
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s reviewed your account plan for %(customer)s") % {
            "name": actor.name,
            "customer": plan.customer.name,
        }
    notify(owner, REVIEW_NOTIFICATION, title, review.comments, reverse("account-plan-detail", args=[plan.pk]))
