"""Manager reviews of account plans: who may review, what it changes, who is told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, Notification
from kam.planning.actions_account_plans import add_review
from kam.planning.models.account_plans import AccountPlanReview
from kam.planning.queries_account_plans import may_review, plan_access
from kam.planning.tests.fixtures_account_plans import PlanWorld, make_planned


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def planned(world: OrgWorld) -> PlanWorld:
    return make_planned(world)


def test_managers_above_the_owner_and_admins_review(planned: PlanWorld) -> None:
    w, plan = planned.w, planned.plan
    reviewers = {
        name: may_review(getattr(w, name), plan)
        for name in (
            "owner",
            "teammate",
            "stranger",
            "collaborator",
            "manager_north",
            "manager_east",
            "director",
            "admin",
            "outsider",
        )
    }
    assert reviewers == {
        "owner": False,
        "teammate": False,
        "stranger": False,
        "collaborator": False,
        "manager_north": True,
        "manager_east": False,
        "director": True,
        "admin": True,
        "outsider": False,
    }


def test_a_review_updates_last_reviewed_and_notifies_the_owner(planned: PlanWorld) -> None:
    w, plan = planned.w, planned.plan
    today = timezone.localdate()
    review = add_review(w.manager_north, plan, today - timedelta(days=2), "  目标太保守，华南要加码。 ")

    plan.refresh_from_db()
    assert (review.reviewer, review.comments, plan.last_reviewed_on) == (
        w.manager_north,
        "目标太保守，华南要加码。",
        today - timedelta(days=2),
    )
    [note] = Notification.objects.all()
    assert (note.user, note.kind, note.title, note.body, note.url) == (
        w.owner,
        "account_plan_review",
        "mgr_north 评审了你的客户规划：华为技术有限公司",
        "目标太保守，华南要加码。",
        f"/account-plans/{plan.pk}/",
    )
    assert list(
        AuditEntry.objects.filter(entity="planning.accountplan", action="update").values_list("field", "new")
    ) == [("last_reviewed_on", str(today - timedelta(days=2)))]


def test_an_older_review_does_not_move_last_reviewed_back(planned: PlanWorld) -> None:
    w, plan = planned.w, planned.plan
    today = timezone.localdate()
    add_review(w.director, plan, today, "好")
    add_review(w.manager_north, plan, today - timedelta(days=30), "补录上月评审")
    plan.refresh_from_db()
    assert plan.last_reviewed_on == today
    assert list(AccountPlanReview.objects.values_list("comments", flat=True)) == ["好", "补录上月评审"]
    assert Notification.objects.filter(user=w.owner).count() == 2


def test_reviews_are_refused_to_everyone_else(planned: PlanWorld) -> None:
    w, plan = planned.w, planned.plan
    day = timezone.localdate()
    for user in (w.owner, w.collaborator):
        with pytest.raises(PermissionDenied):
            add_review(user, plan, day, "自评")
    for user in (w.teammate, w.stranger, w.manager_east, w.outsider):
        with pytest.raises(Http404):
            add_review(user, plan, day, "越权")
    assert (AccountPlanReview.objects.count(), Notification.objects.count()) == (0, 0)
    plan.refresh_from_db()
    assert plan.last_reviewed_on is None


def test_a_review_needs_comments_and_no_future_date(planned: PlanWorld) -> None:
    w, plan = planned.w, planned.plan
    with pytest.raises(ValidationError) as caught:
        add_review(w.manager_north, plan, timezone.localdate() + timedelta(days=1), "提前评审")
    assert caught.value.message_dict == {"reviewed_on": ["A review cannot be dated in the future."]}
    with pytest.raises(ValidationError) as caught:
        add_review(w.manager_north, plan, date(2026, 1, 5), "   ")
    assert caught.value.message_dict == {"comments": ["Write what you told the plan owner."]}
    assert (AccountPlanReview.objects.count(), Notification.objects.count()) == (0, 0)


def test_an_admin_reviewing_their_own_plan_is_not_notified(world: OrgWorld) -> None:
    from kam.planning.actions_account_plans import create_plan
    from kam.planning.tests.fixtures_account_plans import customer_of

    plan = create_plan(world.admin, customer_of(world.admin, "国家电网"), {})
    add_review(world.admin, plan, timezone.localdate(), "自查")
    assert Notification.objects.count() == 0
    assert plan_access(world.admin, plan).review is True
