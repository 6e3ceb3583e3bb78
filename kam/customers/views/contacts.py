"""Contact pages (联系人) and the relationship map of a customer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core.errors import StaleVersion
from kam.customers.actions import create_contact, delete_contact, update_contact
from kam.customers.forms import CONTACT_FIELDS, ContactForm
from kam.customers.models import Contact
from kam.customers.queries import customer_access, get_contact_for_user, get_customer_for_user
from kam.customers.relationships import relationship_map
from kam.customers.views.detail import history_rows
from kam.customers.views.helpers import actor_of, apply_errors

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this contact while you were editing; reload the page to see their changes."
)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a contact to a customer the user may change."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk, write=True)
    if request.method == "POST":
        form = ContactForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                contact = create_contact(user, customer, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Contact %(name)s added.") % {"name": contact.name})
                return redirect("contact-detail", pk=contact.pk)
    else:
        form = ContactForm(customer=customer)
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer, "creating": True})


def _contact_rows(contact: Contact) -> list[tuple[str, Any]]:
    rows = []
    for name in CONTACT_FIELDS:
        if name == "notes":
            continue
        field = Contact._meta.get_field(name)
        value = getattr(contact, name)
        display = getattr(contact, f"get_{name}_display", None)
        if display is not None:
            value = display()
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append((str(field.verbose_name), "" if value is None else value))  # type: ignore[union-attr]
    return rows


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    contact = get_contact_for_user(user, pk)
    context = {
        "contact": contact,
        "customer": contact.customer,
        "rows": _contact_rows(contact),
        "history": history_rows(contact),
        "can_write": customer_access(user, contact.customer).write,
    }
    return render(request, "customers/contact_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit with the version read with the form; a concurrent change is refused, nothing saved."""
    user = actor_of(request)
    contact = get_contact_for_user(user, pk, write=True)
    customer, heading, version, status = contact.customer, contact.name, contact.version, 200
    if request.method == "POST":
        form = ContactForm(request.POST, instance=contact, customer=customer)
        try:
            posted: int | None = int(request.POST.get("version", ""))
        except ValueError:
            posted = None
        version = posted if posted is not None else version
        if posted is None:
            form.add_error(None, STALE_MESSAGE)
            status = 409
        elif form.is_valid():
            try:
                update_contact(user, contact, form.cleaned_data, expected_version=posted)
            except StaleVersion:
                form.add_error(None, STALE_MESSAGE)
                status = 409
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("contact-detail", pk=contact.pk)
    else:
        form = ContactForm(instance=contact, customer=customer)
    context = {
        "form": form,
        "customer": customer,
        "contact_pk": contact.pk,
        "heading": heading,
        "version": version,
        "creating": False,
    }
    return render(request, "customers/contact_form.html", context, status=status)


@login_required
@require_POST
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    contact = get_contact_for_user(user, pk, write=True)
    delete_contact(user, contact)
    messages.success(request, _("%(name)s moved to the recycle bin.") % {"name": contact.name})
    return redirect("customer-detail", pk=contact.customer_id)


@login_required
@require_GET
def relationship_map_page(request: HttpRequest, pk: int) -> HttpResponse:
    """关系图谱: the contacts as an org chart, coloured by attitude, with coverage warnings."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk)
    return render(request, "customers/relationship_map.html", {"customer": customer, "map": relationship_map(customer)})
