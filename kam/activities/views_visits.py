"""Visit pages (拜访): plan, the phone-width check-in/out page, cancel, photos, the list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.activities.actions_visits import add_visit_photos, cancel_visit, check_in, check_out, plan_visit
from kam.activities.forms_followups import AttachmentsForm, PositionForm, VisitFilterForm, VisitForm
from kam.activities.models import AttachmentKind, Visit, VisitStatus
from kam.activities.queries_followups import attachments_of, get_customer_for_logging
from kam.activities.queries_visits import When, get_visit_for_user, may_change_visit, visit_list
from kam.activities.views_followups import history_of
from kam.customers.queries import customer_access, get_customer_for_user
from kam.customers.views.helpers import actor_of, apply_errors, flash_errors, render_page_or_partial

PAGE_SIZE = 50


@login_required
@require_GET
def visit_list_page(request: HttpRequest) -> HttpResponse:
    """拜访: upcoming (soonest first) or past (latest first), mine or my team's."""
    user = actor_of(request)
    form = VisitFilterForm(request.GET, user=user)
    filters = form.filters()
    page = Paginator(visit_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    customer = get_customer_for_user(user, filters.customer) if filters.customer else None
    context = {
        "form": form,
        "page": page,
        "visits": list(page.object_list),
        "customer": customer,
        "past": filters.when == When.PAST,
    }
    return render_page_or_partial(request, "activities/visit_list.html", "activities/_visit_table.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    """计划拜访 on a customer (?customer=): time, duration, purpose."""
    user = actor_of(request)
    raw = request.GET.get("customer")
    if not raw:
        raise Http404
    customer = get_customer_for_logging(user, raw)
    status = 200
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = plan_visit(user, customer, data["planned_at"], data["planned_minutes"], data["purpose"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Visit planned."))
                return redirect("visit-detail", pk=visit.pk)
        status = 422
    else:
        start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form = VisitForm(initial={"planned_at": start, "planned_minutes": 60})
    return render(request, "activities/visit_form.html", {"form": form, "customer": customer}, status=status)


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page of one visit: big 签到 / 签退 buttons, where and how long, photos, its record."""
    user = actor_of(request)
    visit = get_visit_for_user(user, pk)
    return render(request, "activities/visit_detail.html", _detail_context(user, visit))


def _detail_context(user: Any, visit: Visit, upload_form: AttachmentsForm | None = None) -> dict[str, Any]:
    is_visitor = visit.owner_id == user.pk and customer_access(user, visit.customer).read
    can_change = may_change_visit(user, visit)
    files = list(attachments_of(visit=visit))
    can_upload = can_change and visit.status != VisitStatus.CANCELLED and len(files) < 9
    return {
        "visit": visit,
        "customer": visit.customer,
        "radius": visit.organization.checkin_radius_m,
        "is_visitor": is_visitor,
        "can_check_in": is_visitor and visit.status == VisitStatus.PLANNED,
        "can_check_out": is_visitor and visit.status == VisitStatus.CHECKED_IN,
        "can_record": is_visitor and visit.status == VisitStatus.DONE and visit.followup_id is None,
        "can_cancel": can_change and visit.status == VisitStatus.PLANNED,
        "photos": [a for a in files if a.kind == AttachmentKind.PHOTO],
        "files": [a for a in files if a.kind == AttachmentKind.FILE],
        "upload_form": (upload_form or AttachmentsForm()) if can_upload else None,
        "can_change": can_change,
        "history": history_of(visit),
    }


def _check(request: HttpRequest, pk: int, checking_in: bool) -> HttpResponse:
    user = actor_of(request)
    visit: Visit = get_visit_for_user(user, pk)
    form = PositionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("visit-detail", pk=visit.pk)
    try:
        if checking_in:
            visit = check_in(user, visit, form.position())
        else:
            visit = check_out(user, visit, form.position())
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("visit-detail", pk=visit.pk)
    if form.position() is None:
        messages.warning(request, _("Saved without a position; the visit is flagged."))
    elif (visit.check_in_out_of_range if checking_in else visit.check_out_out_of_range) is True:
        messages.warning(request, _("Saved, but you are outside the check-in radius of this customer."))
    else:
        messages.success(request, _("Checked in.") if checking_in else _("Checked out."))
    if not checking_in:
        # The visit ends in a follow-up record: straight to its form.
        return redirect(f"{reverse('followup-create')}?visit={visit.pk}")
    return redirect("visit-detail", pk=visit.pk)


@login_required
@require_POST
def visit_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    return _check(request, pk, checking_in=True)


@login_required
@require_POST
def visit_check_out(request: HttpRequest, pk: int) -> HttpResponse:
    return _check(request, pk, checking_in=False)


@login_required
@require_POST
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    visit = get_visit_for_user(user, pk, write=True)
    try:
        cancel_visit(user, visit)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Visit cancelled."))
    return redirect("visit-detail", pk=visit.pk)


@login_required
@require_POST
def visit_photos(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    visit = get_visit_for_user(user, pk, write=True)
    form = AttachmentsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            add_visit_photos(user, visit, form.cleaned_data["attachments"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Attachments added."))
            return redirect("visit-detail", pk=visit.pk)
    return render(request, "activities/visit_detail.html", _detail_context(user, visit, form), status=422)
