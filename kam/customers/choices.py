"""Choices for the pickers of the customer pages, sized to what the user can actually use.

The list filters and the 360 page used to offer every colleague and every city of the country
(~1,200 <option>s, about 60 ms of template rendering per page: docs/benchmarks.md §5). Here each
picker offers only what can match: owners whose customers the user may see, teams of the user's
subtree, the cities of one province, and at most ten colleagues matching what was typed.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Exists, OuterRef, Q, QuerySet

from kam.core.china import search_terms
from kam.core.models import Role, Team, User
from kam.customers.models import Collaborator, Customer, Region, RegionLevel

SUGGESTIONS = 10


def _subtree_q(user: User, prefix: str = "") -> Q:
    """The user's team and every team below it (admins: the whole organization)."""
    if user.role == Role.ADMIN:
        return Q(**{f"{prefix}organization_id": user.organization_id})
    if user.team_id is None:
        return Q(pk__in=[])
    team = user.team
    assert team is not None
    return Q(**{f"{prefix}organization_id": user.organization_id, f"{prefix}path__startswith": team.path})


def team_choices(user: User) -> QuerySet[Team]:
    """Teams the list may be filtered by: the user's subtree (admins: every team), tree order."""
    return Team.objects.filter(_subtree_q(user)).only("id", "name", "path").order_by("path")


def owner_choices(user: User) -> QuerySet[User]:
    """People whose customers `user` may see: themselves, the owners of customers they collaborate
    on, and (managers, directors, admins) everyone in their subtree who is active or still owns a
    customer. A rep gets a handful; nobody gets colleagues whose customers they could never see."""
    if user.organization_id is None:
        return User.objects.none()
    collaborations = Customer.objects.filter(
        pk__in=Collaborator.objects.filter(user_id=user.pk).values("customer_id"), owner__isnull=False
    ).values("owner_id")
    people = Q(pk=user.pk) | Q(pk__in=collaborations)
    owns = Q(Exists(Customer.objects.filter(owner_id=OuterRef("pk"))))
    if user.role == Role.ADMIN:
        people |= Q(is_active=True) | owns
    elif user.supervises:
        people |= Q(team_id__in=Team.objects.filter(_subtree_q(user)).values("id")) & (Q(is_active=True) | owns)
    return (
        User.objects.filter(people, organization_id=user.organization_id)
        .only("id", "username", "display_name")
        .order_by("username")
    )


def province_choices() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.PROVINCE).only("code", "name").order_by("code")


def cities_of(province: str | None) -> QuerySet[Region]:
    """The prefecture-level cities of one province (none without a province)."""
    if not province:
        return Region.objects.none()
    return Region.objects.filter(level=RegionLevel.CITY, parent_id=province).only("code", "name").order_by("code")


# --- colleague type-ahead ---------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def _match_text(username: str, display_name: str) -> str:
    """Everything a colleague may be typed as: username, name, full pinyin and initials (cached per name)."""
    full, initials = search_terms(display_name) if display_name else ("", "")
    return "|".join([username, display_name, full, initials]).lower().replace(" ", "|")


def _normalized(term: str) -> str:
    return term.strip().lower().replace(" ", "")


def colleague_suggestions(
    user: User, term: str, *, within_subtree: bool = False, exclude: tuple[int, ...] = (), limit: int = SUGGESTIONS
) -> list[User]:
    """Up to `limit` active colleagues of `user`'s organization matching `term` by username, display
    name or pinyin (full or initials), by username. `within_subtree` keeps the user's subtree only
    (transfers). An empty term suggests nobody."""
    needle = _normalized(term)[:50]
    if not needle or user.organization_id is None:
        return []
    people = User.objects.filter(organization_id=user.organization_id, is_active=True).exclude(pk__in=exclude)
    if within_subtree and user.role != Role.ADMIN:
        people = people.filter(_subtree_q(user, prefix="team__"))
    # Names are short and an organization has hundreds of people, not millions: match in Python,
    # where pinyin is at hand, over three narrow columns. (A stored pinyin column on users would
    # let the database do it; see the report of this change.)
    ids = [
        pk
        for pk, username, display_name in people.order_by("username").values_list("pk", "username", "display_name")
        if needle in _match_text(username, display_name)
    ][:limit]
    if not ids:
        return []
    return list(User.objects.filter(pk__in=ids).select_related("team").order_by("username"))
