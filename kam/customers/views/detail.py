"""The customer 360 page, its history, and the writes started from it: lock, collaborators, merge, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.activities.queries_followups import can_log
from kam.activities.timeline import customer_timeline
from kam.core import audit
from kam.core.models import AuditEntry, Role, User
from kam.customers.actions import (
    delete_customer,
    merge_customers,
    remove_collaborator,
    set_collaborator,
    set_locked,
)
from kam.customers.actions.customers import can_delete
from kam.customers.choices import colleague_suggestions
from kam.customers.models import CollaboratorAccess, Customer
from kam.customers.panels import panels_for
from kam.customers.queries import (
    CustomerFilters,
    collaborators_of,
    contacts_of,
    customer_access,
    customer_list,
    get_customer_for_user,
    is_pool_admin,
    may_share,
    ownership_history,
    pools_of,
    service_level_of,
)
from kam.customers.views.forms import CollaboratorForm, PickUserForm
from kam.customers.views.helpers import (
    actor_of,
    flash_errors,
    flash_form_errors,
    render_page_or_partial,
    wants_partial,
)

# Audit rows name a few things that are not model fields.
EXTRA_FIELD_LABELS = {
    "collaborators": gettext_lazy("collaborators"),
    "merged": gettext_lazy("merged from"),
    "merged_into": gettext_lazy("merged into"),
    # Deal history (kam/sales): rows about the deal's parts rather than its own fields.
    "needs": gettext_lazy("needs"),
    "competitors": gettext_lazy("competitors"),
    "deal_team": gettext_lazy("deal team"),
}
PROFILE_FIELDS = [
    "name",
    "short_name",
    "credit_code",
    "industry",
    "province",
    "city",
    "city_tier",
    "address",
    "phone",
    "website",
    "employees_band",
    "revenue_band",
    "source",
    "status",
    "won_at",
    "last_followup_at",
    "next_followup_at",
    "created_at",
    "notes",
]
DETAIL_HISTORY_ROWS = 20
MERGE_CANDIDATES = 20


@dataclass
class ColleaguePicker:
    """A type-ahead for a colleague: the term typed (?<name>_q=…) and up to ten matches.

    Without JavaScript the search form reloads the 360 page with the matches; with htmx the same
    URL answers only the matches (customers/_colleague_matches.html) while the user types.
    """

    name: str
    term: str
    matches: list[User]

    @property
    def param(self) -> str:
        return f"{self.name}_q"


# Picker name → the permission it needs, and whether candidates are limited to the actor's subtree
# (transfers go to people in the manager's own team: kam.customers.actions.pool.transfer_customer).
PICKERS = {
    "collaborator": ("can_collaborate", False),
    "transfer": ("can_transfer", True),
    "assign": ("can_assign", False),
}


def _pickers(
    request: HttpRequest, user: User, customer: Customer, perms: dict[str, bool]
) -> dict[str, ColleaguePicker]:
    """The colleague pickers this user may use on this customer, with matches for what they typed."""
    pickers = {}
    for name, (permission, within_subtree) in PICKERS.items():
        if not perms[permission]:
            continue
        term = request.GET.get(f"{name}_q", "").strip()[:50]
        # The owner can be neither a collaborator nor the target of a transfer.
        exclude = (customer.owner_id,) if customer.owner_id and name != "assign" else ()
        matches = colleague_suggestions(user, term, within_subtree=within_subtree, exclude=exclude) if term else []
        pickers[name] = ColleaguePicker(name, term, matches)
    return pickers


def _requested_picker(request: HttpRequest) -> str | None:
    return next((name for name in PICKERS if f"{name}_q" in request.GET), None)


@dataclass
class HistoryRow:
    entry: AuditEntry
    label: str


def history_rows(instance: models.Model, limit: int = 200) -> list[HistoryRow]:
    """Audit rows of one record with a readable field label each."""
    rows = []
    for entry in audit.history(instance, limit=limit):
        label = EXTRA_FIELD_LABELS.get(entry.field) or (
            audit.field_label(type(instance), entry.field) if entry.field else ""
        )
        rows.append(HistoryRow(entry, str(label)))
    return rows


def _display(customer: Customer, name: str) -> Any:
    value = getattr(customer, name)
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    display = getattr(customer, f"get_{name}_display", None)
    return display() if display else value


def profile_rows(customer: Customer) -> list[tuple[str, Any]]:
    return [(str(audit.field_label(Customer, name)), _display(customer, name)) for name in PROFILE_FIELDS]


def _permissions(user: User, customer: Customer) -> dict[str, bool]:
    access = customer_access(user, customer)
    owned = customer.owner_id is not None
    pool = None if owned else customer.pool
    manager = user.role == Role.ADMIN or user.supervises
    return {
        "can_write": access.write,
        "can_lock": access.write and owned,
        "can_collaborate": access.write and may_share(user, customer),
        "can_transfer": access.write and owned and manager,
        "can_return": access.write and owned,
        # Org admins see every pool without being members; they assign (possibly to themselves) instead.
        "can_claim": pool is not None and user.role != Role.ADMIN and pools_of(user).filter(pk=pool.pk).exists(),
        "can_assign": pool is not None and is_pool_admin(user, pool),
        "can_merge": access.write and user.role in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN),
        "can_delete": can_delete(user, customer),
    }


@login_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """客户360: profile, timeline, contacts, collaborators, ownership and field history, and what the user may do."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk)
    perms = _permissions(user, customer)
    pickers = _pickers(request, user, customer, perms)
    requested = _requested_picker(request)
    if requested is not None and wants_partial(request):
        # The type-ahead of one picker: only its matches, and only for someone who may use it.
        if requested not in pickers:
            raise PermissionDenied
        response = render(request, "customers/_colleague_matches.html", {"picker": pickers[requested]})
        patch_vary_headers(response, ("HX-Request",))
        return response
    context = {
        "customer": customer,
        "profile": profile_rows(customer),
        "service_level": service_level_of(customer),
        "tags": list(customer.tags.order_by("name")),
        "contacts": list(contacts_of(customer)),
        "collaborators": list(collaborators_of(customer)),
        "ownership": list(ownership_history(customer)[:DETAIL_HISTORY_ROWS]),
        "history": history_rows(customer, limit=DETAIL_HISTORY_ROWS),
        "pickers": pickers,
        "access_choices": CollaboratorAccess.choices,
        # The 360 timeline (follow-ups, visits, later deals) and who may log on it.
        "timeline": customer_timeline(customer, user),
        # Deals, the account plan and later modules' panels (kam/customers/panels.py).
        "panels": panels_for(customer, user),
        "can_log": can_log(user, customer),
        **perms,
    }
    response = render(request, "customers/customer_detail.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def customer_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every recorded change of one customer: who, when, which field, old → new."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk)
    context = {"customer": customer, "history": history_rows(customer), "ownership": list(ownership_history(customer))}
    return render_page_or_partial(request, "customers/customer_history.html", "customers/_history.html", context)


