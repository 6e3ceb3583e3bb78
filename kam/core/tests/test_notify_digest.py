"""The daily digest: once per Shanghai day at KAM_DIGEST_HOUR, exact content, nothing when there is nothing."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from kam.conftest import OrgWorld
from kam.core import digest
from kam.core.digest import DigestSection, send_digests
from kam.core.models import Notification, User
from kam.core.notifications import mark_read
from kam.core.notify import notify

Outbox = list[mail.EmailMessage]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


AT_EIGHT = at(12, 1, 8)


@pytest.fixture(autouse=True)
def _digest_settings(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.KAM_BASE_URL = "https://kam.example.com"
    settings.KAM_DIGEST_HOUR = 8


def _email(user: User, address: str) -> User:
    user.email = address
    user.save(update_fields=["email"])
    return user


def _note(user: User, title: str, when: datetime, url: str = "") -> Notification:
    notification = notify(user, "test", title, url=url, email=False)
    Notification.objects.filter(pk=notification.pk).update(created_at=when)
    return notification


@pytest.fixture
def owner_with_news(world: OrgWorld) -> User:
    owner = _email(world.owner, "owner@example.com")
    _note(owner, "客户甲即将回收", at(11, 30, 9, 30), url="/customers/1/")
    _note(owner, "待办到期：回访", at(12, 1, 7, 15))
    mark_read(owner, _note(owner, "已读的提醒", at(11, 30, 12)).pk)
    _note(owner, "一天以前的提醒", at(11, 30, 7, 59))
    _note(world.teammate, "同事的提醒", at(12, 1, 7))
    return owner


EXPECTED_BODY = (
    "Hello owner, this is what waits for you in KAM.\n\n"
    "2 unread notifications\n"
    "- 11-30 09:30 客户甲即将回收 https://kam.example.com/customers/1/\n"
    "- 12-01 07:15 待办到期：回访\n\n"
    "Open your notifications: https://kam.example.com/notifications/\n"
)


def test_the_digest_goes_out_at_the_hour_with_exact_content(owner_with_news: User, mailoutbox: Outbox) -> None:
    assert send_digests(at(12, 1, 7, 59)) == 0
    assert mailoutbox == []
    assert send_digests(AT_EIGHT) == 1
    [message] = mailoutbox
    assert (message.to, message.subject, message.body) == (
        ["owner@example.com"],
        "KAM daily digest, 2026-12-01",
        EXPECTED_BODY,
    )
    owner_with_news.refresh_from_db()
    assert owner_with_news.digest_sent_on == date(2026, 12, 1)


def test_the_digest_goes_out_once_per_day(owner_with_news: User, mailoutbox: Outbox) -> None:
    assert send_digests(AT_EIGHT) == 1
    assert send_digests(at(12, 1, 8, 1)) == 0
    assert send_digests(at(12, 1, 23, 59)) == 0
    assert len(mailoutbox) == 1
    _note(owner_with_news, "第二天的提醒", at(12, 2, 6))
    assert send_digests(at(12, 2, 8)) == 1
    assert mailoutbox[1].subject == "KAM daily digest, 2026-12-02"
    assert "- 12-02 06:00 第二天的提醒" in mailoutbox[1].body


def test_the_hour_is_shanghai_time(owner_with_news: User, mailoutbox: Outbox) -> None:
    """00:00 UTC is 08:00 in Shanghai; 23:59 UTC of the day before is 07:59."""
    assert send_digests(datetime(2026, 11, 30, 23, 59, tzinfo=ZoneInfo("UTC"))) == 0
    assert send_digests(datetime(2026, 12, 1, 0, 0, tzinfo=ZoneInfo("UTC"))) == 1


def test_the_hour_is_configurable(owner_with_news: User, mailoutbox: Outbox, settings: Any) -> None:
    settings.KAM_DIGEST_HOUR = 17
    assert send_digests(at(12, 1, 16, 59)) == 0
    assert send_digests(at(12, 1, 17)) == 1


def test_nothing_to_report_sends_nothing_and_counts_as_done(world: OrgWorld, mailoutbox: Outbox) -> None:
    owner = _email(world.owner, "owner@example.com")
    assert send_digests(AT_EIGHT) == 0
    assert mailoutbox == []
    owner.refresh_from_db()
    assert owner.digest_sent_on == date(2026, 12, 1)
    _note(owner, "午后的提醒", at(12, 1, 13))
    assert send_digests(at(12, 1, 14)) == 0  # today's digest was done; tomorrow's will carry it


def test_users_without_an_address_or_inactive_get_no_digest(
    owner_with_news: User, world: OrgWorld, mailoutbox: Outbox
) -> None:
    _note(world.teammate, "同事的提醒二", at(12, 1, 7, 30))
    stranger = _email(world.stranger, "stranger@example.com")
    stranger.is_active = False
    stranger.save(update_fields=["is_active"])
    _note(stranger, "停用账号的提醒", at(12, 1, 7, 30))
    assert send_digests(AT_EIGHT) == 1
    assert [m.to for m in mailoutbox] == [["owner@example.com"]]
    world.teammate.refresh_from_db()
    assert world.teammate.digest_sent_on is None


def test_later_modules_add_sections(
    owner_with_news: User, world: OrgWorld, mailoutbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def tasks_due(user: User, since: datetime, until: datetime) -> DigestSection | None:
        assert (since, until) == (AT_EIGHT - timedelta(days=1), AT_EIGHT)
        return DigestSection("Tasks due today", ["回访客户甲", "准备报价"]) if user == owner_with_news else None

    monkeypatch.setitem(digest._sources, "activities.tasks", (50, tasks_due))
    mgr = _email(world.manager_north, "mgr@example.com")  # nothing from any source: no mail
    assert send_digests(AT_EIGHT) == 1
    assert mailoutbox[0].body == EXPECTED_BODY.replace(
        "\n\nOpen your notifications", "\n\nTasks due today\n- 回访客户甲\n- 准备报价\n\nOpen your notifications"
    )
    mgr.refresh_from_db()
    assert mgr.digest_sent_on == date(2026, 12, 1)


def test_long_lists_are_cut_with_a_count_of_the_rest(world: OrgWorld, mailoutbox: Outbox) -> None:
    owner = _email(world.owner, "owner@example.com")
    for minute in range(23):
        _note(owner, f"提醒{minute:02d}", at(12, 1, 7, minute))
    assert send_digests(AT_EIGHT) == 1
    lines = mailoutbox[0].body.split("\n")
    assert lines[2] == "23 unread notifications"
    assert lines[3] == "- 12-01 07:00 提醒00"
    assert lines[22] == "- 12-01 07:19 提醒19"
    assert lines[23] == "- …and 3 more"


def test_a_failing_mail_server_is_logged_and_the_others_still_get_theirs(
    owner_with_news: User,
    world: OrgWorld,
    mailoutbox: Outbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    teammate = _email(world.teammate, "teammate@example.com")
    real_send = digest.send_email

    def flaky(to: str, subject: str, body: str) -> None:
        if to == "owner@example.com":
            raise ConnectionRefusedError("smtp down")
        real_send(to, subject, body)

    monkeypatch.setattr(digest, "send_email", flaky)
    with caplog.at_level(logging.ERROR, logger="kam.core.digest"):
        assert send_digests(AT_EIGHT) == 1
    assert [m.to for m in mailoutbox] == [["teammate@example.com"]]
    assert caplog.messages == [f"user {owner_with_news.pk}: the daily digest could not be sent"]
    teammate.refresh_from_db()
    assert teammate.digest_sent_on == date(2026, 12, 1)


def test_the_digest_speaks_the_deployments_language(owner_with_news: User, mailoutbox: Outbox, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    assert send_digests(AT_EIGHT) == 1
    assert mailoutbox[0].subject == "KAM 每日摘要（2026-12-01）"
    assert mailoutbox[0].body.split("\n")[:3] == [
        "owner，您好！以下是 KAM 中等待您处理的事项。",
        "",
        "2 条未读通知",
    ]
