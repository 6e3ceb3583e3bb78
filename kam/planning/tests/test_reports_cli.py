"""`kam report daily|weekly|monthly --user … --date …` prints the draft; bad input is a clear error."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kam.conftest import OrgWorld
from kam.planning.models import WorkReport
from kam.planning.registry import PlanCandidate
from kam.planning.tests.fixtures_reports import day_scene


@pytest.fixture(autouse=True)
def _proposals(monkeypatch: pytest.MonkeyPatch) -> None:
    proposal = [PlanCandidate("followup_due", "customer:1", "跟进 华为技术有限公司", "约定的下次跟进时间已到", 80.0)]
    monkeypatch.setattr("kam.planning.reports.plan_candidates", lambda *args: proposal)


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue().splitlines()


def test_daily_draft_in_chinese(world: OrgWorld) -> None:
    day_scene(world)
    assert _run("daily", "--user", "owner", "--date", "2026-12-01") == [
        "日报 · owner · 2026-12-01",
        "",
        "【今日工作】",
        "华为技术有限公司",
        "  09:30 电话 电话确认拜访时间",
        "  14:05 拜访 介绍二期方案 · 客户反馈：预算已批，希望月底前报价 · 下一步：周五前发报价 · 停留 55 分钟",
        "中兴通讯股份有限公司",
        "  11:00 微信 发送产品资料",
        "  16:30 拜访 送样品 · 停留 20 分钟",
        "",
        "【销售简报】",
        "新增客户：1",
        "跟进：3",
        "完成拜访：2",
        "完成待办：1",
        "处理协调请求：1",
        "新增商机：0",
        "赢单商机：0",
        "输单商机：0",
        "",
        "【明日计划（2026-12-02）】",
        "1. 跟进 华为技术有限公司（约定的下次跟进时间已到）",
    ]
    assert WorkReport.objects.count() == 0  # printing saves nothing


def test_daily_draft_in_english(world: OrgWorld) -> None:
    day_scene(world)
    lines = _run("daily", "--user", "owner", "--date", "2026-12-01", "--lang", "en")
    assert lines[:3] == ["Daily report · owner · 2026-12-01", "", "【Today's work】"]
    assert "  09:30 Phone call 电话确认拜访时间" in lines
    assert lines[-9:] == [
        "Visits done: 2",
        "Tasks completed: 1",
        "Requests handled: 1",
        "New deals: 0",
        "Deals won: 0",
        "Deals lost: 0",
        "",
        "【Plan for 2026-12-02】",
        "1. 跟进 华为技术有限公司 (约定的下次跟进时间已到)",
    ]


def test_weekly_and_monthly(world: OrgWorld) -> None:
    day_scene(world)
    weekly = _run("weekly", "--user", "owner", "--date", "2026-12-03", "--lang", "en")
    assert weekly[0] == "Weekly report · owner · 2026-11-30 – 2026-12-06"
    assert "  12-01 09:30 Phone call 电话确认拜访时间" in weekly
    assert weekly[-2:] == ["【Next week's plan】", "Nothing proposed."]
    monthly = _run("monthly", "--user", "owner", "--date", "2026-12-03", "--lang", "en")
    assert monthly[0] == "Monthly report · owner · 2026-12"
    assert "Follow-ups: 4" in monthly


def test_an_empty_day(world: OrgWorld) -> None:
    lines = _run("daily", "--user", "teammate", "--date", "2026-12-01", "--lang", "en")
    assert lines[3] == "No follow-ups or visits recorded in this period."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["daily", "--user", "nobody", "--date", "2026-12-01"], "no active user 'nobody'"),
        (["daily", "--user", "owner", "--date", "2026-02-30"], "--date must be a date like 2026-12-01"),
        (["daily", "--user", "owner", "--date", "1066-10-14"], "--date must lie between"),
        (["yearly", "--user", "owner"], "invalid choice: 'yearly'"),
        (["daily"], "the following arguments are required: --user"),
        (["daily", "--user", "owner", "--lang", "fr"], "invalid choice: 'fr'"),
    ],
)
def test_bad_input_is_a_clear_error(world: OrgWorld, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_an_inactive_user_is_refused(world: OrgWorld) -> None:
    world.teammate.is_active = False
    world.teammate.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="no active user"):
        _run("daily", "--user", "teammate")
