"""The set of the deal browser tests (issue 4): a customer with its people, and the deal pages' data.

Built with the real actions, as a user would have left it. rep1 is `world.owner` (北京一组), manager1
is `world.manager_north` (华北大区, above him). The customer has a 总经理 (who will be the economic
buyer) and an IT 负责人 (the technical buyer and champion).

`Refusals` is the page check of the browser conftest (script errors, failed requests and 4xx/5xx
answers fail the test) with one difference: a test may announce a refusal it provokes on purpose
(the 422 of a stage gate), and that answer, once, is then part of the story instead of a fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.customers.actions import create_customer
from kam.customers.actions.contacts import create_contact
from kam.customers.models import Contact, Customer
from kam.market.actions import create_competitor, create_price_intel
from kam.market.models import Competitor
from kam.planning.actions_account_plans import add_key_player, create_plan
from kam.planning.actions_whitespace import create_business_unit, set_cell
from kam.planning.models.account_plans import AccountPlan
from kam.sales.actions_competitors import add_deal_competitor
from kam.sales.actions_deal_stages import close_opportunity, move_stage
from kam.sales.actions_deals import create_opportunity
from kam.sales.actions_needs import save_needs
from kam.sales.actions_qualification import add_influence, set_scores
from kam.sales.models import CloseReason, Opportunity, ProductLine, Stage
from kam.sales.setup import ensure_default_pipeline

CUSTOMER_NAME = "北京燕山石化股份有限公司"
GM_NAME = "王建国"
GM_TITLE = "总经理"
IT_NAME = "陈立"
IT_TITLE = "IT 负责人"


@dataclass
class DealScene:
    world: OrgWorld
    customer: Customer
    gm: Contact
    it_head: Contact
    stages: list[Stage]  # the default line's five stages in order: 初步接触, 需求分析, 方案报价, …


def build_deal_scene(world: OrgWorld) -> DealScene:
    """rep1's customer with a 总经理 and an IT 负责人, in an organization with the default pipeline."""
    line = ensure_default_pipeline(world.org)
    customer = create_customer(world.owner, {"name": CUSTOMER_NAME, "tier": "A"})
    gm = create_contact(world.owner, customer, {"name": GM_NAME, "title": GM_TITLE, "department": "总经理办公室"})
    it_head = create_contact(world.owner, customer, {"name": IT_NAME, "title": IT_TITLE, "department": "信息中心"})
    stages = list(Stage.objects.filter(business_line=line).order_by("position"))
    return DealScene(world, customer, gm, it_head, stages)


# --- the page check, with refusals announced by the test ----------------------------------------


@dataclass
class Refusals:
    """Failures seen on a tab, less the refusals the test announced with `expect` (each used once)."""

    expected: list[tuple[str, re.Pattern[str], int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def expect(self, method: str, path_pattern: str, status: int) -> None:
        """The next `method` request to a URL path matching `path_pattern` is meant to get `status`."""
        self.expected.append((method, re.compile(path_pattern), status))

    def _announced(self, method: str, url: str, status: int) -> bool:
        path = re.sub(r"^https?://[^/]+", "", url).split("?")[0]
        for i, (m, pattern, s) in enumerate(self.expected):
            if m == method and s == status and pattern.fullmatch(path):
                del self.expected[i]
                return True
        return False

    def watch(self, tab: Any) -> None:
        tab.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))

        def failed(request: Any) -> None:
            # A request cut short by navigation (or htmx replacing it) is not a fault of the page.
            if "ERR_ABORTED" not in str(request.failure):
                self.errors.append(f"request failed: {request.method} {request.url} {request.failure}")

        def status(response: Any) -> None:
            if response.status < 400 or response.url.endswith("/favicon.ico"):
                return
            if not self._announced(response.request.method, response.url, response.status):
                self.errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")

        tab.on("requestfailed", failed)
        tab.on("response", status)

    def verify(self) -> None:
        """No unannounced failure, and every announced refusal did happen."""
        assert self.errors == [], "\n".join(self.errors)
        missing = [f"{m} {p.pattern} → {s}" for m, p, s in self.expected]
        assert missing == [], "announced refusals that never came: " + ", ".join(missing)


# --- every page type of issue 4 with something on it, for the phone-width check -----------------


