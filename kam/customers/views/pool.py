"""客户公海 pages and the ownership moves: claim, assign, return to pool, transfer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kam.customers.actions import assign_customer, claim_customer, return_to_pool, transfer_customer
from kam.customers.queries import (
    CustomerFilters,
    customer_list,
    get_customer_for_user,
    get_pool_for_user,
    is_pool_admin,
    pools_of,
    users_in_org,
)
from kam.customers.views.forms import PickUserForm, ReturnForm
from kam.customers.views.helpers import actor_of, flash_errors, flash_form_errors, next_url

PAGE_SIZE = 50


@login_required
@require_GET
def pool_list(request: HttpRequest) -> HttpResponse:
    """The public pools the user belongs to (admins: all of the organization)."""
    user = actor_of(request)
    return render(request, "customers/pool_list.html", {"pools": list(pools_of(user).order_by("name"))})


@login_required
@require_GET
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The customers waiting in one pool, with claim buttons (and assign for pool admins)."""
    user = actor_of(request)
    pool = get_pool_for_user(user, pk)
    q = request.GET.get("q", "")[:100]
    customers = customer_list(user, CustomerFilters(q=q, pool=pool.pk, sort="followup"))
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    admin = is_pool_admin(user, pool)
    context = {
        "pool": pool,
        "term": q,
        "page": page,
        "customers": list(page.object_list),
        "is_admin": admin,
        "colleagues": list(users_in_org(user)) if admin else [],
    }
    return render(request, "customers/pool_detail.html", context)


@login_required
@require_POST
def customer_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """领取 a pool customer; refusals (daily cap, cooldown, holding limit) come back as messages."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk)
    try:
        claim_customer(user, customer)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(next_url(request, reverse("customer-detail", args=[customer.pk])))
    messages.success(request, _("You now own %(name)s.") % {"name": customer.name})
    return redirect("customer-detail", pk=customer.pk)


@login_required
@require_POST
def customer_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """分配 a pool customer to a colleague (pool admins)."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk)
    # After the assignment the pool admin may no longer see the customer: go back to the pool.
    default = reverse("pool-detail", args=[customer.pool_id]) if customer.pool_id else reverse("pool-list")
    back = next_url(request, default)
    form = PickUserForm(request.POST, actor=user)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    try:
        assign_customer(user, customer, form.cleaned_data["user"])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s assigned to %(user)s.") % {"name": customer.name, "user": form.cleaned_data["user"].name},
        )
    return redirect(back)


@login_required
@require_POST
def customer_return(request: HttpRequest, pk: int) -> HttpResponse:
    """退回公海 with a required reason."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk, write=True)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("customer-detail", pk=customer.pk)
    try:
        return_to_pool(user, customer, form.cleaned_data["reason"])
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("customer-detail", pk=customer.pk)
    # The former owner may not see a pool customer any more.
    messages.success(request, _("%(name)s returned to the public pool.") % {"name": customer.name})
    return redirect("customer-list")


@login_required
@require_POST
def customer_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """转移 to a rep in the manager's team."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk, write=True)
    form = PickUserForm(request.POST, actor=user)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("customer-detail", pk=customer.pk)
    try:
        transfer_customer(user, customer, form.cleaned_data["user"], form.cleaned_data["reason"])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s transferred to %(user)s.") % {"name": customer.name, "user": form.cleaned_data["user"].name},
        )
    return redirect("customer-detail", pk=customer.pk)
