"""What tasks and coordination requests put into people's bells (through kam.core.notify.notify()).

Texts are written once and read by their recipient, whatever language the sender was browsing in,
so they are made in the organization's default language (as audit history is). Called inside the
acting transaction; `notify()` takes care of e-mail and group robots after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.activities.models import CoordinationRequest, Task
from kam.activities.queries_requests import role_members
from kam.core.models import User
from kam.core.notify import notify


@contextmanager
def _default_language() -> Iterator[None]:
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _send(people: Iterable[User], kind: str, title: str, body: str, url: str) -> int:
    sent = 0
    seen: set[int] = set()
    for person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        notify(person, kind, title, body, url)
        sent += 1
    return sent


# --- tasks --------------------------------------------------------------------------------------


def notify_task_assigned(actor: User, task: Task) -> None:
    """A manager gave someone a task: tell them."""
    if task.owner_id == actor.pk:
        return
    with _default_language():
        title = _("%(name)s gave you a task: %(title)s") % {"name": actor.name, "title": task.title}
    notify(task.owner, "task.assigned", title, url=reverse("task-detail", args=[task.pk]))


def notify_task_reminder(task: Task) -> None:
    """The reminder time of a task has come: ring its owner."""
    with _default_language():
        title = _("Reminder: %(title)s") % {"title": task.title}
        body = ""
        if task.due_at is not None:
            body = _("Due %(time)s") % {"time": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")}
    notify(task.owner, "task.reminder", title, body, reverse("task-detail", args=[task.pk]))


# --- coordination requests ----------------------------------------------------------------------


def _recipients(request: CoordinationRequest) -> list[User]:
    """The side that answers: the assignee, or everyone of the role while nobody took it."""
    if request.assignee_id is not None:
        assert request.assignee is not None
        return [request.assignee]
    return list(role_members(request.organization_id, request.role))


def _url(request: CoordinationRequest) -> str:
    return reverse("request-detail", args=[request.pk])


def notify_request_created(actor: User, request: CoordinationRequest) -> int:
    with _default_language():
        title = _("%(name)s asks for your help: %(subject)s") % {"name": actor.name, "subject": request.subject}
        body = _("Customer: %(customer)s. Due %(date)s.") % {
            "customer": request.customer.name,
            "date": request.due_date.isoformat(),
        }
    people = [person for person in _recipients(request) if person.pk != actor.pk]
    return _send(people, "request.new", title, body, _url(request))


def notify_request_answered(actor: User, request: CoordinationRequest, kind: str) -> int:
    """Accepted, rejected or completed: tell the requester."""
    with _default_language():
        texts = {
            "request.accepted": _("%(name)s accepted your request: %(subject)s"),
            "request.rejected": _("%(name)s rejected your request: %(subject)s"),
            "request.done": _("%(name)s completed your request: %(subject)s"),
        }
        title = texts[kind] % {"name": actor.name, "subject": request.subject}
        body = {"request.rejected": request.reject_reason, "request.done": request.result}.get(kind, "")
    if request.requester_id == actor.pk:
        return 0
    return _send([request.requester], kind, title, body, _url(request))


def notify_request_cancelled(actor: User, request: CoordinationRequest) -> int:
    with _default_language():
        title = _("%(name)s cancelled the request: %(subject)s") % {"name": actor.name, "subject": request.subject}
    people = [person for person in _recipients(request) if person.pk != actor.pk]
    return _send(people, "request.cancelled", title, "", _url(request))


def notify_request_comment(actor: User, request: CoordinationRequest, body: str) -> int:
    """A comment goes to the other side: requester and assignee (or the role while unassigned), not the author."""
    with _default_language():
        title = _("%(name)s commented on: %(subject)s") % {"name": actor.name, "subject": request.subject}
    people = [request.requester, *_recipients(request)]
    return _send([p for p in people if p.pk != actor.pk], "request.comment", title, body[:500], _url(request))


def notify_request_overdue(request: CoordinationRequest, manager: User | None) -> int:
    """Both sides and the requester's manager hear once that a request passed its due date."""
    with _default_language():
        title = _("Overdue request: %(subject)s") % {"subject": request.subject}
        body = _("Customer: %(customer)s. It was due %(date)s.") % {
            "customer": request.customer.name,
            "date": request.due_date.isoformat(),
        }
    people = [request.requester, *_recipients(request)]
    if manager is not None:
        people.append(manager)
    return _send(people, "request.overdue", title, body, _url(request))
