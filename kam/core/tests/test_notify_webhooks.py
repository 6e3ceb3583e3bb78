"""Team group robots: the documented payloads, DingTalk 加签, posting after commit, retry with backoff.

Every post goes to a LOCAL HTTP server (fixtures_notify.robot_server, http.server on 127.0.0.1) that
checks the payload shape and recomputes the DingTalk signature exactly as the robots' documentation
describes, and answers errcode 0 or the error the test queued.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from kam.conftest import OrgWorld
from kam.core import webhooks
from kam.core.models import WebhookKind, WebhookMessage
from kam.core.notify import notify_team
from kam.core.tests.fixtures_notify import OK, RobotServer, expected_sign, robot_server, set_robot
from kam.core.webhooks import MAX_ATTEMPTS, retry_webhooks

__all__ = ["robot_server"]

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TITLE = "北京一组日报已提交"
TEXT = "**owner** 提交了 2026-12-01 的日报"
LINK = "[Open in KAM](https://kam.example.com/reports/5/)"
FREQ_LIMIT = (200, {"errcode": 45009, "errmsg": "api freq out of limit"})


@pytest.fixture(autouse=True)
def _english_links(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.KAM_BASE_URL = "https://kam.example.com"


def _send(world: OrgWorld, capture: DjangoCaptureOnCommitCallbacks) -> WebhookMessage:
    with capture(execute=True):
        message = notify_team(world.beijing, TITLE, TEXT, url="/reports/5/")
    assert message is not None
    message.refresh_from_db()
    return message


def _created_at(message: WebhookMessage, when: datetime) -> None:
    WebhookMessage.objects.filter(pk=message.pk).update(created_at=when)


# --- payloads ----------------------------------------------------------------------------------


def test_wecom_gets_the_documented_markdown_message(
    world: OrgWorld, robot_server: RobotServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    set_robot(world.beijing, WebhookKind.WECOM, robot_server.wecom_url("k-123"))
    message = _send(world, django_capture_on_commit_callbacks)
    [request] = robot_server.received
    assert request.problems == []
    assert (request.path, request.query) == ("/cgi-bin/webhook/send", {"key": ["k-123"]})
    assert request.content_type == "application/json; charset=utf-8"
    assert request.payload == {"msgtype": "markdown", "markdown": {"content": f"**{TITLE}**\n\n{TEXT}\n\n{LINK}"}}
    assert message.payload == request.payload
    assert (message.attempts, message.last_error, message.organization_id) == (1, "", world.org.pk)
    assert message.sent_at is not None


def test_dingtalk_gets_the_documented_markdown_message_with_a_valid_signature(
    world: OrgWorld, robot_server: RobotServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    robot_server.dingtalk_secret = "SEC0123456789abcdef"
    set_robot(world.beijing, WebhookKind.DINGTALK, robot_server.dingtalk_url("t-9"), secret="SEC0123456789abcdef")
    message = _send(world, django_capture_on_commit_callbacks)
    [request] = robot_server.received
    assert request.problems == []
    assert request.path == "/robot/send"
    assert sorted(request.query) == ["access_token", "sign", "timestamp"]
    assert request.query["access_token"] == ["t-9"]
    assert request.query["sign"] == [expected_sign("SEC0123456789abcdef", request.query["timestamp"][0])]
    assert request.payload == {
        "msgtype": "markdown",
        "markdown": {"title": TITLE, "text": f"#### {TITLE}\n\n{TEXT}\n\n{LINK}"},
    }
    assert (message.attempts, message.last_error) == (1, "")
    assert message.sent_at is not None


def test_dingtalk_without_a_secret_is_not_signed(
    world: OrgWorld, robot_server: RobotServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    set_robot(world.beijing, WebhookKind.DINGTALK, robot_server.dingtalk_url("t-9"))
    message = _send(world, django_capture_on_commit_callbacks)
    [request] = robot_server.received
    assert (request.problems, request.query) == ([], {"access_token": ["t-9"]})
    assert message.sent_at is not None


def test_a_wrong_secret_is_refused_by_the_robot_and_kept_for_retry(
    world: OrgWorld, robot_server: RobotServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    robot_server.dingtalk_secret = "SEC-right"
    set_robot(world.beijing, WebhookKind.DINGTALK, robot_server.dingtalk_url(), secret="SEC-wrong")
    message = _send(world, django_capture_on_commit_callbacks)
    assert robot_server.received[0].problems == ["sign: does not match"]
    assert (message.sent_at, message.attempts, message.last_error) == (None, 1, "errcode 310000: sign not match")


def test_the_signature_is_the_documented_formula() -> None:
    """quote_plus(base64(HMAC-SHA256(secret, f"{ts}\\n{secret}"))) as in DingTalk's Python sample."""
    url = webhooks.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECabc", 1_700_000_000_000)
    sign = expected_sign("SECabc", "1700000000000")
    quoted = sign.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign={quoted}"


