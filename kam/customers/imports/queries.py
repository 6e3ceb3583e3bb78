"""Reads of import jobs: a job is its importer's own; anyone else gets 404, as for a missing one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kam.core.models import User
from kam.customers.models.imports import ImportJob


def import_jobs_of(user: User) -> QuerySet[ImportJob]:
    if not user.is_authenticated or user.organization_id is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by_id=user.pk, organization_id=user.organization_id)


def recent_import_jobs(user: User, limit: int = 10) -> list[ImportJob]:
    """The user's latest uploads for the import page, without the large JSON columns."""
    fields = ["id", "file_name", "status", "created_at", "total_rows", "created_count", "merged_count"]
    return list(import_jobs_of(user).only(*fields).order_by("-created_at", "-id")[:limit])


def get_import_job_for_user(user: User, pk: Any) -> ImportJob:
    try:
        return import_jobs_of(user).select_related("created_by", "created_by__organization").get(pk=int(pk))
    except (ImportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
