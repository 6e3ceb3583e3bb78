"""`kam tick` with `--now`, the jobs it runs, and the scheduler thread of `kam serve`."""

from __future__ import annotations

import io
import threading
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from kam.conftest import OrgWorld
from kam.core import scheduler as scheduler_module
from kam.core import tick
from kam.core.management.commands.tick import parse_now
from kam.core.models import Notification, WebhookKind, WebhookMessage
from kam.core.notify import notify, notify_team
from kam.core.scheduler import TickScheduler
from kam.core.tests.fixtures_notify import RobotServer, robot_server, set_robot

__all__ = ["robot_server"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.KAM_BASE_URL = ""
    settings.KAM_DIGEST_HOUR = 8


@pytest.fixture
def core_jobs_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other apps' jobs have their own tests; these drive the core ones."""
    monkeypatch.setattr(tick, "_jobs", {key: job for key, job in tick._jobs.items() if key.startswith("core.")})


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("tick", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_core_registers_the_webhook_retry_and_the_digest() -> None:
    jobs = dict(tick.tick_jobs())
    assert jobs["core.webhook_retry"].__name__ == "retry_webhooks"
    assert jobs["core.digest"].__name__ == "send_digests"


@pytest.mark.usefixtures("core_jobs_only")
def test_tick_runs_the_digest_at_the_given_time(world: OrgWorld, mailoutbox: list[mail.EmailMessage]) -> None:
    world.owner.email = "owner@example.com"
    world.owner.save(update_fields=["email"])
    note = notify(world.owner, "test", "明早要看的提醒", email=False)
    Notification.objects.filter(pk=note.pk).update(created_at=datetime(2026, 12, 1, 7, tzinfo=SHANGHAI))

    out, err = _run("--now", "2026-12-01T07:59")
    assert (out, err) == ("core.digest: 0\ncore.webhook_retry: 0\n", "")
    out, _err = _run("--now", "2026-12-01T08:00")  # naive: Shanghai time
    assert out == "core.digest: 1\ncore.webhook_retry: 0\n"
    assert [m.subject for m in mailoutbox] == ["KAM daily digest, 2026-12-01"]
    world.owner.refresh_from_db()
    assert world.owner.digest_sent_on == date(2026, 12, 1)
    out, _err = _run("--now", "2026-12-01T00:30:00+00:00")  # 08:30 in Shanghai: already sent today
    assert out == "core.digest: 0\ncore.webhook_retry: 0\n"


@pytest.mark.usefixtures("core_jobs_only")
def test_tick_retries_due_webhook_messages(world: OrgWorld, robot_server: RobotServer) -> None:
    set_robot(world.beijing, WebhookKind.WECOM, robot_server.wecom_url())
    message = notify_team(world.beijing, "标题", "正文")
    assert message is not None
    WebhookMessage.objects.filter(pk=message.pk).update(created_at=datetime(2026, 12, 1, 9, tzinfo=SHANGHAI))
    out, _err = _run("--now", "2026-12-01T09:01+08:00")
    assert out == "core.digest: 0\ncore.webhook_retry: 1\n"
    assert len(robot_server.received) == 1


@pytest.mark.parametrize("raw", ["tomorrow", "2026-13-01T08:00", "", "2026-12-01T25:00"])
def test_a_bad_now_is_refused(raw: str, db: None) -> None:
    with pytest.raises(CommandError, match="--now must be an ISO 8601 time"):
        _run("--now", raw)


def test_parse_now_reads_naive_times_as_shanghai() -> None:
    assert parse_now("2026-12-01T08:00") == datetime(2026, 12, 1, 8, tzinfo=SHANGHAI)
    assert parse_now("2026-12-01T00:00Z") == datetime(2026, 12, 1, 8, tzinfo=SHANGHAI)


def test_a_failing_job_does_not_stop_the_others(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[datetime] = []

    def broken(now: datetime) -> int:
        raise RuntimeError("boom")

    def counting(now: datetime) -> int:
        ran.append(now)
        return 3

    monkeypatch.setattr(tick, "_jobs", {"a.broken": broken, "b.counting": counting})
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"1 job\(s\) failed: a.broken"):
        call_command("tick", "--now", "2026-12-01T08:00+08:00", stdout=out, stderr=err)
    assert out.getvalue() == "b.counting: 3\n"
    assert err.getvalue() == "a.broken: failed: RuntimeError: boom\n"
    assert ran == [datetime(2026, 12, 1, 8, tzinfo=SHANGHAI)]


# --- the scheduler thread of `kam serve` -----------------------------------------------------------


def test_the_scheduler_runs_the_jobs_and_closes_its_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    ran = threading.Event()
    closed: list[str] = []

    def job(now: datetime) -> int:
        ran.set()
        return 1

    monkeypatch.setattr(tick, "_jobs", {"x.job": job})
    monkeypatch.setattr(
        scheduler_module.connections, "close_all", lambda: closed.append(threading.current_thread().name)
    )
    scheduler = TickScheduler(interval=0.01)
    scheduler.start()
    try:
        assert ran.wait(5)
    finally:
        scheduler.stop(timeout=5)
    assert not scheduler.alive
    assert closed
    assert set(closed) == {"kam-tick"}


def test_the_scheduler_survives_a_failing_round(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(now: datetime) -> list[tick.TickResult]:
        raise RuntimeError("database is gone")

    closed: list[bool] = []
    monkeypatch.setattr(scheduler_module, "run_tick_jobs", explode)
    monkeypatch.setattr(scheduler_module.connections, "close_all", lambda: closed.append(True))
    assert TickScheduler().run_once() == []
    assert closed == [True]

    def close_fails() -> None:
        raise RuntimeError("cannot close")

    monkeypatch.setattr(scheduler_module.connections, "close_all", close_fails)
    assert TickScheduler().run_once() == []


@pytest.mark.parametrize(("flags", "scheduler_runs"), [((), True), (("--no-scheduler",), False)])
def test_serve_starts_the_scheduler_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...], scheduler_runs: bool
) -> None:
    import waitress

    seen: dict[str, Any] = {}

    def fake_serve(app: Any, **kwargs: Any) -> None:
        seen["threads"] = [t.name for t in threading.enumerate()]
        seen["kwargs"] = kwargs

    monkeypatch.setattr(waitress, "serve", fake_serve)
    call_command("serve", "--port", "8123", *flags, stdout=io.StringIO())
    assert ("kam-tick" in seen["threads"]) is scheduler_runs
    assert seen["kwargs"] == {"host": "127.0.0.1", "port": 8123, "threads": 8, "ident": "KAM"}
    assert "kam-tick" not in [t.name for t in threading.enumerate()]  # stopped when the server returned
