"""The shared deal builders write what create_opportunity would: the owner's team row and the first move."""

from __future__ import annotations

from decimal import Decimal

from kam.conftest import OrgWorld
from kam.sales.models import OpportunityMember, StageChange
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at


def test_make_deal_writes_owner_member_and_first_stage_change(world: OrgWorld) -> None:
    customer = make_customer(world.owner, "北京冶金集团")
    deal = make_deal(world.owner, customer, amount=5000, status="won", members=((world.teammate, "read"),))
    assert (deal.amount, deal.stage, deal.probability) == (Decimal("5000"), stage_at(world.org, 1), 10)
    assert deal.closed_at is not None
    team = OpportunityMember.objects.filter(opportunity=deal).order_by("id")
    assert list(team.values_list("user__username", "role", "access", "split_percent")) == [
        ("owner", "owner", "write", Decimal("100")),
        ("teammate", "sales", "read", Decimal("0")),
    ]
    change = StageChange.objects.get(opportunity=deal)
    assert (change.from_stage, change.to_stage, change.to_status) == (None, deal.stage, "open")
