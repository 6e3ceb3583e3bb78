"""The Blue Sheet red flags of KAM_METHOD.md: each one present and absent, with its exact code and message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kam.core.models import AuditEntry
from kam.customers.actions import update_contact
from kam.sales.models import QualificationScore
from kam.sales.redflags import meddpicc_total, red_flags
from kam.sales.tests.fixtures_deals import make_customer, make_deal, stage_at
from kam.sales.tests.qualification_scene import BlueSheet, make_contact, make_influence, meet


def flags_of(deal, **kwargs):
    with translation.override("en"):
        return [(flag.code, flag.message) for flag in red_flags(deal, **kwargs)]


def test_full_blue_sheet_has_no_red_flag(world):
    sheet = BlueSheet(world.owner)
    assert flags_of(sheet.deal) == []


def test_deal_without_influences_misses_every_role(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    assert flags_of(deal) == [
        ("role_missing", "No economic buyer identified."),
        ("role_missing", "No user buyer identified."),
        ("role_missing", "No technical buyer identified."),
        ("no_coach", "No coach: nobody guides us through this deal."),
    ]


def test_no_coach_is_flagged_alone_when_the_other_roles_are_filled(world):
    sheet = BlueSheet(world.owner)
    sheet.coach_row.delete()
    assert flags_of(sheet.deal) == [("no_coach", "No coach: nobody guides us through this deal.")]


def test_missing_technical_buyer_is_named(world):
    sheet = BlueSheet(world.owner)
    sheet.tech_row.delete()
    assert flags_of(sheet.deal) == [("role_missing", "No technical buyer identified.")]


def test_influence_of_a_deleted_contact_does_not_fill_its_role(world):
    sheet = BlueSheet(world.owner)
    sheet.user.deleted_at = timezone.now()
    sheet.user.save(update_fields=["deleted_at"])
    assert flags_of(sheet.deal) == [("role_missing", "No user buyer identified.")]


@pytest.mark.parametrize(("rating", "shown"), [(-4, "−4"), (-5, "−5")])
def test_rating_of_minus_four_or_five_flags_the_person(world, rating, shown):
    sheet = BlueSheet(world.owner)
    sheet.user_row.rating = rating
    sheet.user_row.save(update_fields=["rating"])
    flags = red_flags(sheet.deal)
    assert [(f.code, f.contact) for f in flags] == [("low_rating", sheet.user)]
    assert flags_of(sheet.deal) == [("low_rating", f"李工 is strongly against our proposal (rating {shown}).")]


def test_rating_of_minus_three_is_no_red_flag(world):
    sheet = BlueSheet(world.owner)
    sheet.user_row.rating = -3
    sheet.user_row.save(update_fields=["rating"])
    assert flags_of(sheet.deal) == []


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("even_keel", "The economic buyer 王总 is in even-keel mode: they see no reason to change."),
        ("overconfident", "The economic buyer 王总 is overconfident: they see no need for our offer."),
    ],
)
def test_economic_buyer_in_even_keel_or_overconfident_mode_is_flagged(world, mode, message):
    sheet = BlueSheet(world.owner)
    sheet.economic_row.response_mode = mode
    sheet.economic_row.save(update_fields=["response_mode"])
    assert flags_of(sheet.deal) == [("economic_buyer_mode", message)]
    assert red_flags(sheet.deal)[0].contact == sheet.boss


@pytest.mark.parametrize("mode", ["growth", "trouble", ""])
def test_economic_buyer_in_growth_trouble_or_unknown_mode_is_no_flag(world, mode):
    sheet = BlueSheet(world.owner)
    sheet.economic_row.response_mode = mode
    sheet.economic_row.save(update_fields=["response_mode"])
    assert flags_of(sheet.deal) == []


def test_user_buyer_in_even_keel_mode_is_no_flag(world):
    sheet = BlueSheet(world.owner)
    sheet.user_row.response_mode = "even_keel"
    sheet.user_row.save(update_fields=["response_mode"])
    assert flags_of(sheet.deal) == []


def _added_days_ago(row, days):
    row.added_at = timezone.now() - timedelta(days=days)
    row.save(update_fields=["added_at"])
    return timezone.localtime(row.added_at).date().isoformat()


def test_person_added_in_the_last_14_days_past_the_first_stage_is_new(world):
    sheet = BlueSheet(world.owner, stage_position=2)
    day = _added_days_ago(sheet.tech_row, 3)
    assert flags_of(sheet.deal) == [("new_person", f"New person in the buying decision: 赵工 was added on {day}.")]


def test_person_added_recently_in_the_first_stage_is_not_new(world):
    sheet = BlueSheet(world.owner, stage_position=1)
    _added_days_ago(sheet.tech_row, 3)
    assert flags_of(sheet.deal) == []


def test_person_added_15_days_ago_is_no_longer_new(world):
    sheet = BlueSheet(world.owner, stage_position=3)
    _added_days_ago(sheet.tech_row, 15)
    assert flags_of(sheet.deal) == []


def test_changed_title_and_boss_of_an_influence_is_a_reorganisation(world):
    sheet = BlueSheet(world.owner)
    update_contact(world.owner, sheet.user, {"title": "生产副总", "reports_to": None})
    today = timezone.localdate().isoformat()
    assert flags_of(sheet.deal) == [
        ("reorganisation", f"Reorganisation around 李工: job title, reports to changed on {today}.")
    ]


def test_changed_department_is_a_reorganisation_but_a_new_phone_is_not(world):
    sheet = BlueSheet(world.owner)
    update_contact(world.owner, sheet.tech, {"phone": "010-88886666"})
    assert flags_of(sheet.deal) == []
    update_contact(world.owner, sheet.tech, {"department": "数字化部"})
    today = timezone.localdate().isoformat()
    assert flags_of(sheet.deal) == [("reorganisation", f"Reorganisation around 赵工: department changed on {today}.")]


def test_reorganisation_older_than_30_days_is_no_flag(world):
    sheet = BlueSheet(world.owner)
    update_contact(world.owner, sheet.user, {"title": "生产副总"})
    AuditEntry.objects.filter(entity="customers.contact", entity_id=sheet.user.pk).update(
        at=timezone.now() - timedelta(days=31)
    )
    assert flags_of(sheet.deal) == []


def test_change_of_a_contact_outside_the_deal_is_no_flag(world):
    sheet = BlueSheet(world.owner)
    other = make_contact(sheet.customer, "周会计", title="会计")
    update_contact(world.owner, other, {"title": "财务经理"})
    assert flags_of(sheet.deal) == []


def test_person_nobody_ever_met_is_flagged_with_their_roles(world):
    sheet = BlueSheet(world.owner)
    stranger = make_contact(sheet.customer, "钱主任", title="采购主任")
    make_influence(sheet.deal, stranger, "user")
    make_influence(sheet.deal, stranger, "coach")
    assert flags_of(sheet.deal) == [("unmet", "Nobody from our side has ever met 钱主任 (User buyer, Coach).")]


def test_person_last_met_over_90_days_ago_is_flagged_and_recent_meeting_clears_it(world):
    sheet = BlueSheet(world.owner)
    far = make_contact(sheet.customer, "钱主任")
    make_influence(sheet.deal, far, "technical")
    meet(world.teammate, [far], timezone.now() - timedelta(days=91))
    assert flags_of(sheet.deal) == [
        ("unmet", "Nobody from our side has met 钱主任 (Technical buyer) in the last 90 days.")
    ]
    meet(world.stranger, [far], timezone.now() - timedelta(days=89))
    assert flags_of(sheet.deal) == []


def test_messages_follow_the_active_language(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    boss = make_contact(deal.customer, "王总")
    make_influence(deal, boss, "economic", rating=-5, response_mode="overconfident")
    with translation.override("zh-hans"):
        messages = [flag.message for flag in red_flags(deal)]
    assert messages == [
        "未识别使用者。",
        "未识别技术把关人。",
        "没有教练：没有人指引我们推进这个商机。",
        "王总强烈反对我们的方案（评分 −5）。",
        "经济决策人王总处于过度自信模式：认为不需要我们的方案。",
        "我方还没有人见过王总（经济决策人）。",
    ]


def test_every_flag_of_one_deal_in_order(world):
    sheet = BlueSheet(world.owner, stage_position=2)
    sheet.coach_row.delete()
    sheet.economic_row.response_mode = "even_keel"
    sheet.economic_row.rating = -4
    sheet.economic_row.save(update_fields=["response_mode", "rating"])
    _added_days_ago(sheet.user_row, 1)
    update_contact(world.owner, sheet.tech, {"title": "CIO"})
    newcomer = make_contact(sheet.customer, "钱主任")
    make_influence(sheet.deal, newcomer, "technical")
    assert [code for code, _message in flags_of(sheet.deal)] == [
        "no_coach",
        "low_rating",
        "economic_buyer_mode",
        "new_person",
        "reorganisation",
        "unmet",
    ]


def _scene(owner, people, customer_name):
    customer = make_customer(owner, customer_name)
    deal = make_deal(owner, customer, stage_at(owner.organization, 3))
    roles = ["economic", "user", "technical", "coach"]
    for i in range(people):
        contact = make_contact(customer, f"联系人{i}", title="经理")
        make_influence(deal, contact, roles[i % 4] if i < 4 else "user", rating=-4, added_at=timezone.now())
        update_contact(owner, contact, {"title": "总监"})
        if i % 2:
            meet(owner, [contact], timezone.now() - timedelta(days=100))
    return deal


def test_red_flags_cost_the_same_queries_for_3_and_9_people(world):
    small = _scene(world.owner, 3, "北京冶金集团")
    large = _scene(world.owner, 9, "上海港务集团")
    counts = []
    for deal in (small, large):
        with CaptureQueriesContext(connection) as queries:
            red_flags(deal)
        counts.append(len(queries))
    # influences, the first-stage check, contact audit rows, last meetings.
    assert counts == [4, 4]
    # Nine people, each rated −4, new, reorganised and unmet; all four roles are filled.
    assert len(red_flags(large)) == 36


def test_meddpicc_total_sums_the_elements(world):
    deal = make_deal(world.owner, make_customer(world.owner, "北京冶金集团"))
    for element, score in (("metrics", 2), ("champion", 1), ("competition", 0)):
        QualificationScore.objects.create(organization=world.org, opportunity=deal, element=element, score=score)
    assert meddpicc_total(deal) == 3
