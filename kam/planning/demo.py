"""The demo's 日报 / 周报, read receipts and comments, submission rules and 市场动态.

Reports are written the way the product drafts them (今日工作 grouped by customer, 销售简报 counts)
from the follow-ups and visits the activity generator made, for most past working days of the
month; a few reps miss some (rep4 and rep11 yesterday), so the manager's team page shows gaps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from kam.activities.demo.days import at, local_day, zone
from kam.activities.demo.month import WINDOW_DAYS
from kam.activities.demo.world import DemoWorld
from kam.activities.models import FollowUp, Visit, VisitStatus
from kam.core.models import Role, User
from kam.customers.models import Industry, Region
from kam.planning.models import (
    MarketNews,
    ReportComment,
    ReportKind,
    ReportRead,
    ReportRule,
    ReportStatus,
    WorkReport,
)

KIND_LABELS = {
    "call": "电话",
    "wechat": "微信",
    "sms": "短信",
    "email": "邮件",
    "visit": "拜访",
    "meeting": "会议",
    "event": "活动",
}
SEPARATOR = " · "
# Daily reports not written: username → working days back from today (1 = the last working day).
MISSING = {"rep4": (1, 6, 11), "rep7": (3, 8, 9), "rep11": (1, 2)}
DRAFTS = {"rep10": (1,)}  # started, not submitted
WEEKLY_MISSING = {"rep7"}
DAILY_DUE = time(20, 0)
WEEKLY_DUE = time(18, 0)
PROBLEMS = (
    "",
    "",
    "客户预算收紧，部分项目推迟到明年。",
    "竞品报价压力大，需要公司支持特价。",
    "售前资源紧张，演示排期要到下周。",
    "客户采购流程变长，合同审批要走集团。",
    "交付周期客户不认可，需要和交付部确认能否提前。",
)
MANAGER_COMMENTS = (
    "方案评审前把客户可能问的问题列一下，需要的话我一起去。",
    "价格不要轻易让步，先讲清楚服务价值。",
    "竞品的情况整理一份，晨会上一起讨论。",
    "很好，继续保持。",
    "明天拜访记得带上合同模板。",
    "这个客户下周我陪你去一次。",
    "客户反馈的交付问题，抄送给交付部。",
)
REPLIES = ("好的，收到。", "明白，我今天整理好发您。", "好的，已经约了客户。")
# (title, body, source, industry division, province prefix of GB/T 2260)
NEWS = (
    (
        "长三角汽车零部件企业加快数字化改造",
        "多家零部件企业启动MES升级，关注设备联网和质量追溯。",
        "行业协会",
        "36",
        "32",
    ),
    ("上海发布新一轮设备更新支持政策", "设备更新贷款可获贴息，智能化改造项目优先。", "政府网站", "34", "31"),
    ("广东制造业数字化转型专项资金开始申报", "单个项目最高补助500万元，申报截止下月底。", "工信厅通知", "39", "44"),
    ("光伏行业产能调整，头部企业放缓扩产", "新项目审批趋严，存量工厂转向降本增效。", "行业媒体", "38", "32"),
    ("北京推进工业互联网平台培育", "重点支持面向中小企业的平台和解决方案。", "政府网站", "65", "11"),
    ("浙江医疗器械企业集中扩产", "多家企业新建洁净车间，质量管理系统需求增加。", "客户交流", "35", "33"),
    ("山东钢铁行业超低排放改造进入验收", "企业关注能耗在线监测和环保数据上报。", "行业协会", "31", "37"),
    ("天津港冷链物流园二期开工", "园区招引冷链仓储企业，智能仓储需求明确。", "新闻报道", "59", "12"),
    ("四川锂电材料项目集中签约", "新项目明年投产，设备和信息化招标将陆续启动。", "新闻报道", "38", "51"),
    ("湖北汽车产业链多个零部件项目落地", "主机厂要求供应商具备追溯能力。", "客户交流", "36", "42"),
    ("竞品启衡科技发布新一代MES，主打低价", "报价比同类产品低约20%，实施周期承诺两个月。", "竞品官网", "65", None),
    ("福建食品企业扩产，新增自动化包装产线", "关注产线数据采集和能耗管理。", "展会", "14", "35"),
    ("河南建材行业能耗管控收紧", "企业需要上线能耗监测系统，年底前完成。", "政府网站", "30", "41"),
    ("江苏半导体封测企业扩产提速", "新厂房明年投产，设备联网需求大。", "行业媒体", "39", "32"),
    ("湖南工程机械出口增长，供应商审核加严", "主机厂对供应商质量体系提出新要求。", "客户交流", "35", "43"),
    (
        "北辰云擎获新一轮融资，加大华东市场投入",
        "预计在上海、杭州新设办事处，价格竞争可能加剧。",
        "新闻报道",
        "65",
        "31",
    ),
)


@dataclass
class _Day:
    """One rep's day as the report draft reads it: lines by customer, counts."""

    lines: list[tuple[datetime, int, str, str]] = field(default_factory=list)  # (at, customer, kind, text)
    visits: int = 0
    tasks_done: int = 0


