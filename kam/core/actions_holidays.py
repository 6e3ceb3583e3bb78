"""Writes of the organization's working-calendar overrides (admin console, 节假日).

Every change is audited and makes `kam.core.workcal` forget its cached copy, at once in this
process and again when the transaction commits (so no process keeps a copy read in between).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.core import audit, workcal
from kam.core.admin_actions import require_admin
from kam.core.errors import refuse
from kam.core.models import AuditAction, HolidayOverride, User

OVERRIDE_FIELDS = ["day", "is_workday", "name"]
# Overrides outside these years are typing mistakes; no rule of KAM looks that far.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def _forget(organization_id: int) -> None:
    workcal.forget_overrides(organization_id)
    transaction.on_commit(lambda: workcal.forget_overrides(organization_id))


def _check_day(actor: User, day: date, exclude: HolidayOverride | None = None) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise refuse(
            _("Enter a date between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}, "day"
        )
    taken = HolidayOverride.objects.filter(organization_id=actor.organization_id, day=day)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise refuse(_("There is already an override for %(day)s.") % {"day": day.isoformat()}, "day")


def _summary(override: HolidayOverride) -> str:
    kind = gettext_lazy("Working day") if override.is_workday else gettext_lazy("Day off")
    return audit.in_default_language(format_lazy("{} {}", kind, override.name)).strip()


@transaction.atomic
def add_holiday_override(actor: User, *, day: date, is_workday: bool, name: str = "") -> HolidayOverride:
    """Make `day` a working day or a day off for the whole organization, whatever the statutory calendar says."""
    require_admin(actor)
    _check_day(actor, day)
    try:
        with transaction.atomic():
            override = HolidayOverride.objects.create(
                organization_id=actor.organization_id, day=day, is_workday=is_workday, name=name.strip()
            )
    except IntegrityError as exc:  # the same day added concurrently
        raise refuse(_("There is already an override for %(day)s.") % {"day": day.isoformat()}, "day") from exc
    audit.record(actor, override, AuditAction.CREATE, field="override", new=_summary(override))
    _forget(actor.organization_id)
    return override


def _locked(actor: User, override: HolidayOverride) -> HolidayOverride:
    fresh = (
        HolidayOverride.objects.select_for_update()
        .filter(pk=override.pk, organization_id=actor.organization_id)
        .first()
    )
    if fresh is None:
        raise Http404
    return fresh


@transaction.atomic
def update_holiday_override(
    actor: User, override: HolidayOverride, *, day: date, is_workday: bool, name: str = ""
) -> HolidayOverride:
    """Change an override's date, working status or name."""
    require_admin(actor)
    override = _locked(actor, override)
    _check_day(actor, day, exclude=override)
    before = audit.snapshot(override, OVERRIDE_FIELDS)
    override.day = day
    override.is_workday = is_workday
    override.name = name.strip()
    try:
        with transaction.atomic():
            override.save(update_fields=OVERRIDE_FIELDS)
    except IntegrityError as exc:
        raise refuse(_("There is already an override for %(day)s.") % {"day": day.isoformat()}, "day") from exc
    audit.record_changes(actor, override, before)
    _forget(actor.organization_id)
    return override


@transaction.atomic
def delete_holiday_override(actor: User, override: HolidayOverride) -> None:
    """Remove an override: the day follows the statutory calendar again."""
    require_admin(actor)
    override = _locked(actor, override)
    audit.record(actor, override, AuditAction.PURGE, field="override", old=_summary(override))
    override.delete()
    _forget(actor.organization_id)
