"""Attachments: what is accepted, where it is stored, who may download it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from kam.activities.actions_followups import add_attachments, create_followup, delete_attachment, delete_followup
from kam.activities.actions_visits import add_visit_photos, plan_visit
from kam.activities.models import Attachment, FollowUp
from kam.activities.tests.fixtures_followups import (  # noqa: F401 - media_root is an autouse fixture
    ROLES,
    Scene,
    client,
    db_state,
    docx,
    image_bytes,
    jpeg,
    make_scene,
    media_dir,
    media_root,
    ooxml_bytes,
    pdf,
    png,
    text_file,
    user_for,
)
from kam.conftest import OrgWorld
from kam.core.models import AuditEntry


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The actions speak the active language; these tests read their English messages."""
    with translation.override("en"):
        yield


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


@pytest.fixture
def followup(scene: Scene) -> FollowUp:
    data = {"kind": "visit", "occurred_at": timezone.now() - timedelta(hours=1), "content": "拜访", "feedback": "",
            "next_step": "", "next_followup_at": None}  # fmt: skip
    return create_followup(scene.world.owner, scene.customer, data)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_photos_and_files_are_stored_under_media_root_with_random_names(scene: Scene, followup: FollowUp) -> None:
    media = media_dir()
    saved = add_attachments(scene.world.owner, followup, [png(), jpeg(), pdf(), docx(), text_file()])
    assert [(a.kind, a.name, a.content_type) for a in saved] == [
        ("photo", "门头.png", "image/png"),
        ("photo", "合影.jpg", "image/jpeg"),
        ("file", "方案.pdf", "application/pdf"),
        ("file", "纪要.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("file", "记录.txt", "text/plain"),
    ]
    files = stored_files(media)
    assert len(files) == 5
    assert all(path.is_relative_to(media / "attachments") for path in files)
    assert not any("门头" in path.name for path in files)
    assert saved[0].size == len(image_bytes("PNG"))
    audit_rows = AuditEntry.objects.filter(entity="activities.followup", entity_id=followup.pk, field="attachments")
    assert sorted(row.new for row in audit_rows) == sorted(
        ["门头.png", "合影.jpg", "方案.pdf", "纪要.docx", "记录.txt"]
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("假图.png", b"GIF89a not a png"), "假图.png is not a readable JPEG, PNG or WebP image."),
        (SimpleUploadedFile("动图.jpg", image_bytes("PNG")), "动图.jpg is not a readable JPEG, PNG or WebP image."),
        (SimpleUploadedFile("方案.pdf", b"<html>phish</html>"),
         "The content of 方案.pdf does not match its extension .pdf."),
        (SimpleUploadedFile("表.xlsx", ooxml_bytes("word/")),
         "The content of 表.xlsx does not match its extension .xlsx."),
        (SimpleUploadedFile("包.zip", b"MZ\x90\x00"), "The content of 包.zip does not match its extension .zip."),
        (SimpleUploadedFile("记录.txt", b"\x00\x01\x02binary"),
         "The content of 记录.txt does not match its extension .txt."),
        (SimpleUploadedFile("病毒.exe", b"MZ\x90\x00"),
         "病毒.exe: only photos (JPEG, PNG, WebP) and PDF, Word, Excel, PowerPoint, text, CSV or ZIP files."),
        (SimpleUploadedFile("空.pdf", b""), "空.pdf is empty."),
    ],
)  # fmt: skip
def test_bad_files_are_refused_and_nothing_is_saved(
    scene: Scene, followup: FollowUp, upload: SimpleUploadedFile, message: str
) -> None:
    media = media_dir()
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        add_attachments(scene.world.owner, followup, [png(), upload])
    assert caught.value.message_dict == {"attachments": [message]}
    assert db_state() == before
    assert stored_files(media) == []


def test_size_limits(scene: Scene, followup: FollowUp) -> None:
    mb = 1024 * 1024
    big_photo = SimpleUploadedFile("大图.png", image_bytes("PNG").ljust(10 * mb + 1, b"\0"))
    with pytest.raises(ValidationError) as caught:
        add_attachments(scene.world.owner, followup, [big_photo])
    assert caught.value.message_dict == {"attachments": ["大图.png is larger than 10 MB."]}
    big_pdf = SimpleUploadedFile("大.pdf", b"%PDF-1.4".ljust(20 * mb + 1, b" "))
    with pytest.raises(ValidationError) as caught:
        add_attachments(scene.world.owner, followup, [big_pdf])
    assert caught.value.message_dict == {"attachments": ["大.pdf is larger than 20 MB."]}
    just_fits = SimpleUploadedFile("刚好.pdf", b"%PDF-1.4".ljust(20 * mb, b" "))
    assert add_attachments(scene.world.owner, followup, [just_fits])[0].size == 20 * mb


