"""Follow-up and visit pages: the access matrix, forms, the timeline on the customer page, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.activities.actions_followups import create_followup
from kam.activities.actions_visits import check_in, plan_visit
from kam.activities.models import FollowUp, Visit, VisitStatus
from kam.activities.tests.fixtures_followups import (  # noqa: F401 - media_root is an autouse fixture
    ROLES,
    Scene,
    client,
    db_state,
    make_customer,
    make_scene,
    media_dir,
    media_root,
    png,
    user_for,
)
from kam.conftest import OrgWorld
from kam.customers.models import Customer


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


def log(scene: Scene, hours_ago: int = 2, **fields: Any) -> FollowUp:
    author = fields.pop("author", scene.world.owner)
    customer = fields.pop("customer", scene.customer)
    data = {"kind": "call", "occurred_at": timezone.now() - timedelta(hours=hours_ago), "content": "电话沟通",
            "feedback": "", "next_step": "", "next_followup_at": None, **fields}  # fmt: skip
    return create_followup(author, customer, data)


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(scene: Scene, **changes: Any) -> dict[str, Any]:
    data = {
        "kind": "wechat",
        "occurred_at": local(timezone.now() - timedelta(hours=1)),
        "contacts": [scene.contact.pk],
        "content": "微信沟通交付排期",
        "feedback": "希望12月上线",
        "next_step": "确认排期",
        "next_followup_at": local(timezone.now() + timedelta(days=3)),
    }
    data.update(changes)
    return data


# --- access matrix ------------------------------------------------------------------------------

LOG = {"outsider": 404, "stranger": 404, "collaborator": 200, "owner": 200, "manager": 200}
READ = LOG
CHANGE = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 200, "manager": 200}


@pytest.mark.parametrize("role", ROLES)
def test_followup_create_page_matrix(scene: Scene, role: str) -> None:
    response = client(user_for(scene.world, role)).get(reverse("followup-create") + f"?customer={scene.customer.pk}")
    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == LOG[role]


@pytest.mark.parametrize("role", ROLES)
def test_followup_create_post_matrix(scene: Scene, role: str) -> None:
    before = db_state()
    url = reverse("followup-create") + f"?customer={scene.customer.pk}"
    response = client(user_for(scene.world, role)).post(url, form_data(scene))
    if role == "anonymous":
        assert_login_redirect(response)
    elif LOG[role] == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse("customer-detail", args=[scene.customer.pk])
        followup = FollowUp.objects.get()
        assert followup.author == user_for(scene.world, role)
        assert (followup.kind, followup.feedback, list(followup.contacts.all())) == (
            "wechat",
            "希望12月上线",
            [scene.contact],
        )
        assert Customer.objects.get(pk=scene.customer.pk).last_followup_at == followup.occurred_at
        return
    else:
        assert response.status_code == LOG[role]
    assert db_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_followup_detail_matrix(scene: Scene, role: str) -> None:
    followup = log(scene)
    response = client(user_for(scene.world, role)).get(reverse("followup-detail", args=[followup.pk]))
    if role == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == READ[role]
    if response.status_code == 200:
        assert "电话沟通" in response.content.decode()
        has_edit = reverse("followup-edit", args=[followup.pk]) in response.content.decode()
        assert has_edit is (CHANGE[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_followup_edit_matrix(scene: Scene, role: str) -> None:
    followup = log(scene)
    before = db_state()
    browser = client(user_for(scene.world, role))
    url = reverse("followup-edit", args=[followup.pk])
    page = browser.get(url)
    response = browser.post(url, form_data(scene, feedback="改了反馈"))
    if role == "anonymous":
        assert_login_redirect(page)
        assert_login_redirect(response)
    elif CHANGE[role] == 200:
        assert page.status_code == 200
        assert response.status_code == 302
        assert FollowUp.objects.get(pk=followup.pk).feedback == "改了反馈"
        return
    else:
        assert (page.status_code, response.status_code) == (CHANGE[role], CHANGE[role])
    assert db_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_followup_delete_matrix(scene: Scene, role: str) -> None:
    followup = log(scene)
    before = db_state()
    response = client(user_for(scene.world, role)).post(reverse("followup-delete", args=[followup.pk]))
    if role == "anonymous":
        assert_login_redirect(response)
    elif CHANGE[role] == 200:
        assert response.status_code == 302
        assert not FollowUp.objects.filter(pk=followup.pk).exists()
        return
    else:
        assert response.status_code == CHANGE[role]
    assert db_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_visit_pages_matrix(scene: Scene, role: str) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now() + timedelta(hours=1))
    browser = client(user_for(scene.world, role))
    detail = browser.get(reverse("visit-detail", args=[visit.pk]))
    create = browser.get(reverse("visit-create") + f"?customer={scene.customer.pk}")
    if role == "anonymous":
        assert_login_redirect(detail)
        assert_login_redirect(create)
        return
    assert (detail.status_code, create.status_code) == (READ[role], LOG[role])
    if detail.status_code == 200:
        # Only the visitor sees the check-in button.
        assert (reverse("visit-check-in", args=[visit.pk]) in detail.content.decode()) is (role == "owner")


CHECK = {"outsider": 404, "stranger": 404, "collaborator": 403, "owner": 302, "manager": 403}


@pytest.mark.parametrize("role", ROLES)
def test_check_in_matrix(scene: Scene, role: str) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now())
    before = db_state()
    response = client(user_for(scene.world, role)).post(
        reverse("visit-check-in", args=[visit.pk]),
        {"latitude": "39.910000", "longitude": "116.397499", "accuracy_m": "20"},
    )
    if role == "anonymous":
        assert_login_redirect(response)
    elif role == "owner":
        assert response.status_code == 302
        stored = Visit.objects.get(pk=visit.pk)
        assert (stored.status, stored.check_in_distance_m, stored.check_in_out_of_range) == ("in", 142, False)
        return
    else:
        assert response.status_code == CHECK[role]
    assert db_state() == before


def test_check_in_without_position_is_flagged_and_says_so(scene: Scene) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now())
    browser = client(scene.world.owner)
    response = browser.post(reverse("visit-check-in", args=[visit.pk]), {"latitude": "", "longitude": ""}, follow=True)
    assert "Saved without a position; the visit is flagged." in response.content.decode()
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.status, stored.check_in_latitude, stored.check_in_out_of_range) == ("in", None, True)


def test_check_out_leads_to_the_visit_followup_form(scene: Scene) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now() - timedelta(hours=1))
    check_in(scene.world.owner, visit, None, now=timezone.now() - timedelta(minutes=50))
    browser = client(scene.world.owner)
    response = browser.post(
        reverse("visit-check-out", args=[visit.pk]), {"latitude": "39.908722", "longitude": "116.397499"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("followup-create") + f"?visit={visit.pk}"
    page = browser.get(response["Location"])
    assert page.status_code == 200
    assert "Record the visit" in page.content.decode()
    saved = browser.post(response["Location"], form_data(scene, kind="call"))
    assert saved.status_code == 302
    assert saved["Location"] == reverse("visit-detail", args=[visit.pk])
    stored = Visit.objects.select_related("followup").get(pk=visit.pk)
    assert (stored.status, stored.stay_minutes, stored.followup.kind) == (VisitStatus.DONE, 50, "visit")


def test_bad_follow_up_form_is_422_with_field_errors_and_saves_nothing(scene: Scene) -> None:
    before = db_state()
    url = reverse("followup-create") + f"?customer={scene.customer.pk}"
    future = local(timezone.now() + timedelta(days=1))
    response = client(scene.world.owner).post(
        url, form_data(scene, occurred_at=future, contacts=[scene.hidden_contact.pk])
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "A follow-up cannot be in the future" not in body  # the form stops at the contact first
    assert "Select a valid choice" in body
    response = client(scene.world.owner).post(url, form_data(scene, occurred_at=future))
    assert response.status_code == 422
    assert "A follow-up cannot be in the future; plan a visit or a task instead." in response.content.decode()
    assert db_state() == before


def test_a_fake_photo_is_a_field_error_and_saves_nothing(scene: Scene) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = db_state()
    url = reverse("followup-create") + f"?customer={scene.customer.pk}"
    fake = SimpleUploadedFile("门头.jpg", b"this is not a picture", content_type="image/jpeg")
    response = client(scene.world.owner).post(url, {**form_data(scene), "attachments": [png(), fake]})
    assert response.status_code == 422
    assert "门头.jpg is not a readable JPEG, PNG or WebP image." in response.content.decode()
    assert db_state() == before
    assert not any(media_dir().rglob("*.*"))


def test_create_without_customer_is_404(scene: Scene) -> None:
    browser = client(scene.world.owner)
    assert browser.get(reverse("followup-create")).status_code == 404
    assert browser.get(reverse("followup-create") + "?customer=abc").status_code == 404
    assert browser.get(reverse("visit-create") + "?customer=99999999999999999999").status_code == 404


# --- lists --------------------------------------------------------------------------------------


def test_followup_list_shows_mine_and_the_managers_team(scene: Scene) -> None:
    w = scene.world
    mine = log(scene, content="我的电话")
    hidden = log(scene, author=w.stranger, customer=scene.hidden, content="别人的电话")
    owner_page = client(w.owner).get(reverse("followup-list")).content.decode()
    assert "我的电话" in owner_page
    assert "别人的电话" not in owner_page
    manager_page = client(w.manager_north).get(reverse("followup-list")).content.decode()
    assert "我的电话" in manager_page
    assert "别人的电话" not in manager_page
    stranger_page = client(w.stranger).get(reverse("followup-list") + "?scope=all").content.decode()
    assert "别人的电话" in stranger_page
    assert "我的电话" not in stranger_page
    assert mine.pk != hidden.pk


def test_followup_list_filters(scene: Scene) -> None:
    log(scene, hours_ago=24 * 10, kind="email", content="十天前的邮件")
    log(scene, hours_ago=1, content="刚打的电话")
    browser = client(scene.world.owner)
    emails = browser.get(reverse("followup-list") + "?kind=email").content.decode()
    assert "十天前的邮件" in emails
    assert "刚打的电话" not in emails
    today = timezone.localdate().isoformat()
    recent = browser.get(reverse("followup-list") + f"?date_from={today}&date_to={today}").content.decode()
    assert "刚打的电话" in recent
    assert "十天前的邮件" not in recent


def test_visit_list_upcoming_and_past(scene: Scene) -> None:
    w = scene.world
    plan_visit(w.owner, scene.customer, timezone.now() + timedelta(days=2), purpose="下周演示")
    plan_visit(w.owner, scene.customer, timezone.now() - timedelta(days=3), purpose="上周拜访")
    browser = client(w.owner)
    upcoming = browser.get(reverse("visit-list")).content.decode()
    past = browser.get(reverse("visit-list") + "?when=past").content.decode()
    assert "下周演示" in upcoming
    assert "上周拜访" not in upcoming
    assert "上周拜访" in past
    assert "下周演示" not in past
    assert "下周演示" not in client(w.stranger).get(reverse("visit-list") + "?scope=all").content.decode()


def count_queries(browser: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = browser.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_and_customer_pages_do_not_grow_with_rows(scene: Scene) -> None:
    w = scene.world
    browser = client(w.manager_north)
    urls = [
        reverse("followup-list"),
        reverse("visit-list"),
        reverse("customer-detail", args=[scene.customer.pk]),
        reverse("customer-timeline", args=[scene.customer.pk]) + "?offset=5",
    ]

    def add(count: int) -> None:
        for i in range(count):
            log(scene, hours_ago=i + 1, contacts=[scene.contact, scene.other_contact], feedback=f"反馈{i}")
            plan_visit(w.owner, scene.customer, timezone.now() + timedelta(days=i + 1), purpose=f"拜访{i}")

    add(3)
    few = [count_queries(browser, url) for url in urls]
    add(30)
    many = [count_queries(browser, url) for url in urls]
    assert few == many


# --- the customer 360 timeline -----------------------------------------------------------------


def test_customer_page_has_the_timeline_and_the_buttons(scene: Scene) -> None:
    log(scene, feedback="希望分期付款", next_step="发送分期方案")
    body = client(scene.world.collaborator).get(reverse("customer-detail", args=[scene.customer.pk])).content.decode()
    assert "希望分期付款" in body
    assert "发送分期方案" in body
    assert reverse("followup-create") + f"?customer={scene.customer.pk}" in body
    assert reverse("visit-create") + f"?customer={scene.customer.pk}" in body


def test_timeline_shows_20_then_more_via_htmx(scene: Scene) -> None:
    for i in range(25):
        log(scene, hours_ago=i + 1, content=f"第{i:02d}次电话")
    browser = client(scene.world.owner)
    body = browser.get(reverse("customer-detail", args=[scene.customer.pk])).content.decode()
    assert "第00次电话" in body
    assert "第19次电话" in body
    assert "第20次电话" not in body
    more_url = reverse("customer-timeline", args=[scene.customer.pk]) + "?offset=20"
    assert more_url in body
    more = browser.get(more_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in more
    assert [f"第{i:02d}次电话" in more for i in (19, 20, 24)] == [False, True, True]
    assert "offset=40" not in more


def test_timeline_is_refused_to_who_cannot_see_the_customer(scene: Scene) -> None:
    url = reverse("customer-timeline", args=[scene.customer.pk])
    assert client(scene.world.stranger).get(url).status_code == 404
    assert client(scene.world.outsider).get(url).status_code == 404
    assert client(scene.world.collaborator).get(url).status_code == 200


def test_a_pool_member_sees_no_log_buttons(scene: Scene) -> None:
    from kam.customers.models import Pool, PoolMember

    w = scene.world
    pool = Pool.objects.create(organization=w.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=w.teammate, is_admin=False)
    pooled = make_customer(w.admin, "天津远航物流有限公司", pool=pool)
    body = client(w.teammate).get(reverse("customer-detail", args=[pooled.pk])).content.decode()
    assert reverse("followup-create") + f"?customer={pooled.pk}" not in body
    assert client(w.teammate).get(reverse("followup-create") + f"?customer={pooled.pk}").status_code == 403


def test_only_the_visitor_opens_the_visit_record_form(scene: Scene) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now() - timedelta(hours=1))
    url = reverse("followup-create") + f"?visit={visit.pk}"
    assert client(scene.world.manager_north).get(url).status_code == 403
    assert client(scene.world.stranger).get(url).status_code == 404
    assert client(scene.world.owner).get(url).status_code == 200