def _line_text(followup: FollowUp, visit: Visit | None) -> str:
    parts = [followup.content]
    if followup.feedback:
        parts.append(f"客户反馈：{followup.feedback}")
    if followup.next_step:
        parts.append(f"下一步：{followup.next_step}")
    if visit is not None and visit.stay_minutes is not None:
        parts.append(f"停留{visit.stay_minutes}分钟")
    return SEPARATOR.join(parts)


def _days(world: DemoWorld) -> dict[tuple[int, date], _Day]:
    days: dict[tuple[int, date], _Day] = defaultdict(_Day)
    closing = {id(v.followup): v for v in world.visits if v.followup is not None}
    for followup in world.followups:
        visit = closing.get(id(followup))
        moment = visit.check_in_at if visit is not None and visit.check_in_at else followup.occurred_at
        kind = KIND_LABELS["visit" if visit is not None else followup.kind]
        days[(followup.author_id, local_day(moment))].lines.append(
            (moment, followup.customer_id, kind, _line_text(followup, visit))
        )
    for visit in world.visits:
        if visit.status == VisitStatus.DONE and visit.check_in_at is not None:
            days[(visit.owner_id, local_day(visit.check_in_at))].visits += 1
    for task in world.tasks:
        if task.done_at is not None:
            days[(task.owner_id, local_day(task.done_at))].tasks_done += 1
    return days


def _work(world: DemoWorld, lines: list[tuple[datetime, int, str, str]], with_date: bool) -> list[dict[str, Any]]:
    """今日工作 as WorkReport.work stores it: groups by customer in order of their first line."""
    groups: dict[int, dict[str, Any]] = {}
    for moment, customer_id, kind, text in sorted(lines, key=lambda line: (line[0], line[1])):
        name = world.customers[customer_id].name
        group = groups.setdefault(customer_id, {"customer_id": customer_id, "customer": name, "items": []})
        local = moment.astimezone(zone())
        shown = f"{local:%m-%d %H:%M}" if with_date else f"{local:%H:%M}"
        group["items"].append({"kind": kind, "time": shown, "text": text})
    return list(groups.values())


def _new_customers(world: DemoWorld, rep: User, first: date, last: date) -> int:
    return sum(
        1 for c in world.customers.values() if c.created_by_id == rep.pk and first <= local_day(c.created_at) <= last
    )


def _report(world: DemoWorld, rep: User, kind: str, first: date, last: date, days: list[_Day]) -> WorkReport:
    rng = world.rng
    lines = [line for day in days for line in day.lines]
    stats = {
        "new_customers": _new_customers(world, rep, first, last),
        "followups": len(lines),
        "visits": sum(day.visits for day in days),
        "tasks_done": sum(day.tasks_done for day in days),
        "requests_handled": 0,
    }
    work = _work(world, lines, with_date=kind != ReportKind.DAILY)
    ahead = rng.sample(work, min(3, len(work)))
    plan = "\n".join(f"{n}. 跟进{group['customer']}" for n, group in enumerate(ahead, start=1))
    period = "今日" if kind == ReportKind.DAILY else "本周"
    summary = f"{period}跟进{len(work)}家客户，{stats['followups']}条跟进记录，拜访{stats['visits']}次。"
    return WorkReport(
        organization=world.org,
        author=rep,
        kind=kind,
        period_start=first,
        period_end=last,
        work=work,
        stats=stats,
        summary=summary if lines else "",
        problems=rng.choice(PROBLEMS),
        plan=plan,
    )


def _submit(world: DemoWorld, report: WorkReport, day: date, start_minutes: int, late_share: float) -> None:
    rng = world.rng
    minutes = start_minutes + rng.randint(0, 150) if rng.random() > late_share else 20 * 60 + rng.randint(5, 100)
    written = at(day, minutes - rng.randint(10, 40))
    report.status, report.submitted_at = ReportStatus.SUBMITTED, min(at(day, minutes), world.now)
    report.created_at, report.updated_at = min(written, world.now), report.submitted_at


def _daily(world: DemoWorld, days: dict[tuple[int, date], _Day]) -> list[WorkReport]:
    past = world.days.between(world.today - timedelta(days=WINDOW_DAYS - 1), world.today - timedelta(days=1))
    back = {day: len(past) - index for index, day in enumerate(past)}  # 1 = the last working day
    reports = []
    for rep in world.reps:
        for day in past:
            if back[day] in MISSING.get(rep.username, ()):
                continue
            report = _report(world, rep, ReportKind.DAILY, day, day, [days[(rep.pk, day)]])
            if back[day] in DRAFTS.get(rep.username, ()):
                report.created_at = report.updated_at = at(day, 19 * 60 + 30)
            else:
                _submit(world, report, day, 17 * 60 + 30, late_share=0.1)
            reports.append(report)
    return reports


