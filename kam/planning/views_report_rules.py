"""The admin page of report submission rules (report-rules): list, add, edit, deactivate. Admins only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kam.core.admin_queries import history_of
from kam.core.views_admin import actor_of, admin_required, apply_errors
from kam.planning import actions_reports as actions
from kam.planning.forms_reports import ReportRuleForm, initial_of_rule
from kam.planning.queries_reports import get_rule_for_admin, rules_for_admin


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@admin_required
@require_http_methods(["GET", "POST"])
def report_rules(request: HttpRequest) -> HttpResponse:
    """Every rule of the organization and the form for a new one."""
    actor = actor_of(request)
    form = ReportRuleForm(_posted(request), actor=actor)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.create_rule(actor, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Rule added."))
                return redirect("report-rules")
    context = {"rules": list(rules_for_admin(actor)), "form": form}
    return render(request, "planning/report_rules.html", context, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def report_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    rule = get_rule_for_admin(actor, pk)
    form = ReportRuleForm(_posted(request), actor=actor, with_active=True, initial=initial_of_rule(rule))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.update_rule(actor, rule, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("report-rules")
    context = {"rule": rule, "form": form, "history": history_of(rule)}
    return render(request, "planning/report_rule_form.html", context, status=status)


@admin_required
@require_POST
def report_rule_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (active=0) or reactivate (active=1) a rule."""
    actor = actor_of(request)
    rule = actions.set_rule_active(actor, get_rule_for_admin(actor, pk), request.POST.get("active") == "1")
    messages.success(request, _("Rule activated.") if rule.active else _("Rule deactivated."))
    return redirect("report-rules")
