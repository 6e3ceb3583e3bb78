"""The needs form: the needs fields plus an editable list of requirement rows.

Rows are plain forms prefixed `item-<n>-`; the page offers a few blank rows so it works without
JavaScript, and an htmx "add row" button fetches one more row with the next free number. Blank
new rows are ignored; a kept requirement carries its `key` (hidden) so the diff can follow it.
The business rules (budget order, limits, reason from V2 on, stale base) live in
kam.sales.actions_needs; its refusals land on the rows through `apply_item_errors`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.sales.actions_needs import DESCRIPTION_MAX, REASON_MAX, TEXT_MAX, TIMELINE_MAX
from kam.sales.models import Fit, Necessity, NeedsVersion, RequirementPriority
from kam.sales.needs_diff import FIT_CHOICES

BLANK_ROWS = 3
# Row numbers come from the browser; anything past this is not a row of ours.
MAX_ROW_INDEX = 500
_ROW_FIELD = re.compile(r"^item-(\d{1,4})-")


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_MAX})


class NeedsForm(forms.Form):
    pain = forms.CharField(
        label=_("Pain"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(3),
        help_text=_("What hurts the customer today, in their words."),
    )
    budget_min = forms.DecimalField(
        label=_("Budget from (yuan)"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    budget_max = forms.DecimalField(
        label=_("Budget to (yuan)"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    timeline = forms.CharField(
        label=pgettext_lazy("needs", "Timeline"),
        required=False,
        max_length=TIMELINE_MAX,
        help_text=_("E.g. tender in March, go-live before National Day."),
    )
    decision_criteria = forms.CharField(
        label=_("Decision criteria"), required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )
    solution_notes = forms.CharField(
        label=_("Solution notes"), required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )
    reason = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=REASON_MAX,
        help_text=_("Why the needs changed: the customer's words, a new stakeholder, a budget cut …"),
    )
    base_version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, base: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = base
        if base == 0:
            # V1 is the first analysis, not a change: no reason to give.
            del self.fields["reason"]

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name)
            for name in ("pain", "budget_min", "budget_max", "timeline", "decision_criteria", "solution_notes")
        }


class RequirementRowForm(forms.Form):
    key = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Requirement"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.TextInput(attrs={"maxlength": DESCRIPTION_MAX}),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=RequirementPriority.choices, initial=RequirementPriority.MEDIUM
    )
    necessity = forms.ChoiceField(label=_("Must or nice"), choices=Necessity.choices, initial=Necessity.MUST)
    fit = forms.ChoiceField(label=_("Our fit"), choices=FIT_CHOICES, initial=Fit.MET)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args: Any, index: int, **kwargs: Any) -> None:
        kwargs["prefix"] = f"item-{index}"
        super().__init__(*args, **kwargs)
        self.index = index

    @property
    def is_blank_new(self) -> bool:
        """A new row left empty: not a requirement (the page always offers a few)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not data.get("key") and not (data.get("description") or "").strip()

    def item(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": data.get("key"),
            **{name: data.get(name) for name in ("description", "priority", "necessity", "fit")},
        }


def row_indexes(data: Mapping[str, Any]) -> list[int]:
    """The row numbers present in the posted data, in order."""
    found = {int(match.group(1)) for name in data if (match := _ROW_FIELD.match(name))}
    return sorted(index for index in found if index <= MAX_ROW_INDEX)


def rows_from_post(data: Mapping[str, Any]) -> list[RequirementRowForm]:
    return [RequirementRowForm(data, index=index) for index in row_indexes(data)]


def rows_for_version(version: NeedsVersion | None, blank: int = BLANK_ROWS) -> list[RequirementRowForm]:
    """The current requirements as rows (items prefetched), then `blank` empty rows."""
    rows = []
    items = list(version.items.all()) if version is not None else []
    for index, item in enumerate(items):
        initial = {
            "key": item.key,
            "description": item.description,
            "priority": item.priority,
            "necessity": item.necessity,
            "fit": item.fit,
        }
        rows.append(RequirementRowForm(initial=initial, index=index))
    rows.extend(RequirementRowForm(index=len(items) + n) for n in range(blank))
    return rows


class RowsResult:
    """The requirement rows of a post: the items for the action and which row each came from."""

    def __init__(self, rows: list[RequirementRowForm]) -> None:
        self.rows = rows
        self.items: list[dict[str, Any]] = []
        self.sources: list[RequirementRowForm] = []
        self.valid = all(row.is_valid() for row in rows)
        if not self.valid:
            return
        for row in rows:
            if row.is_blank_new or row.cleaned_data.get("remove"):
                continue
            self.items.append(row.item())
            self.sources.append(row)


def apply_item_errors(form: NeedsForm, result: RowsResult, exc: ValidationError) -> None:
    """An action's refusal on the row it names (`items.<i>.<field>`), else on the needs form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        parts = field.split(".")
        if parts[0] == "items" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(result.sources):
            row = result.sources[int(parts[1])]
            name = parts[2] if len(parts) > 2 and parts[2] in ("description", "priority", "necessity", "fit") else None
            row.add_error(name, messages)
            form.add_error(None, _("Check the marked requirements."))
        elif field in form.fields:
            form.add_error(field, messages)
        else:
            form.add_error(None, messages)
