"""The export reads the list filters with the list's own form: a value the list drops, the export drops too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core.models import User
from kam.customers.actions import create_customer
from kam.customers.models import Region
from kam.customers.tests.import_scene import _import_settings  # noqa: F401 - an autouse fixture
from kam.customers.tests.test_export import export_csv, names


def list_names(user: User, params: dict[str, str]) -> list[str]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(reverse("customer-list"), params)
    assert response.status_code == 200
    return sorted(c.name for c in response.context["customers"])


@pytest.fixture
def scene(world: OrgWorld) -> OrgWorld:
    create_customer(
        world.owner, {"name": "华东精密机械有限公司", "tier": "A", "province": Region.objects.get(pk="110000")}
    )
    create_customer(world.owner, {"name": "蓝海物流股份有限公司", "tier": "B"})
    create_customer(world.teammate, {"name": "青松医药科技有限公司", "tier": "A"})
    create_customer(world.stranger, {"name": "星河电子有限责任公司", "tier": "A"})
    return world


def bad_values(world: OrgWorld) -> list[dict[str, str]]:
    return [
        {"tier": "Z"},
        {"status": "nope"},
        {"stale_days": "0"},
        {"stale_days": "99999"},
        {"owner": str(world.stranger.pk)},  # someone whose customers the manager can never see
        {"owner": "x", "sort": "nonsense"},
        {"team": str(world.east.pk)},  # outside the manager's subtree
        {"industry": "ZZ"},
        {"province": "999999"},
        {"q": "华东" * 51},  # longer than the list's 100 characters
    ]


def test_a_value_the_list_rejects_is_ignored_by_the_export_the_same_way(scene: OrgWorld) -> None:
    manager = scene.manager_north
    everything = names(export_csv(manager))
    assert everything == ["华东精密机械有限公司", "蓝海物流股份有限公司", "青松医药科技有限公司"]
    for params in bad_values(scene):
        assert list_names(manager, params) == everything, params
        assert names(export_csv(manager, **params)) == everything, params


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tier": "A"}, ["华东精密机械有限公司", "青松医药科技有限公司"]),
        ({"tier": "A", "province": "110000"}, ["华东精密机械有限公司"]),
        ({"tier": "Z", "province": "110000"}, ["华东精密机械有限公司"]),  # the bad part alone is dropped
    ],
)
def test_valid_filters_select_the_same_rows_in_list_and_export(
    scene: OrgWorld, params: dict[str, Any], expected: list[str]
) -> None:
    assert list_names(scene.manager_north, params) == expected
    assert names(export_csv(scene.manager_north, **params)) == expected
