"""Each built-in briefing section's exact rows for a fixed meeting day, and the window it covers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.planning.briefing import Briefing, BriefingPart, briefing_for
from kam.planning.registry import BriefingBlock, BriefingWindow, briefing_sections, register_briefing_section
from kam.planning.registry import _briefing_sections as registered
from kam.planning.tests.fixtures_briefing import (  # noqa: F401 - autouse fixtures
    FRIDAY,
    MONDAY,
    Scene,
    _fast_hasher,
    _fresh_workcal,
    at,
    customer,
    followup,
    make_scene,
    now_monday,
    request,
)

SECTION_KEYS = [
    "visits",
    "key_followups",
    "feedback",
    "new_customers",
    "returning",
    "overdue_tasks",
    "overdue_requests",
    "market_news",
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def part(briefing: Briefing, key: str) -> BriefingPart:
    return next(p for p in briefing.parts if p.key == key)


def rows(briefing: Briefing, key: str) -> list[list[str]]:
    return part(briefing, key).block.rows


def manager_briefing(world: OrgWorld) -> Briefing:
    return briefing_for(world.manager_north, MONDAY, now=now_monday())


def test_monday_covers_friday_and_the_weekend(world: OrgWorld) -> None:
    window = manager_briefing(world).window
    assert window.since == at(FRIDAY, 0)
    assert window.until == at(MONDAY, 0)
    assert window.member_ids == sorted([world.owner.pk, world.teammate.pk, world.manager_north.pk])


def test_the_day_after_national_day_covers_the_last_working_day_before_it(world: OrgWorld) -> None:
    """2026: 国庆 holidays 10-01..10-07, so 10-08's meeting reads from Wednesday 09-30 on."""
    star = customer(world.owner, "北京星辰科技有限公司", created=at(date(2026, 9, 1), 9))
    followup(world.owner, star, at(date(2026, 9, 29), 17), feedback="节前两天的反馈")
    kept = followup(world.owner, star, at(date(2026, 9, 30), 10), feedback="节前最后一天的反馈")
    in_holiday = followup(world.owner, star, at(date(2026, 10, 3), 10), feedback="假期里的反馈")
    briefing = briefing_for(world.owner, date(2026, 10, 8))
    assert briefing.window.since == at(date(2026, 9, 30), 0)
    assert briefing.window.until == at(date(2026, 10, 8), 0)
    assert rows(briefing, "feedback") == [
        ["北京星辰科技有限公司", "节前最后一天的反馈", "owner", "09-30 10:00"],
        ["北京星辰科技有限公司", "假期里的反馈", "owner", "10-03 10:00"],
    ]
    assert part(briefing, "feedback").block.links == [
        _url("followup-detail", kept.pk),
        _url("followup-detail", in_holiday.pk),
    ]


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # the page's module may not be installed yet
        return ""


def test_sections_come_in_their_order_with_counts(world: OrgWorld) -> None:
    make_scene(world)
    briefing = manager_briefing(world)
    assert [p.key for p in briefing.parts if p.key in SECTION_KEYS] == SECTION_KEYS
    counts = {p.key: p.count for p in briefing.parts if p.key in SECTION_KEYS}
    assert counts == {
        "visits": 2,
        "key_followups": 2,
        "feedback": 1,
        "new_customers": 1,
        "returning": 1,
        "overdue_tasks": 1,
        "overdue_requests": 2,
        "market_news": 2,
    }
    titles = {p.key: str(p.title) for p in briefing.parts}
    assert [titles[key] for key in SECTION_KEYS] == [
        "Yesterday's visits",
        "Key follow-ups",
        "Customer feedback",
        "New customers",
        "About to return to the pool",
        "Overdue tasks",
        "Overdue coordination requests",
        "Market news",
    ]


def test_visits_show_who_where_when_stay_and_range(world: OrgWorld) -> None:
    scene = make_scene(world)
    block = part(manager_briefing(world), "visits").block
    assert [str(c) for c in block.columns] == ["Rep", "Customer", "Time", "Stay", "Check-in", "Status"]
    assert block.rows == [
        ["owner", "北京星辰科技有限公司", "11-13 09:05", "45 min", "Out of range (1,234 m)", "Done"],
        ["teammate", "天津海河机械有限公司", "11-13 14:00", "", "", "Planned"],
    ]
    assert block.links == [_url("visit-detail", scene.visit_out.pk), _url("visit-detail", scene.visit_missed.pk)]
    assert block.highlight == [True, True]
    assert block.total is None


