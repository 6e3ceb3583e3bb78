"""The deals of the list, board and team tests (not a test module itself).

owner: 宝钢 (客户 A) deal `steel` in stage 1 (collaborator on its team, read), 华能 (客户 B) deal
`power` in stage 2, past its close date (writer on its team, write), a won deal `won` on A;
stranger: 海尔 deal `fridge` in stage 1. Amounts and probabilities are picked so sums are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from kam.conftest import OrgWorld, make_user
from kam.core.models import Role, User
from kam.customers.models import Customer
from kam.sales.models import ForecastCategory, MemberAccess, Opportunity, OpportunityStatus, Stage
from kam.sales.tests.fixtures_deals import default_line, make_customer, make_deal, stages_of


def english_client(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def htmx_client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true")
    client.force_login(user)
    return client


@dataclass
class Scene:
    world: OrgWorld
    stages: list[Stage]
    writer: User
    customer_a: Customer
    customer_b: Customer
    customer_c: Customer
    steel: Opportunity
    power: Opportunity
    won: Opportunity
    fridge: Opportunity
    today: date

    def user(self, part: str) -> User | None:
        """The people of the access matrix; `collaborator` is a read member of `steel`'s deal team."""
        if part == "anonymous":
            return None
        if part == "manager":
            return self.world.manager_north
        if part == "writer":
            return self.writer
        return getattr(self.world, part)  # type: ignore[no-any-return]


def make_scene(world: OrgWorld) -> Scene:
    today = timezone.localdate()
    stages = stages_of(default_line(world.org))
    writer = make_user(world.org, "writer", Role.REP, world.shanghai)
    customer_a = make_customer(world.owner, "宝钢集团")
    customer_b = make_customer(world.owner, "华能电力")
    customer_c = make_customer(world.stranger, "海尔智家")
    steel = make_deal(
        world.owner,
        customer_a,
        stages[0],
        amount="100000",
        name="宝钢冷轧线改造",
        probability=10,
        expected_close_date=today + timedelta(days=10),
        next_step="约技术交流",
        members=((world.collaborator, MemberAccess.READ),),
    )
    power = make_deal(
        world.owner,
        customer_b,
        stages[1],
        amount="250000.50",
        name="华能集控平台",
        probability=25,
        expected_close_date=today - timedelta(days=3),
        forecast_category=ForecastCategory.COMMIT,
        members=((writer, MemberAccess.WRITE),),
    )
    won = make_deal(
        world.owner,
        customer_a,
        stages[2],
        amount="80000",
        name="宝钢备件",
        status=OpportunityStatus.WON,
        probability=100,
        expected_close_date=today - timedelta(days=40),
    )
    fridge = make_deal(
        world.stranger,
        customer_c,
        stages[0],
        amount="60000",
        name="海尔仓储系统",
        probability=10,
        expected_close_date=today + timedelta(days=60),
    )
    return Scene(world, stages, writer, customer_a, customer_b, customer_c, steel, power, won, fridge, today)


def names(deals: object) -> list[str]:
    return [deal.name for deal in deals]  # type: ignore[attr-defined]
