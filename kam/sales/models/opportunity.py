"""商机 (opportunities), their deal team, stage history and saved list views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization
from kam.customers.models import Customer
from kam.sales.models.config import BusinessLine, CloseReason, Stage


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    CLOSED = "closed", _("Closed")
    OMITTED = "omitted", _("Omitted")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("deal outcome", "Open")
    WON = "won", pgettext_lazy("deal outcome", "Won")
    LOST = "lost", pgettext_lazy("deal outcome", "Lost")
    INVALID = "invalid", pgettext_lazy("deal outcome", "Invalid")


class DealSource(models.TextChoices):
    EXISTING = "existing", _("Existing customer")
    REFERRAL = "referral", _("Referral")
    TENDER = "tender", _("Tender notice")
    INBOUND = "inbound", _("Inbound enquiry")
    OUTBOUND = "outbound", _("Our prospecting")
    PARTNER = "partner", _("Partner")
    EVENT = "event", _("Event or exhibition")
    OTHER = "other", _("Other")


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    def open(self) -> OpportunityQuerySet:
        return self.filter(status=OpportunityStatus.OPEN)

    def closed(self) -> OpportunityQuerySet:
        return self.exclude(status=OpportunityStatus.OPEN)

    def decided(self) -> OpportunityQuerySet:
        """Won or lost: the deals a win rate counts (无效 deals are neither)."""
        return self.filter(status__in=[OpportunityStatus.WON, OpportunityStatus.LOST])


class Opportunity(models.Model):
    """A chance to sell to a customer, from first contact to 赢单/输单/无效."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="opportunities", verbose_name=_("customer")
    )
    name = models.CharField(_("deal name"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=18, decimal_places=2, default=0)
    expected_close_date = models.DateField(_("expected close date"))
    business_line = models.ForeignKey(
        BusinessLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("business line")
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage"))
    stage_entered_at = models.DateTimeField(_("in stage since"))
    probability = models.PositiveSmallIntegerField(_("win probability (%)"))
    # Why the rep moved the probability away from the stage default; empty while it is the default.
    probability_reason = models.CharField(_("reason for probability"), max_length=200, blank=True)
    forecast_category = models.CharField(
        _("forecast category"), max_length=10, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    source = models.CharField(_("source"), max_length=10, choices=DealSource.choices, blank=True)
    # Free text until the product catalog exists; then products are linked.
    products_of_interest = models.CharField(_("products of interest"), max_length=300, blank=True)
    # Blue Sheet single sales objective: what, how many, by when.
    objective = models.CharField(_("single sales objective"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("owner")
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.ForeignKey(
        CloseReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reason")
    )
    won_by = models.ForeignKey(
        "market.Competitor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals_won",
        verbose_name=_("winning competitor"),
    )
    close_notes = models.TextField(_("close notes"), blank=True)
    # How far our last price was above (+) or below (−) the winner's, when known.
    price_gap = models.DecimalField(_("price gap (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    # MEDDPICC scores at closing ({"champion": 2, …}) so win/loss reads the deal as it was.
    qualification_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    # The newest follow-up linked to this deal (or its creation): "no follow-up for N days".
    last_activity_at = models.DateTimeField(_("last activity"))
    # Set when the needs change; a quote older than this is out of date (issue 5).
    needs_changed_at = models.DateTimeField(_("needs last changed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="opportunity_probability_max_100"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="opportunity_amount_not_negative"),
            # Open deals have no closing data; closed ones always have a closing time.
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | (~models.Q(status="open") & models.Q(closed_at__isnull=False)),
                name="opportunity_closed_at_matches_status",
            ),
        ]
        indexes = [
            # A rep's board and list: their deals by status, then stage.
            models.Index(fields=["owner", "status", "stage"], name="opp_owner_status_stage_idx"),
            # The customer 360 page's deals.
            models.Index(fields=["customer", "status"], name="opp_customer_status_idx"),
            # Win/loss and the briefing's won/lost yesterday: closed deals by closing time.
            models.Index(fields=["organization", "status", "closed_at"], name="opp_org_status_closed_idx"),
            # A rep's own win/loss (and their closed deals by period): without it SQLite walks the whole
            # organization's closed deals through the index above and filters by owner (~10× slower, large set).
            models.Index(fields=["owner", "status", "closed_at"], name="opp_owner_status_closed_idx"),
            # Organization-wide boards and lists (directors, admins): open deals by stage.
            models.Index(fields=["organization", "status", "stage"], name="opp_org_status_stage_idx"),
            # Plan sources: open deals whose close date passed or nears.
            models.Index(fields=["owner", "status", "expected_close_date"], name="opp_owner_close_date_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == OpportunityStatus.OPEN


class TeamRole(models.TextChoices):
    OWNER = "owner", _("Deal owner")
    SALES = "sales", _("Co-seller")
    PRESALES = "presales", _("Presales")
    SERVICE = "service", _("Service")
    SPONSOR = "sponsor", _("Executive sponsor")
    OTHER = "other", _("Other")


class MemberAccess(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class OpportunityMember(models.Model):
    """A member of the deal team. Membership opens this deal only, never the rest of the customer."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deal_memberships", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=10, choices=TeamRole.choices, default=TeamRole.SALES)
    access = models.CharField(_("access"), max_length=5, choices=MemberAccess.choices, default=MemberAccess.READ)
    # Revenue split; the members' splits of one deal sum to 100.
    split_percent = models.DecimalField(_("revenue split (%)"), max_digits=5, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("deal team member")
        verbose_name_plural = _("deal team members")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="opp_member_unique_user"),
            models.CheckConstraint(
                condition=models.Q(split_percent__gte=0, split_percent__lte=100), name="opp_member_split_0_100"
            ),
        ]
        indexes = [
            # Scope: the deals a user joined (opportunity_scope).
            models.Index(fields=["user", "opportunity"], name="opp_member_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} · {self.user}"


class StageChange(models.Model):
    """One move of a deal: between stages, or closing / reopening. The history gives time in each stage."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from stage")
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("to stage"))
    from_status = models.CharField(_("from status"), max_length=8, choices=OpportunityStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=8, choices=OpportunityStatus.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    # A manager moved the deal past a gate it failed: which elements were missing, and why it was allowed.
    gate_override = models.BooleanField(_("gate overridden"), default=False)
    missing = models.CharField(_("missing elements"), max_length=300, blank=True)
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            # A deal's history in order; durations come from consecutive rows.
            models.Index(fields=["opportunity", "at"], name="stage_change_opp_at_idx"),
            # Briefing: deals that moved yesterday; conversion analysis by period.
            models.Index(fields=["organization", "at"], name="stage_change_org_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.from_stage} → {self.to_stage}"


class SavedView(models.Model):
    """A user's named filter set for the deal table (the query string, replayed as is)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    params = models.CharField(_("filters"), max_length=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
