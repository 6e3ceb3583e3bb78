"""Follow-up pages (跟进记录), attachment downloads and the customer timeline's "more" fragment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.activities.actions_followups import (
    KEEP,
    add_attachments,
    create_followup,
    delete_attachment,
    delete_followup,
    update_followup,
)
from kam.activities.forms_followups import AttachmentsForm, FollowUpFilterForm, FollowUpForm
from kam.activities.models import AttachmentKind, FollowUp, FollowUpKind, Visit
from kam.activities.queries_followups import (
    attachments_of,
    contacts_met,
    followup_list,
    get_attachment_for_user,
    get_customer_for_logging,
    get_followup_for_user,
    may_change_followup,
    visit_recorded_by,
)
from kam.activities.queries_visits import get_visit_for_user
from kam.activities.timeline import customer_timeline
from kam.core import audit
from kam.core.models import User
from kam.customers.models import Customer
from kam.customers.queries import get_customer_for_user
from kam.customers.views.helpers import actor_of, apply_errors, render_page_or_partial

PAGE_SIZE = 50
# Audit rows that name something other than a model field.
EXTRA_LABELS = {
    "attachments": gettext_lazy("attachments"),
    "followup": gettext_lazy("follow-up"),
    "check_in_position": gettext_lazy("check-in position"),
    "check_out_position": gettext_lazy("check-out position"),
}


def history_of(instance: models.Model) -> list[dict[str, Any]]:
    """Audit rows with readable field labels, for web/_history_table.html."""
    rows = []
    for entry in audit.history(instance):
        label = EXTRA_LABELS.get(entry.field) or (audit.field_label(type(instance), entry.field) if entry.field else "")
        rows.append({"entry": entry, "label": str(label)})
    return rows


def _now_local_minute() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


def _target(request: HttpRequest) -> tuple[Customer, Visit | None]:
    """The customer (?customer=) or the visit (?visit=) a new follow-up is about."""
    user = actor_of(request)
    raw_visit = request.GET.get("visit")
    if raw_visit:
        visit = get_visit_for_user(user, raw_visit)
        if visit.owner_id != user.pk:
            raise PermissionDenied  # only the visitor records the visit
        return get_customer_for_logging(user, visit.customer_id), visit
    raw = request.GET.get("customer")
    if not raw:
        raise Http404
    return get_customer_for_logging(user, raw), None


def _initial(visit: Visit | None, request: HttpRequest | None = None) -> dict[str, Any]:
    """Now, a phone call; for a visit's record: a visit, at the check-in time; ?opportunity= names the deal."""
    initial: dict[str, Any] = {"occurred_at": _now_local_minute(), "kind": FollowUpKind.CALL}
    deal = request.GET.get("opportunity", "")[:20] if request is not None else ""
    if deal.isdigit():
        initial["opportunity"] = int(deal)
    if visit is not None:
        initial["kind"] = FollowUpKind.VISIT
        if visit.check_in_at is not None:
            initial["occurred_at"] = timezone.localtime(visit.check_in_at).replace(second=0, microsecond=0)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def followup_create(request: HttpRequest) -> HttpResponse:
    """记跟进 on a customer (?customer=), or the record that ends a visit (?visit=)."""
    user = actor_of(request)
    customer, visit = _target(request)
    status = 200
    if request.method == "POST":
        form = FollowUpForm(
            request.POST,
            request.FILES,
            initial=_initial(visit),
            customer=customer,
            for_visit=visit is not None,
            user=user,
        )
        if form.is_valid():
            try:
                followup = create_followup(
                    user,
                    customer,
                    form.values(),
                    contacts=form.cleaned_data["contacts"],
                    uploads=form.cleaned_data["attachments"],
                    visit=visit,
                    opportunity=form.cleaned_data.get("opportunity"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Follow-up saved."))
                if visit is not None:
                    return redirect("visit-detail", pk=visit.pk)
                return redirect("customer-detail", pk=followup.customer_id)
        status = 422
    else:
        form = FollowUpForm(initial=_initial(visit, request), customer=customer, for_visit=visit is not None, user=user)
    context = {"form": form, "customer": customer, "visit": visit, "creating": True}
    return render(request, "activities/followup_form.html", context, status=status)


@login_required
@require_GET
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    followup = get_followup_for_user(user, pk)
    return render(request, "activities/followup_detail.html", _detail_context(user, followup))


def _detail_context(user: User, followup: FollowUp, upload_form: AttachmentsForm | None = None) -> dict[str, Any]:
    can_change = may_change_followup(user, followup)
    files = list(attachments_of(followup=followup))
    return {
        "followup": followup,
        "customer": followup.customer,
        "visit": visit_recorded_by(followup),
        "contacts": contacts_met(followup),
        "photos": [a for a in files if a.kind == AttachmentKind.PHOTO],
        "files": [a for a in files if a.kind == AttachmentKind.FILE],
        "history": history_of(followup),
        "can_change": can_change,
        "upload_form": (upload_form or AttachmentsForm()) if can_change and len(files) < 9 else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def followup_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    followup = get_followup_for_user(user, pk, write=True)
    is_visit = visit_recorded_by(followup) is not None
    status = 200
    if request.method == "POST":
        form = FollowUpForm(
            request.POST, instance=followup, customer=followup.customer, with_files=False, for_visit=is_visit, user=user
        )
        if form.is_valid():
            deal = form.cleaned_data.get("opportunity") if form.offers_deal else KEEP
            try:
                update_followup(user, followup, form.values(), contacts=form.cleaned_data["contacts"], opportunity=deal)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("followup-detail", pk=followup.pk)
        status = 422
    else:
        form = FollowUpForm(
            instance=followup, customer=followup.customer, with_files=False, for_visit=is_visit, user=user
        )
    context = {"form": form, "customer": followup.customer, "followup": followup, "creating": False}
    return render(request, "activities/followup_form.html", context, status=status)


@login_required
@require_POST
def followup_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    followup = get_followup_for_user(user, pk, write=True)
    customer_id = followup.customer_id
    delete_followup(user, followup)
    messages.success(request, _("Follow-up deleted."))
    return redirect("customer-detail", pk=customer_id)


@login_required
@require_POST
def followup_attachments(request: HttpRequest, pk: int) -> HttpResponse:
    """Add photos or files to a follow-up; a refused file saves nothing and says why."""
    user = actor_of(request)
    followup = get_followup_for_user(user, pk, write=True)
    form = AttachmentsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            add_attachments(user, followup, form.cleaned_data["attachments"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Attachments added."))
            return redirect("followup-detail", pk=followup.pk)
    return render(request, "activities/followup_detail.html", _detail_context(user, followup, form), status=422)


@login_required
@require_GET
def followup_list_page(request: HttpRequest) -> HttpResponse:
    """跟进记录: mine, or my team's for managers; filter by type, dates and customer; 50 a page."""
    user = actor_of(request)
    form = FollowUpFilterForm(request.GET, user=user)
    filters = form.filters()
    page = Paginator(followup_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    customer = None
    if filters.customer:
        customer = get_customer_for_user(user, filters.customer)
    context = {"form": form, "page": page, "followups": list(page.object_list), "customer": customer}
    return render_page_or_partial(request, "activities/followup_list.html", "activities/_followup_table.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An attachment, to whoever may open its follow-up or visit; photos inline, files as downloads."""
    attachment = get_attachment_for_user(actor_of(request), pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    photo = attachment.kind == AttachmentKind.PHOTO
    response = FileResponse(
        handle, content_type=attachment.content_type, as_attachment=not photo, filename=attachment.name
    )
    response["Cache-Control"] = "private, max-age=3600"
    # Served from our origin: never let a file run as a page.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    attachment = get_attachment_for_user(user, pk)
    delete_attachment(user, attachment)
    messages.success(request, _("Attachment removed."))
    if attachment.followup_id is not None:
        return redirect("followup-detail", pk=attachment.followup_id)
    return redirect("visit-detail", pk=attachment.visit_id)


@login_required
@require_GET
def customer_timeline_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's timeline from ?offset=; htmx "more" gets only the next entries."""
    user = actor_of(request)
    customer = get_customer_for_user(user, pk)
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        offset = 0
    context = {"customer": customer, "timeline": customer_timeline(customer, user, offset=offset)}
    return render_page_or_partial(
        request, "activities/customer_timeline.html", "activities/_timeline_items.html", context
    )
