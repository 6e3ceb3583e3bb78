"""From table rows to validated customers: grouping, CustomerForm / ContactForm, duplicates in the file.

One row is one customer; rows repeating a customer's name or credit code add contacts to it,
and a row with only contact cells continues the customer above (merged cells in Excel leave
those blank). Every customer goes through CustomerForm and every contact through ContactForm,
the validation of the web pages, so an import accepts exactly what a person could type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from kam.core.china import normalize_company_name
from kam.core.models import User
from kam.customers.actions.customers import check_owner_choice
from kam.customers.forms import CONTACT_FIELDS, CUSTOMER_FIELDS, ContactForm, CustomerForm
from kam.customers.imports.columns import IGNORE
from kam.customers.imports.matching import NameIndex, merge_kinds
from kam.customers.imports.reader import Table
from kam.customers.imports.values import Lookups, customer_form_data
from kam.customers.models import Contact, Customer

Progress = Callable[[str, int, int], None]
Errors = dict[int, dict[str, list[str]]]
PROGRESS_EVERY = 500


def _contact_defaults() -> dict[str, str]:
    """Model defaults of the required contact fields a file does not carry (role, influence, …)."""
    defaults = {}
    for name in CONTACT_FIELDS:
        model_field = Contact._meta.get_field(name)
        if model_field.has_default() and not model_field.blank:  # type: ignore[union-attr]
            defaults[name] = str(model_field.get_default())  # type: ignore[union-attr]
    return defaults


@dataclass
class Group:
    """One customer of the file: its rows, its cells, and once validated its clean data."""

    first_row: int
    rows: list[int] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # customer target → cell text
    origin: dict[str, int] = field(default_factory=dict)  # customer target → row that gave it
    contact_values: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # CustomerForm.cleaned_data (CUSTOMER_FIELDS)
    tag_names: list[str] = field(default_factory=list)
    owner: User | None = None
    contacts: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row, ContactForm data)
    file_matches: dict[int, tuple[str, int]] = field(default_factory=dict)  # earlier group row → kind
    db_matches: dict[int, tuple[str, int]] = field(default_factory=dict)  # customer id → kind

    @property
    def name(self) -> str:
        return str(self.data.get("name") or " ".join(self.values.get("name", "").split()))

    def phones(self) -> set[str]:
        numbers = {str(self.data.get("phone") or "")}
        for _row, contact in self.contacts:
            numbers |= {contact.get("mobile") or "", contact.get("phone") or ""}
        return {n for n in numbers if n}


@dataclass
class Prepared:
    groups: list[Group]
    errors: Errors
    total_rows: int
    row_group: dict[int, int]  # every row → the first row of its customer


def _filled(cleaned: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The cleaned values that say something: a blank field is left to the model default (blank too)."""
    return {k: cleaned[k] for k in fields if k in cleaned and cleaned[k] is not None and cleaned[k] != ""}


def add_error(errors: Errors, row: int, key: str, messages: list[str]) -> None:
    found = errors.setdefault(row, {}).setdefault(key, [])
    found.extend(m for m in map(str, messages) if m not in found)


def _split(cells: list[str], mapping: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    customer: dict[str, str] = {}
    contact: dict[str, str] = {}
    for index, key in enumerate(mapping):
        if key == IGNORE or index >= len(cells) or not cells[index]:
            continue
        (contact if key.startswith("contact_") else customer)[key] = cells[index]
    return customer, contact


def _same(key: str, a: str, b: str) -> bool:
    if key == "name":
        return " ".join(a.split()) == " ".join(b.split())
    if key == "credit_code":
        return a.strip().upper() == b.strip().upper()
    return a.strip() == b.strip()


def group_rows(table: Table, mapping: list[str], errors: Errors) -> tuple[list[Group], dict[int, int]]:
    """Rows to customers: same credit code or same name → same customer; contact-only rows continue."""
    groups: list[Group] = []
    by_code: dict[str, Group] = {}
    by_name: dict[str, Group] = {}
    row_group: dict[int, int] = {}
    last: Group | None = None
    for number, cells in table.rows:
        customer, contact = _split(cells, mapping)
        if not customer and not contact:
            continue
        code = customer.get("credit_code", "").strip().upper()
        name = " ".join(customer.get("name", "").split())
        if not customer and last is not None:
            group: Group | None = last
        else:
            by_c, by_n = by_code.get(code) if code else None, by_name.get(name) if name else None
            if by_c is not None and by_n is not None and by_c is not by_n:
                message = _("This credit code is the customer of row %(code_row)s, the name that of row %(name_row)s.")
                add_error(
                    errors, number, "credit_code", [message % {"code_row": by_c.first_row, "name_row": by_n.first_row}]
                )
            group = by_c or by_n
        if group is None:
            group = Group(first_row=number)
            groups.append(group)
        for key, text in customer.items():
            if key in group.values and not _same(key, group.values[key], text):
                message = _("Row %(row)s gives this customer a different value.") % {"row": group.origin[key]}
                add_error(errors, number, key, [message])
            elif key not in group.values:
                group.values[key], group.origin[key] = text, number
        if code:
            by_code.setdefault(code, group)
        if name:
            by_name.setdefault(name, group)
        if contact:
            group.contact_values.append((number, contact))
        group.rows.append(number)
        row_group[number] = group.first_row
        last = group
    return groups, row_group


REFERENCE_FIELDS = ("industry", "province", "city")


class ReferenceChoices:
    """The rows behind CustomerForm's reference selects, read once per job instead of once per row.

    Each select keeps the queryset the form gave it (so the same rows are allowed); only the
    per-value `queryset.get()` of ModelChoiceField.to_python is answered from memory, with the
    same "invalid_choice" error. The model-level foreign key check still runs as on the web.
    """

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}

    def install(self, form: CustomerForm) -> None:
        for name in REFERENCE_FIELDS:
            select = form.fields[name]
            assert isinstance(select, forms.ModelChoiceField)
            if name not in self.objects:
                self.objects[name] = {str(obj.pk): obj for obj in select.queryset}  # type: ignore[union-attr]
            setattr(select, "to_python", partial(_cached_choice, select, self.objects[name]))  # noqa: B010


