"""notify(): the bell row in the caller's transaction, the e-mail only after commit, never a broken caller."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoCaptureOnCommitCallbacks

from kam.conftest import OrgWorld
from kam.core.models import Notification, User
from kam.core.notify import notify
from kam.customers.actions import apply_pool_rules
from kam.customers.models import Customer, PoolRule, RecycleReason
from kam.customers.tests.domain_helpers import make_customer, make_pool, shanghai

Outbox = list[mail.EmailMessage]


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("smtp.example.com:25 refused the connection")


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.KAM_BASE_URL = "https://kam.example.com"


def _with_email(user: User, address: str = "owner@example.com") -> User:
    user.email = address
    user.save(update_fields=["email"])
    return user


def test_the_email_goes_out_after_commit_with_exact_content(
    world: OrgWorld, mailoutbox: Outbox, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    owner = _with_email(world.owner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(owner, "task.due", "待办到期：回访客户", "请今天完成回访。", "/tasks/7/")
        assert mailoutbox == []  # nothing before commit
    assert len(callbacks) == 1
    [message] = mailoutbox
    assert message.to == ["owner@example.com"]
    assert message.subject == "[KAM] 待办到期：回访客户"
    assert message.body == (
        "待办到期：回访客户\n\n"
        "请今天完成回访。\n\n"
        "Open in KAM: https://kam.example.com/tasks/7/\n\n"
        "You get this mail because KAM has your e-mail address.\n"
    )
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert (notification.user, notification.organization, notification.kind, notification.url) == (
        owner,
        world.org,
        "task.due",
        "/tasks/7/",
    )


def test_a_rolled_back_transaction_sends_nothing_and_leaves_no_notification(
    world: OrgWorld, mailoutbox: Outbox, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    owner = _with_email(world.owner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notify(owner, "task.due", "不会发出的提醒")
            transaction.set_rollback(True)
    assert callbacks == []
    assert mailoutbox == []
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("case", ["no address", "inactive", "email off"])
def test_no_email_without_an_address_for_inactive_users_or_when_turned_off(
    world: OrgWorld,
    mailoutbox: Outbox,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    case: str,
) -> None:
    owner = world.owner if case == "no address" else _with_email(world.owner)
    if case == "inactive":
        owner.is_active = False
        owner.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(owner, "test", "只在铃铛里", email=case != "email off")
    assert (callbacks, mailoutbox) == ([], [])
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_a_failing_mail_server_never_breaks_the_caller(
    world: OrgWorld,
    settings: Any,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    owner = _with_email(world.owner)
    with caplog.at_level(logging.ERROR, logger="kam.core.notify"):
        with django_capture_on_commit_callbacks(execute=True):
            notification = notify(owner, "test", "邮件服务器宕机")
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert caplog.messages == [f"notification {notification.pk}: the e-mail could not be sent"]
    assert "ConnectionRefusedError" in caplog.text


def test_a_title_with_line_breaks_cannot_inject_mail_headers(
    world: OrgWorld, mailoutbox: Outbox, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    owner = _with_email(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        notify(owner, "test", "标题\nBcc: victim@example.com")
    [message] = mailoutbox
    assert message.subject == "[KAM] 标题 Bcc: victim@example.com"
    assert message.bcc == []


def test_without_a_base_url_the_mail_has_no_link(
    world: OrgWorld,
    settings: Any,
    mailoutbox: Outbox,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.KAM_BASE_URL = ""
    owner = _with_email(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        notify(owner, "test", "提醒", "", "/tasks/7/")
    assert mailoutbox[0].body == "提醒\n\nYou get this mail because KAM has your e-mail address.\n"


def test_the_long_notify_signature_still_works(world: OrgWorld) -> None:
    notification = notify(world.owner, "test", "x" * 300, "正文", "/" + "y" * 400)
    assert (len(notification.title), len(notification.url), notification.body) == (200, 300, "正文")


def test_the_pool_warning_goes_through_notify_and_mails_the_owner(
    world: OrgWorld, mailoutbox: Outbox, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    now = shanghai(2026, 3, 10, 9, 0)
    owner = _with_email(world.owner)
    pool = make_pool(world.org.pk, members=(owner,), warn_days_before=3)
    PoolRule.objects.create(pool=pool, reason=RecycleReason.NO_FOLLOWUP, days=30)
    customer = make_customer(owner, "快到期有限公司")
    Customer.objects.filter(pk=customer.pk).update(
        last_followup_at=now - timedelta(days=28), owner_since=now - timedelta(days=100)
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert apply_pool_rules(now=now).warned == [customer.pk]
    note = Notification.objects.get(user=owner)
    assert (note.kind, note.url) == ("pool.warning", reverse("customer-detail", args=[customer.pk]))
    [message] = mailoutbox
    assert message.subject == "[KAM] 快到期有限公司 will return to the public pool soon"
    assert "Rule: No follow-up for 30 days. Follow up or lock it to keep it." in message.body
    assert note.emailed_at is not None
    assert note.emailed_at <= timezone.now()
