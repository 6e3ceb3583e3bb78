"""Writing the needs analysis of a deal: every save is a new version (V1, V2 …) with who, when and why.

The form submits the whole needs each time (nothing is copied implicitly from the version before);
a requirement that keeps its `key` is the same requirement in the new version, which is what the
diff follows. V1 is the first analysis; V2 and later are changes (需求变化): they need a reason,
stamp `deal.needs_changed_at` (a quote older than that is out of date), tell the owner's manager,
and run the needs-changed hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.errors import StaleVersion, refuse
from kam.core.models import AuditAction, User
from kam.core.money import MAX_AMOUNT
from kam.core.notify import notify
from kam.core.queries import manager_of
from kam.sales.models import Fit, Necessity, NeedsVersion, Opportunity, RequirementItem, RequirementPriority
from kam.sales.needs_diff import ItemSnapshot, snapshot_of
from kam.sales.queries import get_opportunity_for_user

MAX_ITEMS = 50
TEXT_MAX = 5000
DESCRIPTION_MAX = 500
TIMELINE_MAX = 200
REASON_MAX = 300
# 18 digits with 2 decimals: the largest amount the column holds.
BUDGET_MAX = MAX_AMOUNT
NEEDS_FIELDS = ("pain", "budget_min", "budget_max", "timeline", "decision_criteria", "solution_notes")
ITEM_FIELDS = ("description", "priority", "necessity", "fit")

NeedsChangedHook = Callable[[Opportunity, NeedsVersion], None]
_needs_changed_hooks: list[NeedsChangedHook] = []


def register_needs_changed_hook(hook: NeedsChangedHook) -> NeedsChangedHook:
    """Run `hook(deal, version)` after a change of the needs (V2 and later), inside the saving transaction.

    Meant for quotes (issue 5: flag a quote made before the change as out of date). Nothing
    registers one yet.
    """
    _needs_changed_hooks.append(hook)
    return hook


# --- checks ------------------------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    text = "" if value is None else str(value).replace("\x00", "").strip()
    if len(text) > limit:
        raise refuse(_("At most %(max)d characters.") % {"max": limit}, name)
    return text


def _amount(data: Mapping[str, Any], name: str) -> Decimal | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | float):
        raise refuse(_("Enter an amount in yuan."), name)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise refuse(_("Enter an amount in yuan."), name) from exc
    if not amount.is_finite():
        raise refuse(_("Enter an amount in yuan."), name)
    if amount < 0:
        raise refuse(_("A budget cannot be negative."), name)
    if amount > BUDGET_MAX or amount != amount.quantize(Decimal("0.01")):
        raise refuse(_("Enter an amount of at most 16 digits and 2 decimal places."), name)
    return amount.quantize(Decimal("0.01"))


def clean_needs(data: Mapping[str, Any]) -> dict[str, Any]:
    """The needs fields, trimmed and typed; refusals name the field."""
    values: dict[str, Any] = {
        "pain": _text(data, "pain", TEXT_MAX),
        "budget_min": _amount(data, "budget_min"),
        "budget_max": _amount(data, "budget_max"),
        "timeline": _text(data, "timeline", TIMELINE_MAX),
        "decision_criteria": _text(data, "decision_criteria", TEXT_MAX),
        "solution_notes": _text(data, "solution_notes", TEXT_MAX),
    }
    low, high = values["budget_min"], values["budget_max"]
    if low is not None and high is not None and low > high:
        raise refuse(_("The budget's upper end must not be below its lower end."), "budget_max")
    return values


def _choice(item: Mapping[str, Any], name: str, choices: list[str], default: str, index: int) -> str:
    value = item.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value not in choices:
        raise refuse(_("Choose one of the listed values."), f"items.{index}.{name}")
    return value


def _item_key(item: Mapping[str, Any], index: int, known: set[int], seen: set[int]) -> int | None:
    raw = item.get("key")
    if raw is None or raw == "":
        return None
    try:
        key = int(raw)
    except (TypeError, ValueError) as exc:
        raise refuse(_("This requirement is not one of the deal's."), f"items.{index}.key") from exc
    if isinstance(raw, bool) or key not in known:
        raise refuse(_("This requirement is not one of the deal's."), f"items.{index}.key")
    if key in seen:
        raise refuse(_("This requirement is listed twice."), f"items.{index}.key")
    seen.add(key)
    return key


def clean_items(items: Sequence[Mapping[str, Any]], known: set[int]) -> list[dict[str, Any]]:
    """Requirements in the order given; `key` None for new ones. Keys must be those of the base version."""
    if len(items) > MAX_ITEMS:
        raise refuse(_("At most %(max)d requirements.") % {"max": MAX_ITEMS}, "items")
    seen: set[int] = set()
    cleaned = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise refuse(_("Each requirement needs a description."), f"items.{index}")
        description = str(item.get("description") or "").replace("\x00", "").strip()
        if not description:
            raise refuse(_("Describe the requirement."), f"items.{index}.description")
        if len(description) > DESCRIPTION_MAX:
            raise refuse(_("At most %(max)d characters.") % {"max": DESCRIPTION_MAX}, f"items.{index}.description")
        cleaned.append(
            {
                "key": _item_key(item, index, known, seen),
                "description": description,
                "priority": _choice(item, "priority", RequirementPriority.values, RequirementPriority.MEDIUM, index),
                "necessity": _choice(item, "necessity", Necessity.values, Necessity.MUST, index),
                "fit": _choice(item, "fit", Fit.values, Fit.MET, index),
            }
        )
    return cleaned


def _unchanged(current: NeedsVersion | None, values: Mapping[str, Any], items: list[dict[str, Any]]) -> bool:
    """The same fields and the same requirements (by key and attributes, order aside) as the current version."""
    before = snapshot_of(current)
    if before is None or any(item["key"] is None for item in items):
        return False
    after_items = {ItemSnapshot(**item) for item in items}
    return all(getattr(before, name) == values[name] for name in NEEDS_FIELDS) and set(before.items) == after_items


# --- saving ------------------------------------------------------------------------------------


def _current(deal: Opportunity) -> NeedsVersion | None:
    from kam.sales.queries_needs import current_needs

    return current_needs(deal)


def _write_version(
    actor: User, deal: Opportunity, number: int, values: Mapping[str, Any], items: list[dict[str, Any]], reason: str,
    now: datetime,
) -> NeedsVersion:  # fmt: skip
    version = NeedsVersion.objects.create(
        organization_id=deal.organization_id,
        opportunity=deal,
        number=number,
        reason=reason,
        author=actor,
        created_at=now,
        **values,
    )
    # A new requirement gets a key never used on this deal, so a removed one is never mistaken for it.
    used = RequirementItem.objects.filter(version__opportunity_id=deal.pk).aggregate(top=Max("key"))["top"] or 0
    rows = []
    for position, item in enumerate(items):
        key = item["key"]
        if key is None:
            used += 1
            key = used
        fields = {name: item[name] for name in ITEM_FIELDS}
        rows.append(
            RequirementItem(organization_id=deal.organization_id, version=version, key=key, position=position, **fields)
        )
    RequirementItem.objects.bulk_create(rows)
    return version


def _tell_manager(actor: User, deal: Opportunity, version: NeedsVersion) -> None:
    manager = manager_of(deal.owner)
    if manager is None or manager.pk == actor.pk:
        return
    # The bell is read by one person but written once: in the deployment's language, like history.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s changed the needs of %(deal)s (V%(number)d)") % {
            "name": actor.name,
            "deal": deal.name,
            "number": version.number,
        }
        body = _("Reason: %(reason)s") % {"reason": version.reason}
    notify(manager, "needs_changed", title, body, url=reverse("deal-needs-history", args=[deal.pk]))


@transaction.atomic
def save_needs(
    actor: User,
    deal: Opportunity,
    data: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    *,
    reason: str = "",
    base_version: int | None,
    now: datetime | None = None,
) -> NeedsVersion:
    """Save the whole needs as version n+1 of a deal the actor may change.

    `base_version` is the number of the version the editor started from (0 or None: none yet);
    someone else's save since then raises StaleVersion. Refused: nothing changed, no reason from V2
    on, a budget range upside down, more than MAX_ITEMS requirements, keys that are not the deal's.
    """
    now = now or timezone.now()
    deal = get_opportunity_for_user(actor, deal.pk, write=True)
    # The row lock serialises two saves of the same deal; the unique number catches the rest.
    Opportunity.objects.select_for_update(of=("self",)).filter(pk=deal.pk).first()
    current = _current(deal)
    number = current.number if current is not None else 0
    if (base_version or 0) != number:
        raise StaleVersion(number)
    values = clean_needs(data)
    known = {item.key for item in current.items.all()} if current is not None else set()
    cleaned = clean_items(items, known)
    reason_text = _text({"reason": reason}, "reason", REASON_MAX)
    if _unchanged(current, values, cleaned):
        raise ValidationError({NON_FIELD_ERRORS: [_("Nothing changed: edit the needs before saving a new version.")]})
    if current is not None and not reason_text:
        raise refuse(
            _("Say why the needs changed (the customer's words, a new stakeholder, a budget cut …)."), "reason"
        )
    version = _write_version(actor, deal, number + 1, values, cleaned, reason_text, now)
    label = f"V{version.number}"
    audit.record(actor, deal, AuditAction.UPDATE, field="needs", old=f"V{number}" if number else "", new=label)
    if current is not None:
        deal.needs_changed_at = now
        deal.save(update_fields=["needs_changed_at", "updated_at"])
        _tell_manager(actor, deal, version)
        for hook in list(_needs_changed_hooks):
            hook(deal, version)
    return version