def _cached_choice(select: forms.ModelChoiceField[Any], objects: dict[str, Any], value: Any) -> Any:
    if value in select.empty_values:
        return None
    select.validate_no_null_characters(value)
    found = objects.get(str(value))
    if found is None:
        raise ValidationError(select.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
    return found


class Validator:
    """CustomerForm / ContactForm over the groups, with the owner column resolved and checked."""

    def __init__(self, actor: User, lookups: Lookups, errors: Errors) -> None:
        self.actor = actor
        self.lookups = lookups
        self.errors = errors
        self.contact_defaults = _contact_defaults()
        # ContactForm wants a customer; new customers have none yet, and the import sets no
        # reports_to, so a stand-in of the organization serves every new contact.
        self.stand_in = Customer(pk=0, organization_id=actor.organization_id)
        self.choices = ReferenceChoices()
        self._owner_ok: dict[int, list[str]] = {}

    def customer(self, group: Group) -> None:
        data, bad_cells = customer_form_data(group.values, self.lookups)
        for key, messages in bad_cells.items():
            add_error(self.errors, group.origin.get(key, group.first_row), key, messages)
        form = CustomerForm(data=data)
        self.choices.install(form)
        if form.is_valid():
            group.data = _filled(form.cleaned_data, CUSTOMER_FIELDS)
            group.tag_names = form.cleaned_data.get("tag_names") or []
        else:
            group.data = {"name": " ".join(group.values.get("name", "").split())}
            for key, messages in form.errors.get_json_data().items():
                found = [str(m["message"]) for m in messages]
                add_error(self.errors, group.origin.get(key, group.first_row), key, found)
        self._owner(group)

    def _owner(self, group: Group) -> None:
        owner = self.actor
        if group.values.get("owner"):
            try:
                owner = self.lookups.user(group.values["owner"])
            except ValueError as exc:
                add_error(self.errors, group.origin["owner"], "owner", [str(exc)])
                return
        if owner.pk not in self._owner_ok:
            try:
                check_owner_choice(self.actor, owner)
                self._owner_ok[owner.pk] = []
            except ValidationError as exc:
                self._owner_ok[owner.pk] = [str(m) for m in exc.messages]
        if self._owner_ok[owner.pk]:
            add_error(self.errors, group.origin.get("owner", group.first_row), "owner", self._owner_ok[owner.pk])
        group.owner = owner

    def contacts(self, group: Group) -> None:
        for row, values in group.contact_values:
            data = {**self.contact_defaults, **{k.removeprefix("contact_"): v for k, v in values.items()}}
            form = ContactForm(data=data, customer=self.stand_in)
            if form.is_valid():
                group.contacts.append((row, _filled(form.cleaned_data, CONTACT_FIELDS)))
            else:
                for key, messages in form.errors.get_json_data().items():
                    found = [str(m["message"]) for m in messages]
                    add_error(self.errors, row, "contact_" + key if key != NON_FIELD_ERRORS else key, found)


def recheck_owners(prepared: Prepared, actor: User) -> None:
    """Owners may have left or changed team since the dry run: ask create_customer's rule again."""
    verdicts: dict[int, list[str]] = {}
    for group in prepared.groups:
        owner = group.owner
        if owner is None:
            if not any("owner" in prepared.errors.get(row, {}) for row in group.rows):
                message = _("No active colleague is called “%(value)s”.") % {"value": group.values.get("owner", "")}
                add_error(prepared.errors, group.first_row, "owner", [message])
            continue
        if owner.pk not in verdicts:
            try:
                check_owner_choice(actor, owner)
                verdicts[owner.pk] = []
            except ValidationError as exc:
                verdicts[owner.pk] = [str(m) for m in exc.messages]
        if verdicts[owner.pk]:
            add_error(prepared.errors, group.first_row, "owner", verdicts[owner.pk])


def match_within_file(groups: list[Group]) -> None:
    """Possible duplicates among the file's own customers: each against the ones above it."""
    names = NameIndex()
    codes: dict[str, int] = {}
    phones: dict[str, set[int]] = defaultdict(set)
    for group in groups:
        code = str(group.data.get("credit_code") or "")
        norm = normalize_company_name(group.name)
        numbers = group.phones()
        group.file_matches = merge_kinds(
            [codes[code]] if code in codes else [],
            {row for n in numbers for row in phones.get(n, ())},
            names.match(norm),
        )
        names.add(norm, group.first_row)
        if code:
            codes.setdefault(code, group.first_row)
        for number in numbers:
            phones[number].add(group.first_row)


def prepare(table: Table, mapping: list[str], actor: User, progress: Progress | None = None) -> Prepared:
    """Group, validate and cross-check the file's rows; reads reference data only, writes nothing."""
    assert actor.organization_id is not None
    errors: Errors = {}
    groups, row_group = group_rows(table, mapping, errors)
    validator = Validator(actor, Lookups.load(actor.organization_id), errors)
    total = len(table.rows)
    done = reported = 0
    for group in groups:
        validator.customer(group)
        validator.contacts(group)
        done += len(group.rows)
        if progress is not None and done - reported >= PROGRESS_EVERY:
            progress("check", done, total)
            reported = done
    match_within_file(groups)
    if progress is not None:
        progress("check", total, total)
    return Prepared(groups=groups, errors=errors, total_rows=total, row_group=row_group)
