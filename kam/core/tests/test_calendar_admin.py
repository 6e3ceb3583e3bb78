"""Admin console settings of the calendar area: the 节假日 page, the check-in radius, team group robots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from kam.conftest import OrgWorld
from kam.core import workcal
from kam.core.actions_holidays import add_holiday_override
from kam.core.models import AuditAction, HolidayOverride, Organization, Team
from kam.core.tests.admin_scene import audit_rows, english_client, org_fingerprint, query_count


@pytest.fixture(autouse=True)
def _fresh_workcal_cache() -> Iterator[None]:
    workcal.clear_caches()
    yield
    workcal.clear_caches()


# --- the holidays page ----------------------------------------------------------------------


def test_the_holidays_page_lists_the_statutory_year_and_the_overrides(world: OrgWorld) -> None:
    add_holiday_override(world.admin, day=date(2026, 12, 31), is_workday=False, name="年会")
    add_holiday_override(world.outsider, day=date(2026, 12, 30), is_workday=False, name="别家年会")
    response = english_client(world.admin).get(reverse("admin-holidays") + "?year=2026")
    assert response.status_code == 200
    statutory = response.context["statutory"]
    assert len(statutory) == 39  # 33 days off and 6 make-up workdays
    assert [(i.day.isoformat(), i.kind.value, i.name) for i in statutory[:4]] == [
        ("2026-01-01", "holiday", "New Year's Day"),
        ("2026-01-02", "holiday", "New Year's Day"),
        ("2026-01-03", "holiday", "New Year's Day"),
        ("2026-01-04", "makeup", "New Year's Day"),
    ]
    assert [(o.day, o.name) for o in response.context["overrides"]] == [(date(2026, 12, 31), "年会")]
    body = response.content.decode()
    assert "both agree on every day of the year" in body
    assert "别家年会" not in body
    assert "warning-box" not in body


def test_an_unknown_year_shows_the_warning_and_no_statutory_days(world: OrgWorld) -> None:
    response = english_client(world.admin).get(reverse("admin-holidays") + "?year=2027")
    body = response.content.decode()
    assert response.context["statutory"] == []
    assert "KAM does not know China&#x27;s statutory holidays and make-up workdays for 2027" in body
    assert "Neither package knows this year" in body


def test_a_year_with_a_disagreement_lists_it(world: OrgWorld) -> None:
    response = english_client(world.admin).get(reverse("admin-holidays") + "?year=2005")
    assert [row.day for row in response.context["comparison"].disagreements] == [date(2005, 12, 31)]
    assert "The holidays package disagrees on the days below" in response.content.decode()


@pytest.mark.parametrize("raw", ["abc", "1999", "2100", "99999999999999999999", ""])
def test_an_odd_year_shows_this_year(world: OrgWorld, raw: str) -> None:
    from django.utils import timezone

    response = english_client(world.admin).get(reverse("admin-holidays") + f"?year={raw}")
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_admin_adds_an_override_with_an_audit_row_and_it_counts_at_once(world: OrgWorld) -> None:
    assert workcal.is_workday(date(2027, 10, 8), world.org.pk) is True
    response = english_client(world.admin).post(
        reverse("admin-holiday-create"), {"day": "2027-10-08", "is_workday": "0", "name": "国庆节"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin-holidays") + "?year=2027"
    override = HolidayOverride.objects.get(organization=world.org)
    assert (override.day, override.is_workday, override.name) == (date(2027, 10, 8), False, "国庆节")
    assert audit_rows(override) == [(AuditAction.CREATE, "override", "", "休息日 国庆节")]
    assert workcal.is_workday(date(2027, 10, 8), world.org.pk) is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": "2026-12-31", "is_workday": "1", "name": ""}, "day"),  # already overridden
        ({"day": "1999-12-31", "is_workday": "0", "name": ""}, "day"),
        ({"day": "2026-02-30", "is_workday": "0", "name": ""}, "day"),
        ({"day": "", "is_workday": "0", "name": ""}, "day"),
        ({"day": "2026-12-01", "is_workday": "maybe", "name": ""}, "is_workday"),
        ({"day": "2026-12-01", "is_workday": "", "name": ""}, "is_workday"),
        ({"day": "2026-12-01", "is_workday": "0", "name": "长" * 51}, "name"),
    ],
)
def test_a_bad_override_is_a_field_error_and_changes_nothing(world: OrgWorld, data: dict[str, Any], field: str) -> None:
    add_holiday_override(world.admin, day=date(2026, 12, 31), is_workday=False, name="年会")
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(reverse("admin-holiday-create"), data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert org_fingerprint(world.org) == before


def test_admin_edits_and_deletes_an_override(world: OrgWorld) -> None:
    override = add_holiday_override(world.admin, day=date(2026, 12, 31), is_workday=False, name="年会")
    client = english_client(world.admin)
    page = client.get(reverse("admin-holiday-edit", args=[override.pk]))
    assert page.context["form"].initial == {"day": date(2026, 12, 31), "is_workday": "0", "name": "年会"}
    response = client.post(
        reverse("admin-holiday-edit", args=[override.pk]), {"day": "2026-12-30", "is_workday": "0", "name": "年会"}
    )
    assert response["Location"] == reverse("admin-holidays") + "?year=2026"
    assert workcal.is_workday(date(2026, 12, 30), world.org.pk) is False
    assert workcal.is_workday(date(2026, 12, 31), world.org.pk) is True
    bad = client.post(reverse("admin-holiday-edit", args=[override.pk]), {"day": "", "is_workday": "0"})
    assert bad.status_code == 422
    client.post(reverse("admin-holiday-delete", args=[override.pk]))
    assert not HolidayOverride.objects.exists()
    assert workcal.is_workday(date(2026, 12, 30), world.org.pk) is True
    assert audit_rows(override) == [
        (AuditAction.CREATE, "override", "", "休息日 年会"),
        (AuditAction.UPDATE, "day", "2026-12-31", "2026-12-30"),
        (AuditAction.PURGE, "override", "休息日 年会", ""),
    ]
    history = client.get(reverse("admin-holidays") + "?year=2026").context["history"]
    assert [row.label for row in history] == ["2026-12-30 · Override", "2026-12-30 · date", "2026-12-31 · Override"]


def test_the_holidays_page_query_count_does_not_grow_with_overrides(world: OrgWorld) -> None:
    client = english_client(world.admin)
    url = reverse("admin-holidays") + "?year=2026"
    for day in range(1, 4):
        add_holiday_override(world.admin, day=date(2026, 12, day), is_workday=False, name=f"假{day}")
    workcal.clear_caches()
    few = query_count(client, url)
    for day in range(4, 28):
        add_holiday_override(world.admin, day=date(2026, 12, day), is_workday=False, name=f"假{day}")
    workcal.clear_caches()
    assert query_count(client, url) == few


def test_the_admin_home_warns_about_the_unknown_next_year(world: OrgWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workcal, "warning_years", lambda today: [2026, 2027])
    body = english_client(world.admin).get(reverse("admin-home")).content.decode()
    assert "KAM does not know China&#x27;s statutory holidays and make-up workdays for 2027" in body
    assert reverse("admin-holidays") + "?year=2027" in body
    add_holiday_override(world.admin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    body = english_client(world.admin).get(reverse("admin-home")).content.decode()
    assert "statutory holidays" not in body


# --- check-in radius ---------------------------------------------------------------------------


def test_admin_sets_the_check_in_radius_with_an_audit_row(world: OrgWorld) -> None:
    data = {
        "name": "测试科技有限公司",
        "dedup_mode": "warn",
        "default_holding_limit": 200,
        "default_lock_limit": 20,
        "checkin_radius_m": 800,
    }
    client = english_client(world.admin)
    assert client.get(reverse("admin-organization")).context["org_form"].initial["checkin_radius_m"] == 500
    assert client.post(reverse("admin-organization"), data).status_code == 302
    org = Organization.objects.get(pk=world.org.pk)
    assert org.checkin_radius_m == 800
    assert audit_rows(org) == [(AuditAction.UPDATE, "checkin_radius_m", "500", "800")]


# --- team group robot --------------------------------------------------------------------------

DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=abc123"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6"


def test_admin_sets_a_dingtalk_robot_and_the_secret_is_audited_without_its_value(world: OrgWorld) -> None:
    client = english_client(world.admin)
    url = reverse("admin-team-edit", args=[world.beijing.pk])
    data = {"name": "北京一组", "kind": "team", "webhook_kind": "dingtalk", "webhook_url": DINGTALK}
    assert client.post(url, {**data, "webhook_secret": "SECabc"}).status_code == 302
    team = Team.objects.get(pk=world.beijing.pk)
    assert (team.webhook_kind, team.webhook_url, team.webhook_secret) == ("dingtalk", DINGTALK, "SECabc")
    assert audit_rows(team) == [
        (AuditAction.UPDATE, "webhook_kind", "", "钉钉群机器人"),
        (AuditAction.UPDATE, "webhook_url", "", DINGTALK),
        (AuditAction.UPDATE, "webhook_secret", "", ""),
    ]
    assert client.get(url).context["edit_form"].initial == {**data, "webhook_secret": "SECabc"}
    # Switching to WeCom and clearing the robot.
    client.post(url, {"name": "北京一组", "kind": "team", "webhook_kind": "wecom", "webhook_url": WECOM})
    team.refresh_from_db()
    assert (team.webhook_kind, team.webhook_url, team.webhook_secret) == ("wecom", WECOM, "")
    client.post(url, {"name": "北京一组", "kind": "team"})
    team.refresh_from_db()
    assert (team.webhook_kind, team.webhook_url, team.webhook_secret) == ("", "", "")


@pytest.mark.parametrize(
    ("robot", "field"),
    [
        ({"webhook_kind": "dingtalk", "webhook_url": "ftp://example.com/robot"}, "webhook_url"),
        ({"webhook_kind": "dingtalk", "webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"webhook_kind": "dingtalk", "webhook_url": "not a url"}, "webhook_url"),
        ({"webhook_kind": "dingtalk", "webhook_url": "https://" + "a" * 500 + ".com"}, "webhook_url"),
        ({"webhook_kind": "dingtalk", "webhook_url": ""}, "webhook_url"),
        ({"webhook_kind": "", "webhook_url": DINGTALK}, "webhook_kind"),
        ({"webhook_kind": "slack", "webhook_url": DINGTALK}, "webhook_kind"),
        ({"webhook_kind": "wecom", "webhook_url": WECOM, "webhook_secret": "SEC"}, "webhook_secret"),
        ({"webhook_kind": "dingtalk", "webhook_url": DINGTALK, "webhook_secret": "S" * 101}, "webhook_secret"),
    ],
)
def test_a_bad_robot_is_a_field_error_and_changes_nothing(world: OrgWorld, robot: dict[str, str], field: str) -> None:
    before = org_fingerprint(world.org)
    response = english_client(world.admin).post(
        reverse("admin-team-edit", args=[world.beijing.pk]), {"name": "北京一组", "kind": "team", **robot}
    )
    assert response.status_code == 200
    assert list(response.context["edit_form"].errors) == [field]
    assert org_fingerprint(world.org) == before


def test_the_robot_action_refuses_what_the_form_would(world: OrgWorld) -> None:
    from django.core.exceptions import ValidationError

    from kam.core.admin_actions import update_team

    with pytest.raises(ValidationError) as exc:
        update_team(world.admin, world.beijing, name="北京一组", kind="team", webhook_kind="wecom", webhook_url="")
    assert list(exc.value.message_dict) == ["webhook_url"]
    with pytest.raises(ValidationError) as exc:
        update_team(
            world.admin, world.beijing, name="北京一组", kind="team", webhook_kind="wecom", webhook_url="file:///x"
        )
    assert list(exc.value.message_dict) == ["webhook_url"]