@dataclass
class PagesScene:
    deal: Opportunity
    competitor: Competitor
    product: str
    plan: AccountPlan


def _deal(world: OrgWorld, customer: Customer, name: str, amount: str, stage: Stage) -> Opportunity:
    close = timezone.localdate() + timedelta(days=60)
    return create_opportunity(
        world.owner,
        customer,
        {"name": name, "amount": Decimal(amount), "expected_close_date": close, "stage": stage},
    )


def _closed_deals(world: OrgWorld, scene: DealScene, rival: Competitor) -> None:
    """One deal won and one lost to `rival`, so the win/loss page has rates and reasons."""
    first = scene.stages[0]
    won = _deal(world, scene.customer, "炼油二厂 MES 升级", "860000.00", first)
    reasons = CloseReason.objects.filter(organization=world.org)
    close_opportunity(world.owner, won, "won", reason=reasons.filter(outcome="won").order_by("position").first())
    lost = _deal(world, scene.customer, "化工三厂实验室信息系统（LIMS）", "420000.00", first)
    add_deal_competitor(world.owner, lost, rival, {"status": "shortlisted"})
    lost_reason = reasons.filter(outcome="lost").order_by("position").first()
    close_opportunity(world.owner, lost, "lost", reason=lost_reason, won_by=rival, notes="对手报价低 18%")


def _account_plan(world: OrgWorld, scene: DealScene, rival: Competitor) -> AccountPlan:
    """A plan with key players and a whitespace grid of 3 units × the product lines, every cell status used."""
    plan = create_plan(
        world.owner,
        scene.customer,
        {
            "trends": "集团推进炼化一体化和智能工厂建设，“十四五”期间信息化投入逐年增加",
            "strengths": "炼化行业案例多，本地实施团队响应快",
            "vulnerabilities": "价格高于国产厂商，集团采购对国产化有要求",
            "revenue_goal_3y": Decimal("12000000.00"),
            "share_of_wallet_goal": 35,
        },
    )
    add_key_player(world.owner, plan, scene.gm, "sponsor", "支持数字化改造")
    add_key_player(world.owner, plan, scene.it_head, "coach", "")
    lines = list(ProductLine.objects.filter(organization=world.org, active=True).order_by("position"))
    units = [create_business_unit(world.owner, plan, name) for name in ("炼油事业部", "化工事业部", "燕化高新技术公司")]
    # Per unit, the cells of the first two product lines; the other lines stay blank in the grid.
    grid: list[list[tuple[str, str | None, str, Competitor | None]]] = [
        [("owned", "1800000.00", "", None), ("pipeline", "600000.00", "unspent", None)],
        [("gap", "900000.00", "competitor", rival), ("na", None, "", None)],
        [("gap", "300000.00", "unspent", None), ("owned", "450000.00", "us", None)],
    ]
    for unit, row in zip(units, grid, strict=True):
        for line, (status, spend, holder, competitor) in zip(lines, row, strict=False):
            values = {"status": status, "annual_spend": Decimal(spend) if spend else None, "holder": holder}
            set_cell(world.owner, plan, unit, line, {**values, "competitor": competitor})
    return plan


