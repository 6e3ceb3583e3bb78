"""Team group robots: WeCom (企业微信群机器人) and DingTalk (钉钉自定义机器人) webhooks.

A message is a `WebhookMessage` outbox row written in the caller's transaction (`kam.core.notify.notify_team`),
posted after commit and, when that fails, posted again by the `kam tick` job on a backoff schedule.
Payloads are the robots' documented markdown messages:

- WeCom: POST `{"msgtype": "markdown", "markdown": {"content": "..."}}` to
  `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`; success is `{"errcode": 0, "errmsg": "ok"}`.
- DingTalk: POST `{"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}` to
  `https://oapi.dingtalk.com/robot/send?access_token=…`; with 加签 the URL also gets `timestamp` (ms) and
  `sign` = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))); success is errcode 0.

The webhook address holds the robot's key, so it is never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.db.models import F, Q
from django.utils import timezone

from kam.core.models import Team, WebhookKind, WebhookMessage

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
# Both robots cut long messages; WeCom documents 4096 bytes of markdown content.
MAX_CONTENT_BYTES = 4096
MAX_ANSWER_BYTES = 64 * 1024
# A message with n attempts is due again RETRY_AFTER[n] after it was created: the first post happens
# right after commit (attempt 1), the sweep picks up one whose post never ran after a minute, then
# backs off. After len(RETRY_AFTER) attempts the message is given up (kept, with its last error).
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
)
MAX_ATTEMPTS = len(RETRY_AFTER)
RETRY_BATCH = 50


def _clip(text: str, max_bytes: int = MAX_CONTENT_BYTES) -> str:
    """Cut `text` to at most `max_bytes` of UTF-8 without splitting a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[: max_bytes - len("…".encode())].decode("utf-8", errors="ignore") + "…"


def build_payload(kind: str, title: str, text: str, link: str = "", link_label: str = "") -> dict[str, Any]:
    """The robot's markdown message for `kind` (a WebhookKind): a bold title, the text, an optional link."""
    title = " ".join(title.split())
    tail = f"\n\n[{link_label or link}]({link})" if link else ""
    if kind == WebhookKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": _clip(f"**{title}**\n\n{text}{tail}")}}
    if kind == WebhookKind.DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": title[:100], "text": _clip(f"#### {title}\n\n{text}{tail}")},
        }
    raise ValueError(f"unknown group robot kind {kind!r}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签 before URL encoding: base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """`url` with `timestamp` and the URL-encoded `sign` appended as query parameters."""
    parts = urlsplit(url)
    extra = urlencode({"timestamp": str(timestamp_ms), "sign": dingtalk_sign(secret, timestamp_ms)})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def post_json(url: str, payload: dict[str, Any]) -> str:
    """POST `payload` as JSON; "" when the robot answered errcode 0, else what went wrong."""
    if urlsplit(url).scheme not in ("http", "https"):
        return "the webhook address is not http(s)"
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{type(exc).__name__}: {reason}"
    try:
        answer = json.loads(raw)
    except ValueError:
        return "the answer is not JSON"
    if not isinstance(answer, dict):
        return "the answer is not a JSON object"
    if answer.get("errcode") != 0:
        return f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"
    return ""


def _team_url(team: Team) -> str:
    if team.webhook_kind == WebhookKind.DINGTALK and team.webhook_secret:
        # The robot checks the timestamp against its own clock, so the wall clock signs, never a test clock.
        return signed_url(team.webhook_url, team.webhook_secret, int(time.time() * 1000))
    return team.webhook_url


def deliver(message_id: int, *, now: datetime | None = None) -> bool:
    """Post one unsent message (one attempt); True when the robot accepted it.

    The attempt is claimed with a conditional UPDATE first, so the after-commit post and a concurrent
    sweep never post the same attempt twice.
    """
    now = now or timezone.now()
    message = WebhookMessage.objects.select_related("team").filter(pk=message_id, sent_at__isnull=True).first()
    if message is None or message.attempts >= MAX_ATTEMPTS:
        return False
    claimed = WebhookMessage.objects.filter(pk=message.pk, sent_at__isnull=True, attempts=message.attempts).update(
        attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    team = message.team
    if not team.webhook_kind or not team.webhook_url:
        error = "the team has no group robot any more"
    else:
        error = post_json(_team_url(team), message.payload)
    if error:
        WebhookMessage.objects.filter(pk=message.pk).update(last_error=error[:500])
        attempt = message.attempts + 1
        if attempt >= MAX_ATTEMPTS:
            logger.error(
                "group robot message %s of team %s: given up after %s attempts: %s", message.pk, team.pk, attempt, error
            )
        else:
            logger.warning("group robot message %s of team %s, attempt %s: %s", message.pk, team.pk, attempt, error)
        return False
    WebhookMessage.objects.filter(pk=message.pk).update(sent_at=now, last_error="")
    return True


def deliver_quietly(message_id: int) -> None:
    """The after-commit post: a failure is logged and left to the retry sweep, never raised into the caller."""
    try:
        deliver(message_id)
    except Exception:
        logger.exception("group robot message %s: the post after commit failed", message_id)


def retry_webhooks(now: datetime) -> int:
    """Tick job: post the unsent messages whose next attempt is due; returns how many were delivered."""
    due = Q()
    for attempts, delay in enumerate(RETRY_AFTER):
        due |= Q(attempts=attempts, created_at__lte=now - delay)
    ids = list(
        WebhookMessage.objects.filter(sent_at__isnull=True)
        .filter(due)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    return sum(deliver(pk, now=now) for pk in ids)
