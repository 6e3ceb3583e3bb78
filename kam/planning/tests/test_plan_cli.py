"""`kam plan --user … --date …`: the ranked plan in Chinese (or English), clear errors otherwise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kam.conftest import OrgWorld
from kam.planning.actions_plan import add_item, refresh_plan, set_item_dropped
from kam.planning.management.commands.plan import Command
from kam.planning.models import PlanItem
from kam.planning.tests.fixtures_plan import NOW, PLAN_DAY, ranking_scene

pytestmark = pytest.mark.django_db

ARGS = ["--user", "owner", "--date", "2026-12-01", "--now", "2026-11-30T18:00+08:00"]


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue().splitlines()


def test_prints_the_ranked_proposal_in_chinese(world: OrgWorld) -> None:
    ranking_scene(world)
    lines = run(*ARGS)
    assert lines[0] == "owner 的计划：2026-12-01 星期二（建议，未保存）"
    assert lines[1] == "序号\t事项\t原因\t分数"
    assert lines[2] == "1\t协调请求：协助报价\tteammate 请您协助，已于 2026-11-26 逾期\t100.0"
    assert lines[7] == "6\t拜访乙方制造有限公司\tA 类客户，已 45 天未拜访（拜访周期 30 天）\t65.0"
    assert [line.split("\t")[0] for line in lines[2:]] == [str(n) for n in range(1, 12)]


def test_prints_in_english_on_request(world: OrgWorld) -> None:
    ranking_scene(world)
    lines = run(*ARGS, "--lang", "en")
    assert lines[0] == "Plan of owner for 2026-12-01 Tuesday (proposed, not saved)"
    assert lines[1] == "No.\tItem\tReason\tScore"
    assert lines[7] == "6\tVisit 乙方制造有限公司\tTier A customer, not visited for 45 days (cadence 30 days)\t65.0"


def test_prints_the_stored_plan_in_the_reps_order(world: OrgWorld) -> None:
    ranking_scene(world)
    plan = refresh_plan(world.owner, PLAN_DAY, NOW)
    set_item_dropped(world.owner, PlanItem.objects.get(plan=plan, position=1), True, NOW)
    add_item(world.owner, plan, "给王总打电话", NOW)
    lines = run(*ARGS, "--lang", "en")
    assert lines[0] == "Plan of owner for 2026-12-01 Tuesday (draft)"
    assert lines[2].startswith("1\t准备报价单\t")
    assert lines[-1] == "11\t给王总打电话\tYour own item\t0.0"
    assert len(lines) == 2 + 11


def test_default_day_is_the_next_working_day(world: OrgWorld) -> None:
    lines = run("--user", "owner", "--now", "2026-11-27T18:00+08:00", "--lang", "en")
    assert lines == ["Plan of owner for 2026-11-30 Monday (proposed, not saved)", "Nothing planned."]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "No active user 'nobody'."),
        (["--user", "owner", "--date", "2026-02-30"], "--date: '2026-02-30' is not a date (YYYY-MM-DD)."),
        (["--user", "owner", "--date", "0001-01-01"], "--date: 0001-01-01 is out of range."),
        (["--user", "owner", "--now", "yesterday"], "--now: 'yesterday' is not a time (YYYY-MM-DDTHH:MM+08:00)."),
    ],
)
def test_bad_input_is_a_clear_error(world: OrgWorld, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as error:
        run(*args, "--lang", "en")
    assert str(error.value) == message


def test_bad_user_exits_non_zero(world: OrgWorld, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["kam", "plan", "--user", "nobody"])
    assert exit_.value.code == 1
    assert "'nobody'" in capsys.readouterr().err