def _weekly(world: DemoWorld, days: dict[tuple[int, date], _Day]) -> list[WorkReport]:
    this_monday = world.today - timedelta(days=world.today.weekday())
    reports = []
    for weeks_back in (3, 2, 1):
        monday = this_monday - timedelta(weeks=weeks_back)
        sunday = monday + timedelta(days=6)
        if monday < world.today - timedelta(days=WINDOW_DAYS):
            continue
        last_workday = world.days.after(sunday + timedelta(days=1), -1)
        for rep in world.reps:
            if weeks_back == 1 and rep.username in WEEKLY_MISSING:
                continue
            week = [days[(rep.pk, monday + timedelta(days=n))] for n in range(7)]
            report = _report(world, rep, ReportKind.WEEKLY, monday, sunday, week)
            _submit(world, report, max(last_workday, monday), 16 * 60 + 30, late_share=0.05)
            reports.append(report)
    return reports


def _reads_and_comments(world: DemoWorld, reports: list[WorkReport]) -> tuple[list[ReportRead], list[ReportComment]]:
    """The manager reads nearly everything (manager3 is behind on the last day) and comments on some."""
    rng, reads, comments = world.rng, [], []
    last_day = world.days.after(world.today, -1)
    for report in reports:
        if report.submitted_at is None:
            continue
        manager = world.manager_of(report.author)
        if report.period_start == last_day and manager.username == "manager3":
            continue
        read_at = min(report.submitted_at + timedelta(minutes=rng.randint(20, 14 * 60)), world.now)
        reads.append(ReportRead(organization=world.org, report=report, reader=manager, read_at=read_at))
        if report.kind == ReportKind.WEEKLY and rng.random() < 0.3:
            seen = min(read_at + timedelta(hours=rng.randint(1, 30)), world.now)
            reads.append(
                ReportRead(organization=world.org, report=report, reader=world.users["director"], read_at=seen)
            )
        if rng.random() < (0.5 if report.kind == ReportKind.WEEKLY else 0.2):
            said = min(read_at + timedelta(minutes=rng.randint(1, 30)), world.now)
            comments.append(
                ReportComment(
                    organization=world.org,
                    report=report,
                    author=manager,
                    body=rng.choice(MANAGER_COMMENTS),
                    created_at=said,
                )
            )
            if rng.random() < 0.35:
                reply = min(said + timedelta(minutes=rng.randint(10, 600)), world.now)
                comments.append(
                    ReportComment(
                        organization=world.org,
                        report=report,
                        author=report.author,
                        body=rng.choice(REPLIES),
                        created_at=reply,
                    )
                )
    return reads, comments


def _rules(world: DemoWorld) -> list[ReportRule]:
    return [
        ReportRule(organization=world.org, kind=ReportKind.DAILY, role=Role.REP, team=None, due_time=DAILY_DUE),
        ReportRule(organization=world.org, kind=ReportKind.WEEKLY, role=Role.REP, team=None, due_time=WEEKLY_DUE),
    ]


def _news(world: DemoWorld) -> list[MarketNews]:
    """16 items over three weeks, two of them this morning and three yesterday (the briefing shows them)."""
    rng = world.rng
    industries = Industry.objects.in_bulk([row[3] for row in NEWS])
    regions = Region.objects.in_bulk([f"{row[4]}0000" for row in NEWS if row[4]])
    authors = [world.users[name] for name in ("director", "manager1", "manager2", "manager3", "rep1", "rep5", "rep9")]
    yesterday = world.days.after(world.today, -1)
    items = []
    for index, (title, body, source, division, province) in enumerate(NEWS):
        if index < 2:
            moment = min(at(world.today, 8 * 60 + 10 * index), world.now - timedelta(minutes=5 + index))
        elif index < 5:
            moment = at(yesterday, rng.randint(9 * 60, 18 * 60))
        else:
            moment = at(world.days.after(yesterday, -rng.randint(1, 14)), rng.randint(9 * 60, 18 * 60))
        author = authors[index % len(authors)]
        team = author.team if author.role != Role.DIRECTOR else None
        items.append(
            MarketNews(
                organization=world.org,
                author=author,
                team=team,
                title=title,
                body=body,
                source=source,
                industry=industries.get(division),
                region=regions.get(f"{province}0000") if province else None,
                created_at=moment,
            )
        )
    return items


def build_reports(world: DemoWorld) -> dict[str, int]:
    """Reports with reads and comments, the submission rules and the market news, saved; counts by kind."""
    days = _days(world)
    reports = _daily(world, days) + _weekly(world, days)
    WorkReport.objects.bulk_create(reports, batch_size=300)
    reads, comments = _reads_and_comments(world, reports)
    ReportRead.objects.bulk_create(reads, batch_size=500)
    ReportComment.objects.bulk_create(comments, batch_size=500)
    ReportRule.objects.bulk_create(_rules(world))
    news = _news(world)
    MarketNews.objects.bulk_create(news)
    return {
        "reports": sum(1 for r in reports if r.status == ReportStatus.SUBMITTED),
        "drafts": sum(1 for r in reports if r.status == ReportStatus.DRAFT),
        "missing": sum(len(back) for back in MISSING.values()),
        "news": len(news),
    }
