"""The admin console's 节假日 page: a year's statutory calendar (read-only) and the organization's overrides.

Administrators only, like every console page; another organization's overrides answer 404.
A refused form is shown again with its field errors and status 422.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core import admin_queries as queries
from kam.core import workcal
from kam.core.actions_holidays import add_holiday_override, delete_holiday_override, update_holiday_override
from kam.core.admin_forms import HolidayOverrideForm, HolidayYearForm, override_initial
from kam.core.views_admin import actor_of, admin_required, apply_errors


def _year_of(request: HttpRequest) -> int:
    form = HolidayYearForm(request.GET)
    if form.is_valid() and form.cleaned_data["year"] is not None:
        return int(form.cleaned_data["year"])
    return timezone.localdate().year


def _page_url(year: int) -> str:
    return f"{reverse('admin-holidays')}?year={year}"


def _holidays_page(request: HttpRequest, year: int, form: HolidayOverrideForm | None = None) -> HttpResponse:
    user = actor_of(request)
    context: dict[str, Any] = {
        "year": year,
        "previous_year": year - 1 if year > 2000 else None,
        "next_year": year + 1 if year < 2099 else None,
        "known": workcal.known_year(year),
        "warning": workcal.calendar_warning(user.organization_id, year),
        "comparison": workcal.compare_sources(year),
        "statutory": workcal.statutory_days(year),
        "overrides": list(queries.holiday_overrides(user, year)),
        "form": form or HolidayOverrideForm(),
        "history": queries.holiday_history(user),
    }
    status = 422 if form is not None and form.errors else 200
    return render(request, "core/admin_holidays.html", context, status=status)


@admin_required
@require_GET
def admin_holidays(request: HttpRequest) -> HttpResponse:
    """One year: the statutory holidays and make-up workdays, and this organization's overrides."""
    return _holidays_page(request, _year_of(request))


@admin_required
@require_POST
def admin_holiday_create(request: HttpRequest) -> HttpResponse:
    form = HolidayOverrideForm(request.POST)
    if form.is_valid():
        try:
            override = add_holiday_override(actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Override for %(day)s saved.") % {"day": override.day.isoformat()})
            return redirect(_page_url(override.day.year))
    day = form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
    year = day.year if isinstance(day, date) else _year_of(request)
    return _holidays_page(request, year, form)


@admin_required
@require_http_methods(["GET", "POST"])
def admin_holiday_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an override's date, working status or name; the page also deletes it."""
    user = actor_of(request)
    override = queries.get_holiday_override_for_admin(user, pk)
    status = 200
    if request.method == "POST":
        form = HolidayOverrideForm(request.POST)
        if form.is_valid():
            try:
                saved = update_holiday_override(user, override, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Override for %(day)s saved.") % {"day": saved.day.isoformat()})
                return redirect(_page_url(saved.day.year))
        status = 422
    else:
        form = HolidayOverrideForm(initial=override_initial(override))
    context = {"form": form, "override": override, "history": queries.history_of(override)}
    return render(request, "core/admin_holiday_edit.html", context, status=status)


@admin_required
@require_POST
def admin_holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    override = queries.get_holiday_override_for_admin(user, pk)
    day = override.day
    delete_holiday_override(user, override)
    messages.success(request, _("Override for %(day)s deleted.") % {"day": day.isoformat()})
    return redirect(_page_url(day.year))
