"""Writes of the admin console: organization settings, the team tree and user accounts.

Every action takes the acting admin, re-reads its target inside the transaction, refuses what an
admin of another organization or a non-admin asks, and writes field-level audit rows.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import CharField, ProtectedError, Value
from django.db.models.functions import Concat, Substr
from django.http import Http404
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.actions import create_team
from kam.core.errors import refuse
from kam.core.models import AuditAction, AuditEntry, Organization, Role, Team, User, WebhookKind

ORGANIZATION_FIELDS = ["name", "dedup_mode", "default_holding_limit", "default_lock_limit", "checkin_radius_m"]
TEAM_FIELDS = ["name", "kind", "webhook_kind", "webhook_url"]
# Audited without its values, like a password: the history says that it changed, not to what.
TEAM_SECRET_FIELDS = ["webhook_secret"]
USER_FIELDS = [
    "username",
    "display_name",
    "role",
    "team",
    "phone",
    "email",
    "holding_limit",
    "lock_limit",
]
PATH_MAX_LENGTH = Team._meta.get_field("path").max_length or 255
CHECKIN_RADIUS_MIN, CHECKIN_RADIUS_MAX = 50, 5000


def require_admin(actor: User) -> None:
    """Only an administrator of an organization runs the console (403 for everyone else)."""
    if not actor.is_authenticated or actor.role != Role.ADMIN or not actor.is_active:
        raise PermissionDenied


def _same_org(actor: User, obj: models.Model) -> None:
    # Another organization's rows do not exist for this admin: 404, like a missing row.
    if obj.organization_id != actor.organization_id:  # type: ignore[attr-defined]
        raise Http404


# --- organization ------------------------------------------------------------------------


def _record_org_changes(actor: User, org: Organization, before: Mapping[str, str]) -> None:
    """audit.record_changes for the organization row itself, which carries no organization_id."""
    after = audit.snapshot(org, before.keys())
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organization_id=org.pk,
            actor=actor,
            entity=org._meta.label_lower,
            entity_id=org.pk,
            entity_repr=str(org)[:200],
            action=AuditAction.UPDATE,
            field=name,
            old=before[name],
            new=after[name],
        )
        for name in before
        if before[name] != after[name]
    )


@transaction.atomic
def update_organization(
    actor: User,
    *,
    name: str,
    dedup_mode: str,
    default_holding_limit: int,
    default_lock_limit: int,
    checkin_radius_m: int,
) -> Organization:
    """Change the organization's name, duplicate handling (block/warn), default limits and check-in radius."""
    require_admin(actor)
    if not CHECKIN_RADIUS_MIN <= checkin_radius_m <= CHECKIN_RADIUS_MAX:
        raise refuse(
            _("Enter a radius between %(min)d and %(max)d metres.")
            % {"min": CHECKIN_RADIUS_MIN, "max": CHECKIN_RADIUS_MAX},
            "checkin_radius_m",
        )
    org = Organization.objects.select_for_update().get(pk=actor.organization_id)
    before = audit.snapshot(org, ORGANIZATION_FIELDS)
    org.name = name
    org.dedup_mode = dedup_mode
    org.default_holding_limit = default_holding_limit
    org.default_lock_limit = default_lock_limit
    org.checkin_radius_m = checkin_radius_m
    org.save(update_fields=ORGANIZATION_FIELDS)
    _record_org_changes(actor, org, before)
    return org


# --- teams -------------------------------------------------------------------------------


def _locked_team(actor: User, team: Team) -> Team:
    _same_org(actor, team)
    fresh = Team.objects.select_for_update().filter(pk=team.pk, organization_id=actor.organization_id).first()
    if fresh is None:
        raise Http404
    return fresh


def _check_parent(actor: User, parent: Team | None) -> None:
    if parent is not None and parent.organization_id != actor.organization_id:
        raise refuse(_("Choose a parent team of your own organization."), "parent")


