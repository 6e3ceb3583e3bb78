"""销售设置 behaviour: one default business line, probabilities within 0–100, used stages are never
deleted, order changes, gates, reasons and product lines; refusals change nothing; every write
is audited. Garbage input answers field errors or 404, never 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import AuditAction, AuditEntry
from kam.sales import actions_config as actions
from kam.sales.models import BusinessLine, CloseReason, ProductLine, Stage, StageGate
from kam.sales.setup import ensure_default_pipeline
from kam.sales.tests.fixtures_deals import make_customer, make_deal


def admin_client(world: OrgWorld) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.admin)
    return client


def stages(line: BusinessLine) -> list[tuple[str, int]]:
    return list(Stage.objects.filter(business_line=line).order_by("position", "id").values_list("name", "position"))


def snapshot() -> list[Any]:
    return [
        AuditEntry.objects.count(),
        *(list(m.objects.order_by("pk").values()) for m in (BusinessLine, Stage, StageGate, CloseReason, ProductLine)),
    ]


def test_overview_lists_lines_stages_gates_reasons_and_products(world: OrgWorld) -> None:
    html = admin_client(world).get(reverse("admin-sales")).content.decode()
    line = BusinessLine.objects.get(organization=world.org)
    assert f'id="sales-line-{line.pk}"' in html
    assert len(re.findall(r'id="sales-stage-\d+"', html)) == 5
    assert "Economic buyer ≥ 2" in html
    assert len(re.findall(r'id="sales-reason-\d+"', html)) == 13
    assert len(re.findall(r'id="sales-product-\d+"', html)) == 4


def test_overview_query_count_does_not_grow_with_settings(world: OrgWorld, django_assert_max_num_queries: Any) -> None:
    client = admin_client(world)
    client.get(reverse("admin-sales"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("admin-sales"))
    for i in range(6):
        line = actions.create_business_line(world.admin, f"线{i}")
        for j in range(3):
            stage = actions.create_stage(world.admin, line, {"name": f"阶段{j}", "default_probability": 10 * j})
            actions.set_gate(world.admin, stage, "champion", 1)
        actions.create_close_reason(world.admin, "lost", f"原因{i}")
        actions.create_product_line(world.admin, f"产品{i}")
    with django_assert_max_num_queries(len(few)):
        assert "线5" in client.get(reverse("admin-sales")).content.decode()


def test_create_a_business_line_audited_and_not_default(world: OrgWorld) -> None:
    ensure_default_pipeline(world.org)
    response = admin_client(world).post(reverse("admin-sales-line-create"), {"line-name": " 标准品 "})
    line = BusinessLine.objects.get(name="标准品")
    assert response["Location"] == reverse("admin-sales-line-edit", args=[line.pk])
    assert (line.is_default, line.active, line.position) == (False, True, 1)
    entry = AuditEntry.objects.get(entity="sales.businessline", entity_id=line.pk)
    assert (entry.action, entry.actor_id) == (AuditAction.CREATE, world.admin.pk)


def test_the_first_line_of_an_organization_becomes_the_default(world: OrgWorld) -> None:
    line = actions.create_business_line(world.admin, "唯一")
    assert line.is_default


def test_make_default_keeps_exactly_one_default(world: OrgWorld) -> None:
    old = ensure_default_pipeline(world.org)
    new = actions.create_business_line(world.admin, "标准品")
    response = admin_client(world).post(reverse("admin-sales-line-default", args=[new.pk]))
    assert response.status_code == 302
    assert list(BusinessLine.objects.filter(organization=world.org, is_default=True)) == [new]
    changes = AuditEntry.objects.filter(field="is_default").order_by("id")
    assert [(c.entity_id, c.old, c.new) for c in changes] == [(old.pk, "是", "否"), (new.pk, "否", "是")]


def test_default_line_cannot_be_deactivated(world: OrgWorld) -> None:
    line = ensure_default_pipeline(world.org)
    before = snapshot()
    response = admin_client(world).post(reverse("admin-sales-line-edit", args=[line.pk]), {"name": line.name})
    assert response.status_code == 422
    assert "make another line the default first" in response.content.decode()
    assert snapshot() == before


def test_inactive_line_cannot_become_default(world: OrgWorld) -> None:
    ensure_default_pipeline(world.org)
    line = actions.create_business_line(world.admin, "停用线")
    actions.update_business_line(world.admin, line, {"active": False})
    before = snapshot()
    admin_client(world).post(reverse("admin-sales-line-default", args=[line.pk]))
    assert snapshot() == before


@pytest.mark.parametrize("probability", ["101", "-1", "abc", "", "1e3"])
def test_stage_probability_outside_0_100_is_a_field_error(world: OrgWorld, probability: str) -> None:
    line = ensure_default_pipeline(world.org)
    before = snapshot()
    response = admin_client(world).post(
        reverse("admin-sales-stage-create", args=[line.pk]),
        {"stage-name": "验收", "stage-default_probability": probability},
    )
    assert response.status_code == 422
    assert 'name="stage-default_probability"' in response.content.decode()
    assert snapshot() == before


def test_action_refuses_probability_outside_0_100(world: OrgWorld) -> None:
    line = ensure_default_pipeline(world.org)
    stage = Stage.objects.filter(business_line=line).first()
    assert stage is not None
    with pytest.raises(ValidationError) as caught:
        actions.update_stage(world.admin, stage, {"default_probability": 150})
    assert list(caught.value.message_dict) == ["default_probability"]


def test_add_edit_and_reorder_stages(world: OrgWorld) -> None:
    line = ensure_default_pipeline(world.org)
    client = admin_client(world)
    client.post(
        reverse("admin-sales-stage-create", args=[line.pk]),
        {
            "stage-name": "验收",
            "stage-default_probability": 95,
            "stage-exit_criteria": "验收单签字",
            "stage-active": "on",
        },
    )
    added = Stage.objects.get(business_line=line, name="验收")
    assert (added.position, added.default_probability, added.exit_criteria, added.active) == (6, 95, "验收单签字", True)
    client.post(reverse("admin-sales-stage-move", args=[added.pk]), {"direction": "up"})
    names = [name for name, _ in stages(line)]
    assert names[-2:] == ["验收", Stage.objects.get(business_line=line, position=6).name]
    assert [p for _, p in stages(line)] == [1, 2, 3, 4, 5, 6]
    response = client.post(
        reverse("admin-sales-stage-edit", args=[added.pk]), {"name": "终验", "default_probability": 90, "active": "on"}
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.name, added.default_probability, added.exit_criteria) == ("终验", 90, "")


def test_moving_the_first_stage_up_changes_nothing(world: OrgWorld) -> None:
    line = ensure_default_pipeline(world.org)
    first = Stage.objects.filter(business_line=line).order_by("position").first()
    assert first is not None
    before = snapshot()
    admin_client(world).post(reverse("admin-sales-stage-move", args=[first.pk]), {"direction": "up"})
    assert snapshot() == before
    admin_client(world).post(reverse("admin-sales-stage-move", args=[first.pk]), {"direction": "sideways"})
    assert snapshot() == before


def test_a_stage_deals_use_is_not_deleted(world: OrgWorld) -> None:
    line = ensure_default_pipeline(world.org)
    stage = Stage.objects.filter(business_line=line).order_by("position").first()
    assert stage is not None
    make_deal(world.owner, make_customer(world.owner, "在用客户有限公司"), stage)
    before = snapshot()
    response = admin_client(world).post(reverse("admin-sales-stage-delete", args=[stage.pk]), follow=True)
    assert "Deactivate it instead" in response.content.decode()
    assert snapshot() == before


def test_an_unused_stage_is_deleted_with_its_gates_and_audited(world: OrgWorld) -> None:
    line = ensure_default_pipeline(world.org)
    stage = Stage.objects.filter(business_line=line).order_by("-position").first()
    assert stage is not None
    gate_ids = list(StageGate.objects.filter(stage=stage).values_list("pk", flat=True))
    response = admin_client(world).post(reverse("admin-sales-stage-delete", args=[stage.pk]))
    assert response["Location"] == reverse("admin-sales-line-edit", args=[line.pk])
    assert not Stage.objects.filter(pk=stage.pk).exists()
    purged = AuditEntry.objects.filter(action=AuditAction.PURGE).values_list("entity", "entity_id")
    assert sorted(purged) == sorted([("sales.stagegate", pk) for pk in gate_ids] + [("sales.stage", stage.pk)])


def test_the_last_active_stage_stays_active(world: OrgWorld) -> None:
    line = actions.create_business_line(world.admin, "单阶段")
    stage = actions.create_stage(world.admin, line, {"name": "唯一阶段", "default_probability": 50})
    before = snapshot()
    response = admin_client(world).post(
        reverse("admin-sales-stage-edit", args=[stage.pk]), {"name": "唯一阶段", "default_probability": 50}
    )
    assert response.status_code == 422
    assert snapshot() == before


def test_gates_are_added_changed_and_removed(world: OrgWorld) -> None:
    line = ensure_default_pipeline(world.org)
    stage = Stage.objects.filter(business_line=line).order_by("position").first()
    assert stage is not None
    client = admin_client(world)
    client.post(reverse("admin-sales-gate-set", args=[stage.pk]), {"gate-element": "metrics", "gate-min_score": 1})
    client.post(reverse("admin-sales-gate-set", args=[stage.pk]), {"gate-element": "metrics", "gate-min_score": 2})
    gate = StageGate.objects.get(stage=stage)
    assert (gate.element, gate.min_score) == ("metrics", 2)
    assert list(
        AuditEntry.objects.filter(entity="sales.stagegate").order_by("id").values_list("action", "field", "old", "new")
    ) == [
        (AuditAction.CREATE, "", "", ""),
        (AuditAction.UPDATE, "min_score", "1", "2"),
    ]
    client.post(reverse("admin-sales-gate-delete", args=[gate.pk]))
    assert not StageGate.objects.filter(stage=stage).exists()


@pytest.mark.parametrize(("element", "score"), [("metrics", "3"), ("metrics", "0"), ("budget", "1"), ("", "")])
def test_bad_gates_are_field_errors(world: OrgWorld, element: str, score: str) -> None:
    line = ensure_default_pipeline(world.org)
    stage = Stage.objects.filter(business_line=line).order_by("position").first()
    assert stage is not None
    before = snapshot()
    response = admin_client(world).post(
        reverse("admin-sales-gate-set", args=[stage.pk]), {"gate-element": element, "gate-min_score": score}
    )
    assert response.status_code == 422
    assert snapshot() == before


def test_close_reasons_per_outcome(world: OrgWorld) -> None:
    ensure_default_pipeline(world.org)
    client = admin_client(world)
    client.post(reverse("admin-sales-reason-create"), {"reason-outcome": "lost", "reason-label": "交期太长"})
    reason = CloseReason.objects.get(label="交期太长")
    assert (reason.outcome, reason.position, reason.active) == ("lost", 6, True)
    before = snapshot()
    duplicate = client.post(
        reverse("admin-sales-reason-create"), {"reason-outcome": "lost", "reason-label": "交期太长"}
    )
    assert duplicate.status_code == 422
    bad_outcome = client.post(reverse("admin-sales-reason-create"), {"reason-outcome": "maybe", "reason-label": "x"})
    assert bad_outcome.status_code == 422
    assert snapshot() == before
    client.post(reverse("admin-sales-reason-edit", args=[reason.pk]), {"label": "交期太长", "active": ""})
    reason.refresh_from_db()
    assert reason.active is False


def test_product_lines(world: OrgWorld) -> None:
    ensure_default_pipeline(world.org)
    client = admin_client(world)
    client.post(reverse("admin-sales-product-create"), {"product-name": "云服务"})
    product = ProductLine.objects.get(name="云服务")
    first = ProductLine.objects.filter(organization=world.org).order_by("position", "id").first()
    assert first is not None
    client.post(reverse("admin-sales-product-move", args=[product.pk]), {"direction": "up"})
    assert list(ProductLine.objects.filter(organization=world.org).order_by("position").values_list("name", flat=True))[
        -2:
    ] == ["云服务", ProductLine.objects.get(position=5, organization=world.org).name]
    before = snapshot()
    response = client.post(reverse("admin-sales-product-edit", args=[product.pk]), {"name": first.name})
    assert response.status_code == 422
    assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        "/admin/sales/stages/99999999999999999999999/",
        "/admin/sales/lines/0/",
        "/admin/sales/reasons/123456789/",
        "/admin/sales/stages/abc/",
    ],
)
def test_garbage_ids_are_404(world: OrgWorld, url: str) -> None:
    assert admin_client(world).get(url).status_code == 404


def test_huge_and_nul_input_is_a_field_error(world: OrgWorld) -> None:
    line = ensure_default_pipeline(world.org)
    before = snapshot()
    client = admin_client(world)
    assert client.post(reverse("admin-sales-line-edit", args=[line.pk]), {"name": "长" * 51}).status_code == 422
    # NUL bytes are refused before the view (400), never a 500.
    assert client.post(reverse("admin-sales-line-create"), {"line-name": "a\x00b"}).status_code in (400, 422)
    assert client.post(reverse("admin-sales-line-create"), {"line-name": "   "}).status_code == 422
    assert snapshot() == before
