"""The contact (联系人): a person inside a customer, and how they stand toward us."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Organization, SoftDeleteModel
from kam.core.models.softdelete import AliveManager
from kam.customers.models.customer import Customer


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision", _("Decision maker")
    TECHNICAL = "technical", _("Technical gatekeeper")
    USER = "user", _("User")
    COACH = "coach", _("Coach")
    OTHER = "other", _("Other")


class Influence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Attitude(models.TextChoices):
    SUPPORTER = "support", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    OPPONENT = "oppose", _("Opponent")


class Contact(SoftDeleteModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("full name"), max_length=50)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    department = models.CharField(_("department"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat ID"), max_length=50, blank=True)
    reports_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("reports to")
    )
    buying_role = models.CharField(
        _("buying role"), max_length=10, choices=BuyingRole.choices, default=BuyingRole.OTHER
    )
    influence = models.CharField(_("influence"), max_length=6, choices=Influence.choices, default=Influence.MEDIUM)
    attitude = models.CharField(_("attitude to us"), max_length=8, choices=Attitude.choices, default=Attitude.NEUTRAL)
    strength = models.PositiveSmallIntegerField(
        _("relationship strength"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("our relationship owner"),
    )
    is_key_person = models.BooleanField(_("key person"), default=False)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    name_pinyin = models.CharField(max_length=300, blank=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AliveManager["Contact"]()
    all_objects = models.Manager["Contact"]()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(condition=models.Q(strength__gte=1, strength__lte=5), name="contact_strength_1_5"),
        ]
        indexes = [
            # Contacts of one customer (360 page, relationship map).
            models.Index(fields=["customer", "name"], name="contact_customer_idx"),
            # Phone dedup: exact match on the normalised mobile.
            models.Index(fields=["organization", "mobile"], name="contact_mobile_idx"),
        ]

    def __str__(self) -> str:
        return self.name
