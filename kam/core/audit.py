"""Writing audit rows. Called from actions, inside their transaction, never from save hooks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone, translation

from kam.core.models import AuditAction, AuditEntry, User


def _label(instance: models.Model) -> str:
    return instance._meta.label_lower


def display_value(instance: models.Model, field_name: str) -> str:
    """The value a person reads in the history panel: choice labels, FK names, blanks as ''."""
    field = instance._meta.get_field(field_name)
    if isinstance(field, models.ManyToManyField):
        return "、".join(sorted(str(obj) for obj in getattr(instance, field_name).all()))
    value = getattr(instance, field_name)
    if value is None:
        return ""
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        # Read by people in Shanghai time to the minute, not as an ISO string with an offset.
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def in_default_language(text: object) -> str:
    """History is written once and read by everyone, so it is stored in the default language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)[:200]


def _repr(instance: models.Model) -> str:
    return in_default_language(instance)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, str]:
    # History is written once and read by everyone: store it in the organization's default
    # language, not in whatever language the acting user happened to browse in.
    with translation.override(settings.LANGUAGE_CODE):
        return {name: display_value(instance, name) for name in fields}


def record(
    actor: User | None,
    instance: models.Model,
    action: str,
    *,
    field: str = "",
    old: str = "",
    new: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        organization_id=instance.organization_id,  # type: ignore[attr-defined]
        actor=actor,
        entity=_label(instance),
        entity_id=instance.pk,
        entity_repr=_repr(instance),
        action=action,
        field=field,
        old=old,
        new=new,
    )


def record_changes(actor: User | None, instance: models.Model, before: Mapping[str, str]) -> list[str]:
    """Compare `before` (a snapshot) with the instance now; write one row per changed field."""
    after = snapshot(instance, before.keys())
    changed = [name for name in before if before[name] != after[name]]
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organization_id=instance.organization_id,  # type: ignore[attr-defined]
            actor=actor,
            entity=_label(instance),
            entity_id=instance.pk,
            entity_repr=_repr(instance),
            action=AuditAction.UPDATE,
            field=name,
            old=before[name],
            new=after[name],
        )
        for name in changed
    )
    return changed


def history(instance: models.Model, limit: int = 200) -> models.QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(entity=_label(instance), entity_id=instance.pk)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def field_label(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - an old row may name a field that no longer exists
        return name