def test_key_followups_have_feedback_a_next_step_or_an_a_tier_customer(world: OrgWorld) -> None:
    scene = make_scene(world)
    block = part(manager_briefing(world), "key_followups").block
    assert block.rows == [
        ["owner", "北京星辰科技有限公司", "Phone call", "11-13 10:00", "介绍新方案", ""],
        ["owner", "北京远航物流有限公司", "Visit", "11-13 15:30", "拜访采购部", "下周报价"],
    ]
    assert block.links == [_url("followup-detail", scene.call_star.pk), _url("followup-detail", scene.visit_far.pk)]
    assert block.highlight == [True, False]


def test_feedback_is_collected_by_customer(world: OrgWorld) -> None:
    make_scene(world)
    assert rows(manager_briefing(world), "feedback") == [
        ["北京远航物流有限公司", "价格偏高，希望九折", "owner", "11-13 15:30"]
    ]


def test_new_customers_of_the_team(world: OrgWorld) -> None:
    scene = make_scene(world)
    block = part(manager_briefing(world), "new_customers").block
    assert block.rows == [
        ["北京新程软件有限公司", "teammate", "C", "信息传输、软件和信息技术服务业", "Exhibition", "11-13 11:00"]
    ]
    assert block.links == [reverse("customer-detail", args=[scene.fresh.pk])]


def test_customers_about_to_return_to_the_pool(world: OrgWorld) -> None:
    scene = make_scene(world)
    block = part(manager_briefing(world), "returning").block
    assert block.rows == [["北京远航物流有限公司", "owner", "B", "2026-11-17", "No follow-up after 30 days"]]
    assert block.links == [reverse("customer-detail", args=[scene.far.pk])]
    assert block.highlight == [False]


def test_overdue_tasks_and_requests(world: OrgWorld) -> None:
    scene = make_scene(world)
    briefing = manager_briefing(world)
    tasks = part(briefing, "overdue_tasks").block
    assert tasks.rows == [["owner", "准备报价单", "北京远航物流有限公司", "11-13 18:00", "High"]]
    assert tasks.links == [_url("task-detail", scene.task_late.pk)]
    assert tasks.highlight == [True]
    requests = part(briefing, "overdue_requests").block
    assert requests.rows == [
        ["请北京协助演示", "上海浦江贸易有限公司", "stranger", "teammate", "2026-11-12", "In progress"],
        ["需要技术方案", "北京远航物流有限公司", "owner", "Presales", "2026-11-13", "Waiting for acceptance"],
    ]
    assert requests.links == [
        _url("request-detail", scene.request_asked.pk),
        _url("request-detail", scene.request_late.pk),
    ]


def test_market_news_of_the_last_days_that_the_viewer_may_read(world: OrgWorld) -> None:
    scene = make_scene(world)
    block = part(manager_briefing(world), "market_news").block
    assert block.rows == [
        ["制造业数字化补贴政策出台", "制造业", "北京市", "工信部网站", "director", "11-14 10:00"],
        ["竞品在华北降价一成", "", "", "", "mgr_north", "11-13 17:00"],
    ]
    assert block.links == [
        reverse("news-detail", args=[scene.news_org.pk]),
        reverse("news-detail", args=[scene.news_north.pk]),
    ]
    east = part(briefing_for(world.stranger, MONDAY), "market_news").block
    assert [row[0] for row in east.rows] == ["制造业数字化补贴政策出台", "华东展会延期"]


def test_a_rep_reads_only_their_own_work(world: OrgWorld) -> None:
    make_scene(world)
    briefing = briefing_for(world.owner, MONDAY)
    assert briefing.window.member_ids == [world.owner.pk]
    assert [row[1] for row in rows(briefing, "visits")] == ["北京星辰科技有限公司"]
    assert rows(briefing, "new_customers") == []
    assert [row[0] for row in rows(briefing, "overdue_requests")] == ["需要技术方案"]
    assert [row[0] for row in rows(briefing, "market_news")] == ["制造业数字化补贴政策出台", "竞品在华北降价一成"]


