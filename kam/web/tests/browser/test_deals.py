"""A deal from first contact to a gated stage, in Chromium at desktop and phone width (issue 4 §8).

rep1 creates a deal from the customer page, records the needs, names the buying influences, tries
to move the deal to 方案报价 on the board (dragging on the desktop, the card's move control on the
phone) and is refused with the missing MEDDPICC elements named; fills them in and moves the deal;
then a requirement changes (with the reason) and the needs history shows old → new. manager1 finds
the change, with its reason, in the next working day's briefing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kam.conftest import OrgWorld
from kam.core.workcal import next_workday
from kam.sales.models import NeedsVersion, Opportunity, QualificationScore, StageChange
from kam.web.tests.browser.conftest import DEVICES, TIMEOUT_MS
from kam.web.tests.browser.day_scene import open_phone
from kam.web.tests.browser.deal_scene import (
    CUSTOMER_NAME,
    GM_NAME,
    IT_NAME,
    DealScene,
    Refusals,
    build_deal_scene,
)

pytestmark = pytest.mark.browser

DEAL_NAME = "燕山石化智能工厂一期"
PAIN = "各装置的生产数据分散在车间系统里，调度靠电话和 Excel，异常发现得晚"
REQUIREMENT = "与 SAP 系统每日批量对接，同步工单和物料"
CHANGED_REQUIREMENT = "与 SAP 系统实时对接，同步工单和物料"
REASON = "信息中心确认集团明年升级 S/4HANA，要求实时接口"
EB_EVIDENCE = "王总在 5 月 12 日的交流会上确认项目预算由他审批"
CHAMPION_EVIDENCE = "陈立主动提供了车间系统清单，并安排我们见设备处"


@pytest.fixture
def refusals() -> Refusals:
    return Refusals()


@pytest.fixture
def page(context: Any, live_server: Any, refusals: Refusals) -> Iterator[Any]:
    """The conftest page check, but the stage gate's 422 that the test provokes is the designed answer."""
    tab = context.new_page()
    refusals.watch(tab)
    yield tab
    refusals.verify()


@pytest.fixture
def scene(world: OrgWorld) -> DealScene:
    return build_deal_scene(world)


def move_on_board(page: Any, device: str, deal: Opportunity, stage_pk: int, stage_name: str) -> None:
    """Drag the card to the stage's column on the desktop; use the card's move control on the phone."""
    card = page.locator(f"#deal-card-{deal.pk}")
    if device == "desktop":
        card.drag_to(page.locator(f"#deal-column-{stage_pk}"))
        return
    control = card.locator("form.deallists-move")
    control.locator("select[name=stage]").select_option(label=stage_name)
    control.get_by_role("button").click()


