"""The dry run's validated customers, kept beside the upload so the import does not validate them twice.

Validating a row through CustomerForm and ContactForm costs a few milliseconds, most of a
50,000-row import. What the forms decide depends only on the file, the column mapping and
the reference data, so the dry run stores its result (gzipped JSON, never pickle) under
MEDIA_ROOT/imports/checked/, stamped with a digest of the file and the mapping. The import
uses it when the digest still matches and validates afresh otherwise. Everything that
depends on the database at import time — duplicates, merge targets, the owners' team and
holding limit, credit codes — is checked again inside the import's transaction.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from kam.core.models import User
from kam.customers.imports.plan import REFERENCE_FIELDS, Group, Prepared
from kam.customers.models import Industry, Region
from kam.customers.models.imports import ImportJob

VERSION = 1
PLAIN = (str, int, bool)


class Unsupported(Exception):
    """A value the snapshot does not carry; the import then validates the file again."""


def _path(job: ImportJob) -> str:
    return f"imports/checked/{job.pk}.json.gz"


def digest(job: ImportJob) -> str:
    sha = hashlib.sha256()
    with job.file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    sha.update(json.dumps([job.mapping, job.created_by_id], sort_keys=True).encode())
    return sha.hexdigest()


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, models.Model) and key in REFERENCE_FIELDS:
            out[key] = value.pk
        elif isinstance(value, PLAIN):
            out[key] = value
        else:
            raise Unsupported(key)
    return out


def _group_json(group: Group) -> dict[str, Any]:
    return {
        "first_row": group.first_row,
        "rows": group.rows,
        "values": group.values,
        "data": _plain(group.data),
        "tags": group.tag_names,
        "owner": group.owner.pk if group.owner else None,
        "contacts": [[row, _plain(data)] for row, data in group.contacts],
        "file_matches": [[row, kind, score] for row, (kind, score) in group.file_matches.items()],
    }


def save(job: ImportJob, prepared: Prepared) -> bool:
    """Store the validated customers of a checked job; False when some value cannot be stored."""
    try:
        payload = {
            "version": VERSION,
            "digest": digest(job),
            "total_rows": prepared.total_rows,
            "errors": [[row, fields] for row, fields in prepared.errors.items()],
            "row_group": [[row, first] for row, first in prepared.row_group.items()],
            "groups": [_group_json(g) for g in prepared.groups],
        }
    except Unsupported:
        discard(job)
        return False
    discard(job)
    default_storage.save(_path(job), ContentFile(gzip.compress(json.dumps(payload, ensure_ascii=False).encode())))
    return True


def discard(job: ImportJob) -> None:
    if default_storage.exists(_path(job)):
        default_storage.delete(_path(job))


def load(job: ImportJob) -> Prepared | None:
    """The stored customers of the job if they still match its file and mapping, else None."""
    if not default_storage.exists(_path(job)):
        return None
    with default_storage.open(_path(job), "rb") as fh:
        payload = json.loads(gzip.decompress(fh.read()))
    if payload.get("version") != VERSION or payload.get("digest") != digest(job):
        return None
    references: dict[str, dict[Any, models.Model]] = {
        "industry": {i.pk: i for i in Industry.objects.all()},
        "province": {r.pk: r for r in Region.objects.all()},
    }
    references["city"] = references["province"]
    owner_ids = {g["owner"] for g in payload["groups"] if g["owner"] is not None}
    owners = {u.pk: u for u in User.objects.filter(pk__in=owner_ids).select_related("team", "organization")}

    def data_of(raw: dict[str, Any]) -> dict[str, Any]:
        return {k: references[k][v] if k in REFERENCE_FIELDS else v for k, v in raw.items()}

    groups = [
        Group(
            first_row=g["first_row"],
            rows=g["rows"],
            values=g["values"],
            data=data_of(g["data"]),
            tag_names=g["tags"],
            owner=owners.get(g["owner"]) if g["owner"] is not None else None,
            contacts=[(row, data) for row, data in g["contacts"]],
            file_matches={row: (kind, score) for row, kind, score in g["file_matches"]},
        )
        for g in payload["groups"]
    ]
    return Prepared(
        groups=groups,
        errors={row: fields for row, fields in payload["errors"]},
        total_rows=payload["total_rows"],
        row_group={row: first for row, first in payload["row_group"]},
    )
