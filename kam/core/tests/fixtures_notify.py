"""Fixtures of the notification tests: a local stand-in for the WeCom and DingTalk group robots.

`robot_server` is an http.server on 127.0.0.1 in a thread. It checks each request the way the robots'
documentation describes them, independently of kam.core.webhooks:
- POST with a JSON body (Content-Type application/json, UTF-8);
- WeCom (/cgi-bin/webhook/send?key=…): `{"msgtype": "markdown", "markdown": {"content": str}}`, nothing else;
- DingTalk (/robot/send?access_token=…): `{"msgtype": "markdown", "markdown": {"title": str, "text": str}}`;
  when the test gave it a secret, `timestamp` (ms, within an hour of now) and `sign` must be present and
  `sign` must equal base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")) after URL decoding.
A well-formed request is answered `{"errcode": 0, "errmsg": "ok"}` unless the test queued another answer;
a malformed one gets the robots' own kind of error answer (errcode 300005 / 310000).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from kam.core.models import Team, WebhookKind

OK = {"errcode": 0, "errmsg": "ok"}
SIGN_MISMATCH = {"errcode": 310000, "errmsg": "sign not match"}
BAD_PAYLOAD = {"errcode": 300005, "errmsg": "invalid payload"}


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    content_type: str
    payload: Any
    problems: list[str]


@dataclass
class RobotServer:
    base_url: str = ""
    dingtalk_secret: str = ""
    received: list[Received] = field(default_factory=list)
    # (HTTP status, JSON answer) pairs used in order before falling back to 200 OK.
    answers: list[tuple[int, Any]] = field(default_factory=list)

    def wecom_url(self, key: str = "wecom-key") -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str = "ding-token") -> str:  # noqa: S107 (a test robot)
        return f"{self.base_url}/robot/send?access_token={token}"


def expected_sign(secret: str, timestamp: str) -> str:
    """The documented 加签: base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)), UTF-8."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def _check_wecom(payload: Any, query: dict[str, list[str]]) -> list[str]:
    problems = []
    if not query.get("key"):
        problems.append("no key")
    if not (
        isinstance(payload, dict)
        and set(payload) == {"msgtype", "markdown"}
        and payload["msgtype"] == "markdown"
        and isinstance(payload["markdown"], dict)
        and set(payload["markdown"]) == {"content"}
        and isinstance(payload["markdown"]["content"], str)
        and len(payload["markdown"]["content"].encode()) <= 4096
    ):
        problems.append("not a WeCom markdown message")
    return problems


def _check_dingtalk(payload: Any, query: dict[str, list[str]], secret: str) -> list[str]:
    problems = []
    if not query.get("access_token"):
        problems.append("no access_token")
    if not (
        isinstance(payload, dict)
        and set(payload) == {"msgtype", "markdown"}
        and payload["msgtype"] == "markdown"
        and isinstance(payload["markdown"], dict)
        and set(payload["markdown"]) == {"title", "text"}
        and all(isinstance(value, str) for value in payload["markdown"].values())
    ):
        problems.append("not a DingTalk markdown message")
    if secret:
        timestamp = query.get("timestamp", [""])[0]
        sign = query.get("sign", [""])[0]
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
            problems.append("sign: timestamp missing or more than an hour off")
        elif not hmac.compare_digest(sign, expected_sign(secret, timestamp)):
            problems.append("sign: does not match")
    elif "sign" in query or "timestamp" in query:
        problems.append("signed although the robot has no secret")
    return problems


def _handler(server: RobotServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            content_type = self.headers.get("Content-Type", "")
            problems = [] if content_type.startswith("application/json") else ["not JSON"]
            try:
                payload: Any = json.loads(raw.decode("utf-8"))
            except ValueError:
                payload, problems = None, [*problems, "body is not UTF-8 JSON"]
            if parts.path == "/cgi-bin/webhook/send":
                problems += _check_wecom(payload, query)
            elif parts.path == "/robot/send":
                problems += _check_dingtalk(payload, query, server.dingtalk_secret)
            else:
                problems.append("unknown path")
            server.received.append(Received(parts.path, query, content_type, payload, problems))
            if problems:
                status, answer = 200, SIGN_MISMATCH if any(p.startswith("sign") for p in problems) else BAD_PAYLOAD
            elif server.answers:
                status, answer = server.answers.pop(0)
            else:
                status, answer = 200, OK
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's name)
            pass

    return Handler


@pytest.fixture
def robot_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RobotServer]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = RobotServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def set_robot(team: Team, kind: str, url: str, secret: str = "") -> Team:
    team.webhook_kind = kind
    team.webhook_url = url
    team.webhook_secret = secret
    team.save(update_fields=["webhook_kind", "webhook_url", "webhook_secret"])
    return team


__all__ = ["OK", "RobotServer", "WebhookKind", "expected_sign", "robot_server", "set_robot"]
