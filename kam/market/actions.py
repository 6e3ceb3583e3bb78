"""Writes of the competitor master and of price intelligence. Each one audited in its transaction.

The master (name, profile, active) is kept by managers, directors and admins; price rows are
recorded by every sales role. A competitor that deals or prices point at is deactivated, never deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.core.money import MAX_AMOUNT, to_money
from kam.core.queries import get_or_404
from kam.customers.models import Customer
from kam.customers.queries import customer_access
from kam.market.models import Competitor, PriceConfidence, PriceIntel, PricePositioning
from kam.market.queries import is_referenced, may_edit_competitors, may_record_prices, normalize_product

COMPETITOR_FIELDS = ["name", "products", "price_positioning", "strengths", "weaknesses", "tactics", "notes", "active"]
PRICE_FIELDS = ["competitor", "product", "price", "unit", "observed_on", "customer", "source", "confidence", "notes"]
TEXT_LIMITS = {"name": 100, "products": 5000, "strengths": 5000, "weaknesses": 5000, "tactics": 5000, "notes": 5000}


def _check_editor(actor: User) -> None:
    if not may_edit_competitors(actor):
        raise PermissionDenied


def _clean_competitor(values: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: values[name] for name in COMPETITOR_FIELDS if name in values}
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            data[name] = str(data[name] or "").strip()
            if "\x00" in data[name]:
                raise refuse(_("Null characters are not allowed."), name)
            if len(data[name]) > limit:
                raise refuse(_("Keep this under %(max)d characters.") % {"max": limit}, name)
    if "name" in data:
        data["name"] = " ".join(data["name"].split())
        if not data["name"]:
            raise refuse(_("Enter the competitor's name."), "name")
    if data.get("price_positioning") and data["price_positioning"] not in PricePositioning.values:
        raise refuse(_("Choose a price positioning."), "price_positioning")
    if "price_positioning" in data:
        data["price_positioning"] = data["price_positioning"] or ""
    if "active" in data:
        data["active"] = bool(data["active"])
    return data


def _check_unique_name(actor: User, name: str, exclude_pk: int | None = None) -> None:
    same = Competitor.objects.filter(organization_id=actor.organization_id, name__iexact=name)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise refuse(_("A competitor with this name exists already."), "name")


def _locked(actor: User, competitor: Competitor) -> Competitor:
    """The competitor row, locked for this transaction (404 when it is not of the actor's organization)."""
    return get_or_404(
        Competitor.objects.select_for_update().filter(organization_id=actor.organization_id), competitor.pk
    )


@transaction.atomic
def create_competitor(actor: User, values: Mapping[str, Any]) -> Competitor:
    """A new competitor profile (managers, directors, admins); names are unique in the organization."""
    _check_editor(actor)
    data = _clean_competitor(values)
    if "name" not in data:
        raise refuse(_("Enter the competitor's name."), "name")
    _check_unique_name(actor, data["name"])
    try:
        with transaction.atomic():
            competitor = Competitor.objects.create(organization_id=actor.organization_id, **data)
    except IntegrityError as exc:
        # Two editors typed the same new name at once: the constraint decides, the loser gets a field error.
        raise refuse(_("A competitor with this name exists already."), "name") from exc
    audit.record(actor, competitor, AuditAction.CREATE)
    return competitor


@transaction.atomic
def update_competitor(actor: User, competitor: Competitor, values: Mapping[str, Any]) -> Competitor:
    """Change the given profile fields (COMPETITOR_FIELDS); one audit row per changed field."""
    _check_editor(actor)
    competitor = _locked(actor, competitor)
    data = _clean_competitor(values)
    changed = [name for name, value in data.items() if getattr(competitor, name) != value]
    if not changed:
        return competitor
    if "name" in changed:
        _check_unique_name(actor, data["name"], exclude_pk=competitor.pk)
    before = audit.snapshot(competitor, COMPETITOR_FIELDS)
    for name in changed:
        setattr(competitor, name, data[name])
    try:
        with transaction.atomic():
            competitor.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as exc:
        raise refuse(_("A competitor with this name exists already."), "name") from exc
    audit.record_changes(actor, competitor, before)
    return competitor


def set_competitor_active(actor: User, competitor: Competitor, active: bool) -> Competitor:
    """Deactivate a competitor (it stays on old deals and prices, new ones cannot pick it) or activate it."""
    return update_competitor(actor, competitor, {"active": active})


@transaction.atomic
def delete_competitor(actor: User, competitor: Competitor) -> None:
    """Remove a competitor nothing points at; one that deals or prices name is refused (deactivate it)."""
    _check_editor(actor)
    competitor = _locked(actor, competitor)
    if is_referenced(competitor):
        raise refuse(_("Deals or price intelligence name this competitor; deactivate it instead."))
    audit.record(actor, competitor, AuditAction.PURGE)
    try:
        # Account plans' whitespace cells (and later modules) protect it too. The refusal rolls the
        # whole action back, audit row included; the savepoint keeps PostgreSQL's transaction usable.
        with transaction.atomic():
            competitor.delete()
    except ProtectedError as exc:
        raise refuse(_("Other records name this competitor; deactivate it instead.")) from exc


# --- price intelligence -------------------------------------------------------------------------


def _check_competitor(actor: User, competitor: Any) -> Competitor:
    if (
        not isinstance(competitor, Competitor)
        or competitor.organization_id != actor.organization_id
        or not competitor.active
    ):
        raise refuse(_("Choose an active competitor of your organization."), "competitor")
    return competitor


def _check_price(value: Any) -> Decimal:
    try:
        price = to_money(value)
    except ValueError as exc:
        raise refuse(_("Enter a price in yuan."), "price") from exc
    if price < 0:
        raise refuse(_("A price cannot be negative."), "price")
    if price > MAX_AMOUNT:
        raise refuse(_("Enter a price in yuan."), "price")
    return price


def _check_date(value: Any) -> date:
    if not isinstance(value, date) or not 2000 <= value.year <= 2100:
        raise refuse(_("Choose a date between 2000 and 2100."), "observed_on")
    if value > timezone.localdate():
        raise refuse(_("The date cannot be in the future."), "observed_on")
    return value


def _check_customer(actor: User, customer: Any) -> Customer | None:
    if customer is None:
        return None
    if not isinstance(customer, Customer) or not customer_access(actor, customer).read:
        raise refuse(_("Choose a customer you can open."), "customer")
    return customer


def _text(values: Mapping[str, Any], name: str, limit: int) -> str:
    text = str(values.get(name) or "").strip()
    if "\x00" in text:
        raise refuse(_("Null characters are not allowed."), name)
    if len(text) > limit:
        raise refuse(_("Keep this under %(max)d characters.") % {"max": limit}, name)
    return text


@transaction.atomic
def create_price_intel(actor: User, values: Mapping[str, Any]) -> PriceIntel:
    """Record a competitor's price (any sales role): not negative, not dated in the future, and naming
    only a customer the actor may open."""
    if not may_record_prices(actor):
        raise PermissionDenied
    competitor = _check_competitor(actor, values.get("competitor"))
    product = normalize_product(_text(values, "product", 100))
    if not product:
        raise refuse(_("Enter the product."), "product")
    confidence = values.get("confidence") or PriceConfidence.MEDIUM
    if confidence not in PriceConfidence.values:
        raise refuse(_("Choose a confidence."), "confidence")
    price = PriceIntel.objects.create(
        organization_id=actor.organization_id,
        competitor=competitor,
        product=product,
        price=_check_price(values.get("price")),
        unit=_text(values, "unit", 20),
        observed_on=_check_date(values.get("observed_on")),
        customer=_check_customer(actor, values.get("customer")),
        source=_text(values, "source", 200),
        confidence=confidence,
        notes=_text(values, "notes", 5000),
        author=actor,
    )
    audit.record(actor, price, AuditAction.CREATE)
    return price