def test_gb18030_text_and_csv_are_accepted(scene: Scene, followup: FollowUp) -> None:
    csv = SimpleUploadedFile("名单.csv", "姓名,电话\n王建国,13800138000\n".encode("gb18030"))
    assert [a.content_type for a in add_attachments(scene.world.owner, followup, [csv])] == ["text/csv"]


def test_at_most_nine_per_record(scene: Scene, followup: FollowUp) -> None:
    add_attachments(scene.world.owner, followup, [png(f"{i}.png") for i in range(7)])
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        add_attachments(scene.world.owner, followup, [png("8.png"), png("9.png"), png("10.png")])
    assert caught.value.message_dict == {"attachments": ["A record can have at most 9 attachments."]}
    assert db_state() == before
    assert len(add_attachments(scene.world.owner, followup, [png("8.png"), png("9.png")])) == 2


def test_only_who_may_change_the_follow_up_adds_or_removes(scene: Scene, followup: FollowUp) -> None:
    with pytest.raises(PermissionDenied):
        add_attachments(scene.world.collaborator, followup, [png()])
    photo = add_attachments(scene.world.manager_north, followup, [png()])[0]
    with pytest.raises(PermissionDenied):
        delete_attachment(scene.world.collaborator, photo)
    delete_attachment(scene.world.owner, photo)
    assert not Attachment.objects.exists()


def test_deleting_removes_the_files_after_commit(
    scene: Scene, followup: FollowUp, django_capture_on_commit_callbacks: Any
) -> None:
    media = media_dir()
    add_attachments(scene.world.owner, followup, [png(), pdf()])
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        delete_followup(scene.world.owner, followup)
    assert stored_files(media) == []
    assert not Attachment.objects.exists()


def test_visit_photos(scene: Scene) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now())
    saved = add_visit_photos(scene.world.owner, visit, [jpeg()])
    assert (saved[0].visit, saved[0].followup, saved[0].kind) == (visit, None, "photo")
    with pytest.raises(PermissionDenied):
        add_visit_photos(scene.world.collaborator, visit, [jpeg()])


DOWNLOAD = {"outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}


@pytest.mark.parametrize("role", ROLES)
def test_download_matrix(scene: Scene, followup: FollowUp, role: str) -> None:
    photo, document = add_attachments(scene.world.owner, followup, [png(), pdf()])
    browser = client(user_for(scene.world, role))
    responses = [browser.get(reverse("attachment-download", args=[item.pk])) for item in (photo, document)]
    if role == "anonymous":
        assert all(r.status_code == 302 and r["Location"].startswith(reverse("login")) for r in responses)
        return
    assert [r.status_code for r in responses] == [DOWNLOAD[role]] * 2
    if DOWNLOAD[role] == 200:
        shown, downloaded = responses
        assert shown["Content-Type"] == "image/png"
        assert shown["Content-Disposition"].startswith("inline")
        assert b"".join(shown.streaming_content) == image_bytes("PNG")
        assert downloaded["Content-Type"] == "application/pdf"
        assert downloaded["Content-Disposition"].startswith("attachment")
        assert "sandbox" in downloaded["Content-Security-Policy"]


def test_no_public_media_url(scene: Scene, followup: FollowUp) -> None:
    photo = add_attachments(scene.world.owner, followup, [png()])[0]
    assert client(scene.world.owner).get("/media/" + photo.file.name).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_upload_page_matrix(scene: Scene, followup: FollowUp, role: str) -> None:
    before = db_state()
    response = client(user_for(scene.world, role)).post(
        reverse("followup-attachments", args=[followup.pk]), {"attachments": [png()]}
    )
    expected = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 302, "manager": 302}
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected[role]
    if expected.get(role) == 302:
        assert Attachment.objects.filter(followup=followup).count() == 1
    else:
        assert db_state() == before


def test_bad_upload_on_the_page_is_422_with_the_field_error(scene: Scene, followup: FollowUp) -> None:
    before = db_state()
    fake = SimpleUploadedFile("门头.webp", b"RIFF....WEBPVP8 broken")
    response = client(scene.world.owner).post(
        reverse("followup-attachments", args=[followup.pk]), {"attachments": [fake]}
    )
    assert response.status_code == 422
    assert "门头.webp is not a readable JPEG, PNG or WebP image." in response.content.decode()
    assert db_state() == before
