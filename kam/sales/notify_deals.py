"""What deal writes put into people's bells (through kam.core.notify.notify(), bell only).

Texts are written in the organization's default language, like audit rows: they are written once
and read by their recipient, whatever language the actor browsed in.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kam.core.models import User
from kam.core.money import format_yuan
from kam.core.notify import notify
from kam.core.queries import manager_of
from kam.sales.models import Opportunity, OpportunityStatus


def _url(deal: Opportunity) -> str:
    return reverse("deal-detail", args=[deal.pk])


def notify_owner_assigned(actor: User, deal: Opportunity) -> None:
    """Someone else made `deal.owner` the owner of a deal (on creation or by a change of owner)."""
    if deal.owner_id == actor.pk:
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s made you the owner of the deal %(deal)s") % {"name": actor.name, "deal": deal.name}
    notify(deal.owner, "deal.assigned", title, url=_url(deal), email=False)


def notify_owner_moved(actor: User, deal: Opportunity, override_reason: str = "") -> None:
    """Someone else moved the owner's deal to another stage."""
    if deal.owner_id == actor.pk:
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s moved your deal %(deal)s to %(stage)s") % {
            "name": actor.name,
            "deal": deal.name,
            "stage": deal.stage.name,
        }
        body = _("Stage gate overridden: %(reason)s") % {"reason": override_reason} if override_reason else ""
    notify(deal.owner, "deal.moved", title, body, _url(deal), email=False)


def _outcome_title(deal: Opportunity) -> str:
    values = {"deal": deal.name, "customer": deal.customer.name, "amount": format_yuan(deal.amount)}
    if deal.status == OpportunityStatus.WON:
        return _("Deal won: %(deal)s (%(customer)s, %(amount)s)") % values
    if deal.status == OpportunityStatus.LOST:
        return _("Deal lost: %(deal)s (%(customer)s, %(amount)s)") % values
    return _("Deal closed as invalid: %(deal)s (%(customer)s)") % values


def notify_closed(actor: User, deal: Opportunity) -> None:
    """Won or lost: the owner's manager hears of it; the owner hears when someone else closed it."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _outcome_title(deal)
        reason = str(deal.close_reason) if deal.close_reason is not None else ""
        body = _("Reason: %(reason)s") % {"reason": reason} if reason else ""
    told: set[int] = {actor.pk}
    if deal.status in (OpportunityStatus.WON, OpportunityStatus.LOST):
        manager = manager_of(deal.owner)
        if manager is not None and manager.pk not in told:
            notify(manager, f"deal.{deal.status}", title, body, _url(deal), email=False)
            told.add(manager.pk)
    if deal.owner_id not in told:
        notify(deal.owner, f"deal.{deal.status}", title, body, _url(deal), email=False)
