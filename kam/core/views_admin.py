"""The admin console pages: organization settings, the team tree, user accounts.

Administrators only: anyone else gets 403 on every page and POST; another organization's teams
and users answer 404. Each view validates a form, calls one action, and redirects with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core import admin_actions as actions
from kam.core import admin_queries as queries
from kam.core import workcal
from kam.core.admin_forms import (
    DeactivateForm,
    OrganizationForm,
    PasswordResetForm,
    ServiceLevelForm,
    TeamCreateForm,
    TeamEditForm,
    TeamMoveForm,
    UserCreateForm,
    UserFilterForm,
    UserForm,
    initial_of,
    team_initial,
)
from kam.core.models import Organization, User
from kam.customers.actions.pool_admin import deactivate_and_hand_over, set_service_levels
from kam.customers.pool_admin_queries import owned_customer_count, service_levels

PAGE_SIZE = 50
View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Log in first (anonymous: redirect), then administrators only (everyone else: 403)."""

    @wraps(view)
    def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actions.require_admin(actor_of(request))
        return view(request, *args, **kwargs)

    return login_required(check)


def actor_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def apply_errors(form: BaseForm, exc: ValidationError) -> None:
    """An action's refusal onto the form: on the named field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even an empty one, so it is validated), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


# --- console home and organization ---------------------------------------------------------


@admin_required
@require_GET
def admin_home(request: HttpRequest) -> HttpResponse:
    """The console's front page: what there is to manage, with counts."""
    user = actor_of(request)
    context = {
        "summary": queries.console_summary(user),
        "calendar_warnings": workcal.calendar_warnings(
            user.organization_id, workcal.warning_years(timezone.localdate())
        ),
    }
    return render(request, "core/admin_home.html", context)


