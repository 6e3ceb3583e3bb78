"""Writes of the competitors present in a deal. Each one is audited on the deal, in its transaction.

Anyone who may write the deal may list its competitors; they pick from the competitor master
(active competitors of the organization) — new profiles are made on the competitor pages by managers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.core.queries import get_or_404
from kam.market.models import Competitor
from kam.sales.models import CompetitorStatus, DealCompetitor, Opportunity
from kam.sales.queries import get_opportunity_for_user

NOTES_LIMIT = 2000
# The audit rows sit on the deal under this field name.
AUDIT_FIELD = "competitors"


def _writable_deal(actor: User, deal: Opportunity) -> Opportunity:
    """The deal, re-read and locked: 404 when hidden, 403 when the actor may only read it."""
    deal = get_opportunity_for_user(actor, deal.pk, write=True)
    Opportunity.objects.select_for_update().filter(pk=deal.pk).values_list("pk").get()
    return deal


def _check_competitor(actor: User, competitor: Any) -> Competitor:
    if (
        not isinstance(competitor, Competitor)
        or competitor.organization_id != actor.organization_id
        or not competitor.active
    ):
        raise refuse(_("Choose an active competitor of your organization."), "competitor")
    return competitor


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if "status" in values:
        if values["status"] not in CompetitorStatus.values:
            raise refuse(_("Choose a status."), "status")
        data["status"] = values["status"]
    if "notes" in values:
        notes = str(values["notes"] or "").strip()
        if "\x00" in notes:
            raise refuse(_("Null characters are not allowed."), "notes")
        if len(notes) > NOTES_LIMIT:
            raise refuse(_("Keep this under %(max)d characters.") % {"max": NOTES_LIMIT}, "notes")
        data["notes"] = notes
    return data


def _check_one_winner(deal: Opportunity, status: str, exclude_pk: int | None = None) -> None:
    if status != CompetitorStatus.WON:
        return
    others = DealCompetitor.objects.filter(opportunity_id=deal.pk, status=CompetitorStatus.WON)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise refuse(_("Another competitor already won this deal."), "status")


def _line(row: DealCompetitor) -> str:
    """ "华为 (入围)": history is stored in the default language, whoever made the change."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{row.competitor.name} ({row.get_status_display()})"


def _row_of(deal: Opportunity, row: DealCompetitor) -> DealCompetitor:
    return get_or_404(DealCompetitor.objects.select_related("competitor").filter(opportunity_id=deal.pk), row.pk)


@transaction.atomic
def add_deal_competitor(actor: User, deal: Opportunity, competitor: Any, values: Mapping[str, Any]) -> DealCompetitor:
    """List a competitor in the deal (once per deal; at most one marked as the winner)."""
    deal = _writable_deal(actor, deal)
    competitor = _check_competitor(actor, competitor)
    data = _clean(values)
    status = data.get("status", CompetitorStatus.SHORTLISTED)
    if DealCompetitor.objects.filter(opportunity_id=deal.pk, competitor_id=competitor.pk).exists():
        raise refuse(_("This competitor is in the deal already."), "competitor")
    _check_one_winner(deal, status)
    try:
        with transaction.atomic():
            row = DealCompetitor.objects.create(
                organization_id=deal.organization_id,
                opportunity=deal,
                competitor=competitor,
                status=status,
                notes=data.get("notes", ""),
                updated_by=actor,
            )
    except IntegrityError as exc:
        raise refuse(_("This competitor is in the deal already."), "competitor") from exc
    audit.record(actor, deal, AuditAction.UPDATE, field=AUDIT_FIELD, new=_line(row))
    return row


@transaction.atomic
def update_deal_competitor(actor: User, row: DealCompetitor, values: Mapping[str, Any]) -> DealCompetitor:
    """Change where a competitor stands in the deal (status) or the notes about it."""
    deal = _writable_deal(actor, row.opportunity)
    row = _row_of(deal, row)
    data = _clean(values)
    changed = [name for name, value in data.items() if getattr(row, name) != value]
    if not changed:
        return row
    if "status" in changed:
        _check_one_winner(deal, data["status"], exclude_pk=row.pk)
    old = _line(row)
    old_notes = row.notes
    for name in changed:
        setattr(row, name, data[name])
    row.updated_by = actor
    row.save(update_fields=[*changed, "updated_by"])
    if "status" in changed:
        audit.record(actor, deal, AuditAction.UPDATE, field=AUDIT_FIELD, old=old, new=_line(row))
    if "notes" in changed:
        name = row.competitor.name
        audit.record(
            actor, deal, AuditAction.UPDATE, field=AUDIT_FIELD, old=f"{name}: {old_notes}", new=f"{name}: {row.notes}"
        )
    return row


@transaction.atomic
def remove_deal_competitor(actor: User, row: DealCompetitor) -> None:
    """Take a competitor off the deal's list."""
    deal = _writable_deal(actor, row.opportunity)
    row = _row_of(deal, row)
    audit.record(actor, deal, AuditAction.UPDATE, field=AUDIT_FIELD, old=_line(row))
    row.delete()