def test_a_director_reads_every_team_and_may_narrow_to_one(world: OrgWorld) -> None:
    make_scene(world)
    everyone = briefing_for(world.director, MONDAY)
    assert {row[0] for row in rows(everyone, "visits")} == {"owner", "teammate", "stranger"}
    east = briefing_for(world.director, MONDAY, team_id=world.east.pk)
    assert east.team == world.east
    assert [row[0] for row in rows(east, "visits")] == ["stranger"]
    assert [row[0] for row in rows(east, "feedback")] == ["上海浦江贸易有限公司"]


def test_a_manager_may_narrow_to_a_team_below_them_only(world: OrgWorld) -> None:
    make_scene(world)
    beijing = briefing_for(world.manager_north, MONDAY, team_id=world.beijing.pk)
    assert beijing.window.member_ids == sorted([world.owner.pk, world.teammate.pk])
    for team in (world.east, world.shanghai, world.company):
        with pytest.raises(Http404):
            briefing_for(world.manager_north, MONDAY, team_id=team.pk)
    for bad in ("abc", "99999999", -1):
        with pytest.raises(Http404):
            briefing_for(world.manager_north, MONDAY, team_id=bad)


@pytest.mark.parametrize("who", ["owner", "stranger", "collaborator"])
def test_a_rep_cannot_read_a_teams_briefing(world: OrgWorld, who: str) -> None:
    user: User = getattr(world, who)
    for team in (world.north, world.beijing, world.east):
        with pytest.raises(Http404):
            briefing_for(user, MONDAY, team_id=team.pk)


def test_another_organization_cannot_name_our_team(world: OrgWorld) -> None:
    with pytest.raises(Http404):
        briefing_for(world.outsider, MONDAY, team_id=world.north.pk)


def test_sections_are_cut_at_fifty_rows_with_the_total(world: OrgWorld) -> None:
    star = customer(world.owner, "北京星辰科技有限公司", created=at(date(2026, 9, 1), 9))
    for minute in range(55):
        followup(world.owner, star, at(FRIDAY, 9, minute), feedback=f"反馈{minute}")
    block = part(briefing_for(world.owner, MONDAY), "feedback").block
    assert len(block.rows) == 50
    assert block.total == 55
    assert block.rows[0][1] == "反馈0"
    assert part(briefing_for(world.owner, MONDAY), "feedback").count == 55


def test_a_later_module_adds_a_section_with_one_call(world: OrgWorld) -> None:
    def payments_due(window: BriefingWindow) -> BriefingBlock:
        return BriefingBlock(columns=["Contract"], rows=[[f"{len(window.member_ids)} people"]], links=[""])

    def nothing(window: BriefingWindow) -> None:
        return None

    register_briefing_section("payments_due", "Payments due", 65, payments_due)
    register_briefing_section("quiet", "Nothing here", 66, nothing)
    try:
        briefing = briefing_for(world.owner, MONDAY)
        keys = [p.key for p in briefing.parts]
        assert keys.index("overdue_tasks") < keys.index("payments_due") < keys.index("overdue_requests")
        assert "quiet" not in keys
        assert rows(briefing, "payments_due") == [["1 people"]]
    finally:
        registered.pop("payments_due")
        registered.pop("quiet")
    assert "payments_due" not in [s.key for s in briefing_sections()]


def test_overdue_requests_asked_by_and_of_the_team_are_cut_together(world: OrgWorld) -> None:
    star = customer(world.owner, "北京星辰科技有限公司", created=at(date(2026, 9, 1), 9))
    east = customer(world.stranger, "上海浦江贸易有限公司", created=at(date(2026, 9, 1), 9))
    for i in range(30):
        request(world.owner, star, f"我发起的{i:02d}", date(2026, 10, 1) + timedelta(days=i))
    for i in range(25):
        request(
            world.stranger, east, f"问我们的{i:02d}", date(2026, 10, 1) + timedelta(days=i), assignee=world.teammate
        )
    block = part(manager_briefing(world), "overdue_requests").block
    assert block.total == 55
    assert len(block.rows) == 50
    assert [row[0] for row in block.rows[:4]] == ["我发起的00", "问我们的00", "我发起的01", "问我们的01"]