def build_pages_scene(world: OrgWorld, scene: DealScene) -> PagesScene:
    """A deal with two needs versions, influences and a competitor; a competitor with prices; closed
    deals; an account plan with a whitespace grid. Everything the new pages list or draw."""
    rival = create_competitor(
        world.manager_north,
        {"name": "浙江中控技术股份有限公司", "price_positioning": "low", "strengths": "国产化，价格低"},
    )
    product = "MES 制造执行系统"
    today = timezone.localdate()
    for days, price in ((200, "520000.00"), (120, "480000.00"), (30, "455000.00")):
        create_price_intel(
            world.owner,
            {
                "competitor": rival,
                "product": product,
                "price": Decimal(price),
                "unit": "套",
                "observed_on": today - timedelta(days=days),
                "source": "客户采购部透露",
                "confidence": "medium",
            },
        )
    deal = _deal(world, scene.customer, "燕山石化智能工厂一期", "2680000.00", scene.stages[0])
    set_scores(world.owner, deal, {"identified_pain": (2, "车间数据分散，调度靠电话，王总在会上确认", None)})
    move_stage(world.owner, deal, scene.stages[1])
    items: list[dict[str, Any]] = [
        {"description": "与现有 SAP 系统对接", "priority": "high", "necessity": "must", "fit": "partly"}
    ]
    v1 = save_needs(world.owner, deal, {"pain": "装置数据分散在各车间"}, items, base_version=0)
    items = [{**items[0], "key": v1.items.get().key, "description": "与 SAP S/4HANA 实时对接"}]
    save_needs(world.owner, deal, {"pain": "装置数据分散在各车间"}, items, reason="客户升级 ERP", base_version=1)
    add_influence(world.owner, deal, {"contact": scene.gm, "role": "economic"})
    add_influence(world.owner, deal, {"contact": scene.it_head, "role": "technical"})
    add_deal_competitor(world.owner, deal, rival, {"status": "incumbent", "notes": "二期由其实施"})
    _closed_deals(world, scene, rival)
    plan = _account_plan(world, scene, rival)
    return PagesScene(deal, rival, product, plan)


def phone_pages(pages: PagesScene, day: date) -> dict[str, str]:
    """Every new page type by a short name (the admin page is opened by an admin, the rest by rep1)."""
    deal, rival, plan = pages.deal.pk, pages.competitor.pk, pages.plan.pk
    history = urlencode({"competitor": rival, "product": pages.product})
    return {
        "deal-list": reverse("deal-list"),
        "deal-board": reverse("deal-board"),
        "deal-detail": reverse("deal-detail", args=[deal]),
        "deal-needs-history": reverse("deal-needs-history", args=[deal]),
        "deal-coverage": reverse("deal-coverage", args=[deal]),
        "competitor-list": reverse("competitor-list"),
        "competitor-detail": reverse("competitor-detail", args=[rival]),
        "price-intel-list": reverse("price-intel-list"),
        "price-intel-history": f"{reverse('price-intel-history')}?{history}",
        "winloss": reverse("winloss"),
        "account-plan-list": reverse("account-plan-list"),
        "account-plan-detail": reverse("account-plan-detail", args=[plan]),
        "briefing": f"{reverse('briefing')}?date={day.isoformat()}",
    }


# The elements that make a page wider than the phone: those reaching past the right edge and not
# clipped by a box that scrolls sideways, none of whose children reaches as far (the deepest ones).
CULPRITS_JS = """(viewport) => {
  // A box that scrolls sideways clips what it contains, except an absolutely positioned element whose
  // containing block lies outside it (a .work-sr-only span in a .table-wrap: it widens the page).
  const clipped = (el) => {
    let position = getComputedStyle(el).position;
    if (position === 'fixed') return false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      const contains = position !== 'absolute' || style.position !== 'static';
      if (contains && ['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) return true;
      if (style.position === 'fixed') return false;
      if (contains) position = style.position;
    }
    return false;
  };
  const classes = (el) => typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes(el).map((c) => '.' + c).join('');
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right <= viewport + 1 || clipped(el)) continue;
    const deeper = Array.from(el.children).some((c) => c.getBoundingClientRect().right >= r.right - 1);
    if (!deeper) {
      const path = [];
      for (let p = el; p && p !== document.body && path.length < 4; p = p.parentElement) path.unshift(name(p));
      const owner = el.parentElement && el.parentElement.closest('[id]');
      out.push((owner ? '#' + owner.id + ' … ' : '') + path.join(' > ')
        + ' (' + Math.round(r.width) + 'px wide, right edge ' + Math.round(r.right) + 'px)');
    }
  }
  return out.slice(0, 6);
}"""


class WidePages:
    """Collects the pages wider than the phone with their culprits, so one run reports all of them."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, tab: Any, name: str) -> None:
        width = tab.evaluate("document.documentElement.scrollWidth")
        # The layout viewport (clientWidth), not innerWidth: a mobile Chromium zooms out a wide page.
        viewport = tab.evaluate("document.documentElement.clientWidth")
        if width > viewport + 1:
            culprits = tab.evaluate(CULPRITS_JS, viewport)
            self.found.append(f"{name} {tab.url}: {width}px at {viewport}px\n    " + "\n    ".join(culprits))
