"""The plan page and its htmx edits: who may open and change what, and what the rep sees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, User
from kam.customers.models import Customer
from kam.planning.actions_plan import accept_plan, add_item, refresh_plan, set_item_dropped
from kam.planning.models import DayPlan, PlanItem, PlanStatus
from kam.planning.plan import plan_day_for, today_for
from kam.planning.tests.fixtures_plan import customer

pytestmark = pytest.mark.django_db

ROLES = ["outsider", "stranger", "teammate", "collaborator", "owner", "manager", "director", "admin"]


def client(user: User | None, htmx: bool = False) -> Client:
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    c = Client(**headers)  # type: ignore[arg-type]
    if user is not None:
        c.force_login(user)
    return c


def user_for(world: OrgWorld, role: str) -> User:
    return world.manager_north if role == "manager" else getattr(world, role)


def fingerprint() -> list[object]:
    return [
        list(DayPlan.objects.order_by("id").values_list("id", "status", "accepted_at")),
        list(PlanItem.objects.order_by("id").values_list("id", "position", "dropped", "done_at", "title")),
        AuditEntry.objects.count(),
    ]


def day_of(user: User) -> date:
    return plan_day_for(user, timezone.now())


def owner_plan(world: OrgWorld) -> tuple[DayPlan, PlanItem]:
    """The owner's draft for their next working day: one proposed item and one of their own."""
    now = timezone.now()
    customer(world.owner, "晨星科技有限公司", "A", next_followup_at=now - timedelta(days=2), last_followup_at=now)
    plan = refresh_plan(world.owner, day_of(world.owner), now)
    mine = add_item(world.owner, plan, "整理客户资料", now)
    return plan, mine


# --- access matrix ------------------------------------------------------------------------------

READ_OTHERS = {
    "outsider": 404,
    "stranger": 404,
    "teammate": 404,
    "collaborator": 404,
    "owner": 200,
    "manager": 200,
    "director": 200,
    "admin": 200,
}


