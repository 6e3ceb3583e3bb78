"""Whitespace cells and business units: status and holder must agree, refused with a field error."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import translation

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, Organization
from kam.planning.actions_whitespace import create_business_unit, delete_business_unit, set_cell, update_business_unit
from kam.planning.models.account_plans import BusinessUnit, WhitespaceCell
from kam.planning.tests.fixtures_account_plans import PlanWorld, competitor, make_planned, unit


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def planned(world: OrgWorld) -> PlanWorld:
    return make_planned(world)


def _refusal(planned: PlanWorld, values: dict[str, Any]) -> dict[str, list[str]]:
    bu, _ = BusinessUnit.objects.get_or_create(
        plan=planned.plan, name="华北事业部", defaults={"organization": planned.w.org}
    )
    with pytest.raises(ValidationError) as caught:
        set_cell(planned.w.owner, planned.plan, bu, planned.lines[0], values)
    assert WhitespaceCell.objects.count() == 0
    return caught.value.message_dict


def test_competitor_holder_needs_a_named_competitor(planned: PlanWorld) -> None:
    errors = _refusal(planned, {"status": "gap", "annual_spend": Decimal("5"), "holder": "competitor"})
    assert errors == {"competitor": ["Name the competitor who gets this spend."]}


def test_a_named_competitor_needs_the_competitor_holder(planned: PlanWorld) -> None:
    rival = competitor(planned.w.org, "竞品甲")
    errors = _refusal(planned, {"status": "gap", "holder": "unspent", "competitor": rival})
    assert errors == {"competitor": ["Name a competitor only when the spend goes to a competitor."]}


def test_an_owned_cell_cannot_send_its_spend_elsewhere(planned: PlanWorld) -> None:
    rival = competitor(planned.w.org, "竞品甲")
    errors = _refusal(planned, {"status": "owned", "holder": "competitor", "competitor": rival})
    assert errors == {"holder": ["The spend of an owned cell goes to us."]}


def test_spend_goes_to_us_only_in_an_owned_cell(planned: PlanWorld) -> None:
    assert _refusal(planned, {"status": "pipeline", "holder": "us"}) == {
        "holder": ["Spend goes to us only in an owned cell."]
    }


def test_a_not_eligible_unit_buys_from_no_competitor(planned: PlanWorld) -> None:
    rival = competitor(planned.w.org, "竞品甲")
    errors = _refusal(planned, {"status": "na", "holder": "competitor", "competitor": rival})
    assert errors == {"holder": ["A business unit that is not eligible buys this line from no one."]}


def test_a_competitor_of_another_organization_is_refused(planned: PlanWorld) -> None:
    other = Organization.objects.get(code="other")
    rival = competitor(other, "别家竞品")
    errors = _refusal(planned, {"status": "gap", "holder": "competitor", "competitor": rival})
    assert errors == {"competitor": ["Choose a competitor from the competitor list."]}


def test_negative_spend_and_unknown_codes_are_refused(planned: PlanWorld) -> None:
    assert _refusal(planned, {"status": "gap", "annual_spend": Decimal("-1")}) == {
        "annual_spend": ["Enter an amount of 0 or more."]
    }
    assert _refusal(planned, {"status": "bogus"}) == {"status": ["Choose a status."]}
    assert _refusal(planned, {"status": "gap", "holder": "them"}) == {"holder": ["Choose who gets the spend."]}


def test_an_owned_cell_with_no_holder_is_ours(planned: PlanWorld) -> None:
    bu = unit(planned.plan, "华北事业部")
    made = set_cell(
        planned.w.owner, planned.plan, bu, planned.lines[0], {"status": "owned", "annual_spend": Decimal("9")}
    )
    assert (made.status, made.holder, made.annual_spend) == ("owned", "us", Decimal("9"))


def test_setting_a_cell_again_updates_it_and_audits_each_field(planned: PlanWorld) -> None:
    bu = unit(planned.plan, "华北事业部")
    line = planned.lines[1]
    rival = competitor(planned.w.org, "竞品甲")
    first = set_cell(
        planned.w.owner, planned.plan, bu, line, {"status": "gap", "annual_spend": Decimal("100"), "holder": "unspent"}
    )
    second = set_cell(
        planned.w.owner,
        planned.plan,
        bu,
        line,
        {
            "status": "gap",
            "annual_spend": Decimal("100"),
            "holder": "competitor",
            "competitor": rival,
            "notes": "三年框架",
        },
    )

    assert first.pk == second.pk
    assert WhitespaceCell.objects.count() == 1
    rows = AuditEntry.objects.filter(entity="planning.whitespacecell", entity_id=first.pk).order_by("id")
    assert [(row.action, row.field, row.old, row.new) for row in rows] == [
        ("create", "", "", ""),
        ("update", "holder", "未花费", "竞争对手"),
        ("update", "competitor", "", "竞品甲"),
        ("update", "notes", "", "三年框架"),
    ]


def test_the_database_insists_on_a_competitor_for_the_competitor_holder(planned: PlanWorld) -> None:
    bu = unit(planned.plan, "华北事业部")
    with pytest.raises(IntegrityError), transaction.atomic():
        WhitespaceCell.objects.create(
            organization=planned.w.org,
            plan=planned.plan,
            business_unit=bu,
            product_line=planned.lines[0],
            holder="competitor",
        )


def test_cells_of_a_retired_line_or_another_plans_unit_are_refused(planned: PlanWorld) -> None:
    from kam.planning.actions_account_plans import create_plan
    from kam.planning.tests.fixtures_account_plans import customer_of

    other_plan = create_plan(planned.w.owner, customer_of(planned.w.owner, "中兴通讯"), {})
    stray = unit(other_plan, "外部事业部")
    with pytest.raises(ValidationError) as caught:
        set_cell(planned.w.owner, planned.plan, stray, planned.lines[0], {"status": "gap"})
    assert caught.value.message_dict == {"business_unit": ["Choose a business unit of this plan."]}
    line = planned.lines[0]
    line.active = False
    line.save(update_fields=["active"])
    with pytest.raises(ValidationError) as caught:
        set_cell(planned.w.owner, planned.plan, unit(planned.plan, "华北"), line, {"status": "gap"})
    assert caught.value.message_dict == {"product_line": ["Choose an active product line."]}


def test_read_only_and_hidden_users_cannot_set_cells(planned: PlanWorld) -> None:
    bu = unit(planned.plan, "华北事业部")
    with pytest.raises(PermissionDenied):
        set_cell(planned.w.collaborator, planned.plan, bu, planned.lines[0], {"status": "owned"})
    with pytest.raises(Http404):
        set_cell(planned.w.stranger, planned.plan, bu, planned.lines[0], {"status": "owned"})
    assert WhitespaceCell.objects.count() == 0


def test_business_units_are_unique_per_plan_and_placed_last(planned: PlanWorld) -> None:
    owner = planned.w.owner
    first = create_business_unit(owner, planned.plan, " 华北  事业部 ")
    second = create_business_unit(owner, planned.plan, "华南事业部")
    with pytest.raises(ValidationError) as caught:
        create_business_unit(owner, planned.plan, "华北 事业部")
    assert caught.value.message_dict == {"name": ["This plan has a business unit of this name already."]}
    assert [(bu.name, bu.position) for bu in (first, second)] == [("华北 事业部", 0), ("华南事业部", 1)]

    update_business_unit(owner, second, {"name": "华南大区", "position": 0})
    with pytest.raises(ValidationError) as caught:
        update_business_unit(owner, second, {"name": "华北 事业部"})
    assert caught.value.message_dict == {"name": ["This plan has a business unit of this name already."]}
    second.refresh_from_db()
    assert (second.name, second.position) == ("华南大区", 0)

    first_pk = first.pk
    delete_business_unit(owner, first)
    assert list(BusinessUnit.objects.values_list("name", flat=True)) == ["华南大区"]
    assert AuditEntry.objects.filter(entity="planning.businessunit", action="delete", entity_id=first_pk).count() == 1
