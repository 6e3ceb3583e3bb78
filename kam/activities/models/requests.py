"""协调请求 (coordination requests): a rep asks a colleague or a role for help on a customer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Organization
from kam.customers.models import Customer


class HelpRole(models.TextChoices):
    """The internal functions a rep coordinates with; each maps to a user role of the same code."""

    PRESALES = "presales", _("Presales")
    SERVICE = "service", _("Service")
    FINANCE = "finance", _("Finance")
    LEGAL = "legal", _("Legal")
    DELIVERY = "delivery", _("Delivery")


class RequestKind(models.TextChoices):
    SOLUTION = "solution", _("Technical solution")
    PRICE = "price", _("Price check")
    CONTRACT = "contract", _("Contract review")
    DEMO = "demo", _("Demo or trial")
    DELIVERY = "delivery", _("Delivery plan")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for acceptance")
    ACCEPTED = "accepted", _("In progress")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class RequestQuerySet(models.QuerySet["CoordinationRequest"]):
    def pending(self) -> RequestQuerySet:
        """Not finished yet: waiting for acceptance or in progress."""
        return self.filter(status__in=[RequestStatus.OPEN, RequestStatus.ACCEPTED])


class CoordinationRequest(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="coordination_requests", verbose_name=_("customer")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests_made", verbose_name=_("requester")
    )
    # Either a named colleague or a role (anyone with the role may accept; the first one becomes assignee).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests_assigned",
        verbose_name=_("assignee"),
    )
    role = models.CharField(_("role asked"), max_length=10, choices=HelpRole.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=500, blank=True)
    result = models.TextField(_("result"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Set when the overdue flag went to both sides and the manager, so it goes once.
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("coordination request")
        verbose_name_plural = _("coordination requests")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(assignee__isnull=True, role=""), name="request_has_assignee_or_role"
            ),
        ]
        indexes = [
            # "Asked by me" and the overdue sweep.
            models.Index(fields=["organization", "requester", "status"], name="request_requester_idx"),
            # "Asked of me".
            models.Index(fields=["organization", "assignee", "status"], name="request_assignee_idx"),
            # "Asked of my role" (unassigned, waiting).
            models.Index(fields=["organization", "role", "status"], name="request_role_idx"),
            # The overdue sweep of `kam tick`: pending requests past their due date, across organizations.
            models.Index(fields=["status", "due_date"], name="request_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class RequestComment(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(CoordinationRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:30]