def test_anonymous_is_sent_to_login(world: OrgWorld) -> None:
    plan, mine = owner_plan(world)
    before = fingerprint()
    for url, method in [
        (reverse("plan"), "get"),
        (reverse("plan-refresh"), "post"),
        (reverse("plan-accept"), "post"),
        (reverse("plan-item-add"), "post"),
        (reverse("plan-item-move", args=[mine.pk]), "post"),
        (reverse("plan-item-drop", args=[mine.pk]), "post"),
        (reverse("plan-item-restore", args=[mine.pk]), "post"),
        (reverse("plan-item-done", args=[mine.pk]), "post"),
    ]:
        response = getattr(client(None), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next=")
    assert fingerprint() == before


@pytest.mark.parametrize("role", ROLES)
def test_reading_the_owners_plan(world: OrgWorld, role: str) -> None:
    owner_plan(world)
    before = fingerprint()
    response = client(user_for(world, role)).get(reverse("plan"), {"user": world.owner.pk})
    assert response.status_code == READ_OTHERS[role]
    if response.status_code == 200:
        html = response.content.decode()
        assert "整理客户资料" in html
        assert "晨星科技有限公司" in html
        # Someone else's plan is read-only: no edit buttons.
        assert (reverse("plan-item-drop", args=[PlanItem.objects.get(title="整理客户资料").pk]) in html) == (
            role == "owner"
        )
    assert fingerprint() == before


@pytest.mark.parametrize("role", ROLES)
def test_everyone_opens_their_own_plan(world: OrgWorld, role: str) -> None:
    assert client(user_for(world, role)).get(reverse("plan")).status_code == 200


@pytest.mark.parametrize("name", ["plan-item-move", "plan-item-drop", "plan-item-restore", "plan-item-done"])
@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_changes_items(world: OrgWorld, role: str, name: str) -> None:
    plan, mine = owner_plan(world)
    before = fingerprint()
    data = {"direction": "down", "done": "1"}
    response = client(user_for(world, role)).post(reverse(name, args=[mine.pk]), data)
    expected = {"owner": 302, "manager": 403, "director": 403, "admin": 403}.get(role, 404)
    assert response.status_code == expected
    if expected != 302:
        assert fingerprint() == before


def test_missing_item_is_404(world: OrgWorld) -> None:
    assert client(world.owner).post(reverse("plan-item-drop", args=[987654])).status_code == 404


@pytest.mark.parametrize("user_param", ["abc", "-1", "99999999999999999999999", "987654"])
def test_bad_user_parameter_is_404(world: OrgWorld, user_param: str) -> None:
    assert client(world.manager_north).get(reverse("plan"), {"user": user_param}).status_code == 404


def test_pages_post_writes_only_the_posters_own_plan(world: OrgWorld) -> None:
    owner_plan(world)
    response = client(world.manager_north).post(reverse("plan-refresh"), {"date": day_of(world.manager_north)})
    assert response.status_code == 302
    assert DayPlan.objects.filter(user=world.manager_north).count() == 1
    assert DayPlan.objects.filter(user=world.owner).count() == 1


# --- what the rep sees --------------------------------------------------------------------------


def test_without_a_plan_the_page_shows_the_proposal(world: OrgWorld) -> None:
    now = timezone.now()
    customer(world.owner, "晨星科技有限公司", "A", next_followup_at=now - timedelta(days=2), last_followup_at=now)
    response = client(world.owner).get(reverse("plan"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["day"] == day_of(world.owner)
    assert "Follow up with 晨星科技有限公司" in html
    assert "Make this my plan" in html
    (candidate,) = response.context["candidates"]
    assert f"{candidate.score:.1f}" in html
    assert not DayPlan.objects.exists()


def test_make_reorder_drop_add_and_accept_through_htmx(world: OrgWorld) -> None:
    now = timezone.now()
    day = day_of(world.owner)
    customer(world.owner, "晨星科技有限公司", "A", next_followup_at=now - timedelta(days=2), last_followup_at=now)
    rep = client(world.owner, htmx=True)
    response = rep.post(reverse("plan-refresh"), {"date": day.isoformat()})
    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="plan-editor"')
    plan = DayPlan.objects.get(user=world.owner, day=day)

    response = rep.post(reverse("plan-item-add"), {"date": day.isoformat(), "title": "准备样品", "customer": ""})
    assert "准备样品" in response.content.decode()
    mine = PlanItem.objects.get(plan=plan, title="准备样品")
    rep.post(reverse("plan-item-move", args=[mine.pk]), {"direction": "up"})
    assert list(PlanItem.objects.filter(plan=plan).order_by("position").values_list("title", flat=True)) == [
        "准备样品",
        "Follow up with 晨星科技有限公司",
    ]
    proposed = PlanItem.objects.get(plan=plan, source="followup_due")
    response = rep.post(reverse("plan-item-drop", args=[proposed.pk]))
    assert "1 dropped item" in response.content.decode()
    response = rep.post(reverse("plan-accept"), {"date": day.isoformat()})
    assert "Accepted" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED
    rep.post(reverse("plan-item-done", args=[mine.pk]), {"done": "1"})
    assert PlanItem.objects.get(pk=mine.pk).done_at is not None


def test_plain_form_posts_redirect_back_to_the_day(world: OrgWorld) -> None:
    day = day_of(world.owner)
    response = client(world.owner).post(reverse("plan-item-add"), {"date": day.isoformat(), "title": "准备样品"})
    assert response.status_code == 302
    assert response["Location"] == f"/plan/?date={day.isoformat()}"
    assert PlanItem.objects.filter(plan__user=world.owner, title="准备样品").exists()


def test_refused_posts_show_the_error_and_change_nothing(world: OrgWorld) -> None:
    plan, mine = owner_plan(world)
    teammates = customer(world.teammate, "队友客户有限公司", "B")
    day = plan.day
    before = fingerprint()
    rep = client(world.owner)
    cases = [
        (reverse("plan-item-add"), {"date": day.isoformat(), "title": ""}, "This field is required."),
        (
            reverse("plan-item-add"),
            {"date": day.isoformat(), "title": "x", "customer": teammates.pk},
            "Select a valid choice.",
        ),
        (reverse("plan-refresh"), {"date": "2026-02-30"}, "Enter a valid date."),
        (reverse("plan-refresh"), {"date": "9999-12-31"}, "Choose a day within a year of today."),
        (reverse("plan-refresh"), {"date": (today_for(timezone.now()) - timedelta(days=1)).isoformat()}, "past day"),
    ]
    for url, data, message in cases:
        response = rep.post(url, data)
        assert response.status_code == 422, data
        assert message in response.content.decode(), data
        partial = client(world.owner, htmx=True).post(url, data)
        assert partial.status_code == 200
        assert message in partial.content.decode()
    assert fingerprint() == before


def test_a_bad_date_on_the_page_falls_back_to_the_next_working_day(world: OrgWorld) -> None:
    for value in ["garbage", "2026-13-01", "9999-12-31"]:
        response = client(world.owner).get(reverse("plan"), {"date": value})
        assert response.status_code == 200
        assert response.context["day"] == day_of(world.owner)
        assert response.context["day_form"].errors


def test_a_past_day_without_a_plan_says_so(world: OrgWorld) -> None:
    yesterday = today_for(timezone.now()) - timedelta(days=1)
    response = client(world.owner).get(reverse("plan"), {"date": yesterday.isoformat()})
    assert "No plan was made for this day." in response.content.decode()
    assert "Make this my plan" not in response.content.decode()


def test_dropped_items_are_listed_apart_with_restore(world: OrgWorld) -> None:
    plan, mine = owner_plan(world)
    set_item_dropped(world.owner, mine, True, timezone.now())
    response = client(world.owner).get(reverse("plan"), {"date": plan.day.isoformat()})
    assert [item.title for item in response.context["dropped"]] == ["整理客户资料"]
    assert reverse("plan-item-restore", args=[mine.pk]) in response.content.decode()


def test_manager_picks_a_team_member(world: OrgWorld) -> None:
    response = client(world.manager_north).get(reverse("plan"))
    people = {person.username for person in response.context["people"]}
    assert people == {"owner", "teammate", "mgr_north"}
    assert client(world.owner).get(reverse("plan")).context["people"] == []


# --- the home page agenda -------------------------------------------------------------------------


def test_home_prompts_for_todays_plan(world: OrgWorld) -> None:
    html = client(world.owner).get("/").content.decode()
    today = today_for(timezone.now())
    assert "You have no plan for today." in html
    assert f'href="/plan/?date={today.isoformat()}"' in html
    assert '<a href="/plan/">Plan the next working day</a>' in html
    assert "Next plan:" not in html


def test_home_links_the_next_plan_made(world: OrgWorld) -> None:
    plan, _mine = owner_plan(world)
    html = client(world.owner).get("/").content.decode()
    assert f'href="/plan/?date={plan.day.isoformat()}">Next plan: {plan.day:%A}, {plan.day.isoformat()}</a>' in html


def _todays_agenda(world: OrgWorld) -> tuple[DayPlan, PlanItem]:
    now = timezone.now()
    plan = refresh_plan(world.owner, today_for(now), now)
    item = add_item(world.owner, plan, "拜访晨星科技", now)
    add_item(world.owner, plan, "被放弃的事", now)
    set_item_dropped(world.owner, PlanItem.objects.get(title="被放弃的事"), True, now)
    return plan, item


def test_home_shows_a_draft_for_today_as_a_prompt(world: OrgWorld) -> None:
    _todays_agenda(world)
    html = client(world.owner).get("/").content.decode()
    assert "Your plan for today is still a draft." in html
    assert "拜访晨星科技" not in html


def test_home_shows_the_accepted_plan_and_ticks_items(world: OrgWorld) -> None:
    plan, item = _todays_agenda(world)
    accept_plan(world.owner, plan, timezone.now())
    html = client(world.owner).get("/").content.decode()
    assert "拜访晨星科技" in html
    assert "被放弃的事" not in html
    assert "0 of 1 done" in html
    response = client(world.owner, htmx=True).post(
        reverse("plan-item-done", args=[item.pk]), {"done": "1", "view": "agenda"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<section id="agenda"')
    assert "1 of 1 done" in body
    assert "checked" in body
    client(world.owner, htmx=True).post(reverse("plan-item-done", args=[item.pk]), {"view": "agenda"})
    assert PlanItem.objects.get(pk=item.pk).done_at is None


def test_home_agenda_tick_is_refused_to_others(world: OrgWorld) -> None:
    plan, item = _todays_agenda(world)
    accept_plan(world.owner, plan, timezone.now())
    before = fingerprint()
    data = {"done": "1", "view": "agenda"}
    assert client(world.teammate, htmx=True).post(reverse("plan-item-done", args=[item.pk]), data).status_code == 404
    assert (
        client(world.manager_north, htmx=True).post(reverse("plan-item-done", args=[item.pk]), data).status_code == 403
    )
    assert fingerprint() == before


def test_home_does_not_show_someone_elses_agenda(world: OrgWorld) -> None:
    plan, item = _todays_agenda(world)
    accept_plan(world.owner, plan, timezone.now())
    assert "拜访晨星科技" not in client(world.manager_north).get("/").content.decode()
    assert Customer.objects.count() == 0


def test_accepting_an_empty_day_leaves_no_draft_behind(world: OrgWorld) -> None:
    day = day_of(world.owner).isoformat()
    response = client(world.owner).post(reverse("plan-accept"), {"date": day})
    assert response.status_code == 422
    assert "Add at least one item before accepting the plan." in response.content.decode()
    assert fingerprint() == [[], [], 0]
