"""Access matrix of every 销售设置 page and POST: anonymous → login; every non-admin → 403 like
the rest of the admin console; an admin of another organization → 404 on this organization's rows;
nothing changes on a refusal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry
from kam.sales.models import BusinessLine, CloseReason, ProductLine, Stage, StageGate
from kam.sales.setup import ensure_default_pipeline


@dataclass
class Scene:
    line: BusinessLine
    stage: Stage  # the last stage: never used by a deal, has two gates
    gate: StageGate
    reason: CloseReason
    product: ProductLine


def scene(world: OrgWorld) -> Scene:
    line = ensure_default_pipeline(world.org)
    stage = Stage.objects.filter(business_line=line).order_by("-position").first()
    assert stage is not None
    return Scene(
        line,
        stage,
        StageGate.objects.filter(stage=stage).order_by("id").first(),  # type: ignore[arg-type]
        CloseReason.objects.filter(organization=world.org).order_by("id").first(),  # type: ignore[arg-type]
        ProductLine.objects.filter(organization=world.org).order_by("id").first(),  # type: ignore[arg-type]
    )


def fingerprint() -> list[Any]:
    return [
        AuditEntry.objects.count(),
        *(
            list(model.objects.order_by("pk").values())
            for model in (BusinessLine, Stage, StageGate, CloseReason, ProductLine)
        ),
    ]


Args = Callable[[Scene], list[int]]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    args: Args
    data: dict[str, Any]
    record: bool  # names a record of the organization (another org's admin: 404)


def _none(s: Scene) -> list[int]:
    return []


ENDPOINTS = [
    Endpoint("admin-sales", "get", _none, {}, False),
    Endpoint("admin-sales-line-create", "post", _none, {"line-name": "标准品", "line-active": "on"}, False),
    Endpoint("admin-sales-line-edit", "get", lambda s: [s.line.pk], {}, True),
    Endpoint("admin-sales-line-edit", "post", lambda s: [s.line.pk], {"name": "改名", "active": "on"}, True),
    Endpoint("admin-sales-line-default", "post", lambda s: [s.line.pk], {}, True),
    Endpoint("admin-sales-line-move", "post", lambda s: [s.line.pk], {"direction": "down"}, True),
    Endpoint(
        "admin-sales-stage-create",
        "post",
        lambda s: [s.line.pk],
        {"stage-name": "验收", "stage-default_probability": 90, "stage-active": "on"},
        True,
    ),
    Endpoint("admin-sales-stage-edit", "get", lambda s: [s.stage.pk], {}, True),
    Endpoint(
        "admin-sales-stage-edit",
        "post",
        lambda s: [s.stage.pk],
        {"name": "合同签署", "default_probability": 85, "active": "on"},
        True,
    ),
    Endpoint("admin-sales-stage-move", "post", lambda s: [s.stage.pk], {"direction": "up"}, True),
    Endpoint("admin-sales-stage-delete", "post", lambda s: [s.stage.pk], {}, True),
    Endpoint(
        "admin-sales-gate-set", "post", lambda s: [s.stage.pk], {"gate-element": "champion", "gate-min_score": 2}, True
    ),
    Endpoint("admin-sales-gate-delete", "post", lambda s: [s.gate.pk], {}, True),
    Endpoint("admin-sales-reason-create", "post", _none, {"reason-outcome": "lost", "reason-label": "交期"}, False),
    Endpoint("admin-sales-reason-edit", "get", lambda s: [s.reason.pk], {}, True),
    Endpoint("admin-sales-reason-edit", "post", lambda s: [s.reason.pk], {"label": "方案更优"}, True),
    Endpoint("admin-sales-reason-move", "post", lambda s: [s.reason.pk], {"direction": "down"}, True),
    Endpoint("admin-sales-product-create", "post", _none, {"product-name": "云服务"}, False),
    Endpoint("admin-sales-product-edit", "get", lambda s: [s.product.pk], {}, True),
    Endpoint("admin-sales-product-edit", "post", lambda s: [s.product.pk], {"name": "软件授权", "active": ""}, True),
    Endpoint("admin-sales-product-move", "post", lambda s: [s.product.pk], {"direction": "down"}, True),
]
IDS = [f"{e.method} {e.name}" for e in ENDPOINTS]
REFUSED = ["owner", "teammate", "stranger", "collaborator", "manager_north", "director"]


def _call(client: Client, endpoint: Endpoint, s: Scene) -> Any:
    url = reverse(endpoint.name, args=endpoint.args(s))
    return client.get(url) if endpoint.method == "get" else client.post(url, endpoint.data)


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_anonymous_is_sent_to_login(world: OrgWorld, endpoint: Endpoint) -> None:
    s = scene(world)
    before = fingerprint()
    response = _call(_client(None), endpoint, s)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert fingerprint() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_everyone_but_admins_is_refused_and_nothing_changes(world: OrgWorld, endpoint: Endpoint) -> None:
    s = scene(world)
    before = fingerprint()
    for person in REFUSED:
        response = _call(_client(getattr(world, person)), endpoint, s)
        assert response.status_code == 403, person
    assert fingerprint() == before


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.record], ids=[i for e, i in zip(ENDPOINTS, IDS, strict=True) if e.record]
)
def test_admin_of_another_organization_gets_404(world: OrgWorld, endpoint: Endpoint) -> None:
    s = scene(world)
    before = fingerprint()
    assert _call(_client(world.outsider), endpoint, s).status_code == 404
    assert fingerprint() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_admin_is_served(world: OrgWorld, endpoint: Endpoint) -> None:
    s = scene(world)
    response = _call(_client(world.admin), endpoint, s)
    assert response.status_code == (200 if endpoint.method == "get" else 302)


def test_overview_of_another_organization_shows_only_its_own(world: OrgWorld) -> None:
    s = scene(world)
    BusinessLine.objects.filter(pk=s.line.pk).update(name="测试大客户线")
    html = _client(world.outsider).get(reverse("admin-sales")).content.decode()
    assert "测试大客户线" not in html
    assert BusinessLine.objects.filter(organization_id=world.outsider.organization_id).count() == 1