def _check_sibling_name(
    actor: User, name: str, parent: Team | None, *, exclude: Team | None = None, field: str = "name"
) -> None:
    siblings = Team.objects.filter(organization_id=actor.organization_id, parent=parent, name=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.exists():
        raise refuse(_("There is already a team called %(name)s there.") % {"name": name}, field)


@transaction.atomic
def add_team(actor: User, *, name: str, parent: Team | None, kind: str) -> Team:
    """A new node of the tree under `parent` (None: a new top-level company)."""
    require_admin(actor)
    _check_parent(actor, parent)
    if parent is not None:
        parent = _locked_team(actor, parent)
        # The new id is unknown yet; 20 characters hold any bigint and its slash.
        if len(parent.path) + 20 > PATH_MAX_LENGTH:
            raise refuse(_("The team tree is too deep here."), "parent")
    _check_sibling_name(actor, name, parent)
    organization = Organization.objects.get(pk=actor.organization_id)
    try:
        with transaction.atomic():
            team = create_team(organization, name, parent=parent, kind=kind)
    except IntegrityError as exc:  # a concurrent create of the same sibling name won
        raise refuse(_("There is already a team called %(name)s there.") % {"name": name}, "name") from exc
    audit.record(actor, team, AuditAction.CREATE)
    return team


def _check_webhook(kind: str, url: str, secret: str) -> None:
    if kind and kind not in WebhookKind.values:
        raise refuse(_("Choose a WeCom or DingTalk group robot."), "webhook_kind")
    if kind and not url:
        raise refuse(_("Enter the robot's webhook address."), "webhook_url")
    if url and not kind:
        raise refuse(_("Choose which kind of robot this address belongs to."), "webhook_kind")
    if url and not url.lower().startswith(("http://", "https://")):
        raise refuse(_("Enter an address starting with http:// or https://."), "webhook_url")
    if secret and kind != WebhookKind.DINGTALK:
        raise refuse(_("Only DingTalk robots sign their messages; leave the secret empty."), "webhook_secret")


@transaction.atomic
def update_team(
    actor: User,
    team: Team,
    *,
    name: str,
    kind: str,
    webhook_kind: str = "",
    webhook_url: str = "",
    webhook_secret: str = "",
) -> Team:
    """Rename a team, change its kind (company, region, team) or its group-robot webhook (none: all empty)."""
    require_admin(actor)
    _check_webhook(webhook_kind, webhook_url, webhook_secret)
    team = _locked_team(actor, team)
    _check_sibling_name(actor, name, team.parent, exclude=team)
    before = audit.snapshot(team, TEAM_FIELDS)
    secret_changed = team.webhook_secret != webhook_secret
    team.name = name
    team.kind = kind
    team.webhook_kind = webhook_kind
    team.webhook_url = webhook_url
    team.webhook_secret = webhook_secret
    team.save(update_fields=TEAM_FIELDS + TEAM_SECRET_FIELDS)
    audit.record_changes(actor, team, before)
    if secret_changed:
        audit.record(actor, team, AuditAction.UPDATE, field="webhook_secret")
    return team


@transaction.atomic
def move_team(actor: User, team: Team, parent: Team | None) -> Team:
    """Hang a team (and its whole subtree) under another parent; every path below is rewritten at once."""
    require_admin(actor)
    _check_parent(actor, parent)
    team = _locked_team(actor, team)
    if parent is not None:
        parent = _locked_team(actor, parent)
        if parent.path.startswith(team.path):
            raise refuse(_("A team cannot move under itself or one of its own sub-teams."), "parent")
    if (parent.pk if parent else None) == team.parent_id:
        return team
    _check_sibling_name(actor, team.name, parent, exclude=team, field="parent")
    old_prefix = team.path
    new_prefix = f"{parent.path if parent else '/'}{team.pk}/"
    subtree = Team.objects.filter(organization_id=actor.organization_id, path__startswith=old_prefix)
    # Lock the whole subtree so a concurrent move inside it waits for this one.
    paths = list(subtree.select_for_update().values_list("path", flat=True))
    if max(map(len, paths)) - len(old_prefix) + len(new_prefix) > PATH_MAX_LENGTH:
        raise refuse(_("The team tree is too deep here."), "parent")
    before = audit.snapshot(team, ["parent"])
    subtree.update(path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1), output_field=CharField()))
    team.parent = parent
    team.path = new_prefix
    team.save(update_fields=["parent"])
    audit.record_changes(actor, team, before)
    return team


