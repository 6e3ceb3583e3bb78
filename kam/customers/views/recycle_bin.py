"""回收站: deleted customers and contacts, restore within 30 days, purge for admins."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kam.core.models import Role
from kam.core.models.softdelete import RECYCLE_BIN_DAYS
from kam.customers.actions import purge_customer, restore_contact, restore_customer
from kam.customers.actions.recycle_bin import deleted_contacts
from kam.customers.models import Contact, Customer
from kam.customers.queries import deleted_customers
from kam.customers.views.helpers import actor_of, flash_errors

RECYCLE_BIN_ROWS = 200


def days_left(deleted_at: datetime, now: datetime) -> int:
    """Whole days (rounded up) before a deleted row can no longer be restored; 0 once expired."""
    remaining = deleted_at + timedelta(days=RECYCLE_BIN_DAYS) - now
    return max(0, math.ceil(remaining.total_seconds() / 86400))


@dataclass
class BinRow:
    item: Customer | Contact
    days_left: int


@login_required
@require_GET
def recycle_bin(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    now = timezone.now()
    customers = [
        BinRow(c, days_left(c.deleted_at, now))
        for c in deleted_customers(user)[:RECYCLE_BIN_ROWS]
        if c.deleted_at is not None
    ]
    contacts = [BinRow(c, days_left(c.deleted_at, now)) for c in deleted_contacts(user) if c.deleted_at is not None]
    context = {
        "customers": customers,
        "contacts": contacts,
        "can_purge": user.role == Role.ADMIN,
        "window_days": RECYCLE_BIN_DAYS,
    }
    return render(request, "customers/recycle_bin.html", context)


@login_required
@require_POST
def restore_customer_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    try:
        customer = restore_customer(user, pk)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("recycle-bin")
    messages.success(request, _("%(name)s restored.") % {"name": customer.name})
    return redirect("customer-detail", pk=customer.pk)


@login_required
@require_POST
def restore_contact_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    try:
        contact = restore_contact(user, pk)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("recycle-bin")
    messages.success(request, _("%(name)s restored.") % {"name": contact.name})
    return redirect("contact-detail", pk=contact.pk)


@login_required
@require_POST
def purge_customer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete for good; the form must carry confirm=1 (a checkbox the admin ticks)."""
    user = actor_of(request)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm that the customer is deleted for good."))
        return redirect("recycle-bin")
    purge_customer(user, pk)
    messages.success(request, _("The customer was deleted for good."))
    return redirect("recycle-bin")
