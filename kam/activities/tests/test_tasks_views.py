"""The task and request pages: access matrix (refusals change nothing), forms with field errors (422),
the htmx pieces (tick a task off, comment thread, due date while typing, pickers) and list costs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kam.activities import actions_requests
from kam.activities.actions_tasks import create_task, set_task_done
from kam.activities.models import CoordinationRequest, RequestStatus, Task
from kam.activities.tests.fixtures_tasks import (  # noqa: F401 - _english_messages is autouse
    PEOPLE,
    TODAY,
    Scene,
    _english_messages,
    at,
    db_state,
    english_client,
    make_customer,
    make_scene,
)
from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.tests.api_support import rolled_back
from kam.customers.actions import create_contact, set_collaborator
from kam.customers.models import CollaboratorAccess

PARTS = list(PEOPLE)
NOBODY = dict.fromkeys(PARTS, 404)
EVERYONE = dict.fromkeys(PARTS, 200)
TASK_SEEN = NOBODY | {"owner": 200, "manager": 200, "admin": 200}
ROLE_SEEN = NOBODY | {"role_user": 200, "owner": 200, "manager": 200, "admin": 200}
NAMED_SEEN = NOBODY | {"assignee": 200, "owner": 200, "manager": 200, "manager_east": 200, "admin": 200}

PAGES: list[tuple[str, Callable[[Scene], list[int]], dict[str, int]]] = [
    ("task-list", lambda s: [], EVERYONE),
    ("task-create", lambda s: [], EVERYONE),
    ("task-detail", lambda s: [s.task.pk], TASK_SEEN),
    ("request-list", lambda s: [], EVERYONE),
    ("request-create", lambda s: [], EVERYONE),
    ("request-detail", lambda s: [s.role_request.pk], ROLE_SEEN),
    ("request-detail", lambda s: [s.named_request.pk], NAMED_SEEN),
    # Without htmx the thread's own address sends the browser to the detail page's #comments.
    ("request-comments", lambda s: [s.named_request.pk], {p: 302 if c == 200 else c for p, c in NAMED_SEEN.items()}),
]


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_access_matrix(
    world: OrgWorld, name: str, args: Callable[[Scene], list[int]], expected: dict[str, int]
) -> None:
    scene = make_scene(world)
    url = reverse(name, args=args(scene))
    before = db_state()
    assert_login_redirect(english_client(None).get(url))
    got = {part: english_client(scene.user(part)).get(url).status_code for part in PARTS}
    assert got == expected
    assert db_state() == before


def _seen_as(base: dict[str, int], code: int, **changes: int) -> dict[str, int]:
    return {part: (code if status == 200 else status) for part, status in base.items()} | changes


POSTS: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    ("task-toggle", "task", {"done": "1"}, _seen_as(TASK_SEEN, 302)),
    ("task-delete", "task", {}, _seen_as(TASK_SEEN, 302)),
    ("task-detail", "task", {"title": "改名", "priority": "low"}, _seen_as(TASK_SEEN, 302)),
    ("request-accept", "role_request", {}, _seen_as(ROLE_SEEN, 403, role_user=302)),
    ("request-reject", "named_request", {"reason": "忙"}, _seen_as(NAMED_SEEN, 403, assignee=302)),
    ("request-complete", "named_request", {"result": "好"}, _seen_as(NAMED_SEEN, 403, assignee=409)),
    ("request-cancel", "role_request", {}, _seen_as(ROLE_SEEN, 403, owner=302)),
    ("request-comments", "named_request", {"body": "收到"}, _seen_as(NAMED_SEEN, 302)),
]


@pytest.mark.parametrize(("name", "target", "data", "expected"), POSTS, ids=[p[0] for p in POSTS])
def test_post_access_matrix_and_refusals_change_nothing(
    world: OrgWorld, name: str, target: str, data: dict[str, str], expected: dict[str, int]
) -> None:
    scene = make_scene(world)
    url = reverse(name, args=[scene.ids()[target]])
    assert_login_redirect(english_client(None).post(url, data))
    got = {}
    for part in PARTS:
        before = db_state()
        client = english_client(scene.user(part))
        response = rolled_back(partial(client.post, url, data))
        got[part] = response.status_code
        if response.status_code >= 400:
            assert db_state() == before, f"{part} was refused ({response.status_code}) but data changed"
    assert got == expected


# --- tasks ----------------------------------------------------------------------------------------


def test_create_a_task_from_the_customer_page_link(world: OrgWorld) -> None:
    scene = make_scene(world)
    contact = create_contact(world.owner, scene.customer, {"name": "张伟"})
    client = english_client(world.owner)
    page = client.get(reverse("task-create") + f"?customer={scene.customer.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{scene.customer.pk}" checked' in html
    assert f'<option value="{contact.pk}">张伟</option>' in html
    form = {"title": "送样品", "due_at": "2026-10-08T10:00", "remind_at": "2026-10-08T09:00", "priority": "high",
            "customer": scene.customer.pk, "contact": contact.pk, "notes": "两箱"}  # fmt: skip
    response = client.post(reverse("task-create"), form)
    assert (response.status_code, response["Location"]) == (302, reverse("task-list"))
    task = Task.objects.get(title="送样品")
    assert (task.due_at, task.remind_at, task.contact, task.notes) == (
        at(TODAY + timedelta(days=8), 10),
        at(TODAY + timedelta(days=8), 9),
        contact,
        "两箱",
    )


def test_a_bad_task_form_is_422_with_the_error_on_its_field(world: OrgWorld) -> None:
    client = english_client(world.owner)
    before = db_state()
    form = {"title": "送样品", "due_at": "2026-10-08T10:00", "remind_at": "2026-10-08T11:00", "priority": "high"}
    response = client.post(reverse("task-create"), form)
    assert response.status_code == 422
    assert response.context["form"].errors == {"remind_at": ["The reminder cannot be later than the due time."]}
    response = client.post(reverse("task-create"), {**form, "remind_at": "", "due_at": "3000-01-01T00:00"})
    assert response.context["form"].errors == {"due_at": ["Choose a date between 2000 and 2100."]}
    assert db_state() == before


def test_managers_assign_from_the_form_reps_do_not_see_the_field(world: OrgWorld) -> None:
    assert 'name="owner"' not in english_client(world.owner).get(reverse("task-create")).content.decode()
    manager = english_client(world.manager_north)
    assert 'name="owner"' in manager.get(reverse("task-create")).content.decode()
    response = manager.post(reverse("task-create"), {"title": "回访", "priority": "normal", "owner": world.owner.pk})
    assert response.status_code == 302
    assert Task.objects.get(title="回访").owner == world.owner


def test_htmx_checkbox_ticks_a_task_off_and_returns_its_row(world: OrgWorld) -> None:
    task = create_task(world.owner, {"title": "打电话", "due_at": at(TODAY, 9)})
    client = english_client(world.owner)
    url = reverse("task-toggle", args=[task.pk])
    response = client.post(url, {"done": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="task-{task.pk}" class="task-done">')
    assert "checked" in html
    task.refresh_from_db()
    assert task.done_at is not None
    response = client.post(url, {}, headers={"HX-Request": "true"})
    task.refresh_from_db()
    assert task.done_at is None
    assert 'class="task-overdue">' in response.content.decode()  # 2026-09-30 09:00 is long past


def test_task_list_marks_overdue_and_keeps_done_ones_on_their_tab(world: OrgWorld) -> None:
    late = create_task(world.owner, {"title": "逾期的事", "due_at": at(TODAY, 9)})
    create_task(world.owner, {"title": "以后的事", "due_at": at(TODAY.replace(year=2099), 9)})
    finished = create_task(world.owner, {"title": "做完的事"})
    set_task_done(world.owner, finished, True)
    client = english_client(world.owner)
    html = client.get(reverse("task-list")).content.decode()
    assert f'<tr id="task-{late.pk}" class="task-overdue">' in html
    assert html.index("逾期的事") < html.index("以后的事")
    assert "做完的事" not in html
    done = client.get(reverse("task-list") + "?tab=done").content.decode()
    assert "做完的事" in done
    assert "逾期的事" not in done
    partial = client.get(reverse("task-list") + "?priority=zzz", headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<section id="task-table"')
    assert "Some filters were not understood" in partial.content.decode()


def test_customer_picker_and_contact_options(world: OrgWorld) -> None:
    scene = make_scene(world)
    contact = create_contact(world.owner, scene.customer, {"name": "李娜"})
    owner, stranger = english_client(world.owner), english_client(world.stranger)
    url = reverse("work-customer-picker")
    assert f'value="{scene.customer.pk}"' in owner.get(url, {"customer_q": "星辰"}).content.decode()
    assert f'value="{scene.customer.pk}"' not in stranger.get(url, {"customer_q": "星辰"}).content.decode()
    options = reverse("task-contact-options")
    assert (
        f'<option value="{contact.pk}">李娜</option>'
        in owner.get(options, {"customer": scene.customer.pk}).content.decode()
    )
    assert "李娜" not in stranger.get(options, {"customer": scene.customer.pk}).content.decode()
    assert owner.get(options, {"customer": str(2**70)}).status_code == 200


# --- requests -------------------------------------------------------------------------------------


def test_ask_for_help_shows_the_due_date_and_creates_the_request(world: OrgWorld) -> None:
    scene = make_scene(world)
    client = english_client(world.owner)
    today = actions_requests.shanghai_today()
    due = workcal.add_workdays(today, 3, world.org.pk)
    preview = client.get(reverse("request-due-preview"), {"working_days": "3"}).content.decode()
    assert preview.strip() == f"Due on {due:%Y-%m-%d} ({due:%A})"
    assert (
        "Give between 1 and 60 working days."
        in client.get(reverse("request-due-preview"), {"working_days": "x"}).content.decode()
    )
    form = {"customer": scene.customer.pk, "role": "finance", "assignee": "", "kind": "contract",
            "subject": "合同审核", "detail": "付款条款", "working_days": "3"}  # fmt: skip
    response = client.post(reverse("request-create"), form)
    created = CoordinationRequest.objects.get(subject="合同审核")
    assert (response.status_code, response["Location"]) == (302, reverse("request-detail", args=[created.pk]))
    assert (created.role, created.assignee, created.due_date) == ("finance", None, due)


def test_a_bad_request_form_is_422_and_changes_nothing(world: OrgWorld) -> None:
    scene = make_scene(world)
    before = db_state()
    form = {"customer": scene.customer.pk, "role": "", "assignee": "", "kind": "contract",
            "subject": "合同审核", "working_days": "0"}  # fmt: skip
    response = english_client(world.owner).post(reverse("request-create"), form)
    assert response.status_code == 422
    assert response.context["form"].errors == {"working_days": ["Ensure this value is greater than or equal to 1."]}
    response = english_client(world.owner).post(reverse("request-create"), {**form, "working_days": "2"})
    assert response.context["form"].errors == {"assignee": ["Choose a colleague or a role to ask."]}
    assert db_state() == before


def test_colleague_picker_offers_active_colleagues_but_not_me(world: OrgWorld) -> None:
    client = english_client(world.owner)
    html = client.get(reverse("request-colleague-picker"), {"assignee_q": "o"}).content.decode()
    assert f'value="{world.owner.pk}"' not in html
    assert f'value="{world.collaborator.pk}"' in html
    assert f'value="{world.outsider.pk}"' not in html


def test_the_whole_exchange_on_the_detail_page(world: OrgWorld) -> None:
    scene = make_scene(world)
    owner, presales = english_client(world.owner), english_client(world.collaborator)
    item = scene.role_request
    detail = reverse("request-detail", args=[item.pk])
    page = presales.get(detail).content.decode()
    assert reverse("request-accept", args=[item.pk]) in page
    assert reverse("request-cancel", args=[item.pk]) not in page
    assert presales.post(reverse("request-accept", args=[item.pk]))["Location"] == detail
    thread = presales.post(reverse("request-comments", args=[item.pk]), {"body": "需要客户的网络拓扑"},
                           headers={"HX-Request": "true"})  # fmt: skip
    assert thread.status_code == 200
    assert thread.content.decode().startswith('<section id="comments"')
    assert "需要客户的网络拓扑" in thread.content.decode()
    empty = presales.post(reverse("request-comments", args=[item.pk]), {"body": ""}, headers={"HX-Request": "true"})
    assert (empty.status_code, "This field is required." in empty.content.decode()) == (200, True)
    refused = presales.post(reverse("request-complete", args=[item.pk]), {"result": ""})
    assert refused.status_code == 422
    presales.post(reverse("request-complete", args=[item.pk]), {"result": "方案见附件"})
    item.refresh_from_db()
    assert item.status == RequestStatus.DONE
    late = owner.post(reverse("request-cancel", args=[item.pk]))
    assert late.status_code == 409
    assert "This request is already completed; it cannot change any more." in late.content.decode()
    page = owner.get(detail).content.decode()
    assert "方案见附件" in page
    assert "需要客户的网络拓扑" in page


@pytest.mark.parametrize("name", ["task-list", "request-list"])
def test_list_pages_do_not_grow_with_rows(world: OrgWorld, django_assert_max_num_queries: Any, name: str) -> None:
    scene = make_scene(world)
    client: Client = english_client(world.manager_north)
    url = reverse(name) + "?scope=team&tab=team"

    def add_rows(n: int) -> None:
        for index in range(n):
            create_task(world.owner, {"title": f"任务{index}", "customer": scene.customer, "due_at": at(TODAY, 9)})
            actions_requests.create_request(
                world.owner,
                {"customer": scene.customer, "assignee": scene.service, "kind": "other", "subject": f"请求{index}",
                 "working_days": 1},
                today=TODAY,
            )  # fmt: skip

    add_rows(1)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    add_rows(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("任务1") + response.content.decode().count("请求1") >= 1


def test_a_manager_editing_a_task_keeps_a_customer_only_its_owner_can_open(world: OrgWorld) -> None:
    shared = make_customer(world.stranger, "上海共享客户有限公司")
    set_collaborator(world.stranger, shared, world.owner, CollaboratorAccess.READ)
    task = create_task(world.owner, {"title": "共享客户的事", "customer": shared})
    manager = english_client(world.manager_north)
    page = manager.get(reverse("task-detail", args=[task.pk])).content.decode()
    assert f'value="{shared.pk}" checked' in page
    form = {"title": "改个名", "priority": "normal", "customer": shared.pk, "owner": world.owner.pk}
    assert manager.post(reverse("task-detail", args=[task.pk]), form).status_code == 302
    task.refresh_from_db()
    assert (task.title, task.customer_id) == ("改个名", shared.pk)