def test_rep_qualifies_and_moves_a_deal_and_manager_sees_the_need_change(
    page: Any,
    browser: Any,
    live_server: Any,
    url: Any,
    log_in: Any,
    shot: Any,
    assert_fits: Any,
    refusals: Refusals,
    scene: DealScene,
    device: str,
) -> None:
    world, customer = scene.world, scene.customer
    first, proposal = scene.stages[0], scene.stages[2]
    assert [s.name for s in scene.stages[:3]] == ["初步接触", "需求分析", "方案报价"]
    close_date = timezone.localdate() + timedelta(days=90)
    log_in(world.owner)

    # --- The customer page: 新建商机.
    page.goto(url(reverse("customer-detail", args=[customer.pk])))
    page.locator("#customer-deals").get_by_role("link", name="新建商机").click()
    expect(page).to_have_url(url(f"{reverse('deal-create')}?customer={customer.pk}"))
    form = page.locator("#deal-form")
    expect(form.locator("#customer-matches input[name=customer]:checked")).to_have_value(str(customer.pk))
    form.get_by_label("商机名称").fill(DEAL_NAME)
    form.get_by_label("金额（元）").fill("2680000")
    form.get_by_label("预计成交日期").fill(close_date.isoformat())
    assert_fits(page)
    shot(page, "1-new-deal")
    form.get_by_role("button", name="创建商机").click()
    expect(page.locator(".messages")).to_contain_text("商机已创建。")
    deal = Opportunity.objects.get(name=DEAL_NAME)
    expect(page).to_have_url(url(reverse("deal-detail", args=[deal.pk])))
    assert (deal.customer_id, deal.owner_id, deal.amount, deal.expected_close_date) == (
        customer.pk,
        world.owner.pk,
        Decimal("2680000.00"),
        close_date,
    )
    assert (deal.stage.name, deal.probability) == ("初步接触", 10)
    created: list[tuple[int | None, int]] = [(None, first.pk)]
    assert list(StageChange.objects.filter(opportunity=deal).values_list("from_stage", "to_stage")) == created

    # --- 需求分析: the pain and a must-have requirement make V1.
    page.locator("#deal-needs").get_by_role("link", name="记录需求").click()
    expect(page).to_have_url(url(reverse("deal-needs-edit", args=[deal.pk])))
    needs = page.locator("#deal-needs-form")
    needs.get_by_label("痛点").fill(PAIN)
    row = needs.locator("#deal-needs-row-0")
    row.get_by_label("需求项").fill(REQUIREMENT)
    row.get_by_label("优先级").select_option(label="高")
    row.get_by_label("必备或加分").select_option(label="必备")
    assert_fits(page)
    shot(page, "2-needs")
    needs.get_by_role("button", name="保存需求").click()
    expect(page.locator(".messages")).to_contain_text("需求已保存为 V1。")
    expect(page.locator("#deal-needs-items")).to_contain_text(REQUIREMENT)
    v1 = NeedsVersion.objects.get(opportunity=deal)
    assert (v1.number, v1.pain, v1.reason, v1.author_id) == (1, PAIN, "", world.owner.pk)
    assert list(v1.items.values_list("description", "priority", "necessity")) == [(REQUIREMENT, "high", "must")]

    # --- Buying influences: the 总经理 releases the money, the IT 负责人 screens the offer.
    for name, role in ((GM_NAME, "经济决策人"), (IT_NAME, "技术把关人")):
        page.locator("#deal-influences").get_by_role("link", name="添加采购影响者").click()
        influence = page.locator("#deal-influence-form")
        influence.get_by_label("联系人").select_option(label=name)
        influence.get_by_label("采购角色").select_option(label=role)
        assert_fits(page)
        influence.get_by_role("button", name="添加采购影响者").click()
        expect(page.locator(".messages")).to_contain_text(f"已将{name}加入采购影响者。")
    table = page.locator("#deal-influences-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").filter(has_text=GM_NAME)).to_contain_text("经济决策人")
    expect(table.locator("tbody tr").filter(has_text=IT_NAME)).to_contain_text("技术把关人")
    assert sorted(deal.influences.values_list("contact__name", "role")) == sorted(
        [(GM_NAME, "economic"), (IT_NAME, "technical")]
    )
    shot(page, "3-influences")

    # --- The board refuses 方案报价: economic buyer and champion are not qualified yet.
    page.goto(url(reverse("deal-board")))
    expect(page.locator(f"#deal-column-{first.pk} #deal-card-{deal.pk}")).to_be_visible()
    assert_fits(page)
    refusals.expect("POST", reverse("deal-move", args=[deal.pk]), 422)
    move_on_board(page, device, deal, proposal.pk, proposal.name)
    dialog = page.locator("#deal-board-dialog")
    expect(dialog).to_be_visible()
    alert = dialog.locator("#deal-gate-failure")
    expect(alert).to_contain_text("无法推进到「方案报价」：未满足阶段门槛。")
    expect(alert.locator("#deal-gate-missing li")).to_have_text(["经济决策人 ≥1（当前 0）", "内部支持者 ≥1（当前 0）"])
    expect(page.locator(f"#deal-column-{first.pk} #deal-card-{deal.pk}")).to_be_visible()
    expect(page.locator(f"#deal-column-title-{first.pk} .badge")).to_have_text("1")
    shot(page, "4-gate-refused")
    deal.refresh_from_db()
    assert deal.stage_id == first.pk
    assert StageChange.objects.filter(opportunity=deal).count() == 1

    # --- The refusal leads to the MEDDPICC form: both elements get 1 with the evidence.
    alert.get_by_role("link", name="去填写 MEDDPICC 评估").click()
    expect(page).to_have_url(url(reverse("deal-meddpicc", args=[deal.pk])))
    meddpicc = page.locator("#deal-meddpicc-form")
    economic = meddpicc.get_by_role("group", name="经济决策人")
    economic.get_by_label("分数").select_option(label="1 · 已识别")
    expect(economic.get_by_label("联系人")).to_have_value(str(scene.gm.pk))
    economic.get_by_label("依据").fill(EB_EVIDENCE)
    champion = meddpicc.get_by_role("group", name="内部支持者")
    champion.get_by_label("分数").select_option(label="1 · 已识别")
    champion.get_by_label("联系人").select_option(label=IT_NAME)
    champion.get_by_label("依据").fill(CHAMPION_EVIDENCE)
    assert_fits(page)
    shot(page, "5-meddpicc")
    meddpicc.get_by_role("button", name="保存 MEDDPICC").click()
    expect(page.locator(".messages")).to_contain_text("MEDDPICC 已保存。")
    scores = QualificationScore.objects.filter(opportunity=deal, score__gt=0).order_by("element")
    assert list(scores.values_list("element", "score", "evidence", "contact_id")) == [
        ("champion", 1, CHAMPION_EVIDENCE, scene.it_head.pk),
        ("economic_buyer", 1, EB_EVIDENCE, scene.gm.pk),
    ]

    # --- The same move on the board now goes through.
    page.goto(url(reverse("deal-board")))
    move_on_board(page, device, deal, proposal.pk, proposal.name)
    # The dropped card shows in its new column at once; the counts are the server's, after the reload.
    expect(page.locator(f"#deal-column-title-{proposal.pk} .badge")).to_have_text("1")
    expect(page.locator(f"#deal-column-title-{first.pk} .badge")).to_have_text("0")
    expect(page.locator(f"#deal-column-{proposal.pk} #deal-card-{deal.pk}")).to_be_visible()
    expect(page.locator(f"#deal-column-{first.pk} #deal-card-{deal.pk}")).to_have_count(0)
    expect(page.locator("#deal-board-dialog")).to_be_hidden()
    assert_fits(page)
    shot(page, "6-moved")
    deal.refresh_from_db()
    assert (deal.stage.name, deal.probability) == ("方案报价", 40)
    changes = StageChange.objects.filter(opportunity=deal).order_by("at", "pk")
    assert list(changes.values_list("from_stage", "to_stage", "gate_override", "actor")) == [
        (None, first.pk, False, world.owner.pk),
        (first.pk, proposal.pk, False, world.owner.pk),
    ]

    # --- The requirement changes; the reason is asked for and the history shows old → new.
    page.goto(url(reverse("deal-detail", args=[deal.pk])))
    page.locator("#deal-needs").get_by_role("link", name="变更需求").click()
    needs = page.locator("#deal-needs-form")
    needs.locator("#deal-needs-row-0").get_by_label("需求项").fill(CHANGED_REQUIREMENT)
    needs.get_by_label("变更原因").fill(REASON)
    assert_fits(page)
    needs.get_by_role("button", name="保存需求").click()
    expect(page.locator(".messages")).to_contain_text("需求已保存为 V2。")
    versions = NeedsVersion.objects.filter(opportunity=deal).order_by("number")
    assert list(versions.values_list("number", "reason")) == [(1, ""), (2, REASON)]
    assert list(versions.get(number=2).items.values_list("description", flat=True)) == [CHANGED_REQUIREMENT]
    page.locator("#deal-needs-history-link").click()
    expect(page).to_have_url(url(reverse("deal-needs-history", args=[deal.pk])))
    v2 = page.locator("#deal-needs-v2")
    expect(v2.locator(".needs-reason")).to_have_text(f"变更原因: {REASON}")
    changed = v2.locator(".needs-diff-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("del")).to_have_text("每日批量")
    expect(changed.locator("ins")).to_have_text("实时")
    expect(changed.locator(".needs-diff-text")).to_have_text("与 SAP 系统每日批量实时对接，同步工单和物料")
    expect(page.locator("#deal-needs-v1")).to_contain_text(REQUIREMENT)
    assert_fits(page)
    shot(page, "7-needs-history")

    # --- manager1's briefing of the next working day: the need change with its reason.
    meeting_day = next_workday(timezone.localdate(), world.org.pk)
    manager = open_phone(browser, live_server, world.manager_north, DEVICES[device], TIMEOUT_MS)
    try:
        tab = manager.page
        tab.goto(url(f"{reverse('briefing')}?date={meeting_day.isoformat()}"))
        expect(tab.get_by_role("heading", level=1)).to_contain_text(f"晨会 {meeting_day.isoformat()}")
        section = tab.locator("#section-need_changes")
        rows = section.locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("td")).to_have_text([CUSTOMER_NAME, DEAL_NAME, "V2", "owner", REASON, _hm(deal)])
        moved = tab.locator("#section-deals_moved tbody tr")
        expect(moved).to_have_count(1)
        expect(moved.first).to_contain_text("初步接触")
        expect(moved.first).to_contain_text("方案报价")
        assert_fits(tab)
        shot(tab, "8-briefing")
        rows.first.get_by_role("link", name=CUSTOMER_NAME).click()
        expect(tab).to_have_url(url(reverse("deal-needs-history", args=[deal.pk])))
        expect(tab.locator("#deal-needs-v2 .needs-reason")).to_contain_text(REASON)
    finally:
        manager.close()


def _hm(deal: Opportunity) -> str:
    """The briefing's time column of the deal's V2, as the page shows it."""
    from kam.planning.briefing_rows import local_time

    return local_time(NeedsVersion.objects.get(opportunity=deal, number=2).created_at)
