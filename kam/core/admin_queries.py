"""Reads of the admin console, always inside the admin's own organization (others' rows: 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kam.core import audit
from kam.core.models import AuditEntry, HolidayOverride, Organization, Team, User
from kam.core.queries import get_or_404


@dataclass(frozen=True)
class TeamNode:
    """One row of the indented team tree."""

    team: Team
    depth: int
    member_count: int
    child_count: int

    @property
    def indent(self) -> str:
        # Ideographic spaces indent the name in tables and selects alike, without styling.
        return "\u3000" * self.depth


def depth_of(team: Team) -> int:
    """0 for a top-level team: "/1/" has two slashes, each level adds one."""
    return team.path.count("/") - 2


def team_tree(actor: User) -> list[TeamNode]:
    """Every team of the organization in tree order, with its (active and inactive) member and child counts."""
    teams = (
        Team.objects.filter(organization_id=actor.organization_id)
        .annotate(member_count=Count("members", distinct=True), child_count=Count("children", distinct=True))
        .order_by("path")
    )
    return [TeamNode(team, depth_of(team), team.member_count, team.child_count) for team in teams]  # type: ignore[attr-defined]


def teams_for_admin(actor: User) -> QuerySet[Team]:
    return Team.objects.filter(organization_id=actor.organization_id).order_by("path")


def get_team_for_admin(actor: User, pk: Any) -> Team:
    return get_or_404(Team.objects.select_related("parent").filter(organization_id=actor.organization_id), pk)


def team_members(team: Team) -> QuerySet[User]:
    return User.objects.filter(team=team).order_by("-is_active", "username")


@dataclass
class UserFilters:
    q: str = ""
    team: Team | None = None
    role: str = ""
    active: bool | None = None


def user_list(actor: User, filters: UserFilters) -> QuerySet[User]:
    """The organization's accounts, filtered; a team filter takes its sub-teams too."""
    users = User.objects.filter(organization_id=actor.organization_id)
    if filters.q:
        term = filters.q.strip()
        users = users.filter(Q(username__icontains=term) | Q(display_name__icontains=term) | Q(phone__contains=term))
    if filters.team is not None:
        users = users.filter(team__path__startswith=filters.team.path)
    if filters.role:
        users = users.filter(role=filters.role)
    if filters.active is not None:
        users = users.filter(is_active=filters.active)
    return (
        users.select_related("team")
        .annotate(
            owned_count=Count("owned_customers", filter=Q(owned_customers__deleted_at__isnull=True), distinct=True)
        )
        .order_by("-is_active", "username")
    )


def get_user_for_admin(actor: User, pk: Any) -> User:
    return get_or_404(
        User.objects.select_related("team", "organization").filter(organization_id=actor.organization_id), pk
    )


def colleagues_for_transfer(actor: User, leaving: User) -> QuerySet[User]:
    """Active accounts that could take over the customers of `leaving`."""
    return (
        User.objects.filter(organization_id=actor.organization_id, is_active=True)
        .exclude(pk=leaving.pk)
        .select_related("team")
        .order_by("username")
    )


@dataclass(frozen=True)
class ConsoleSummary:
    teams: int
    active_users: int
    inactive_users: int


def console_summary(actor: User) -> ConsoleSummary:
    counts = User.objects.filter(organization_id=actor.organization_id).aggregate(
        active=Count("pk", filter=Q(is_active=True)), inactive=Count("pk", filter=Q(is_active=False))
    )
    teams = Team.objects.filter(organization_id=actor.organization_id).count()
    return ConsoleSummary(teams=teams, active_users=counts["active"], inactive_users=counts["inactive"])


@dataclass(frozen=True)
class HistoryRow:
    entry: AuditEntry
    label: str


HISTORY_ROWS = 50
# Fields that are not model fields (or have no readable verbose name) in audit rows of the console.
EXTRA_LABELS = {
    "members": _("Members"),
    "rules": _("Rules"),
    "password": _("Password"),
    "is_active": _("Active"),
    "locked_until": _("Locked until"),
    "failed_logins": _("Failed logins"),
    "visit_cadence_days": _("Visit cadence (days)"),
    "webhook_secret": _("Signing secret"),
    "calendar_feed": _("Calendar feed"),
    "override": _("Override"),
}


def _label(model: type[models.Model] | None, field: str) -> str:
    if field in EXTRA_LABELS:
        return str(EXTRA_LABELS[field])
    return str(audit.field_label(model, field)) if model is not None and field else field


def history_of(instance: models.Model) -> list[HistoryRow]:
    """The latest audit rows of one team, account or pool, with readable field labels."""
    entries = audit.history(instance, limit=HISTORY_ROWS)
    return [HistoryRow(entry, _label(type(instance), entry.field)) for entry in entries]


def organization_history(actor: User) -> list[HistoryRow]:
    """The latest changes of the organization settings and the tier service levels."""
    entries = (
        AuditEntry.objects.filter(
            organization_id=actor.organization_id, entity__in=["core.organization", "customers.servicelevel"]
        )
        .select_related("actor")
        .order_by("-at", "-id")[:HISTORY_ROWS]
    )
    rows = []
    for entry in entries:
        if entry.entity == "core.organization":
            rows.append(HistoryRow(entry, _label(Organization, entry.field)))
        else:  # a service level: say which tier
            rows.append(HistoryRow(entry, f"{entry.entity_repr} · {_label(None, entry.field)}"))
    return rows


# --- working calendar (节假日) ----------------------------------------------------------------


def holiday_overrides(actor: User, year: int) -> QuerySet[HolidayOverride]:
    """The organization's overrides in `year`, by date."""
    return HolidayOverride.objects.filter(
        organization_id=actor.organization_id, day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)
    ).order_by("day")


def get_holiday_override_for_admin(actor: User, pk: Any) -> HolidayOverride:
    return get_or_404(HolidayOverride.objects.filter(organization_id=actor.organization_id), pk)


def holiday_history(actor: User) -> list[HistoryRow]:
    """The latest changes of the organization's holiday overrides."""
    entries = (
        AuditEntry.objects.filter(organization_id=actor.organization_id, entity="core.holidayoverride")
        .select_related("actor")
        .order_by("-at", "-id")[:HISTORY_ROWS]
    )
    return [HistoryRow(entry, f"{entry.entity_repr} · {_label(HolidayOverride, entry.field)}") for entry in entries]
