"""A readable diff between two needs versions (需求变化): what the customer asks for now that it did not before.

Pure functions over plain snapshots (no queries): `snapshot_of(version)` reads a loaded
NeedsVersion (items prefetched), `diff_needs(old, new)` compares two snapshots.

- Fields (pain, budget range, timeline, decision criteria, solution notes) appear with old → new;
  long texts also carry a word/character-level diff.
- Requirements are matched by `key` (the same requirement across versions): added, removed, or
  changed with the attributes that moved (description, priority, must/nice, our fit).

Text is split into tokens before difflib compares it: a run of Latin letters or digits is one
token (a word, a number), every other character is its own token, so Chinese is compared
character by character (中文 has no spaces to split words on).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kam.core.money import format_yuan
from kam.sales.models import Fit, Necessity, RequirementPriority

if TYPE_CHECKING:
    from kam.sales.models import NeedsVersion

SAME, ADDED, REMOVED, CHANGED = "same", "added", "removed", "changed"
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.,'’_-][A-Za-z0-9]+)*|\s+|.", re.DOTALL)

TEXT_FIELDS: dict[str, str | Promise] = {
    "pain": gettext_lazy("Pain"),
    "timeline": pgettext_lazy("needs", "Timeline"),
    "decision_criteria": gettext_lazy("Decision criteria"),
    "solution_notes": gettext_lazy("Solution notes"),
}
FIELD_ORDER = ("pain", "budget", "timeline", "decision_criteria", "solution_notes")
ATTRIBUTE_LABELS: dict[str, str | Promise] = {
    "description": gettext_lazy("Requirement"),
    "priority": gettext_lazy("Priority"),
    "necessity": gettext_lazy("Must or nice"),
    "fit": gettext_lazy("Our fit"),
}
# Our own fit labels: "Not met" alone already means "contact not met" elsewhere in KAM.
FIT_LABELS: dict[str, str | Promise] = {
    Fit.MET: pgettext_lazy("requirement fit", "Met"),
    Fit.PARTLY: pgettext_lazy("requirement fit", "Partly met"),
    Fit.NOT_MET: pgettext_lazy("requirement fit", "Not met"),
    Fit.WORKAROUND: pgettext_lazy("requirement fit", "Workaround"),
}
FIT_CHOICES = [(value, FIT_LABELS[value]) for value in Fit.values]
CHOICE_LABELS: dict[str, dict[str, str | Promise]] = {
    "priority": dict(RequirementPriority.choices),
    "necessity": dict(Necessity.choices),
    "fit": FIT_LABELS,
}


@dataclass(frozen=True)
class ItemSnapshot:
    key: int
    description: str
    priority: str
    necessity: str
    fit: str


@dataclass(frozen=True)
class NeedsSnapshot:
    pain: str = ""
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    timeline: str = ""
    decision_criteria: str = ""
    solution_notes: str = ""
    items: tuple[ItemSnapshot, ...] = ()


@dataclass(frozen=True)
class TextPiece:
    """A run of text that stayed, was added or was removed."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str
    pieces: tuple[TextPiece, ...]


@dataclass(frozen=True)
class AttributeChange:
    attribute: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RequirementChange:
    key: int
    kind: str  # added / removed / changed
    description: str  # the newest wording (the old one when removed)
    changes: tuple[AttributeChange, ...] = ()
    pieces: tuple[TextPiece, ...] = ()  # the description's own diff when it was reworded


@dataclass(frozen=True)
class NeedsDiff:
    fields: tuple[FieldChange, ...]
    requirements: tuple[RequirementChange, ...]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.requirements


def snapshot_of(version: NeedsVersion | None) -> NeedsSnapshot | None:
    """A loaded version (items prefetched, in position order) as a snapshot; None stays None."""
    if version is None:
        return None
    items = tuple(
        ItemSnapshot(item.key, item.description, item.priority, item.necessity, item.fit)
        for item in version.items.all()
    )
    return NeedsSnapshot(
        pain=version.pain,
        budget_min=version.budget_min,
        budget_max=version.budget_max,
        timeline=version.timeline,
        decision_criteria=version.decision_criteria,
        solution_notes=version.solution_notes,
        items=items,
    )


