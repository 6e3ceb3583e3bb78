"""Writes of a deal's qualification: buying influences (Blue Sheet) and MEDDPICC scores.

Every write needs write access to the deal and leaves field-level audit rows on the deal itself,
so its history reads "MEDDPICC · 内部支持者: 0 → 1" beside its other changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User
from kam.customers.models import Contact
from kam.sales.models import (
    BuyingInfluence,
    InfluenceDegree,
    InfluenceRole,
    MeddpiccElement,
    Opportunity,
    QualificationScore,
    ResponseMode,
)
from kam.sales.queries import get_opportunity_for_user
from kam.sales.queries_qualification import (
    CONTACT_ELEMENTS,
    ELEMENT_ORDER,
    MAX_ID,
    MAX_SCORE,
    customer_contacts,
    economic_buyer_of,
    signed,
)

INFLUENCE_FIELDS = (
    "contact",
    "role",
    "influence",
    "response_mode",
    "rating",
    "personal_win",
    "business_result",
    "notes",
)
TEXT_LIMITS = {"personal_win": 300, "business_result": 300, "notes": 4000}
EVIDENCE_LIMIT = 4000
RATING_MIN, RATING_MAX = -5, 5
AUDIT_FIELD_MAX = 50
ScoreInput = tuple[Any, ...]


def _deal_audit(actor: User, deal: Opportunity, field: str, old: str = "", new: str = "") -> None:
    audit.record(actor, deal, AuditAction.UPDATE, field=field[:AUDIT_FIELD_MAX], old=old, new=new)


def _lock(deal: Opportunity) -> None:
    # One writer of a deal's qualification at a time: the economic-buyer check and the score rows.
    Opportunity.objects.select_for_update().filter(pk=deal.pk).values_list("pk", flat=True).first()


def contact_of_customer(deal: Opportunity, value: Any, field: str) -> Contact:
    """`value` (a Contact or an id) as an alive contact of the deal's customer, else a field error."""
    pk = value.pk if isinstance(value, Contact) else value
    if isinstance(pk, str) and pk.isdigit():
        pk = int(pk)
    contact = None
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk <= MAX_ID:
        contact = customer_contacts(deal).filter(pk=pk).first()
    if contact is None:
        raise refuse(_("Choose a contact of this customer."), field)
    return contact


# --- buying influences ---------------------------------------------------------------------------


