"""The access matrix of every account plan page and POST; refusals change nothing.

Roles: anonymous, another organization (outsider, an admin there), a same-organization stranger, a
read-only collaborator (presales), the customer's owner, the manager above the owner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.planning.tests.fixtures_account_plans import ROLES, Scene, fingerprint, make_scene, user_for

R = {"outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}
W_GET = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 200, "manager": 200}
W_POST = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 302, "manager": 302}
REVIEW = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 403, "manager": 302}
LIST = dict.fromkeys(ROLES[1:], 200)

Url = Callable[[Scene], str]


def _p(name: str, *extra: Callable[[Scene], int]) -> Url:
    return lambda s: reverse(name, args=[s.planned.plan.pk, *(get(s) for get in extra)])


def _cell(s: Scene) -> str:
    return reverse("account-plan-cell", args=[s.planned.plan.pk, s.bu.pk, s.planned.lines[0].pk])


PAGES: list[tuple[str, str, Url, dict[str, Any], dict[str, int]]] = [
    ("list", "get", lambda s: reverse("account-plan-list"), {}, LIST),
    ("create-form", "get", lambda s: reverse("account-plan-create") + f"?customer={s.fresh.pk}", {}, W_GET),
    (
        "create",
        "post",
        lambda s: reverse("account-plan-create"),
        {"customer": "FRESH", "relationship_stage": "basic"},
        W_POST,
    ),
    ("detail", "get", _p("account-plan-detail"), {}, R),
    ("edit-form", "get", _p("account-plan-edit"), {}, W_GET),
    ("edit", "post", _p("account-plan-edit"), {"relationship_stage": "integrated", "strengths": "改"}, W_POST),
    ("review", "post", _p("account-plan-review"), {"reviewed_on": "2026-01-05", "comments": "好"}, REVIEW),
    ("team-add", "post", _p("account-plan-team-add"), {"user": "DIRECTOR", "responsibility": "高层"}, W_POST),
    ("team-remove", "post", _p("account-plan-team-remove", lambda s: s.member.pk), {}, W_POST),
    ("player-add", "post", _p("account-plan-player-add"), {"contact": "SPARE", "role": "coach"}, W_POST),
    (
        "player-edit",
        "post",
        _p("account-plan-player-edit", lambda s: s.player.pk),
        {"role": "coach", "notes": "x"},
        W_POST,
    ),
    ("player-remove", "post", _p("account-plan-player-remove", lambda s: s.player.pk), {}, W_POST),
    (
        "objective-add",
        "post",
        _p("account-plan-objective-add"),
        {"title": "新目标", "owner": "OWNER", "due_date": "2026-12-31", "status": "open"},
        W_POST,
    ),
    ("objective-form", "get", _p("account-plan-objective-edit", lambda s: s.goal.pk), {}, W_GET),
    (
        "objective-edit",
        "post",
        _p("account-plan-objective-edit", lambda s: s.goal.pk),
        {"title": "改目标", "owner": "OWNER", "due_date": "2026-12-31", "status": "done"},
        W_POST,
    ),
    ("objective-delete", "post", _p("account-plan-objective-delete", lambda s: s.goal.pk), {}, W_POST),
    (
        "action-add",
        "post",
        _p("account-plan-action-add", lambda s: s.goal.pk),
        {"title": "新行动", "owner": "OWNER"},
        W_POST,
    ),
    ("action-form", "get", _p("account-plan-action-edit", lambda s: s.step.pk), {}, W_GET),
    (
        "action-edit",
        "post",
        _p("account-plan-action-edit", lambda s: s.step.pk),
        {"title": "改行动", "owner": "OWNER"},
        W_POST,
    ),
    ("action-toggle", "post", _p("account-plan-action-toggle", lambda s: s.step.pk), {"done": "1"}, W_POST),
    ("action-delete", "post", _p("account-plan-action-delete", lambda s: s.step.pk), {}, W_POST),
    ("unit-add", "post", _p("account-plan-unit-add"), {"name": "华南事业部"}, W_POST),
    (
        "unit-edit",
        "post",
        _p("account-plan-unit-edit", lambda s: s.bu.pk),
        {"name": "华北大区", "position": "3"},
        W_POST,
    ),
    ("unit-delete", "post", _p("account-plan-unit-delete", lambda s: s.bu.pk), {}, W_POST),
    ("whitespace", "get", _p("account-plan-whitespace"), {"HX": True}, R),
    ("cell-form", "get", _cell, {}, W_GET),
    ("cell", "post", _cell, {"status": "owned", "annual_spend": "300000", "holder": "us"}, W_POST),
]


def _data(scene: Scene, world: OrgWorld, data: dict[str, Any]) -> dict[str, Any]:
    ids = {"FRESH": scene.fresh.pk, "DIRECTOR": world.director.pk, "SPARE": scene.spare.pk, "OWNER": world.owner.pk}
    return {key: ids.get(value, value) for key, value in data.items() if key != "HX"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "data", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_account_plan_page_access(
    world: OrgWorld,
    client_for: Any,
    role: str,
    name: str,
    method: str,
    url: Url,
    data: dict[str, Any],
    expected: dict[str, int],
) -> None:
    scene = make_scene(world)
    target = url(scene)
    headers = {"HTTP_HX_REQUEST": "true"} if data.get("HX") else {}
    before = fingerprint()

    client = client_for(user_for(world, role))
    response = getattr(client, method)(target, _data(scene, world, data), **headers)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected[role], (role, response.status_code)
    changed = fingerprint() != before
    assert changed == (method == "post" and response.status_code == 302 and role != "anonymous")


def test_the_list_shows_only_plans_the_viewer_may_open(world: OrgWorld, client_for: Any) -> None:
    make_scene(world)
    names = {
        role: "华为技术有限公司" in client_for(user_for(world, role)).get(reverse("account-plan-list")).content.decode()
        for role in ROLES[1:]
    }
    assert names == {"outsider": False, "stranger": False, "collaborator": True, "owner": True, "manager": True}