@transaction.atomic
def delete_team(actor: User, team: Team) -> None:
    """Remove an empty team: no members (active or not) and no sub-teams."""
    require_admin(actor)
    team = _locked_team(actor, team)
    if User.objects.filter(team=team).exists():
        raise refuse(_("This team still has members; move them to another team first."))
    if Team.objects.filter(parent=team).exists():
        raise refuse(_("This team still has sub-teams; move or delete them first."))
    audit.record(actor, team, AuditAction.PURGE)
    try:
        with transaction.atomic():
            team.delete()
    except ProtectedError as exc:  # rows of other modules still point at the team
        raise refuse(_("Other records still refer to this team; it cannot be deleted.")) from exc


# --- users -------------------------------------------------------------------------------


def _locked_user(actor: User, user: User) -> User:
    _same_org(actor, user)
    fresh = (
        User.objects.select_for_update(of=("self",))
        .select_related("team", "organization")
        .filter(pk=user.pk, organization_id=actor.organization_id)
        .first()
    )
    if fresh is None:
        raise Http404
    return fresh


def _check_username(username: str, exclude: User | None = None) -> None:
    others = User.objects.filter(username=username)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise refuse(_("This username is already taken."), "username")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _check_team(actor: User, team: Team | None) -> None:
    if team is not None and team.organization_id != actor.organization_id:
        raise refuse(_("Choose a team of your own organization."), "team")


@transaction.atomic
def create_user(
    actor: User,
    *,
    username: str,
    password: str,
    role: str,
    team: Team | None,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    holding_limit: int | None = None,
    lock_limit: int | None = None,
) -> User:
    """A new active account of the admin's organization with an initial password."""
    require_admin(actor)
    _check_team(actor, team)
    _check_username(username)
    user = User(
        organization_id=actor.organization_id,
        username=username,
        display_name=display_name,
        role=role,
        team=team,
        phone=phone,
        email=User.objects.normalize_email(email),
        holding_limit=holding_limit,
        lock_limit=lock_limit,
    )
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same username created concurrently
        raise refuse(_("This username is already taken."), "username") from exc
    audit.record(actor, user, AuditAction.CREATE)
    return user


@transaction.atomic
def update_user(
    actor: User,
    user: User,
    *,
    username: str,
    role: str,
    team: Team | None,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    holding_limit: int | None = None,
    lock_limit: int | None = None,
) -> User:
    """Change an account's profile, role, team and limits. An admin cannot demote themselves."""
    require_admin(actor)
    user = _locked_user(actor, user)
    if user.pk == actor.pk and role != Role.ADMIN:
        raise refuse(_("You cannot take the administrator role away from yourself."), "role")
    _check_team(actor, team)
    _check_username(username, exclude=user)
    before = audit.snapshot(user, USER_FIELDS)
    user.username = username
    user.display_name = display_name
    user.role = role
    user.team = team
    user.phone = phone
    user.email = User.objects.normalize_email(email)
    user.holding_limit = holding_limit
    user.lock_limit = lock_limit
    try:
        with transaction.atomic():
            user.save(update_fields=USER_FIELDS)
    except IntegrityError as exc:
        raise refuse(_("This username is already taken."), "username") from exc
    audit.record_changes(actor, user, before)
    return user


def _set_active(actor: User, user: User, active: bool) -> User:
    user = _locked_user(actor, user)
    if user.is_active == active:
        return user
    before = audit.snapshot(user, ["is_active"])
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record_changes(actor, user, before)
    return user


@transaction.atomic
def deactivate_user(actor: User, user: User) -> User:
    """停用: the account can no longer log in, keep a session or use its API tokens."""
    require_admin(actor)
    if user.pk == actor.pk:
        raise refuse(_("You cannot deactivate your own account."))
    return _set_active(actor, user, False)


@transaction.atomic
def reactivate_user(actor: User, user: User) -> User:
    """启用 a deactivated account again (its password and tokens work again)."""
    require_admin(actor)
    return _set_active(actor, user, True)


@transaction.atomic
def set_user_password(actor: User, user: User, password: str) -> User:
    """Reset a password (Django's validators apply); the user's other sessions end with it."""
    require_admin(actor)
    user = _locked_user(actor, user)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # Never the hash: the row only says that the password changed, by whom and when.
    audit.record(actor, user, AuditAction.UPDATE, field="password")
    return user


@transaction.atomic
def unlock_user(actor: User, user: User) -> User:
    """Lift a lock set by repeated failed logins."""
    require_admin(actor)
    user = _locked_user(actor, user)
    before = audit.snapshot(user, ["locked_until", "failed_logins"])
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit.record_changes(actor, user, before)
    return user
