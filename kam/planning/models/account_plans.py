"""大客户规划: the account plan of a key account (LAMP Gold Sheet), its key players, goals, objectives,
actions, manager reviews and the whitespace grid of business units × our product lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization
from kam.customers.models import Contact, Customer


class RelationshipStage(models.TextChoices):
    EXPLORATORY = "exploratory", _("Exploratory")
    BASIC = "basic", _("Basic")
    COOPERATIVE = "cooperative", _("Cooperative")
    INTERDEPENDENT = "interdependent", _("Interdependent")
    INTEGRATED = "integrated", _("Integrated")


class AccountPlan(models.Model):
    """One plan per key account; its owner is the customer's owner when it was written."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="account_plan", verbose_name=_("customer")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("plan owner")
    )
    trends = models.TextField(_("customer trends and opportunities"), blank=True)
    strengths = models.TextField(_("our strengths"), blank=True)
    vulnerabilities = models.TextField(_("our vulnerabilities"), blank=True)
    relationship_stage = models.CharField(
        _("relationship stage"),
        max_length=14,
        choices=RelationshipStage.choices,
        default=RelationshipStage.EXPLORATORY,
    )
    revenue_goal_3y = models.DecimalField(
        _("3-year revenue goal (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    share_of_wallet_goal = models.DecimalField(
        _("share of wallet goal (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # The latest manager review, denormalised from AccountPlanReview for lists ("not reviewed for 90 days").
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_of_wallet_goal__isnull=True)
                | models.Q(share_of_wallet_goal__gte=0, share_of_wallet_goal__lte=100),
                name="account_plan_wallet_goal_0_100",
            ),
        ]

    def __str__(self) -> str:
        return str(self.customer)


class PlanTeamMember(models.Model):
    """Someone on our side of the account and what they do for it (our team)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("colleague")
    )
    responsibility = models.CharField(_("responsibility"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        constraints = [models.UniqueConstraint(fields=["plan", "user"], name="plan_team_unique_user")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.user}"


class KeyPlayerRole(models.TextChoices):
    SPONSOR = "sponsor", _("Sponsor")
    ANTI_SPONSOR = "anti_sponsor", _("Anti-sponsor")
    STRATEGIC_COACH = "coach", _("Strategic coach")
    KEY_PLAYER = "key_player", _("Key player")


class KeyPlayer(models.Model):
    """A person at the customer who matters to the whole account, not just one deal."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="key_players")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("contact"))
    role = models.CharField(_("role"), max_length=12, choices=KeyPlayerRole.choices)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("key player")
        verbose_name_plural = _("key players")
        constraints = [models.UniqueConstraint(fields=["plan", "contact"], name="key_player_unique_contact")]

    def __str__(self) -> str:
        return f"{self.contact} · {self.get_role_display()}"


class ObjectiveStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("account plan objective", "Open")
    DONE = "done", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class PlanObjective(models.Model):
    """A measurable objective of the plan with an owner and a due date; actions serve it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=8, choices=ObjectiveStatus.choices, default=ObjectiveStatus.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["due_date", "id"]
        indexes = [
            # Plan source: a user's open objectives due soon.
            models.Index(fields=["owner", "status", "due_date"], name="objective_owner_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class PlanAction(models.Model):
    """A concrete step towards an objective."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(PlanObjective, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class AccountPlanReview(models.Model):
    """A manager's review of the plan: when, by whom, and what they said."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    reviewed_on = models.DateField(_("review date"))
    comments = models.TextField(_("comments"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.reviewed_on}"


class BusinessUnit(models.Model):
    """A business unit (事业部, 子公司, 工厂) of the customer: a row of the whitespace grid."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="business_units")
    name = models.CharField(_("business unit"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("business unit")
        verbose_name_plural = _("business units")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="business_unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class CellStatus(models.TextChoices):
    OWNED = "owned", _("Owned")
    PIPELINE = "pipeline", _("In pipeline")
    GAP = "gap", _("Gap")
    NOT_ELIGIBLE = "na", _("Not eligible")


class SpendHolder(models.TextChoices):
    US = "us", _("Us")
    COMPETITOR = "competitor", _("A competitor")
    UNSPENT = "unspent", _("Unspent")


class WhitespaceCell(models.Model):
    """One business unit × product line: where we stand, what the unit spends a year and who gets it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="cells")
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.CASCADE, related_name="cells")
    product_line = models.ForeignKey(
        "sales.ProductLine", on_delete=models.CASCADE, related_name="+", verbose_name=_("product line")
    )
    status = models.CharField(_("status"), max_length=8, choices=CellStatus.choices, default=CellStatus.GAP)
    annual_spend = models.DecimalField(_("annual spend (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    holder = models.CharField(_("who gets it"), max_length=10, choices=SpendHolder.choices, blank=True)
    competitor = models.ForeignKey(
        "market.Competitor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("competitor"),
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("whitespace cell")
        verbose_name_plural = _("whitespace cells")
        constraints = [
            models.UniqueConstraint(fields=["business_unit", "product_line"], name="whitespace_cell_unique"),
            models.CheckConstraint(
                condition=models.Q(annual_spend__isnull=True) | models.Q(annual_spend__gte=0),
                name="whitespace_spend_not_negative",
            ),
            # A competitor is named exactly when the spend goes to one.
            models.CheckConstraint(
                condition=models.Q(holder="competitor", competitor__isnull=False)
                | (~models.Q(holder="competitor") & models.Q(competitor__isnull=True)),
                name="whitespace_competitor_iff_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_unit} × {self.product_line}"
