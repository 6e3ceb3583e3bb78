"""协调请求 pages: the tabbed list, asking for help (with the due date as you type), the detail page with
its answer buttons and the comment thread (htmx)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.activities import actions_requests as actions
from kam.activities.forms_requests import CommentForm, CompleteForm, RejectForm, RequestForm, RequestListForm
from kam.activities.models import CoordinationRequest
from kam.activities.queries_requests import (
    RequestState,
    RequestTab,
    comments_of,
    get_request_for_user,
    is_overdue,
    may_see_team,
    permissions,
    request_list,
)
from kam.core.models import User
from kam.customers.choices import colleague_suggestions
from kam.customers.queries import customer_access
from kam.customers.views.detail import history_rows
from kam.customers.views.helpers import actor_of, apply_errors, render_page_or_partial, wants_partial

PAGE_SIZE = 50


@dataclass
class RequestRow:
    request: CoordinationRequest
    overdue: bool


@login_required
@require_GET
def request_list_page(request: HttpRequest) -> HttpResponse:
    """协调请求: 我发起的 / 待我处理 / (managers) the team's, pending by due date, overdue flagged."""
    user = actor_of(request)
    form = RequestListForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    tab = data.get("tab") or RequestTab.MINE
    if tab == RequestTab.TEAM and not may_see_team(user):
        tab = RequestTab.MINE
    state = data.get("state") or RequestState.PENDING
    page = Paginator(request_list(user, tab, state), PAGE_SIZE).get_page(request.GET.get("page"))
    today = actions.shanghai_today()
    context = {
        "form": form,
        "tab": tab,
        "state": state,
        "page": page,
        "rows": [RequestRow(item, is_overdue(item, today)) for item in page.object_list],
        "team_view": may_see_team(user),
    }
    return render_page_or_partial(request, "activities/request_list.html", "activities/_request_table.html", context)


def _initial(request: HttpRequest) -> dict[str, Any]:
    customer_id = request.GET.get("customer", "")[:20]
    return {"customer": customer_id} if customer_id.isdigit() else {}


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """Ask a colleague or a role for help on a customer; ?customer=<id> picks the customer."""
    user = actor_of(request)
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, actor=user)
        if form.is_valid():
            try:
                created = actions.create_request(user, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Request sent. It is due on %(date)s.") % {"date": created.due_date.isoformat()}
                )
                return redirect("request-detail", pk=created.pk)
        status = 422
    else:
        form = RequestForm(actor=user, initial=_initial(request))
    context = {"form": form, "chosen_customer": form.chosen("customer"), "chosen_assignee": form.chosen("assignee")}
    return render(request, "activities/request_form.html", context, status=status)


@login_required
@require_GET
def due_preview(request: HttpRequest) -> HttpResponse:
    """The due date for ?working_days=N counted from today, shown while the rep types."""
    user = actor_of(request)
    context: dict[str, Any] = {"due": None, "error": ""}
    try:
        days = actions.check_working_days(int(request.GET.get("working_days", "")[:6]))
    except (ValueError, ValidationError):
        context["error"] = _("Give between 1 and %(max)d working days.") % {"max": actions.MAX_WORKING_DAYS}
    else:
        assert user.organization_id is not None
        context["due"] = actions.due_date_for(user.organization_id, days, actions.shanghai_today())
    return render(request, "activities/_request_due.html", context)


@login_required
@require_GET
def colleague_picker(request: HttpRequest) -> HttpResponse:
    """Up to ten active colleagues matching ?assignee_q= (name, user name, pinyin), as radio buttons."""
    user = actor_of(request)
    term = request.GET.get("assignee_q", "").strip()[:50]
    matches: list[User] = colleague_suggestions(user, term, exclude=(user.pk,)) if term else []
    return render(request, "activities/_request_colleague_matches.html", {"term": term, "matches": matches})


def _detail_context(user: User, item: CoordinationRequest, **forms: Any) -> dict[str, Any]:
    return {
        "item": item,
        "can": permissions(user, item),
        # A role user sees the request before the customer: the customer opens once they accept.
        "customer_visible": customer_access(user, item.customer).read,
        "overdue": is_overdue(item, actions.shanghai_today()),
        "comments": list(comments_of(item)),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "conflict": forms.get("conflict", ""),
        "history": history_rows(item, limit=50),
    }


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    item = get_request_for_user(user, pk)
    return render(request, "activities/request_detail.html", _detail_context(user, item))


def _answer(
    request: HttpRequest,
    pk: int,
    step: Callable[[User, CoordinationRequest, dict[str, Any]], CoordinationRequest],
    form_class: type[RejectForm] | type[CompleteForm] | None,
    done_message: str,
) -> HttpResponse:
    """Run one step of the status machine; on a refusal show the detail page again with why (409/422)."""
    user = actor_of(request)
    item = get_request_for_user(user, pk)
    form = form_class(request.POST) if form_class is not None else None
    forms: dict[str, Any] = {}
    if form is not None:
        forms["reject_form" if form_class is RejectForm else "complete_form"] = form
    status = 422
    if form is None or form.is_valid():
        try:
            step(user, item, form.cleaned_data if form is not None else {})
        except actions.RequestConflict as exc:
            forms["conflict"], status = exc.message, 409
        except ValidationError as exc:
            if form is not None:
                apply_errors(form, exc)
        else:
            messages.success(request, done_message)
            return redirect("request-detail", pk=pk)
        item = get_request_for_user(user, pk)
    return render(request, "activities/request_detail.html", _detail_context(user, item, **forms), status=status)


@login_required
@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, lambda u, r, d: actions.accept_request(u, r), None, _("You accepted the request."))


@login_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request, pk, lambda u, r, d: actions.reject_request(u, r, d["reason"]), RejectForm, _("Request rejected.")
    )


@login_required
@require_POST
def request_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request, pk, lambda u, r, d: actions.complete_request(u, r, d["result"]), CompleteForm, _("Request completed.")
    )


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, lambda u, r, d: actions.cancel_request(u, r), None, _("Request cancelled."))


@login_required
@require_http_methods(["GET", "POST"])
def request_comments(request: HttpRequest, pk: int) -> HttpResponse:
    """The comment thread: GET renders it, POST adds one. htmx swaps the thread in place."""
    user = actor_of(request)
    item = get_request_for_user(user, pk)
    form = CommentForm(request.POST or None)
    ok = request.method == "GET"
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_comment(user, item, form.cleaned_data["body"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            ok, form = True, CommentForm()
    if wants_partial(request):
        # htmx swaps only 2xx answers: a refused comment comes back as 200 with the error on the form.
        context = {"item": item, "comments": list(comments_of(item)), "comment_form": form}
        return render(request, "activities/_request_comments.html", context)
    if ok:
        return redirect(reverse("request-detail", args=[item.pk]) + "#comments")
    context = _detail_context(user, item, comment_form=form)
    return render(request, "activities/request_detail.html", context, status=422)
