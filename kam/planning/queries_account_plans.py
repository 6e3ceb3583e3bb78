"""Reads of 大客户规划 (account plans), always scoped through the customer (docs/architecture.md "Access model").

Read: whoever may open the plan's customer. Write: whoever may write the customer. Review: managers and
directors whose team is above (or equal to) the plan owner's team, and admins; never the owner themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from kam.core.models import Role, Team, User
from kam.core.queries import get_or_404, people_in_view
from kam.customers.models import Contact, Customer, CustomerTier
from kam.customers.queries import customer_access, visible_customers
from kam.market.models import Competitor
from kam.planning.models.account_plans import (
    AccountPlan,
    AccountPlanReview,
    BusinessUnit,
    CellStatus,
    KeyPlayer,
    ObjectiveStatus,
    PlanAction,
    PlanObjective,
    PlanTeamMember,
    SpendHolder,
    WhitespaceCell,
)
from kam.planning.whitespace import share_of_wallet

# A plan not reviewed for this long is flagged on the list (McDonald: review key-account plans quarterly).
REVIEW_STALE_DAYS = 90
KEY_ACCOUNT_TIER = CustomerTier.A
# The Gold Sheet fields of a plan, as forms, actions, the API and the history name them.
PLAN_FIELDS = [
    "trends",
    "strengths",
    "vulnerabilities",
    "relationship_stage",
    "revenue_goal_3y",
    "share_of_wallet_goal",
]


@dataclass(frozen=True)
class PlanAccess:
    read: bool
    write: bool
    review: bool


def _supervises_owner(user: User, owner: User) -> bool:
    """`user` is a manager or director whose team is the owner's team or one of its ancestors."""
    if not user.supervises or owner.team is None or user.team is None:
        return False
    return owner.team.path.startswith(user.team.path)


def may_review(user: User, plan: AccountPlan) -> bool:
    """Admins, and managers/directors above the plan's owner; nobody reviews their own plan."""
    if user.organization_id != plan.organization_id:
        return False
    if user.role == Role.ADMIN:
        return True
    return plan.owner_id != user.pk and _supervises_owner(user, plan.owner)


def plan_access(user: User, plan: AccountPlan) -> PlanAccess:
    """What `user` may do with one plan already loaded (customer and owner selected)."""
    access = customer_access(user, plan.customer)
    if not access.read:
        return PlanAccess(False, False, False)
    return PlanAccess(True, access.write, may_review(user, plan))


def _plan_rows() -> QuerySet[AccountPlan]:
    return AccountPlan.objects.select_related("customer", "customer__owner", "owner", "owner__team")


def get_plan_for_user(user: User, pk: Any, *, write: bool = False, review: bool = False) -> AccountPlan:
    """The plan, or 404 when missing or hidden; 403 when `write`/`review` is asked and not allowed."""
    plan = get_or_404(_plan_rows().filter(organization_id=user.organization_id), pk)
    access = plan_access(user, plan)
    if not access.read:
        raise Http404
    if (write and not access.write) or (review and not access.review):
        raise PermissionDenied
    return plan


def plan_of_customer(customer: Customer) -> AccountPlan | None:
    """The customer's plan (one per customer), or None."""
    return _plan_rows().filter(customer_id=customer.pk).first()


def visible_plans(user: User) -> QuerySet[AccountPlan]:
    """Plans whose customer `user` may open (live customers only)."""
    return AccountPlan.objects.filter(
        organization_id=user.organization_id, customer_id__in=visible_customers(user).values("pk")
    )


# --- the list ---------------------------------------------------------------------------------


@dataclass
class PlanFilters:
    owner: int | None = None
    team: int | None = None
    stage: str = ""