def _text_error(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return _("Enter text.")
    if "\x00" in value:
        return _("Null characters are not allowed.")
    if len(value) > limit:
        return _("Use at most %(limit)d characters.") % {"limit": limit}
    return None


def _choice_error(name: str, value: Any) -> str | None:
    allowed = {
        "role": InfluenceRole.values,
        "influence": InfluenceDegree.values,
        "response_mode": ["", *ResponseMode.values],
    }[name]
    return None if isinstance(value, str) and value in allowed else _("Choose one of the listed values.")


def _clean_influence(deal: Opportunity, data: Mapping[str, Any]) -> dict[str, Any]:
    """The known fields of `data`, checked; all problems raised together as field errors."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name in INFLUENCE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        error: str | None = None
        if name == "contact":
            try:
                value = contact_of_customer(deal, value, "contact")
            except ValidationError as exc:
                error = exc.message_dict["contact"][0]
        elif name in ("role", "influence", "response_mode"):
            error = _choice_error(name, value)
        elif name == "rating":
            if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
                error = _("The rating runs from −5 to +5.")
        else:
            error = _text_error(value, TEXT_LIMITS[name])
        if error:
            errors[name] = [error]
        values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


def _economic_buyer_taken(actor: User, deal: Opportunity, exclude: int | None) -> ValidationError | None:
    """The refusal naming the deal's current economic buyer, if another row holds the role."""
    current = economic_buyer_of(deal, exclude=exclude)
    if current is None:
        return None
    if current.contact.is_deleted:
        # A person in the recycle bin releases no money: the stale row makes room for the new one.
        with translation.override(settings.LANGUAGE_CODE):
            _deal_audit(actor, deal, _("Buying influences"), old=_influence_label(current))
        current.delete()
        return None
    message = _("%(name)s is already the economic buyer of this deal; a deal has one economic buyer.")
    return refuse(message % {"name": current.contact.name}, "role")


def _check_economic_buyer(actor: User, deal: Opportunity, influence: BuyingInfluence) -> None:
    if influence.role == InfluenceRole.ECONOMIC:
        taken = _economic_buyer_taken(actor, deal, influence.pk)
        if taken is not None:
            raise taken


def _conflict(deal: Opportunity, influence: BuyingInfluence) -> ValidationError:
    """Why the insert or update hit a unique constraint (another writer got there first)."""
    if influence.role == InfluenceRole.ECONOMIC:
        current = economic_buyer_of(deal, exclude=influence.pk)
        if current is not None:
            message = _("%(name)s is already the economic buyer of this deal; a deal has one economic buyer.")
            return refuse(message % {"name": current.contact.name}, "role")
    return refuse(_("%(name)s already plays this role in this deal.") % {"name": influence.contact.name}, "contact")


def _save_influence(actor: User, deal: Opportunity, influence: BuyingInfluence, fields: list[str] | None) -> None:
    _check_economic_buyer(actor, deal, influence)
    duplicate = BuyingInfluence.objects.filter(
        opportunity_id=deal.pk, contact_id=influence.contact_id, role=influence.role
    ).exclude(pk=influence.pk)
    if duplicate.exists():
        raise _conflict(deal, influence)
    try:
        with transaction.atomic():
            influence.save(update_fields=fields)
    except IntegrityError:
        raise _conflict(deal, influence) from None


def _influence_label(influence: BuyingInfluence) -> str:
    return f"{influence.contact.name} · {influence.get_role_display()}"


@transaction.atomic
def add_influence(actor: User, deal: Opportunity, data: Mapping[str, Any]) -> BuyingInfluence:
    """Name a contact of the deal's customer as a buying influence (contact and role required)."""
    deal = get_opportunity_for_user(actor, deal.pk, write=True)
    _lock(deal)
    missing = {name: [_("This field is required.")] for name in ("contact", "role") if data.get(name) in (None, "")}
    if missing:
        raise ValidationError(missing)
    values = _clean_influence(deal, data)
    influence = BuyingInfluence(organization_id=deal.organization_id, opportunity=deal, added_at=timezone.now())
    for name, value in values.items():
        setattr(influence, name, value)
    _save_influence(actor, deal, influence, None)
    with translation.override(settings.LANGUAGE_CODE):
        _deal_audit(actor, deal, _("Buying influences"), new=_influence_label(influence))
    return influence


def _shown(influence: BuyingInfluence, name: str) -> str:
    if name == "rating":
        return signed(influence.rating)
    return audit.display_value(influence, name)


@transaction.atomic
def update_influence(
    actor: User, deal: Opportunity, influence: BuyingInfluence, data: Mapping[str, Any]
) -> BuyingInfluence:
    """Change the given fields of one influence; one audit row on the deal per changed field."""
    deal = get_opportunity_for_user(actor, deal.pk, write=True)
    _lock(deal)
    influence = BuyingInfluence.objects.select_related("contact").get(pk=influence.pk, opportunity_id=deal.pk)
    values = _clean_influence(deal, data)
    with translation.override(settings.LANGUAGE_CODE):
        before = {name: _shown(influence, name) for name in INFLUENCE_FIELDS}
    changed = [name for name, value in values.items() if getattr(influence, name) != value]
    if not changed:
        return influence
    for name in changed:
        setattr(influence, name, values[name])
    _save_influence(actor, deal, influence, [f"{name}_id" if name == "contact" else name for name in changed])
    with translation.override(settings.LANGUAGE_CODE):
        prefix = _("Buying influence")
        for name in changed:
            field_name = audit.field_label(BuyingInfluence, name)
            label = f"{prefix} · {influence.contact.name} · {field_name}"
            _deal_audit(actor, deal, label, before[name], _shown(influence, name))
    return influence


@transaction.atomic
def remove_influence(actor: User, deal: Opportunity, influence: BuyingInfluence) -> None:
    """Take a person off the deal's buying influences."""
    deal = get_opportunity_for_user(actor, deal.pk, write=True)
    _lock(deal)
    influence = BuyingInfluence.objects.select_related("contact").get(pk=influence.pk, opportunity_id=deal.pk)
    with translation.override(settings.LANGUAGE_CODE):
        _deal_audit(actor, deal, _("Buying influences"), old=_influence_label(influence))
    influence.delete()


# --- MEDDPICC ------------------------------------------------------------------------------------


def _clean_element(deal: Opportunity, element: str, value: Any, errors: dict[str, list[str]]) -> ScoreInput | None:
    if not isinstance(value, tuple | list) or len(value) not in (2, 3):
        errors[element] = [_("Give a score, the evidence and, for people, a contact.")]
        return None
    score, evidence, contact = (*value, None) if len(value) == 2 else value
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_SCORE:
        errors[f"{element}_score"] = [_("Score 0 (unknown), 1 (identified) or 2 (validated with the buyer).")]
    text_error = _text_error(evidence, EVIDENCE_LIMIT)
    if text_error:
        errors[f"{element}_evidence"] = [text_error]
    elif isinstance(score, int) and score >= 1 and not evidence.strip():
        errors[f"{element}_evidence"] = [_("State the evidence.")]
    if contact in (None, ""):
        contact = None
    elif element not in CONTACT_ELEMENTS:
        errors[f"{element}_contact"] = [_("Only the economic buyer and the champion name a contact.")]
    else:
        try:
            contact = contact_of_customer(deal, contact, f"{element}_contact")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return (score, evidence.strip() if isinstance(evidence, str) else evidence, contact)


def _clean_scores(deal: Opportunity, scores: Mapping[str, Any]) -> dict[str, ScoreInput]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, ScoreInput] = {}
    for element, value in scores.items():
        if element not in MeddpiccElement.values:
            errors[str(element)[:AUDIT_FIELD_MAX]] = [_("Unknown MEDDPICC element.")]
            continue
        result = _clean_element(deal, element, value, errors)
        if result is not None:
            cleaned[element] = result
    if errors:
        raise ValidationError(errors)
    return cleaned


