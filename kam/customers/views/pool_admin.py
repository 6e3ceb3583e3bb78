"""Admin pages of the 客户公海: pools, their members and recycling rules (administrators only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core.admin_queries import history_of
from kam.core.views_admin import actor_of, admin_required, apply_errors, flash_errors
from kam.customers.actions import pool_admin as actions
from kam.customers.models import Pool
from kam.customers.pool_admin_queries import (
    get_pool_for_admin,
    get_pool_member,
    get_pool_rule,
    pool_memberships,
    pool_rules,
    pools_for_admin,
)
from kam.customers.views.pool_admin_forms import (
    PoolForm,
    PoolMemberForm,
    PoolRuleForm,
    initial_of_pool,
    initial_of_rule,
)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@admin_required
@require_GET
def admin_pool_list(request: HttpRequest) -> HttpResponse:
    """Every pool of the organization with member, rule and waiting-customer counts."""
    return render(request, "customers/pool_admin_list.html", {"pools": list(pools_for_admin(actor_of(request)))})


@admin_required
@require_http_methods(["GET", "POST"])
def admin_pool_create(request: HttpRequest) -> HttpResponse:
    form = PoolForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            pool = actions.create_pool(actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Pool %(name)s created; add its members and rules.") % {"name": pool.name})
            return redirect("admin-pool-members", pk=pool.pk)
    return render(request, "customers/pool_admin_form.html", {"form": form, "pool": None})


@admin_required
@require_http_methods(["GET", "POST"])
def admin_pool_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Name, daily claim cap, reclaim cooldown and warning days of one pool."""
    actor = actor_of(request)
    pool = get_pool_for_admin(actor, pk)
    form = PoolForm(_posted(request), initial=initial_of_pool(pool))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_pool(actor, pool, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Pool %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("admin-pool-list")
    context = {"form": form, "pool": pool, "history": history_of(pool)}
    return render(request, "customers/pool_admin_form.html", context)


@admin_required
@require_POST
def admin_pool_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    pool = get_pool_for_admin(actor, pk)
    try:
        actions.delete_pool(actor, pool)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("admin-pool-edit", pk=pool.pk)
    messages.success(request, _("Pool %(name)s deleted.") % {"name": pool.name})
    return redirect("admin-pool-list")


def _members_page(request: HttpRequest, pool: Pool, form: PoolMemberForm) -> HttpResponse:
    context = {"pool": pool, "members": list(pool_memberships(pool)), "form": form}
    return render(request, "customers/pool_admin_members.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_pool_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Who belongs to the pool (sees and claims its customers) and who administers it; add a member."""
    actor = actor_of(request)
    pool = get_pool_for_admin(actor, pk)
    form = PoolMemberForm(_posted(request), actor=actor, pool=pool)
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.add_pool_member(
                actor, pool, form.cleaned_data["user"], is_admin=form.cleaned_data["is_admin"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the pool.") % {"name": member.user.name})
            return redirect("admin-pool-members", pk=pool.pk)
    return _members_page(request, pool, form)


@admin_required
@require_POST
def admin_pool_member_admin(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Grant (is_admin=1) or take away (is_admin=0) the pool admin right."""
    actor = actor_of(request)
    member = get_pool_member(get_pool_for_admin(actor, pk), member_pk)
    member = actions.set_pool_member_admin(actor, member, request.POST.get("is_admin") == "1")
    if member.is_admin:
        messages.success(request, _("%(name)s is now a pool admin.") % {"name": member.user.name})
    else:
        messages.success(request, _("%(name)s is no longer a pool admin.") % {"name": member.user.name})
    return redirect("admin-pool-members", pk=pk)


@admin_required
@require_POST
def admin_pool_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    actor = actor_of(request)
    member = get_pool_member(get_pool_for_admin(actor, pk), member_pk)
    actions.remove_pool_member(actor, member)
    messages.success(request, _("%(name)s removed from the pool.") % {"name": member.user.name})
    return redirect("admin-pool-members", pk=pk)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_pool_rules(request: HttpRequest, pk: int) -> HttpResponse:
    """The recycling rules of a pool and the form for a new one."""
    actor = actor_of(request)
    pool = get_pool_for_admin(actor, pk)
    form = PoolRuleForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_pool_rule(actor, pool, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Rule added."))
            return redirect("admin-pool-rules", pk=pool.pk)
    context = {"pool": pool, "rules": list(pool_rules(pool)), "form": form}
    return render(request, "customers/pool_admin_rules.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_pool_rule_edit(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    actor = actor_of(request)
    rule = get_pool_rule(get_pool_for_admin(actor, pk), rule_pk)
    form = PoolRuleForm(_posted(request), initial=initial_of_rule(rule))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_pool_rule(actor, rule, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("admin-pool-rules", pk=pk)
    return render(request, "customers/pool_admin_rule_form.html", {"form": form, "pool": rule.pool, "rule": rule})


@admin_required
@require_POST
def admin_pool_rule_delete(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    actor = actor_of(request)
    rule = get_pool_rule(get_pool_for_admin(actor, pk), rule_pk)
    actions.delete_pool_rule(actor, rule)
    messages.success(request, _("Rule deleted."))
    return redirect("admin-pool-rules", pk=pk)