def test_long_messages_are_cut_to_the_robots_limit() -> None:
    payload = webhooks.build_payload(WebhookKind.WECOM, "标题", "长" * 3000)
    content = payload["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.endswith("…")


def test_a_message_without_base_url_carries_no_link(settings: Any) -> None:
    settings.KAM_BASE_URL = ""
    from kam.core.notify import absolute_url

    assert absolute_url("/reports/5/") == ""
    assert webhooks.build_payload(WebhookKind.WECOM, "标题", "正文") == {
        "msgtype": "markdown",
        "markdown": {"content": "**标题**\n\n正文"},
    }


# --- after commit only -------------------------------------------------------------------------


def test_nothing_is_posted_before_commit_or_after_a_rollback(
    world: OrgWorld, robot_server: RobotServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    set_robot(world.beijing, WebhookKind.WECOM, robot_server.wecom_url())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notify_team(world.beijing, TITLE, TEXT)
            assert robot_server.received == []
            transaction.set_rollback(True)
    assert callbacks == []
    assert robot_server.received == []
    assert WebhookMessage.objects.count() == 0


def test_a_team_without_a_robot_gets_nothing(world: OrgWorld) -> None:
    assert notify_team(world.beijing, TITLE, TEXT) is None
    assert WebhookMessage.objects.count() == 0


# --- retry and backoff -------------------------------------------------------------------------


def test_an_error_answer_is_retried_on_the_backoff_schedule(
    world: OrgWorld, robot_server: RobotServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    set_robot(world.beijing, WebhookKind.WECOM, robot_server.wecom_url())
    robot_server.answers = [FREQ_LIMIT, FREQ_LIMIT]
    message = _send(world, django_capture_on_commit_callbacks)
    assert (message.sent_at, message.attempts, message.last_error) == (None, 1, "errcode 45009: api freq out of limit")
    _created_at(message, T0)

    assert retry_webhooks(T0 + timedelta(seconds=59)) == 0
    assert len(robot_server.received) == 1
    assert retry_webhooks(T0 + timedelta(minutes=1)) == 0  # second attempt, second error
    message.refresh_from_db()
    assert (message.attempts, len(robot_server.received)) == (2, 2)
    assert retry_webhooks(T0 + timedelta(minutes=4, seconds=59)) == 0
    assert len(robot_server.received) == 2
    assert retry_webhooks(T0 + timedelta(minutes=5)) == 1  # third attempt: errcode 0
    message.refresh_from_db()
    assert (message.sent_at, message.attempts, message.last_error) == (T0 + timedelta(minutes=5), 3, "")
    assert retry_webhooks(T0 + timedelta(days=1)) == 0
    assert len(robot_server.received) == 3


def test_delivery_gives_up_after_the_last_attempt(
    world: OrgWorld,
    robot_server: RobotServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    set_robot(world.beijing, WebhookKind.WECOM, robot_server.wecom_url())
    robot_server.answers = [(500, {"errcode": -1, "errmsg": "system busy"})] * (MAX_ATTEMPTS + 2)
    message = _send(world, django_capture_on_commit_callbacks)
    _created_at(message, T0)
    for offset in (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)):
        retry_webhooks(T0 + offset)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kam.core.webhooks"):
        retry_webhooks(T0 + timedelta(hours=8))
    message.refresh_from_db()
    assert (message.sent_at, message.attempts, message.last_error) == (None, MAX_ATTEMPTS, "HTTP 500")
    assert len(robot_server.received) == MAX_ATTEMPTS == 6
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    # The webhook address (it holds the robot's key) never reaches the logs.
    assert caplog.messages == [
        f"group robot message {message.pk} of team {world.beijing.pk}: given up after 6 attempts: HTTP 500"
    ]
    assert retry_webhooks(T0 + timedelta(days=30)) == 0
    assert len(robot_server.received) == MAX_ATTEMPTS


def test_a_message_whose_post_never_ran_is_picked_up_after_a_minute(world: OrgWorld, robot_server: RobotServer) -> None:
    set_robot(world.beijing, WebhookKind.WECOM, robot_server.wecom_url())
    message = notify_team(world.beijing, TITLE, TEXT)  # the test transaction never commits
    assert message is not None
    _created_at(message, T0)
    assert retry_webhooks(T0 + timedelta(seconds=30)) == 0
    assert retry_webhooks(T0 + timedelta(minutes=1)) == 1
    message.refresh_from_db()
    assert (message.attempts, message.sent_at) == (1, T0 + timedelta(minutes=1))
    assert [r.problems for r in robot_server.received] == [[]]


def test_a_delivered_message_is_never_posted_again(
    world: OrgWorld, robot_server: RobotServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    set_robot(world.beijing, WebhookKind.WECOM, robot_server.wecom_url())
    message = _send(world, django_capture_on_commit_callbacks)
    assert webhooks.deliver(message.pk) is False
    assert len(robot_server.received) == 1


def test_an_unreachable_robot_is_an_error_not_a_crash(
    world: OrgWorld, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    set_robot(world.beijing, WebhookKind.WECOM, "http://127.0.0.1:9/cgi-bin/webhook/send?key=x")
    message = _send(world, django_capture_on_commit_callbacks)
    assert (message.sent_at, message.attempts) == (None, 1)
    assert message.last_error.startswith("URLError: ")


def test_a_robot_removed_since_is_recorded_as_the_error(
    world: OrgWorld, robot_server: RobotServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    set_robot(world.beijing, WebhookKind.WECOM, robot_server.wecom_url())
    message = notify_team(world.beijing, TITLE, TEXT)
    assert message is not None
    set_robot(world.beijing, "", "")
    assert webhooks.deliver(message.pk) is False
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "the team has no group robot any more")
    assert robot_server.received == []


def test_only_http_addresses_are_posted_to(world: OrgWorld) -> None:
    assert webhooks.post_json("file:///etc/passwd", OK) == "the webhook address is not http(s)"