def _score_rows(deal: Opportunity) -> dict[str, QualificationScore]:
    """The deal's eight rows, created at 0 where missing (the unique constraint absorbs a race)."""
    QualificationScore.objects.bulk_create(
        [QualificationScore(organization_id=deal.organization_id, opportunity=deal, element=e) for e in ELEMENT_ORDER],
        ignore_conflicts=True,
    )
    rows = QualificationScore.objects.select_related("contact").filter(opportunity_id=deal.pk)
    return {row.element: row for row in rows}


def _audit_element(actor: User, deal: Opportunity, row: QualificationScore, before: tuple[int, str, str]) -> bool:
    label = f"MEDDPICC · {MeddpiccElement(row.element).label}"
    after = (row.score, row.evidence, row.contact.name if row.contact else "")
    if after == before:
        return False
    if after[0] != before[0]:
        _deal_audit(actor, deal, label, str(before[0]), str(after[0]))
    if after[1] != before[1]:
        evidence = _("evidence")
        _deal_audit(actor, deal, f"{label} · {evidence}", before[1], after[1])
    if after[2] != before[2]:
        person = _("contact")
        _deal_audit(actor, deal, f"{label} · {person}", before[2], after[2])
    return True


@transaction.atomic
def set_scores(actor: User, deal: Opportunity, scores: Mapping[str, Any]) -> list[QualificationScore]:
    """Set MEDDPICC elements: {element: (score 0–2, evidence, contact or id or None)}.

    A score of 1 or 2 needs evidence; only the economic buyer and the champion name a contact, and
    the economic buyer defaults to the deal's economic-buyer influence. Returns the eight rows.
    """
    deal = get_opportunity_for_user(actor, deal.pk, write=True)
    _lock(deal)
    cleaned = _clean_scores(deal, scores)
    rows = _score_rows(deal)
    economic = rows[MeddpiccElement.ECONOMIC_BUYER]
    chosen = cleaned[MeddpiccElement.ECONOMIC_BUYER][2] if MeddpiccElement.ECONOMIC_BUYER in cleaned else None
    if chosen is None and (MeddpiccElement.ECONOMIC_BUYER in cleaned or economic.contact_id is None):
        buyer = economic_buyer_of(deal)
        if buyer is not None and not buyer.contact.is_deleted:
            score, evidence, _contact = cleaned.get(
                MeddpiccElement.ECONOMIC_BUYER, (economic.score, economic.evidence, None)
            )
            cleaned[MeddpiccElement.ECONOMIC_BUYER] = (score, evidence, buyer.contact)
    with translation.override(settings.LANGUAGE_CODE):
        for element, (score, evidence, contact) in cleaned.items():
            row = rows[element]
            before = (row.score, row.evidence, row.contact.name if row.contact else "")
            row.score, row.evidence, row.contact = score, evidence, contact
            if _audit_element(actor, deal, row, before):
                row.updated_by = actor
                row.save(update_fields=["score", "evidence", "contact", "updated_by", "updated_at"])
    return [rows[element] for element in ELEMENT_ORDER]
