"""Whose deals and which period the win/loss analysis counts (see kam.market.winloss)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import FloatField, Func, Q, QuerySet
from django.utils import timezone

from kam.core.models import Role, Team, User
from kam.customers.models import Customer
from kam.market.winloss_rows import WinLossQuery
from kam.sales.models import OpportunityStatus

DECIDED = (OpportunityStatus.WON, OpportunityStatus.LOST)
CLOSED = (OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.INVALID)


class DaysBetween(Func):
    """(first − second) in days, as a float, computed by the database (no per-row Python)."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 86400.0)"
    arg_joiner = " - "
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores SQLite datetimes as UTC text, which julianday() reads.
        return self.as_sql(
            compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday(", **extra
        )


def covers_whole_organization(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.DIRECTOR)


def analysis_teams(user: User) -> QuerySet[Team]:
    """Teams the viewer may narrow the analysis to: every team for admins and directors, a
    manager's subtree, none for everyone else (their numbers are their own deals)."""
    teams = Team.objects.filter(organization_id=user.organization_id).only("id", "name", "path", "parent_id")
    if covers_whole_organization(user):
        return teams.order_by("path")
    if user.supervises and user.team is not None:
        return teams.filter(path__startswith=user.team.path).order_by("path")
    return teams.none()


def _users_under(team: Team) -> QuerySet[User]:
    return User.objects.filter(organization_id=team.organization_id, team__path__startswith=team.path).values("id")  # type: ignore[return-value]


def deal_filter(user: User, query: WinLossQuery, prefix: str = "") -> Q:
    """The population of the viewer (module docstring) as a Q on Opportunity, or on a model that
    reaches it through `prefix` ("opportunity__")."""
    # Deals of customers in the recycle bin do not count. A short NOT IN list instead of a join
    # to customers: the join cost a customer lookup per deal (docs in the module docstring).
    deleted = Customer.all_objects.filter(organization_id=user.organization_id, deleted_at__isnull=False)
    q = Q(**{f"{prefix}organization_id": user.organization_id}) & ~Q(
        **{f"{prefix}customer_id__in": deleted.values("id")}
    )
    if not covers_whole_organization(user):
        if user.supervises and user.team is not None:
            q &= Q(**{f"{prefix}owner_id__in": _users_under(user.team)})
        else:
            q &= Q(**{f"{prefix}owner_id": user.pk})
    if query.team is not None:
        q &= Q(**{f"{prefix}owner_id__in": _users_under(query.team)})
    if query.business_line is not None:
        q &= Q(**{f"{prefix}business_line_id": query.business_line.pk})
    return q


def period_bounds(query: WinLossQuery) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) on the Shanghai wall clock."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(query.start, time.min, tzinfo=zone)
    return start, datetime.combine(query.end + timedelta(days=1), time.min, tzinfo=zone)


def closed_in_period(user: User, query: WinLossQuery, prefix: str = "") -> Q:
    start, end = period_bounds(query)
    return deal_filter(user, query, prefix) & Q(
        **{f"{prefix}status__in": CLOSED, f"{prefix}closed_at__gte": start, f"{prefix}closed_at__lt": end}
    )