@login_required
@require_POST
def customer_lock(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    customer = get_customer_for_user(user, pk, write=True)
    locked = request.POST.get("locked") == "1"
    try:
        set_locked(user, customer, locked)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Customer locked.") if locked else _("Customer unlocked."))
    return redirect("customer-detail", pk=customer.pk)


@login_required
@require_POST
def customer_collaborators(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or change a collaborator (user + read/write), or remove one (remove=1)."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk, write=True)
    removing = request.POST.get("remove") == "1"
    form: CollaboratorForm | PickUserForm = (
        PickUserForm(request.POST, actor=user) if removing else CollaboratorForm(request.POST, actor=user)
    )
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("customer-detail", pk=customer.pk)
    colleague = form.cleaned_data["user"]
    try:
        if removing:
            remove_collaborator(user, customer, colleague)
        else:
            set_collaborator(user, customer, colleague, form.cleaned_data["access"])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Collaborators updated."))
    return redirect("customer-detail", pk=customer.pk)


@login_required
@require_POST
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    customer = get_customer_for_user(user, pk, write=True)
    delete_customer(user, customer)
    messages.success(
        request, _("%(name)s moved to the recycle bin; it can be restored for 30 days.") % {"name": customer.name}
    )
    return redirect("customer-list")


def _merge_candidates(user: User, survivor: Customer, q: str) -> list[Customer]:
    if not q.strip():
        return []
    return list(customer_list(user, CustomerFilters(q=q)).exclude(pk=survivor.pk)[:MERGE_CANDIDATES])


@login_required
@require_http_methods(["GET", "POST"])
def customer_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """合并: find the duplicate among visible customers, confirm, and fold it into this one."""
    user = actor_of(request)
    survivor = get_customer_for_user(user, pk, write=True)
    if user.role not in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN):
        raise PermissionDenied
    raw_duplicate = request.POST.get("duplicate") if request.method == "POST" else request.GET.get("duplicate")
    duplicate = get_customer_for_user(user, raw_duplicate, write=True) if raw_duplicate else None
    if request.method == "POST":
        if duplicate is None:
            messages.error(request, _("Choose the duplicate customer to merge."))
            return redirect("customer-merge", pk=survivor.pk)
        try:
            merge_customers(user, survivor, duplicate)
        except ValidationError as exc:
            flash_errors(request, exc)
            return redirect("customer-merge", pk=survivor.pk)
        messages.success(request, _("%(name)s was merged into this customer.") % {"name": duplicate.name})
        return redirect("customer-detail", pk=survivor.pk)
    q = request.GET.get("q", "")[:100]
    context = {
        "customer": survivor,
        "term": q,
        "candidates": _merge_candidates(user, survivor, q),
        "duplicate": duplicate if duplicate is not None and duplicate.pk != survivor.pk else None,
    }
    return render(request, "customers/customer_merge.html", context)
