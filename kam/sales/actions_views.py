"""Writes of saved views: a user's named filter sets of the deal table (their own, nobody else's).

The stored query string keeps only the table's filter parameters, so a saved view can never carry
anything but filters into the page it is replayed on.
"""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from kam.core.errors import refuse
from kam.core.models import User
from kam.sales.models import SavedView
from kam.sales.queries_lists import get_saved_view_for_user, saved_views_of

FILTER_PARAMS = (
    "q",
    "owner",
    "team",
    "business_line",
    "stage",
    "status",
    "forecast_category",
    "close_from",
    "close_to",
    "amount_min",
    "amount_max",
    "customer",
    "sort",
)
MAX_VIEWS_PER_USER = 50
NAME_MAX = 50
PARAMS_MAX = 500
VALUE_MAX = 100


def clean_params(raw: str) -> str:
    """The filter parameters of a query string, re-encoded: unknown keys, empty values and NUL
    characters dropped, one value per key, each at most 100 characters."""
    parsed = QueryDict(raw.lstrip("?")[:4000])
    kept = QueryDict(mutable=True)
    for key in FILTER_PARAMS:
        value = parsed.get(key, "").replace("\x00", "").strip()[:VALUE_MAX]
        if value:
            kept[key] = value
    return kept.urlencode()


@transaction.atomic
def save_view(actor: User, name: str, params: str) -> SavedView:
    """Save the current filters under `name` for `actor`; the same name replaces that view's filters."""
    name = (name or "").replace("\x00", "").strip()
    if not name:
        raise refuse(_("Give the view a name."), "name")
    if len(name) > NAME_MAX:
        raise refuse(_("Keep the name to 50 characters."), "name")
    cleaned = clean_params(params or "")
    if len(cleaned) > PARAMS_MAX:
        raise refuse(_("These filters are too long to save."), "params")
    existing = saved_views_of(actor).filter(name=name).first()
    if existing is not None:
        existing.params = cleaned
        existing.save(update_fields=["params"])
        return existing
    if saved_views_of(actor).count() >= MAX_VIEWS_PER_USER:
        raise refuse(_("You have 50 saved views; delete one before saving another."), "name")
    return SavedView.objects.create(organization_id=actor.organization_id, user=actor, name=name, params=cleaned)


@transaction.atomic
def delete_view(actor: User, view_id: object) -> None:
    """Delete one of the actor's own saved views (404 for anyone else's)."""
    view = get_saved_view_for_user(actor, view_id)
    view.delete()
