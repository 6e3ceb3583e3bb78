"""The plan API: reading (own or a team member's), drafting, editing, accepting; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, User
from kam.core.tests.api_support import bearer_client, call, session_client
from kam.planning.actions_plan import add_item, refresh_plan
from kam.planning.models import DayPlan, PlanItem
from kam.planning.plan import plan_day_for, today_for
from kam.planning.tests.fixtures_plan import customer

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "stranger", "teammate", "collaborator", "owner", "manager", "director", "admin"]


def user_for(world: OrgWorld, role: str) -> User | None:
    if role == "anonymous":
        return None
    return world.manager_north if role == "manager" else getattr(world, role)


def fingerprint() -> list[Any]:
    return [
        list(DayPlan.objects.order_by("id").values_list("id", "status", "accepted_at")),
        list(PlanItem.objects.order_by("id").values_list("id", "position", "dropped", "done_at", "title")),
        AuditEntry.objects.count(),
    ]


def owner_plan(world: OrgWorld) -> tuple[DayPlan, PlanItem]:
    now = timezone.now()
    customer(world.owner, "晨星科技有限公司", "A", next_followup_at=now - timedelta(days=2), last_followup_at=now)
    plan = refresh_plan(world.owner, plan_day_for(world.owner, now), now)
    return plan, add_item(world.owner, plan, "整理客户资料", now)


def test_get_without_a_plan_returns_the_proposal(world: OrgWorld) -> None:
    now = timezone.now()
    shown = customer(
        world.owner, "晨星科技有限公司", "A", next_followup_at=now - timedelta(days=2), last_followup_at=now
    )
    response = call(session_client(world.owner), "GET", "/plan")
    assert response.status_code == 200
    data = response.data
    assert (data["id"], data["status"], data["day"]) == (None, "proposed", plan_day_for(world.owner, now).isoformat())
    assert data["user"] == {"id": world.owner.pk, "username": "owner", "name": "owner"}
    (item,) = data["items"]
    assert item["id"] is None
    assert (item["position"], item["source"], item["ref"], item["customer_id"]) == (
        1,
        "followup_due",
        f"customer:{shown.pk}",
        shown.pk,
    )
    assert item["score"] > 0
    assert not DayPlan.objects.exists()


def test_refresh_edit_accept_and_tick(world: OrgWorld) -> None:
    now = timezone.now()
    customer(world.owner, "晨星科技有限公司", "A", next_followup_at=now - timedelta(days=2), last_followup_at=now)
    api = bearer_client(world.owner)
    day = plan_day_for(world.owner, now).isoformat()
    drafted = call(api, "POST", "/plan/refresh", {"date": day})
    assert drafted.status_code == 200
    assert drafted.data["status"] == "draft"
    (proposed,) = drafted.data["items"]

    added = call(api, "POST", "/plan/items", {"date": day, "title": "准备样品"})
    assert added.status_code == 201
    assert (added.data["source"], added.data["title"], added.data["position"]) == ("manual", "准备样品", 2)

    moved = call(api, "POST", f"/plan/items/{added.data['id']}/move", {"direction": "up"})
    assert [item["title"] for item in moved.data["items"]] == ["准备样品", proposed["title"]]

    reordered = call(api, "POST", "/plan/reorder", {"date": day, "item_ids": [proposed["id"]]})
    assert [item["id"] for item in reordered.data["items"]] == [proposed["id"], added.data["id"]]

    dropped = call(api, "POST", f"/plan/items/{proposed['id']}/drop")
    assert dropped.data["dropped"] is True
    restored = call(api, "POST", f"/plan/items/{proposed['id']}/restore")
    assert (restored.data["dropped"], restored.data["position"]) == (False, 2)

    accepted = call(api, "POST", "/plan/accept", {"date": day})
    assert accepted.data["status"] == "accepted"
    assert accepted.data["accepted_at"].endswith("+08:00")

    done = call(api, "POST", f"/plan/items/{added.data['id']}/done", {"done": True})
    assert done.data["done_at"] is not None
    undone = call(api, "POST", f"/plan/items/{added.data['id']}/done", {"done": False})
    assert undone.data["done_at"] is None

    read = call(api, "GET", f"/plan?date={day}")
    # The restored item came back last.
    assert [(i["title"], i["position"]) for i in read.data["items"]] == [("准备样品", 1), (proposed["title"], 2)]


@pytest.mark.parametrize("role", ROLES)
def test_reading_the_owners_plan(world: OrgWorld, role: str) -> None:
    plan, _mine = owner_plan(world)
    before = fingerprint()
    response = call(session_client(user_for(world, role)), "GET", f"/plan?user={world.owner.pk}&date={plan.day}")
    expected = {"anonymous": 401, "owner": 200, "manager": 200, "director": 200, "admin": 200}.get(role, 404)
    assert response.status_code == expected
    if expected == 200:
        assert response.data["id"] == plan.pk
        assert [i["title"] for i in response.data["items"]][-1] == "整理客户资料"
    assert fingerprint() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/plan/items/{id}/move", {"direction": "up"}),
        ("/plan/items/{id}/drop", None),
        ("/plan/items/{id}/restore", None),
        ("/plan/items/{id}/done", {"done": True}),
    ],
)
def test_only_the_owner_changes_items(world: OrgWorld, role: str, path: str, body: Any) -> None:
    _plan, mine = owner_plan(world)
    before = fingerprint()
    response = call(session_client(user_for(world, role)), "POST", path.format(id=mine.pk), body)
    expected = {"anonymous": 401, "owner": 200, "manager": 403, "director": 403, "admin": 403}.get(role, 404)
    assert response.status_code == expected
    if expected != 200:
        assert fingerprint() == before


def test_manager_writes_only_their_own_plan(world: OrgWorld) -> None:
    plan, _mine = owner_plan(world)
    api = session_client(world.manager_north)
    before = fingerprint()
    # Reorder names the day, not the user: the manager has no plan of that day, so there is nothing to reorder.
    assert call(api, "POST", "/plan/reorder", {"date": plan.day.isoformat(), "item_ids": [1]}).status_code == 404
    assert fingerprint() == before
    assert call(api, "POST", "/plan/refresh", {}).status_code == 200
    assert DayPlan.objects.filter(user=world.manager_north).count() == 1
    assert PlanItem.objects.filter(plan=plan).count() == 2


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/plan/refresh", {"date": "2026-02-30"}, ["body", "date"]),
        ("/plan/refresh", {"date": "9999-12-31"}, ["body", "date"]),
        ("/plan/items", {"title": ""}, ["body", "title"]),
        ("/plan/items", {"title": "x" * 201}, ["body", "title"]),
        ("/plan/items", {"title": "拜访", "customer_id": 2**63}, ["body", "customer_id"]),
        ("/plan/items", {"title": "拜访", "customer_id": 987654}, ["body", "customer_id"]),
        ("/plan/reorder", {"item_ids": ["x"]}, ["body", "item_ids", 0]),
        ("/plan/items/{id}/move", {"direction": "sideways"}, ["body", "direction"]),
    ],
)
def test_bad_input_is_422_with_the_field(world: OrgWorld, path: str, body: Any, loc: list[Any]) -> None:
    _plan, mine = owner_plan(world)
    before = fingerprint()
    response = call(session_client(world.owner), "POST", path.format(id=mine.pk), body)
    assert response.status_code == 422, response.data
    assert response.data["detail"][0]["loc"] == loc
    assert fingerprint() == before


def test_bad_query_date_is_422(world: OrgWorld) -> None:
    for value in ["2026-02-30", "9999-12-31"]:
        response = call(session_client(world.owner), "GET", f"/plan?date={value}")
        assert response.status_code == 422
        assert response.data["detail"][0]["loc"] == ["query", "date"]


def test_absurd_ids_are_404(world: OrgWorld) -> None:
    api = session_client(world.owner)
    assert call(api, "GET", f"/plan?user={2**63 - 1}").status_code == 404
    assert call(api, "POST", f"/plan/items/{2**63 - 1}/drop").status_code == 404
    assert call(api, "POST", "/plan/items/99999999999999999999999/drop").status_code in (404, 422)


def test_a_past_day_cannot_be_drafted(world: OrgWorld) -> None:
    yesterday = today_for(timezone.now()) - timedelta(days=1)
    response = call(session_client(world.owner), "POST", "/plan/refresh", {"date": yesterday.isoformat()})
    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["body", "date"]
    assert not DayPlan.objects.exists()


def test_refused_accept_or_add_leaves_no_draft_behind(world: OrgWorld) -> None:
    api = session_client(world.owner)
    assert call(api, "POST", "/plan/accept", {}).status_code == 422
    assert call(api, "POST", "/plan/items", {"title": " "}).status_code == 422
    assert fingerprint() == [[], [], 0]
