"""The visit page on a phone: checkin.js reads the browser's position, posts it, and the visit ends
in a follow-up record; without a position the page says so and still checks in (flagged)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kam.activities.actions_visits import plan_visit
from kam.activities.models import Visit
from kam.activities.tests.fixtures_followups import Scene, make_scene, media_root  # noqa: F401
from kam.conftest import OrgWorld

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(world: OrgWorld) -> Scene:
    return make_scene(world)


@pytest.mark.parametrize("device", ["phone"])
def test_check_in_and_out_with_the_phone_position(
    page: Any,
    context: Any,
    url: Any,
    log_in: Any,
    scene: Scene,
    shot: Any,
    device: str,
) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now() - timedelta(minutes=5), purpose="方案演示")
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 39.91, "longitude": 116.397499, "accuracy": 20})
    log_in(scene.world.owner)
    page.goto(url(reverse("visit-detail", args=[visit.pk])))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot(page, "planned")

    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_text("相距142米")).to_be_visible()
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.status, stored.check_in_distance_m, stored.check_in_out_of_range) == ("in", 142, False)
    shot(page, "checked-in")

    page.get_by_role("button", name="签退", exact=True).click()
    expect(page).to_have_url(url(reverse("followup-create") + f"?visit={visit.pk}"))
    page.get_by_label("内容").fill("演示二期方案，客户认可")
    page.get_by_label("客户反馈").fill("希望月底前报价")
    page.get_by_label("王建国").check()
    page.get_by_role("button", name="保存跟进").click()
    expect(page).to_have_url(url(reverse("visit-detail", args=[visit.pk])))
    stored = Visit.objects.select_related("followup").get(pk=visit.pk)
    assert stored.status == "done"
    assert stored.followup is not None
    assert (stored.followup.kind, stored.followup.feedback) == ("visit", "希望月底前报价")
    assert [c.name for c in stored.followup.contacts.all()] == ["王建国"]
    shot(page, "done")


@pytest.mark.parametrize("device", ["phone"])
def test_denied_location_says_so_and_checks_in_flagged(
    page: Any,
    url: Any,
    log_in: Any,
    scene: Scene,
    device: str,
) -> None:
    visit = plan_visit(scene.world.owner, scene.customer, timezone.now())
    log_in(scene.world.owner)
    page.goto(url(reverse("visit-detail", args=[visit.pk])))
    # Stand in for a phone whose user refused the location prompt.
    page.evaluate("() => { navigator.geolocation.getCurrentPosition = (ok, fail) => fail({code: 1}); }")
    fallback = page.get_by_role("button", name="无定位签到")
    expect(fallback).to_have_count(0)  # offered only once the position failed
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_text("定位权限被拒绝", exact=False)).to_be_visible()
    fallback.click()
    expect(page.get_by_text("已保存，但没有定位，这次拜访已被标记。")).to_be_visible()
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.status, stored.check_in_latitude, stored.check_in_out_of_range) == ("in", None, True)