def _organization_page(
    request: HttpRequest, org_form: OrganizationForm | None = None, level_form: ServiceLevelForm | None = None
) -> HttpResponse:
    user = actor_of(request)
    org: Organization = user.organization
    if org_form is None:
        org_form = OrganizationForm(
            initial={
                "name": org.name,
                "dedup_mode": org.dedup_mode,
                "default_holding_limit": org.default_holding_limit,
                "default_lock_limit": org.default_lock_limit,
                "checkin_radius_m": org.checkin_radius_m,
            }
        )
    if level_form is None:
        levels = service_levels(user)
        level_form = ServiceLevelForm(initial={f"tier_{tier}": days for tier, days in levels.items()})
    context = {"org_form": org_form, "level_form": level_form, "history": queries.organization_history(user)}
    return render(request, "core/admin_organization.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_organization(request: HttpRequest) -> HttpResponse:
    """Organization name, duplicate handling and default limits; the tier service levels beside them."""
    if request.method != "POST":
        return _organization_page(request)
    form = OrganizationForm(request.POST)
    if form.is_valid():
        try:
            actions.update_organization(actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Organization settings saved."))
            return redirect("admin-organization")
    return _organization_page(request, org_form=form)


@admin_required
@require_POST
def admin_service_levels(request: HttpRequest) -> HttpResponse:
    form = ServiceLevelForm(request.POST)
    if form.is_valid():
        try:
            set_service_levels(actor_of(request), form.cadences())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Service levels saved."))
            return redirect("admin-organization")
    return _organization_page(request, level_form=form)


# --- teams ---------------------------------------------------------------------------------


def _teams_page(request: HttpRequest, form: TeamCreateForm | None = None) -> HttpResponse:
    user = actor_of(request)
    context = {"tree": queries.team_tree(user), "form": form or TeamCreateForm(actor=user)}
    return render(request, "core/admin_teams.html", context)


@admin_required
@require_GET
def admin_teams(request: HttpRequest) -> HttpResponse:
    """The team tree, indented, with member and sub-team counts and the form for a new team."""
    return _teams_page(request)


@admin_required
@require_POST
def admin_team_create(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    form = TeamCreateForm(request.POST, actor=user)
    if form.is_valid():
        try:
            team = actions.add_team(user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect("admin-teams")
    return _teams_page(request, form)


def _team_page(
    request: HttpRequest, pk: int, edit_form: TeamEditForm | None = None, move_form: TeamMoveForm | None = None
) -> HttpResponse:
    user = actor_of(request)
    team = queries.get_team_for_admin(user, pk)
    context = {
        "team": team,
        "members": list(queries.team_members(team)),
        "edit_form": edit_form or TeamEditForm(initial=team_initial(team)),
        "move_form": move_form or TeamMoveForm(actor=user, team=team, initial={"parent": team.parent_id}),
        "history": queries.history_of(team),
    }
    return render(request, "core/admin_team_edit.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a team or change its kind; the page also moves and deletes it."""
    if request.method != "POST":
        return _team_page(request, pk)
    user = actor_of(request)
    team = queries.get_team_for_admin(user, pk)
    form = TeamEditForm(request.POST)
    if form.is_valid():
        try:
            actions.update_team(user, team, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Team %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("admin-teams")
    return _team_page(request, pk, edit_form=form)


@admin_required
@require_POST
def admin_team_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    team = queries.get_team_for_admin(user, pk)
    form = TeamMoveForm(request.POST, actor=user, team=team)
    if form.is_valid():
        try:
            actions.move_team(user, team, form.cleaned_data["parent"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Team %(name)s moved.") % {"name": team.name})
            return redirect("admin-teams")
    return _team_page(request, pk, move_form=form)


@admin_required
@require_POST
def admin_team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    team = queries.get_team_for_admin(user, pk)
    try:
        actions.delete_team(user, team)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("admin-team-edit", pk=team.pk)
    messages.success(request, _("Team %(name)s deleted.") % {"name": team.name})
    return redirect("admin-teams")


# --- users ---------------------------------------------------------------------------------


@admin_required
@require_GET
def admin_users(request: HttpRequest) -> HttpResponse:
    """Every account of the organization, filtered by team (with sub-teams), role and status."""
    user = actor_of(request)
    form = UserFilterForm(request.GET, actor=user)
    form.is_valid()
    page = Paginator(queries.user_list(user, form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "users": list(page.object_list), "now": timezone.now()}
    return render(request, "core/admin_users.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_user_create(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    form = UserCreateForm(_posted(request), actor=user)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_user(user, password=form.cleaned_data["password"], **form.profile())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": created.name})
            return redirect("admin-user-edit", pk=created.pk)
    return render(request, "core/admin_user_form.html", {"form": form, "creating": True})


@admin_required
@require_http_methods(["GET", "POST"])
def admin_user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's profile, plus its status actions: deactivate, reactivate, reset password, unlock."""
    actor = actor_of(request)
    account = queries.get_user_for_admin(actor, pk)
    if request.method == "POST":
        form = UserForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                actions.update_user(actor, account, **form.profile())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Account %(name)s saved.") % {"name": account.name})
                return redirect("admin-user-edit", pk=account.pk)
    else:
        form = UserForm(initial=initial_of(account), actor=actor)
    context = {
        "form": form,
        "account": account,
        "creating": False,
        "locked": account.locked_until is not None and account.locked_until > timezone.now(),
        "history": queries.history_of(account),
    }
    return render(request, "core/admin_user_form.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """停用, showing how many customers the account owns and offering to transfer them in the same step."""
    actor = actor_of(request)
    account = queries.get_user_for_admin(actor, pk)
    colleagues = queries.colleagues_for_transfer(actor, account)
    form = DeactivateForm(_posted(request), colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        try:
            moved = deactivate_and_hand_over(
                actor, account, transfer_to=form.cleaned_data["transfer_to"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Account %(name)s deactivated.") % {"name": account.name})
            if moved:
                messages.success(
                    request,
                    _("%(count)d customers transferred to %(user)s.")
                    % {"count": moved, "user": form.cleaned_data["transfer_to"].name},
                )
            return redirect("admin-user-edit", pk=account.pk)
    context = {"form": form, "account": account, "owned": owned_customer_count(account)}
    return render(request, "core/admin_user_deactivate.html", context)


@admin_required
@require_POST
def admin_user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    account = queries.get_user_for_admin(actor, pk)
    actions.reactivate_user(actor, account)
    messages.success(request, _("Account %(name)s reactivated.") % {"name": account.name})
    return redirect("admin-user-edit", pk=account.pk)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_user_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    account = queries.get_user_for_admin(actor, pk)
    form = PasswordResetForm(_posted(request), user=account)
    if request.method == "POST" and form.is_valid():
        try:
            updated = actions.set_user_password(actor, account, form.cleaned_data["password"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if updated.pk == actor.pk:
                update_session_auth_hash(request, updated)  # resetting one's own password keeps this session
            messages.success(request, _("The password of %(name)s was reset.") % {"name": account.name})
            return redirect("admin-user-edit", pk=account.pk)
    return render(request, "core/admin_user_password.html", {"form": form, "account": account})


@admin_required
@require_POST
def admin_user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    account = queries.get_user_for_admin(actor, pk)
    actions.unlock_user(actor, account)
    messages.success(request, _("Account %(name)s unlocked.") % {"name": account.name})
    return redirect("admin-user-edit", pk=account.pk)