# --- text --------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """Words and numbers whole; every other character (Chinese, punctuation, a space run) alone."""
    return _TOKEN.findall(text)


def text_diff(old: str, new: str) -> tuple[TextPiece, ...]:
    """The pieces that turn `old` into `new`; a replacement reads as removed, then added."""
    a, b = tokens(old), tokens(new)
    pieces: list[TextPiece] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(pieces, SAME, "".join(a[i1:i2]))
            continue
        if i2 > i1:
            _append(pieces, REMOVED, "".join(a[i1:i2]))
        if j2 > j1:
            _append(pieces, ADDED, "".join(b[j1:j2]))
    return tuple(pieces)


def _append(pieces: list[TextPiece], kind: str, text: str) -> None:
    if pieces and pieces[-1].kind == kind:
        pieces[-1] = TextPiece(kind, pieces[-1].text + text)
    else:
        pieces.append(TextPiece(kind, text))


# --- fields ------------------------------------------------------------------------------------


def budget_text(low: Decimal | None, high: Decimal | None) -> str:
    """¥100,000.00 – ¥200,000.00; one open end reads "from …" / "up to …"; none is ""."""
    if low is None and high is None:
        return ""
    if high is None:
        return _("from %(amount)s") % {"amount": format_yuan(low)}  # type: ignore[arg-type]
    if low is None:
        return _("up to %(amount)s") % {"amount": format_yuan(high)}
    if low == high:
        return format_yuan(low)
    return f"{format_yuan(low)} – {format_yuan(high)}"


def _field_values(snapshot: NeedsSnapshot | None) -> dict[str, str]:
    if snapshot is None:
        return dict.fromkeys(FIELD_ORDER, "")
    return {
        "pain": snapshot.pain,
        "budget": budget_text(snapshot.budget_min, snapshot.budget_max),
        "timeline": snapshot.timeline,
        "decision_criteria": snapshot.decision_criteria,
        "solution_notes": snapshot.solution_notes,
    }


def _field_label(name: str) -> str:
    return str(TEXT_FIELDS[name]) if name in TEXT_FIELDS else _("Budget")


def field_changes(old: NeedsSnapshot | None, new: NeedsSnapshot) -> tuple[FieldChange, ...]:
    before, after = _field_values(old), _field_values(new)
    changes = []
    for name in FIELD_ORDER:
        if before[name] == after[name]:
            continue
        # A budget is one value: old → new says it all; texts also get their word-level diff.
        pieces = text_diff(before[name], after[name]) if name != "budget" else ()
        changes.append(FieldChange(name, _field_label(name), before[name], after[name], pieces))
    return tuple(changes)


# --- requirements ------------------------------------------------------------------------------


def choice_label(attribute: str, value: str) -> str:
    return str(CHOICE_LABELS.get(attribute, {}).get(value, value))


def _attribute_changes(old: ItemSnapshot, new: ItemSnapshot) -> tuple[AttributeChange, ...]:
    changes = []
    for name, label in ATTRIBUTE_LABELS.items():
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(AttributeChange(name, str(label), choice_label(name, before), choice_label(name, after)))
    return tuple(changes)


def requirement_changes(old: NeedsSnapshot | None, new: NeedsSnapshot) -> tuple[RequirementChange, ...]:
    """In the new version's order: added and changed ones; then the removed ones in the old order."""
    before = {item.key: item for item in old.items} if old is not None else {}
    after_keys = {item.key for item in new.items}
    changes = []
    for item in new.items:
        previous = before.get(item.key)
        if previous is None:
            changes.append(RequirementChange(item.key, ADDED, item.description))
            continue
        attributes = _attribute_changes(previous, item)
        if attributes:
            reworded = previous.description != item.description
            pieces = text_diff(previous.description, item.description) if reworded else ()
            changes.append(RequirementChange(item.key, CHANGED, item.description, attributes, pieces))
    removed = [item for item in (old.items if old is not None else ()) if item.key not in after_keys]
    changes.extend(RequirementChange(item.key, REMOVED, item.description) for item in removed)
    return tuple(changes)


def diff_needs(old: NeedsSnapshot | None, new: NeedsSnapshot) -> NeedsDiff:
    """What changed from `old` (None before the first analysis) to `new`."""
    return NeedsDiff(field_changes(old, new), requirement_changes(old, new))
