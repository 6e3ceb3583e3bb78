"""待办 pages: the list (open by due time, done on a tab), create, detail/edit, tick off, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.activities.actions_tasks import TASK_FIELDS, create_task, delete_task, set_task_done, update_task
from kam.activities.forms_tasks import TaskFilterForm, TaskForm
from kam.activities.models import Task
from kam.activities.queries_tasks import get_task_for_user, is_overdue, oversees_others, task_list
from kam.customers.queries import search_q, visible_customers
from kam.customers.views.detail import history_rows
from kam.customers.views.helpers import actor_of, apply_errors, next_url, render_page_or_partial, wants_partial

PAGE_SIZE = 50
PICKER_MATCHES = 10


@dataclass
class TaskRow:
    task: Task
    overdue: bool


def rows_of(tasks: list[Task], now: datetime) -> list[TaskRow]:
    return [TaskRow(task, is_overdue(task, now)) for task in tasks]


@login_required
@require_GET
def task_list_page(request: HttpRequest) -> HttpResponse:
    """待办: open tasks by due time (overdue ones marked), done ones on their tab; htmx filters swap the table."""
    user = actor_of(request)
    form = TaskFilterForm(request.GET, actor=user)
    form.is_valid()
    filters = form.filters()
    page = Paginator(task_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    customer = None
    if filters.customer:
        customer = visible_customers(user).filter(pk=filters.customer).only("id", "name").first()
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows_of(list(page.object_list), timezone.now()),
        "customer": customer,
        "team_view": oversees_others(user),
    }
    return render_page_or_partial(request, "activities/task_list.html", "activities/_task_table.html", context)


def _initial_customer(request: HttpRequest) -> dict[str, Any]:
    customer_id = request.GET.get("customer", "")[:20]
    return {"customer": customer_id} if customer_id.isdigit() else {}


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    """New task (for myself; managers may give it to someone in their team). ?customer=<id> links it."""
    user = actor_of(request)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, actor=user)
        if form.is_valid():
            try:
                create_task(user, {k: v for k, v in form.cleaned_data.items() if k in TASK_FIELDS})
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Task created."))
                return redirect(next_url(request, reverse("task-list")))
        status = 422
    else:
        form = TaskForm(actor=user, initial=_initial_customer(request))
    context = {
        "form": form,
        "task": None,
        "next": request.GET.get("next", ""),
        "chosen_customer": form.chosen_customer(),
    }
    return render(request, "activities/task_form.html", context, status=status)


def _initial_of(task: Task) -> dict[str, Any]:
    initial = {name: getattr(task, name) for name in TASK_FIELDS}
    for name in ("due_at", "remind_at"):
        if initial[name] is not None:
            initial[name] = timezone.localtime(initial[name])
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One task: its fields as an editable form, its history, tick off and delete."""
    user = actor_of(request)
    task = get_task_for_user(user, pk)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, actor=user, initial=_initial_of(task), current=task)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k in TASK_FIELDS}
            if values.get("owner") is None:
                values["owner"] = task.owner
            try:
                update_task(user, task, values)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("task-detail", pk=task.pk)
        status = 422
    else:
        form = TaskForm(actor=user, initial=_initial_of(task), current=task)
    context = {
        "form": form,
        "task": task,
        "overdue": is_overdue(task, timezone.now()),
        "history": history_rows(task, limit=50),
        "chosen_customer": form.chosen_customer(),
    }
    return render(request, "activities/task_form.html", context, status=status)


@login_required
@require_POST
def task_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick a task off or open it again (done=1 / done absent); htmx gets the updated row back."""
    user = actor_of(request)
    task = set_task_done(user, get_task_for_user(user, pk), request.POST.get("done") in ("1", "on", "true"))
    if wants_partial(request):
        task = get_task_for_user(user, pk)
        row = TaskRow(task, is_overdue(task, timezone.now()))
        context = {"row": row, "team_view": oversees_others(user)}
        return render(request, "activities/_task_row.html", context)
    return redirect(next_url(request, reverse("task-list")))


@login_required
@require_POST
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    delete_task(user, get_task_for_user(user, pk))
    messages.success(request, _("Task deleted."))
    return redirect("task-list")


# --- pickers shared with the request form ---------------------------------------------------------


@login_required
@require_GET
def customer_picker(request: HttpRequest) -> HttpResponse:
    """Up to ten customers I may open matching ?customer_q= (name, pinyin, initials), as radio buttons."""
    user = actor_of(request)
    term = request.GET.get("customer_q", "").strip()[:50]
    matches = []
    if term:
        matches = list(
            visible_customers(user)
            .filter(search_q(term, user=user))
            .only("id", "name", "short_name")
            .order_by("-updated_at")[:PICKER_MATCHES]
        )
    context = {"term": term, "matches": matches, "optional": request.GET.get("optional") == "1"}
    return render(request, "activities/_work_customer_matches.html", context)


@login_required
@require_GET
def contact_options(request: HttpRequest) -> HttpResponse:
    """The contact <select> for the customer picked (?customer=<id>): its people, or nothing."""
    user = actor_of(request)
    form = TaskForm(actor=user, initial={"customer": request.GET.get("customer", "")[:20]})
    context = {"form": form, "chosen_customer": form.chosen_customer()}
    return render(request, "activities/_task_contact_select.html", context)