def _count(queryset: QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().values("plan_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _spend(queryset: QuerySet[WhitespaceCell]) -> Coalesce:
    money = DecimalField(max_digits=20, decimal_places=2)
    summed = queryset.order_by().values("plan_id").annotate(s=Sum("annual_spend")).values("s")
    return Coalesce(Subquery(summed, output_field=money), Value(0), output_field=money)


def with_wallet(plans: QuerySet[AccountPlan]) -> QuerySet[AccountPlan]:
    """Annotate our_spend and category_spend (the share-of-wallet terms of kam/planning/whitespace.py)."""
    eligible = WhitespaceCell.objects.filter(plan_id=OuterRef("pk"), product_line__active=True).exclude(
        status=CellStatus.NOT_ELIGIBLE
    )
    return plans.annotate(our_spend=_spend(eligible.filter(holder=SpendHolder.US)), category_spend=_spend(eligible))


def annotated_share(plan: AccountPlan) -> Decimal | None:
    """The share of wallet of a plan loaded through `with_wallet`."""
    return share_of_wallet(getattr(plan, "our_spend", None), getattr(plan, "category_spend", None))


def plan_list(user: User, filters: PlanFilters, today: date) -> QuerySet[AccountPlan]:
    """The plans `user` may see, filtered, with objective counts and share-of-wallet terms annotated."""
    plans = visible_plans(user)
    if filters.owner:
        plans = plans.filter(owner_id=filters.owner)
    if filters.team:
        team = Team.objects.filter(pk=filters.team, organization_id=user.organization_id).first()
        if team is None:
            return plans.none()
        plans = plans.filter(owner__team__path__startswith=team.path)
    if filters.stage:
        plans = plans.filter(relationship_stage=filters.stage)
    objectives = PlanObjective.objects.filter(plan_id=OuterRef("pk"), status=ObjectiveStatus.OPEN)
    plans = plans.annotate(
        open_objectives=_count(objectives), overdue_objectives=_count(objectives.filter(due_date__lt=today))
    )
    return with_wallet(plans).select_related("customer", "owner").order_by("customer__name_pinyin", "pk")


def review_is_stale(last_reviewed_on: date | None, today: date) -> bool:
    """Never reviewed, or last reviewed more than REVIEW_STALE_DAYS ago."""
    return last_reviewed_on is None or (today - last_reviewed_on) > timedelta(days=REVIEW_STALE_DAYS)


def key_accounts_without_plan(user: User) -> QuerySet[Customer]:
    """A-tier customers owned by the viewer or the people they oversee that have no plan yet.

    Exactly those the viewer may create a plan for as owner, manager above or admin.
    """
    return (
        visible_customers(user)
        .filter(
            tier=KEY_ACCOUNT_TIER,
            owner_id__in=people_in_view(user).values("pk"),
            account_plan__isnull=True,
        )
        .select_related("owner")
        .order_by("name_pinyin", "pk")
    )


# --- one plan ---------------------------------------------------------------------------------


def plan_team(plan: AccountPlan) -> QuerySet[PlanTeamMember]:
    return plan.team.select_related("user").order_by("user__username", "pk")


def plan_key_players(plan: AccountPlan) -> QuerySet[KeyPlayer]:
    """Key players with their contact (its attitude comes from the relationship map)."""
    return (
        plan.key_players.filter(contact__deleted_at__isnull=True)
        .select_related("contact")
        .order_by("contact__name", "pk")
    )


def plan_objectives(plan: AccountPlan) -> QuerySet[PlanObjective]:
    """Objectives by due date with their actions (two queries whatever their number)."""
    actions = PlanAction.objects.select_related("owner").order_by("due_date", "pk")
    return plan.objectives.select_related("owner").prefetch_related(Prefetch("actions", queryset=actions))


def plan_reviews(plan: AccountPlan) -> QuerySet[AccountPlanReview]:
    return plan.reviews.select_related("reviewer")


def plan_contacts(plan: AccountPlan) -> QuerySet[Contact]:
    """The live contacts of the plan's customer: who may become a key player."""
    return Contact.objects.filter(customer_id=plan.customer_id).order_by("name", "pk")


def org_competitors(user: User) -> QuerySet[Competitor]:
    """The competitor master of the user's organization, active ones (shared with everyone)."""
    return Competitor.objects.filter(organization_id=user.organization_id, active=True).order_by("name")


def get_team_member(plan: AccountPlan, pk: Any) -> PlanTeamMember:
    return get_or_404(plan.team.select_related("user"), pk)


def get_key_player(plan: AccountPlan, pk: Any) -> KeyPlayer:
    return get_or_404(plan.key_players.select_related("contact"), pk)


def get_objective(plan: AccountPlan, pk: Any) -> PlanObjective:
    return get_or_404(plan.objectives.select_related("owner"), pk)


def get_plan_action(plan: AccountPlan, pk: Any) -> PlanAction:
    return get_or_404(PlanAction.objects.filter(objective__plan_id=plan.pk).select_related("owner", "objective"), pk)


def get_business_unit(plan: AccountPlan, pk: Any) -> BusinessUnit:
    return get_or_404(plan.business_units.all(), pk)


def open_objective_counts(plan: AccountPlan, today: date) -> tuple[int, int]:
    """(open, overdue) objectives of one plan, in one query."""
    counts = plan.objectives.filter(status=ObjectiveStatus.OPEN).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    return counts["open"], counts["overdue"]
