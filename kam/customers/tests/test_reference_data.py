"""The reference data loaded by migration 0002: industries, regions and city tiers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kam.customers.models import CityTier, Industry, Region, RegionLevel

pytestmark = pytest.mark.django_db


def test_industries_have_twenty_sections_and_ninety_seven_divisions() -> None:
    sections = Industry.objects.filter(section__isnull=True)
    assert sections.count() == 20
    assert list(sections.values_list("code", flat=True)) == list("ABCDEFGHIJKLMNOPQRST")
    divisions = Industry.objects.filter(section__isnull=False)
    assert divisions.count() == 97
    assert sorted(divisions.values_list("code", flat=True)) == [f"{i:02d}" for i in range(1, 98)]


def test_industry_names_and_sections_follow_gb_t_4754_2017() -> None:
    assert Industry.objects.get(code="I").name == "信息传输、软件和信息技术服务业"
    assert Industry.objects.get(code="D").name == "电力、热力、燃气及水生产和供应业"
    software = Industry.objects.get(code="65")
    assert (software.name, software.section_id) == ("软件和信息技术服务业", "I")
    assert Industry.objects.get(code="13").section_id == "C"
    assert Industry.objects.get(code="43").section_id == "C"
    assert Industry.objects.get(code="58").name == "多式联运和运输代理业"
    assert Industry.objects.get(code="96").name == "基层群众自治组织及其他组织"
    assert Industry.objects.get(code="97").section_id == "T"
    assert Industry.objects.get(code="C").divisions.count() == 31


def test_thirty_four_provinces_including_taiwan_hong_kong_macau() -> None:
    provinces = Region.objects.filter(level=RegionLevel.PROVINCE)
    assert provinces.count() == 34
    assert provinces.filter(parent__isnull=False).count() == 0
    names = set(provinces.values_list("name", flat=True))
    assert {"北京市", "广东省", "新疆维吾尔自治区", "台湾省", "香港特别行政区", "澳门特别行政区"} <= names


def test_every_city_has_a_province_parent() -> None:
    cities = Region.objects.filter(level=RegionLevel.CITY)
    assert cities.count() == 362
    assert not cities.exclude(parent__level=RegionLevel.PROVINCE).exists()
    assert all(code[:2] == parent[:2] for code, parent in cities.values_list("code", "parent_id"))


def test_every_mainland_province_has_a_city() -> None:
    without_city = Region.objects.filter(level=RegionLevel.PROVINCE, cities__isnull=True)
    assert sorted(without_city.values_list("code", flat=True)) == ["710000", "810000", "820000"]


def test_municipalities_are_their_own_city() -> None:
    for code, name in [("110100", "北京市"), ("120100", "天津市"), ("310100", "上海市"), ("500100", "重庆市")]:
        city = Region.objects.get(code=code)
        assert (city.name, city.level, city.parent_id) == (name, RegionLevel.CITY, code[:2] + "0000")
    assert Region.objects.filter(parent_id="500000").count() == 1
    assert not Region.objects.filter(name__in=["市辖区", "县", "省直辖县级行政区划"]).exists()


def test_shenzhen_is_440300_with_its_centre() -> None:
    shenzhen = Region.objects.get(code="440300")
    assert (shenzhen.name, shenzhen.parent_id) == ("深圳市", "440000")
    assert shenzhen.latitude is not None
    assert shenzhen.longitude is not None
    assert Decimal("22") < shenzhen.latitude < Decimal("23")
    assert Decimal("113") < shenzhen.longitude < Decimal("115")


def test_directly_administered_county_level_cities_are_kept() -> None:
    assert Region.objects.get(code="429004").name == "仙桃市"
    assert Region.objects.get(code="419001").parent_id == "410000"
    assert Region.objects.get(code="659001").name == "石河子市"


def test_source_corrections() -> None:
    assert not Region.objects.filter(code="371200").exists()  # 莱芜市, merged into 济南 in 2019
    assert Region.objects.get(code="540600").name == "那曲市"
    assert not Region.objects.filter(code__startswith="139").exists()


def test_shenzhen_is_first_tier_in_2025() -> None:
    assert CityTier.objects.get(version="2025", city_id="440300").tier == "一线"
    assert CityTier.objects.get(version="2025", city__name="东莞市").tier == "新一线"


def test_city_tier_list_2025() -> None:
    tiers = CityTier.objects.filter(version="2025")
    first = set(tiers.filter(tier="一线").values_list("city__name", flat=True))
    assert first == {"北京市", "上海市", "广州市", "深圳市"}
    assert tiers.filter(tier="新一线").count() == 15
    assert tiers.count() == 19
