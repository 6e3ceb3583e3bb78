"""Customer pages: the list, create (with 查重), edit, and the live duplicate check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from kam.core.errors import StaleVersion
from kam.customers.actions import DuplicatesFound, create_customer, update_customer
from kam.customers.dedup import DuplicateMatch, find_duplicates
from kam.customers.forms import CustomerForm
from kam.customers.queries import customer_list, get_customer_for_user
from kam.customers.views.forms import CityChoiceForm, CustomerCreateForm, CustomerFilterForm
from kam.customers.views.helpers import actor_of, apply_errors, render_page_or_partial

PAGE_SIZE = 50
CITIES_LOADED = "citiesLoaded"
STALE_MESSAGE = gettext_lazy(
    "Someone else changed this customer while you were editing; reload the page to see their changes."
)


@login_required
@require_GET
def customer_list_page(request: HttpRequest) -> HttpResponse:
    """客户列表: filters, sort and 50 rows a page; htmx filter changes get only the table."""
    user = actor_of(request)
    cities_url = _cities_url()
    form = CustomerFilterForm(request.GET, user=user, cities_url=cities_url)
    form.is_valid()
    page = Paginator(customer_list(user, form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "customers": list(page.object_list), "cities_url": cities_url}
    return render_page_or_partial(request, "customers/customer_list.html", "customers/_list_table.html", context)


def _cities_url() -> str:
    # Without the URL (kam/customers/urls.py not wired yet) the city select still follows the
    # province after submitting; only the live refresh is missing.
    try:
        return reverse("region-cities")
    except NoReverseMatch:
        return ""


@login_required
@require_GET
@cache_control(private=True, max_age=3600)
def region_cities(request: HttpRequest) -> HttpResponse:
    """The city <select> of the list filters for ?province=CODE; htmx swaps it in when the province changes."""
    form = CityChoiceForm(province=request.GET.get("province", "")[:6])
    response = render(request, "customers/_city_select.html", {"form": form})
    # Once the new select is in place the list form refreshes the table (its hx-trigger listens).
    trigger_client_event(response, CITIES_LOADED, after="settle")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    """New customer. Possible duplicates are shown first; "create anyway" posts again with confirm=1."""
    user = actor_of(request)
    check_url = reverse("duplicate-check")
    matches: list[DuplicateMatch] = []
    if request.method == "POST":
        form = CustomerCreateForm(request.POST, actor=user, duplicate_check_url=check_url)
        if form.is_valid():
            try:
                customer = create_customer(
                    user,
                    form.customer_data(),
                    tag_names=form.cleaned_data["tag_names"],
                    owner=form.cleaned_data.get("owner"),
                    pool=form.cleaned_data.get("pool"),
                    confirm_duplicates=bool(request.POST.get("confirm")),
                )
            except DuplicatesFound as exc:
                matches = exc.matches
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
                return redirect("customer-detail", pk=customer.pk)
    else:
        form = CustomerCreateForm(actor=user, duplicate_check_url=check_url)
    context = {"form": form, "matches": matches, "creating": True}
    return render(request, "customers/customer_form.html", context)


@login_required
@require_GET
def duplicate_check(request: HttpRequest) -> HttpResponse:
    """查重 while typing: matches by credit code, phone and similar name, as a partial."""
    user = actor_of(request)
    name = request.GET.get("name", "").strip()[:200]
    credit_code = request.GET.get("credit_code", "").strip()[:18]
    phone = request.GET.get("phone", "").strip()[:30]
    matches: list[DuplicateMatch] = []
    if len(name) >= 2 or credit_code or phone:
        matches = find_duplicates(user, name=name if len(name) >= 2 else "", credit_code=credit_code, phones=[phone])
    return render(request, "customers/_duplicates.html", {"matches": matches})


def _posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit with optimistic locking: the version read with the form must still be current."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk, write=True)
    heading, version, status = customer.name, customer.version, 200
    if request.method == "POST":
        form = CustomerForm(request.POST, instance=customer)
        posted = _posted_version(request)
        version = posted if posted is not None else version
        if posted is None:
            form.add_error(None, STALE_MESSAGE)
            status = 409
        elif form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "tag_names"}
            try:
                update_customer(user, customer, data, tag_names=form.cleaned_data["tag_names"], expected_version=posted)
            except StaleVersion:
                form.add_error(None, STALE_MESSAGE)
                status = 409
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("customer-detail", pk=customer.pk)
    else:
        form = CustomerForm(instance=customer)
    context: dict[str, Any] = {
        "form": form,
        "customer_pk": customer.pk,
        "heading": heading,
        "version": version,
        "creating": False,
    }
    return render(request, "customers/customer_form.html", context, status=status)
