"""Input of tasks and coordination requests, shared by the pages and the API (one path, one set of messages).

Forms parse and bound values; the business rules (who may be assigned, which customer both sides can
open, reminder before due time, the status machine) live in the actions, so the API obeys them too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.activities.models import Task, TaskPriority
from kam.activities.queries_tasks import TaskFilters, TaskScope, assignable_people, oversees_others
from kam.core.models import User
from kam.customers.models import Contact, Customer
from kam.customers.queries import visible_customers

MAX_DB_ID = 2**63 - 1
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CUSTOMER_ERRORS = {"invalid_choice": _("Choose a customer you can open.")}


def _in_range(value: date | datetime | None) -> None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValidationError(_("Choose a date between 2000 and 2100."))


def bound_id(form: forms.BaseForm, name: str) -> int | None:
    """The id the form is about to validate for `name` (bound data first, then the initial value)."""
    raw = form.data.get(name) if form.is_bound else form.initial.get(name)
    if isinstance(raw, Customer | Contact | User):
        return raw.pk
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_DB_ID else None


class TaskForm(forms.Form):
    title = forms.CharField(label=_("to-do"), max_length=200)
    due_at = forms.DateTimeField(label=_("due"), required=False, widget=DATETIME_WIDGET)
    remind_at = forms.DateTimeField(
        label=_("reminder"), required=False, widget=DATETIME_WIDGET, help_text=_("No later than the due time.")
    )
    priority = forms.ChoiceField(label=_("priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL)
    customer = forms.ModelChoiceField(
        label=_("customer"), queryset=Customer.objects.none(), required=False, error_messages=CUSTOMER_ERRORS
    )
    contact = forms.ModelChoiceField(
        label=_("contact"),
        queryset=Contact.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a contact of the chosen customer.")},
    )
    owner = forms.ModelChoiceField(
        label=_("assignee"),
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose yourself or an active colleague in your team.")},
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: User, current: Task | None = None, **kwargs: Any) -> None:
        """`current`: the task being edited; its own customer and assignee stay valid choices even when
        the editor (a manager) could not pick them anew, so saving a title does not drop them."""
        super().__init__(*args, **kwargs)
        self.actor = actor
        customers = visible_customers(actor)
        people = assignable_people(actor)
        if current is not None:
            customers = Customer.objects.filter(Q(pk__in=customers.values("pk")) | Q(pk=current.customer_id))
            people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current.owner_id)).order_by("username")
        self.customers = customers
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        customer_id = bound_id(self, "customer")
        contacts = Contact.objects.none()
        if customer_id is not None:
            contacts = Contact.objects.filter(customer_id=customer_id, customer__in=customers.values("pk"))
        self.fields["contact"].queryset = contacts.order_by("name")  # type: ignore[attr-defined]
        # Everyone has the field (the API refuses a colleague a rep names); only managers see it.
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        self.show_owner = oversees_others(actor)

    def clean_due_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("due_at")
        _in_range(value)
        return value

    def clean_remind_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("remind_at")
        _in_range(value)
        return value

    def chosen_customer(self) -> Customer | None:
        """The customer shown as picked: the valid bound one, else the initial one."""
        if self.is_bound and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get("customer")
        customer_id = bound_id(self, "customer")
        if customer_id is None:
            return None
        return self.customers.filter(pk=customer_id).first()


class TaskFilterForm(forms.Form):
    """The task list's filters; values it cannot read are ignored (and said so), never an error page."""

    tab = forms.ChoiceField(choices=[("open", _("Not done")), ("done", _("Done"))], required=False)
    scope = forms.ChoiceField(
        label=_("whose"), choices=[(TaskScope.MINE, _("Mine")), (TaskScope.TEAM, _("My team's"))], required=False
    )
    owner = forms.ModelChoiceField(label=_("assignee"), queryset=User.objects.none(), required=False)
    customer = forms.IntegerField(min_value=1, max_value=MAX_DB_ID, required=False, widget=forms.HiddenInput)
    priority = forms.ChoiceField(label=_("priority"), choices=[("", _("Any")), *TaskPriority.choices], required=False)
    due_from = forms.DateField(label=_("due from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(label=_("due until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if oversees_others(actor):
            self.fields["owner"].queryset = assignable_people(actor)  # type: ignore[attr-defined]
        else:
            del self.fields["scope"]
            del self.fields["owner"]

    def clean_due_from(self) -> date | None:
        value: date | None = self.cleaned_data.get("due_from")
        _in_range(value)
        return value

    def clean_due_to(self) -> date | None:
        value: date | None = self.cleaned_data.get("due_to")
        _in_range(value)
        return value

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> TaskFilters:
        owner = self.value("owner")
        return TaskFilters(
            done=self.value("tab") == "done",
            scope=self.value("scope") or TaskScope.MINE,
            owner=owner.pk if owner is not None else None,
            customer=self.value("customer"),
            priority=self.value("priority") or "",
            due_from=self.value("due_from"),
            due_to=self.value("due_to"),
        )
