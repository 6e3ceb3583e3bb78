"""Checking and storing the photos and files of follow-ups and visits.

A file is what its extension says only when its first bytes agree; a photo is accepted only when
Pillow can read it as that kind of image. Stored names are random (the original name is kept in
the row for display), under MEDIA_ROOT, and served only by the access-checked download view.
"""

from __future__ import annotations

import codecs
import uuid
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from kam.activities.models import Attachment, AttachmentKind, FollowUp, Visit
from kam.core import audit
from kam.core.errors import refuse
from kam.core.models import AuditAction, User

MAX_ATTACHMENTS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024
FIELD = "attachments"

# Extension → (Pillow format, content type).
PHOTO_TYPES = {
    "jpg": ("JPEG", "image/jpeg"),
    "jpeg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"),
}
OOXML = "application/vnd.openxmlformats-officedocument"
FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": f"{OOXML}.wordprocessingml.document",
    "xlsx": f"{OOXML}.spreadsheetml.sheet",
    "pptx": f"{OOXML}.presentationml.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
}
# The folder inside an Office Open XML package that tells a document, a workbook and a deck apart.
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
TEXT_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks, with what KAM stores about it."""

    upload: UploadedFile[bytes]
    kind: str
    name: str
    extension: str
    content_type: str
    size: int


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _display_name(name: str) -> str:
    # Browsers send a bare name; strip any path an old client may include, keep the extension.
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
    if len(base) <= 200:
        return base
    stem, dot, ext = base.rpartition(".")
    return (stem[: 199 - len(ext)] + dot + ext) if dot else base[:200]


def _head(upload: UploadedFile[bytes], size: int) -> bytes:
    upload.seek(0)
    data = bytes(upload.read(size))
    upload.seek(0)
    return data


def _is_image(upload: UploadedFile[bytes], expected_format: str) -> bool:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, not merely warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                found = image.format
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        return False
    finally:
        upload.seek(0)
    return found == expected_format


def _is_ooxml(upload: UploadedFile[bytes], part: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(name.startswith(part) for name in names)


def _is_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # A sample may end inside a multi-byte character: an incremental decoder allows that.
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _file_matches(upload: UploadedFile[bytes], extension: str) -> bool:
    head = _head(upload, 8)
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in OOXML_PARTS:
        return head.startswith(ZIP_MAGIC[0]) and _is_ooxml(upload, OOXML_PARTS[extension])
    if extension == "zip":
        return head.startswith(ZIP_MAGIC)
    return _is_text(_head(upload, TEXT_SAMPLE))


def check_upload(upload: UploadedFile[bytes]) -> CheckedUpload:
    """Accept a photo (jpeg/png/webp ≤ 10 MB) or a file (pdf, docx, xlsx, pptx, txt, csv, zip ≤ 20 MB)."""
    name = _display_name(str(upload.name or ""))
    extension = _extension(name)
    size = int(upload.size or 0)
    if size == 0:
        raise refuse(_("%(name)s is empty.") % {"name": name}, FIELD)
    if extension in PHOTO_TYPES:
        image_format, content_type = PHOTO_TYPES[extension]
        if size > MAX_PHOTO_BYTES:
            raise refuse(_("%(name)s is larger than 10 MB.") % {"name": name}, FIELD)
        if not _is_image(upload, image_format):
            raise refuse(_("%(name)s is not a readable JPEG, PNG or WebP image.") % {"name": name}, FIELD)
        return CheckedUpload(upload, AttachmentKind.PHOTO, name, extension, content_type, size)
    if extension in FILE_TYPES:
        if size > MAX_FILE_BYTES:
            raise refuse(_("%(name)s is larger than 20 MB.") % {"name": name}, FIELD)
        if not _file_matches(upload, extension):
            raise refuse(
                _("The content of %(name)s does not match its extension .%(ext)s.") % {"name": name, "ext": extension},
                FIELD,
            )
        return CheckedUpload(upload, AttachmentKind.FILE, name, extension, FILE_TYPES[extension], size)
    raise refuse(
        _("%(name)s: only photos (JPEG, PNG, WebP) and PDF, Word, Excel, PowerPoint, text, CSV or ZIP files.")
        % {"name": name},
        FIELD,
    )


def check_uploads(uploads: Sequence[UploadedFile[bytes]], existing: int = 0) -> list[CheckedUpload]:
    """Check every upload and the count (at most 9 per record, counting those already there)."""
    if existing + len(uploads) > MAX_ATTACHMENTS:
        raise refuse(_("A record can have at most %(max)d attachments.") % {"max": MAX_ATTACHMENTS}, FIELD)
    return [check_upload(upload) for upload in uploads]


def store(
    actor: User, checked: Sequence[CheckedUpload], *, followup: FollowUp | None = None, visit: Visit | None = None
) -> list[Attachment]:
    """Save checked uploads for one parent, inside the caller's transaction; one audit row each.

    Callers store last, after every check, so only a failing write can roll the rows back; the
    files written so far are then removed here (storage is not transactional).
    """
    parent: FollowUp | Visit = followup if followup is not None else visit  # type: ignore[assignment]
    stored: list[Attachment] = []
    written: list[str] = []
    stamp = timezone.localdate().strftime("%Y%m%d")
    try:
        for item in checked:
            attachment = Attachment(
                organization_id=parent.organization_id,
                followup=followup,
                visit=visit,
                kind=item.kind,
                name=item.name,
                content_type=item.content_type,
                size=item.size,
                uploaded_by=actor,
            )
            item.upload.seek(0)
            attachment.file.save(f"{stamp}-{uuid.uuid4().hex}.{item.extension}", item.upload, save=False)
            written.append(str(attachment.file.name))
            attachment.save()
            audit.record(actor, parent, AuditAction.UPDATE, field="attachments", new=item.name)
            stored.append(attachment)
    except Exception:
        for name in written:
            default_storage.delete(name)
        raise
    return stored


def delete_files_on_commit(names: Sequence[str]) -> None:
    """Remove stored files once the rows that named them are gone for good."""

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)
