"""Buying influence and MEDDPICC writes: validation, the one-economic-buyer rule, audit rows on the deal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from kam.core.models import AuditEntry
from kam.sales import actions_qualification
from kam.sales.actions_qualification import add_influence, remove_influence, set_scores, update_influence
from kam.sales.models import BuyingInfluence, QualificationScore
from kam.sales.queries_qualification import meddpicc_total
from kam.sales.tests.fixtures_deals import make_customer, make_deal
from kam.sales.tests.qualification_scene import make_contact, make_influence


@pytest.fixture
def deal(world):
    customer = make_customer(world.owner, "北京冶金集团")
    return make_deal(world.owner, customer, members=((world.teammate, "read"), (world.collaborator, "write")))


def deal_audit(deal):
    rows = AuditEntry.objects.filter(entity="sales.opportunity", entity_id=deal.pk).order_by("id")
    return [(r.actor.username if r.actor else None, r.field, r.old, r.new) for r in rows]


def errors_of(call):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- influences ---------------------------------------------------------------------------------


def test_add_influence_stores_the_fields_and_audits_on_the_deal(world, deal):
    boss = make_contact(deal.customer, "王总")
    before = timezone.now()
    influence = add_influence(
        world.owner,
        deal,
        {
            "contact": boss,
            "role": "economic",
            "influence": "high",
            "response_mode": "growth",
            "rating": 3,
            "personal_win": "升任集团副总",
            "business_result": "吨钢成本降 5%",
            "notes": "",
        },
    )
    stored = BuyingInfluence.objects.get(pk=influence.pk)
    assert (stored.contact_id, stored.role, stored.influence, stored.response_mode, stored.rating) == (
        boss.pk,
        "economic",
        "high",
        "growth",
        3,
    )
    assert (stored.personal_win, stored.business_result, stored.organization_id) == (
        "升任集团副总",
        "吨钢成本降 5%",
        world.org.pk,
    )
    assert before <= stored.added_at <= timezone.now()
    assert deal_audit(deal) == [("owner", "采购影响者", "", "王总 · 经济决策人")]


def test_add_influence_takes_a_contact_id_and_defaults(world, deal):
    user = make_contact(deal.customer, "李工")
    influence = add_influence(world.collaborator, deal, {"contact": user.pk, "role": "user"})
    assert (influence.contact_id, influence.influence, influence.response_mode, influence.rating) == (
        user.pk,
        "medium",
        "",
        0,
    )


def test_add_influence_requires_contact_and_role(world, deal):
    assert errors_of(lambda: add_influence(world.owner, deal, {})) == {
        "contact": ["This field is required."],
        "role": ["This field is required."],
    }


def test_second_economic_buyer_is_refused_naming_the_current_one(world, deal):
    make_influence(deal, make_contact(deal.customer, "王总"), "economic")
    other = make_contact(deal.customer, "赵总")
    errors = errors_of(lambda: add_influence(world.owner, deal, {"contact": other, "role": "economic"}))
    assert errors == {"role": ["王总 is already the economic buyer of this deal; a deal has one economic buyer."]}
    assert BuyingInfluence.objects.filter(opportunity=deal).count() == 1


def test_economic_buyer_race_is_caught_by_the_database_constraint(world, deal, monkeypatch):
    make_influence(deal, make_contact(deal.customer, "王总"), "economic")
    other = make_contact(deal.customer, "赵总")
    # Another writer inserted the economic buyer after our check: only the constraint stops us.
    monkeypatch.setattr(actions_qualification, "_check_economic_buyer", lambda *args: None)
    errors = errors_of(lambda: add_influence(world.owner, deal, {"contact": other, "role": "economic"}))
    assert errors == {"role": ["王总 is already the economic buyer of this deal; a deal has one economic buyer."]}
    assert list(BuyingInfluence.objects.filter(opportunity=deal).values_list("contact__name", flat=True)) == ["王总"]
    assert deal_audit(deal) == []


def test_changing_a_role_to_economic_buyer_is_refused_when_taken(world, deal):
    make_influence(deal, make_contact(deal.customer, "王总"), "economic")
    coach = make_influence(deal, make_contact(deal.customer, "孙秘书"), "coach")
    errors = errors_of(lambda: update_influence(world.owner, deal, coach, {"role": "economic"}))
    assert errors == {"role": ["王总 is already the economic buyer of this deal; a deal has one economic buyer."]}
    coach.refresh_from_db()
    assert coach.role == "coach"


def test_economic_buyer_may_be_edited_and_kept(world, deal):
    boss = make_influence(deal, make_contact(deal.customer, "王总"), "economic")
    update_influence(world.owner, deal, boss, {"role": "economic", "rating": 4})
    boss.refresh_from_db()
    assert (boss.role, boss.rating) == ("economic", 4)


def test_economic_buyer_in_the_recycle_bin_makes_room_for_a_new_one(world, deal):
    gone = make_contact(deal.customer, "王总")
    make_influence(deal, gone, "economic")
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])
    new = add_influence(world.owner, deal, {"contact": make_contact(deal.customer, "赵总"), "role": "economic"})
    assert list(BuyingInfluence.objects.filter(opportunity=deal).values_list("pk", flat=True)) == [new.pk]
    assert deal_audit(deal) == [
        ("owner", "采购影响者", "王总 · 经济决策人", ""),
        ("owner", "采购影响者", "", "赵总 · 经济决策人"),
    ]


def test_same_person_in_the_same_role_twice_is_refused(world, deal):
    user = make_contact(deal.customer, "李工")
    make_influence(deal, user, "user")
    errors = errors_of(lambda: add_influence(world.owner, deal, {"contact": user, "role": "user"}))
    assert errors == {"contact": ["李工 already plays this role in this deal."]}


def test_same_person_may_hold_two_roles(world, deal):
    boss = make_contact(deal.customer, "王总")
    make_influence(deal, boss, "economic")
    add_influence(world.owner, deal, {"contact": boss, "role": "technical"})
    assert sorted(BuyingInfluence.objects.filter(opportunity=deal).values_list("role", flat=True)) == [
        "economic",
        "technical",
    ]


@pytest.mark.parametrize("rating", [6, -6, 99, "3", 2.5, True, None])
def test_rating_outside_minus_five_to_five_is_refused(world, deal, rating):
    contact = make_contact(deal.customer, "李工")
    errors = errors_of(lambda: add_influence(world.owner, deal, {"contact": contact, "role": "user", "rating": rating}))
    assert errors == {"rating": ["The rating runs from −5 to +5."]}
    assert BuyingInfluence.objects.count() == 0


def test_contact_of_another_customer_is_refused(world, deal):
    elsewhere = make_contact(make_customer(world.owner, "上海港务集团"), "周总")
    errors = errors_of(lambda: add_influence(world.owner, deal, {"contact": elsewhere, "role": "user"}))
    assert errors == {"contact": ["Choose a contact of this customer."]}


def test_deleted_contact_is_refused(world, deal):
    gone = make_contact(deal.customer, "李工", deleted_at=timezone.now())
    errors = errors_of(lambda: add_influence(world.owner, deal, {"contact": gone.pk, "role": "user"}))
    assert errors == {"contact": ["Choose a contact of this customer."]}


def test_unknown_choices_and_bad_texts_are_field_errors(world, deal):
    contact = make_contact(deal.customer, "李工")
    data = {
        "contact": contact,
        "role": "boss",
        "influence": "huge",
        "response_mode": "angry",
        "personal_win": "x" * 301,
        "business_result": "a\x00b",
        "notes": 5,
    }
    assert errors_of(lambda: add_influence(world.owner, deal, data)) == {
        "role": ["Choose one of the listed values."],
        "influence": ["Choose one of the listed values."],
        "response_mode": ["Choose one of the listed values."],
        "personal_win": ["Use at most 300 characters."],
        "business_result": ["Null characters are not allowed."],
        "notes": ["Enter text."],
    }


def test_update_influence_audits_each_changed_field_on_the_deal(world, deal):
    row = make_influence(deal, make_contact(deal.customer, "李工"), "user", rating=-2, influence="low")
    update_influence(world.owner, deal, row, {"rating": 4, "influence": "low", "response_mode": "trouble"})
    row.refresh_from_db()
    assert (row.rating, row.influence, row.response_mode) == (4, "low", "trouble")
    assert deal_audit(deal) == [
        ("owner", "采购影响者 · 李工 · 反应模式", "", "困境"),
        ("owner", "采购影响者 · 李工 · 评分（−5…+5）", "−2", "+4"),
    ]


def test_update_without_change_writes_nothing(world, deal):
    row = make_influence(deal, make_contact(deal.customer, "李工"), "user", rating=1)
    update_influence(world.owner, deal, row, {"rating": 1, "role": "user"})
    assert deal_audit(deal) == []


def test_update_may_move_the_influence_to_another_contact_of_the_customer(world, deal):
    row = make_influence(deal, make_contact(deal.customer, "李工"), "user")
    other = make_contact(deal.customer, "钱工")
    update_influence(world.owner, deal, row, {"contact": other.pk})
    row.refresh_from_db()
    assert row.contact_id == other.pk
    assert deal_audit(deal) == [("owner", "采购影响者 · 钱工 · 联系人", "李工", "钱工")]


def test_remove_influence_deletes_and_audits(world, deal):
    row = make_influence(deal, make_contact(deal.customer, "孙秘书"), "coach")
    remove_influence(world.owner, deal, row)
    assert BuyingInfluence.objects.filter(pk=row.pk).exists() is False
    assert deal_audit(deal) == [("owner", "采购影响者", "孙秘书 · 教练", "")]


def test_read_member_may_not_write_and_nothing_changes(world, deal):
    contact = make_contact(deal.customer, "李工")
    row = make_influence(deal, contact, "user")
    with pytest.raises(PermissionDenied):
        add_influence(world.teammate, deal, {"contact": contact, "role": "coach"})
    with pytest.raises(PermissionDenied):
        update_influence(world.teammate, deal, row, {"rating": 5})
    with pytest.raises(PermissionDenied):
        remove_influence(world.teammate, deal, row)
    with pytest.raises(PermissionDenied):
        set_scores(world.teammate, deal, {"metrics": (1, "节能 8%", None)})
    assert list(BuyingInfluence.objects.values_list("role", "rating")) == [("user", 0)]
    assert QualificationScore.objects.count() == 0
    assert deal_audit(deal) == []


@pytest.mark.parametrize("who", ["stranger", "outsider"])
def test_hidden_deal_is_missing_for_writes(world, deal, who):
    with pytest.raises(Http404):
        set_scores(getattr(world, who), deal, {"metrics": (0, "", None)})
    assert QualificationScore.objects.count() == 0


# --- MEDDPICC ------------------------------------------------------------------------------------


def scores_of(deal):
    rows = QualificationScore.objects.filter(opportunity=deal).order_by("id")
    return {r.element: (r.score, r.evidence, r.contact.name if r.contact else None) for r in rows}


def test_set_scores_creates_the_eight_rows_and_stores_values(world, deal):
    champion = make_contact(deal.customer, "孙秘书")
    rows = set_scores(
        world.owner,
        deal,
        {"metrics": (2, "  吨钢能耗降 8%，客户财务确认  ", None), "champion": (1, "主动提供内部评标信息", champion.pk)},
    )
    assert [r.element for r in rows] == [
        "metrics",
        "economic_buyer",
        "decision_criteria",
        "decision_process",
        "paper_process",
        "identified_pain",
        "champion",
        "competition",
    ]
    assert scores_of(deal) == {
        "metrics": (2, "吨钢能耗降 8%，客户财务确认", None),
        "economic_buyer": (0, "", None),
        "decision_criteria": (0, "", None),
        "decision_process": (0, "", None),
        "paper_process": (0, "", None),
        "identified_pain": (0, "", None),
        "champion": (1, "主动提供内部评标信息", "孙秘书"),
        "competition": (0, "", None),
    }
    assert QualificationScore.objects.get(opportunity=deal, element="metrics").updated_by == world.owner
    assert meddpicc_total(deal) == 3


def test_set_scores_audits_field_level_on_the_deal(world, deal):
    champion = make_contact(deal.customer, "孙秘书")
    set_scores(world.owner, deal, {"champion": (1, "提供评标信息", champion)})
    set_scores(world.owner, deal, {"champion": (2, "提供评标信息", champion)})
    assert deal_audit(deal) == [
        ("owner", "MEDDPICC · 内部支持者", "0", "1"),
        ("owner", "MEDDPICC · 内部支持者 · 依据", "", "提供评标信息"),
        ("owner", "MEDDPICC · 内部支持者 · 联系人", "", "孙秘书"),
        ("owner", "MEDDPICC · 内部支持者", "1", "2"),
    ]


def test_score_of_one_or_two_needs_evidence(world, deal):
    errors = errors_of(
        lambda: set_scores(world.owner, deal, {"metrics": (1, "   ", None), "competition": (2, "", None)})
    )
    assert errors == {"metrics_evidence": ["State the evidence."], "competition_evidence": ["State the evidence."]}
    assert QualificationScore.objects.count() == 0


def test_evidence_message_in_chinese(world, deal):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        set_scores(world.owner, deal, {"metrics": (1, "", None)})
    assert caught.value.message_dict == {"metrics_evidence": ["请写明依据"]}


def test_score_zero_needs_no_evidence(world, deal):
    set_scores(world.owner, deal, {"metrics": (0, "", None)})
    assert meddpicc_total(deal) == 0


@pytest.mark.parametrize("score", [3, -1, "1", 1.0, True, None])
def test_score_outside_zero_to_two_is_refused(world, deal, score):
    errors = errors_of(lambda: set_scores(world.owner, deal, {"metrics": (score, "依据", None)}))
    assert errors == {"metrics_score": ["Score 0 (unknown), 1 (identified) or 2 (validated with the buyer)."]}


def test_unknown_element_is_refused(world, deal):
    errors = errors_of(lambda: set_scores(world.owner, deal, {"foo": (1, "依据", None), "metrics": (1, "依据", None)}))
    assert errors == {"foo": ["Unknown MEDDPICC element."]}
    assert QualificationScore.objects.count() == 0


def test_only_economic_buyer_and_champion_name_a_contact(world, deal):
    contact = make_contact(deal.customer, "李工")
    errors = errors_of(lambda: set_scores(world.owner, deal, {"metrics": (1, "依据", contact.pk)}))
    assert errors == {"metrics_contact": ["Only the economic buyer and the champion name a contact."]}


def test_champion_of_another_customer_is_refused(world, deal):
    elsewhere = make_contact(make_customer(world.owner, "上海港务集团"), "周总")
    errors = errors_of(lambda: set_scores(world.owner, deal, {"champion": (1, "依据", elsewhere.pk)}))
    assert errors == {"champion_contact": ["Choose a contact of this customer."]}


def test_economic_buyer_contact_defaults_to_the_economic_buyer_influence(world, deal):
    make_influence(deal, make_contact(deal.customer, "王总"), "economic")
    set_scores(world.owner, deal, {"metrics": (1, "节能 8%", None)})
    assert scores_of(deal)["economic_buyer"] == (0, "", "王总")
    set_scores(world.owner, deal, {"economic_buyer": (1, "王总确认预算", None)})
    assert scores_of(deal)["economic_buyer"] == (1, "王总确认预算", "王总")


def test_chosen_economic_buyer_contact_is_kept(world, deal):
    make_influence(deal, make_contact(deal.customer, "王总"), "economic")
    cfo = make_contact(deal.customer, "钱总")
    set_scores(world.owner, deal, {"economic_buyer": (1, "钱总批预算", cfo)})
    set_scores(world.owner, deal, {"metrics": (1, "节能", None)})
    assert scores_of(deal)["economic_buyer"] == (1, "钱总批预算", "钱总")


def test_total_sums_the_eight_scores_up_to_16(world, deal):
    make_influence(deal, make_contact(deal.customer, "王总"), "economic")
    set_scores(
        world.owner, deal, {element: (2, "已与客户确认", None) for element in actions_qualification.ELEMENT_ORDER}
    )
    assert meddpicc_total(deal) == 16


def test_total_of_a_deal_without_scores_is_zero(world, deal):
    assert meddpicc_total(deal) == 0


def test_write_member_may_score(world, deal):
    set_scores(world.collaborator, deal, {"identified_pain": (1, "停机损失大", None)})
    assert meddpicc_total(deal) == 1
    assert deal_audit(deal)[0] == ("collab", "MEDDPICC · 已识别痛点", "0", "1")


def test_unchanged_scores_write_no_audit(world, deal):
    set_scores(world.owner, deal, {"metrics": (1, "节能", None)})
    set_scores(world.owner, deal, {"metrics": (1, "节能", None)})
    assert len(deal_audit(deal)) == 2


def test_new_person_clock_uses_added_at_now(world, deal):
    row = add_influence(world.owner, deal, {"contact": make_contact(deal.customer, "李工"), "role": "user"})
    assert timezone.now() - row.added_at < timedelta(minutes=1)
