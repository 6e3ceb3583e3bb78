"""The customer (客户): a company we sell to, its collaborators, tags and ownership history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Organization, SoftDeleteModel
from kam.core.models.softdelete import AliveManager
from kam.customers.models.reference import Industry, Region


class CustomerTier(models.TextChoices):
    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", pgettext_lazy("customer status", "Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class EmployeesBand(models.TextChoices):
    TINY = "lt50", _("Under 50")
    SMALL = "50_299", _("50–299")
    MEDIUM = "300_999", _("300–999")
    LARGE = "1k_4999", _("1,000–4,999")
    HUGE = "5k_plus", _("5,000 and more")


class RevenueBand(models.TextChoices):
    LT_10M = "lt10m", _("Under 10 million yuan")
    M10_100 = "10m_100m", _("10–100 million yuan")
    M100_1B = "100m_1b", _("100 million – 1 billion yuan")
    B1_10 = "1b_10b", _("1–10 billion yuan")
    GT_10B = "10b_plus", _("Over 10 billion yuan")


class CustomerSource(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    EXHIBITION = "exhibition", _("Exhibition")
    WEBSITE = "website", _("Website")
    COLD_CALL = "cold_call", _("Cold call")
    BIDDING = "bidding", _("Tender notice")
    PARTNER = "partner", _("Partner")
    EXISTING = "existing", _("Existing relationship")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class Tag(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class ServiceLevel(models.Model):
    """What a tier promises: visit the customer at least every N days."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(_("tier"), max_length=1, choices=CustomerTier.choices)
    visit_cadence_days = models.PositiveIntegerField(_("visit cadence (days)"))

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [models.UniqueConstraint(fields=["organization", "tier"], name="servicelevel_unique_tier")]


class CustomerQuerySet(models.QuerySet["Customer"]):
    def in_pool(self) -> CustomerQuerySet:
        return self.filter(owner__isnull=True, pool__isnull=False)

    def owned(self) -> CustomerQuerySet:
        return self.filter(owner__isnull=False)


CustomerManager = AliveManager.from_queryset(CustomerQuerySet)


class Customer(SoftDeleteModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("customer name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("industry")
    )
    province = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    city = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("city")
    )
    city_tier = models.CharField(_("city tier"), max_length=10, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("switchboard phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    employees_band = models.CharField(_("employees"), max_length=10, choices=EmployeesBand.choices, blank=True)
    revenue_band = models.CharField(_("annual revenue"), max_length=10, choices=RevenueBand.choices, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=CustomerSource.choices, blank=True)
    tier = models.CharField(_("tier"), max_length=1, choices=CustomerTier.choices, default=CustomerTier.C)
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("owner"),
    )
    owner_since = models.DateTimeField(_("owner since"), null=True, blank=True)
    pool = models.ForeignKey(
        "customers.Pool",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("public pool"),
    )
    locked = models.BooleanField(_("locked"), default=False)
    won_at = models.DateTimeField(_("first won at"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers", verbose_name=_("tags"))
    notes = models.TextField(_("notes"), blank=True)
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    next_followup_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    # Search columns, kept by actions: pinyin (phrase-aware, heteronyms), initials, normalised name.
    name_pinyin = models.CharField(max_length=600, blank=True, editable=False)
    name_initials = models.CharField(max_length=300, blank=True, editable=False)
    name_norm = models.CharField(max_length=200, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerManager()
    all_objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            # 统一社会信用代码 identifies a company: one customer per code per organization.
            models.UniqueConstraint(
                fields=["organization", "credit_code"],
                condition=~Q(credit_code=""),
                name="customer_unique_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(pool__isnull=False) | Q(deleted_at__isnull=False),
                name="customer_owned_or_pooled",
            ),
        ]
        indexes = [
            # A rep's list: my customers, newest activity first.
            models.Index(fields=["organization", "owner", "-updated_at"], name="customer_owner_updated_idx"),
            # Pool page and pool recycling job.
            models.Index(fields=["organization", "pool"], name="customer_pool_idx"),
            # Dedup by normalised name; pool rule scans by last follow-up.
            models.Index(fields=["organization", "name_norm"], name="customer_name_norm_idx"),
            models.Index(fields=["organization", "last_followup_at"], name="customer_last_followup_idx"),
            # Director scope: whole organization ordered by recency.
            models.Index(fields=["organization", "-updated_at"], name="customer_org_updated_idx"),
            # The recycle bin's few rows, which win/loss leaves out by id. Partial, so that queries of
            # live customers (deleted_at IS NULL) can never pick it over the indexes above.
            models.Index(
                fields=["organization"], condition=models.Q(deleted_at__isnull=False), name="customer_in_bin_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CollaboratorAccess(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class Collaborator(models.Model):
    """A colleague added to a customer (协作人), with read or read-write access."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collaborations")
    access = models.CharField(_("access"), max_length=5, choices=CollaboratorAccess.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("collaborator")
        verbose_name_plural = _("collaborators")
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="collaborator_unique_user"),
        ]
        indexes = [
            # Visibility: customers where user X collaborates.
            models.Index(fields=["user", "customer"], name="collaborator_user_idx"),
        ]


class OwnershipKind(models.TextChoices):
    CREATE = "create", _("Created")
    CLAIM = "claim", _("Claimed from pool")
    ASSIGN = "assign", _("Assigned from pool")
    RETURN = "return", _("Returned to pool")
    RECYCLE = "recycle", _("Recycled to pool by rule")
    TRANSFER = "transfer", _("Transferred")
    MERGE = "merge", _("Merged")
    IMPORT = "import", _("Imported")


class OwnershipChange(models.Model):
    """Every change of owner or pool, so the customer page can show who held it when."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownership_changes")
    kind = models.CharField(_("kind"), max_length=8, choices=OwnershipKind.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pool = models.ForeignKey("customers.Pool", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")
        indexes = [
            # Daily claim cap: a user's claims since midnight.
            models.Index(fields=["organization", "to_user", "kind", "at"], name="ownership_to_user_kind_idx"),
            # Reclaim cooldown: did this user give this customer up recently?
            models.Index(fields=["customer", "from_user", "at"], name="ownership_from_user_idx"),
        ]
