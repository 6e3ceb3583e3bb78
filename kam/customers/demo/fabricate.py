"""Seeded fabrication of realistic Chinese customers and contacts, shared by the demo and the large dataset.

Everything random comes from one `random.Random(seed)` and one seeded Faker, in a fixed call order,
so the same seed always gives the same data. Nothing here writes to the database.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from faker import Faker
from pypinyin import lazy_pinyin

from kam.core.china import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    normalize_company_name,
    org_code_check_char,
    phone_key,
)
from kam.customers.demo import vocab
from kam.customers.models import CityTier, Industry, Region, RegionLevel

CITY_TIER_VERSION = "2025"
TIER_WEIGHTS = {"A": 15, "B": 30, "C": 55}
# 港澳台 have no mainland credit codes or mobiles; keep them out of generated customers.
EXCLUDED_PROVINCES = ("71", "81", "82")
MUNICIPALITIES = ("11", "12", "31", "50")
_WEIGHT_BY_CITY_TIER = {"一线": 14, "新一线": 6}
_FOLLOWUP_WINDOW = {"A": 90, "B": 60, "C": 30}  # the pool rules' no-follow-up days per tier
NOT_WON_LIMIT_DAYS = 180  # the pool rule "not won within 180 days"


@dataclass(frozen=True)
class City:
    code: str
    name: str
    short: str
    province_code: str
    province_name: str
    latitude: Decimal
    longitude: Decimal
    tier: str
    weight: int


def _short_city_name(name: str) -> str:
    if "自治州" in name:
        return name[:2]
    for suffix in ("地区", "市", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass
class Reference:
    """The shipped reference rows, loaded once: cities with a weight, divisions of industries."""

    cities: list[City]
    divisions: dict[str, Industry]
    regions: dict[str, Region]

    @classmethod
    def load(cls) -> Reference:
        regions = Region.objects.in_bulk()
        tiers = dict(CityTier.objects.filter(version=CITY_TIER_VERSION).values_list("city_id", "tier"))
        cities = []
        for region in sorted(regions.values(), key=lambda r: r.code):
            if region.level != RegionLevel.CITY or region.code[:2] in EXCLUDED_PROVINCES:
                continue
            if region.parent_id is None or region.latitude is None or region.longitude is None:
                continue
            tier = tiers.get(region.code, "")
            capital = region.code.endswith("0100")
            weight = _WEIGHT_BY_CITY_TIER.get(tier, 3 if capital else 1)
            province = regions[region.parent_id]
            cities.append(
                City(region.code, region.name, _short_city_name(region.name), province.code, province.name,
                     region.latitude, region.longitude, tier, weight)
            )  # fmt: skip
        divisions = {i.code: i for i in Industry.objects.filter(section__isnull=False)}
        if not cities or not divisions:
            raise RuntimeError("reference data missing: run `kam migrate` first")
        return cls(cities=cities, divisions=divisions, regions=regions)

    def cities_in(self, province_prefixes: tuple[str, ...]) -> list[City]:
        found = [c for c in self.cities if c.code[:2] in province_prefixes]
        return found or self.cities


@dataclass
class CustomerSpec:
    """One fabricated company: the form fields plus what contacts and the timeline need."""

    name: str
    short_name: str
    credit_code: str
    division: str
    city: City
    address: str
    latitude: Decimal
    longitude: Decimal
    phone: str
    website: str
    employees_band: str
    revenue_band: str
    source: str
    tier: str
    status: str
    notes: str
    tag_names: list[str]
    domain: str

    def form_data(self, ref: Reference) -> dict[str, object]:
        """The values create_customer takes (the CustomerForm fields)."""
        return {
            "name": self.name,
            "short_name": self.short_name,
            "credit_code": self.credit_code,
            "industry": ref.divisions.get(self.division),
            "province": ref.regions[self.city.province_code],
            "city": ref.regions[self.city.code],
            "address": self.address,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "phone": self.phone,
            "website": self.website,
            "employees_band": self.employees_band,
            "revenue_band": self.revenue_band,
            "source": self.source,
            "tier": self.tier,
            "status": self.status,
            "notes": self.notes,
        }


@dataclass
class ContactSpec:
    """One person of a customer's org chart; `boss` is the index of the contact they report to."""

    name: str
    title: str
    department: str
    buying_role: str
    influence: str
    attitude: str
    strength: int
    is_key_person: bool
    mobile: str
    phone: str
    email: str
    wechat: str
    birthday: date | None
    notes: str
    boss: int | None = None
    level: int = 0

    def form_data(self) -> dict[str, object]:
        """The ContactForm fields except reports_to and relationship_owner (the caller links those)."""
        return {
            "name": self.name,
            "title": self.title,
            "department": self.department,
            "mobile": self.mobile,
            "phone": self.phone,
            "email": self.email,
            "wechat": self.wechat,
            "buying_role": self.buying_role,
            "influence": self.influence,
            "attitude": self.attitude,
            "strength": self.strength,
            "is_key_person": self.is_key_person,
            "birthday": self.birthday,
            "notes": self.notes,
        }


@dataclass
class Story:
    """A customer's past: when it was created, last followed up and won."""

    created_at: datetime
    last_followup_at: datetime | None
    next_followup_at: datetime | None
    won_at: datetime | None


@dataclass
class Fabricator:
    seed: int
    ref: Reference
    rng: random.Random = field(init=False)
    fake: Faker = field(init=False)
    _credit_codes: set[str] = field(default_factory=set, init=False)
    _names: set[str] = field(default_factory=set, init=False)
    _mobiles: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.seed)

    # --- small pieces ------------------------------------------------------------------

    def weighted(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def pick_city(self, cities: list[City]) -> City:
        return self.rng.choices(cities, weights=[c.weight for c in cities])[0]

    def person_name(self) -> str:
        return str(self.fake.name())

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(vocab.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._mobiles:
                self._mobiles.add(number)
                return number

    def credit_code(self, city_code: str, *, institution: bool = False) -> str:
        """A valid 统一社会信用代码: authority and type, the city's division code, org code, checks."""
        while True:
            if institution:
                head, body = "12", "4" + f"{self.rng.randrange(10**7):07d}"
            elif self.rng.random() < 0.5:
                head, body = "91", str(self.rng.randrange(10**7, 10**8))
            else:
                head, body = "91", "MA" + "".join(self.rng.choices(CREDIT_CODE_ALPHABET, k=6))
            first17 = head + city_code + body + org_code_check_char(body)
            code = first17 + credit_code_check_char(first17)
            if code not in self._credit_codes:
                self._credit_codes.add(code)
                return code

    def switchboard(self, city: City) -> str:
        area = vocab.AREA_CODES.get(city.code)
        for _attempt in range(5):
            if area:
                number = f"{area}-{self.rng.randint(2, 8)}{self.rng.randrange(10**7):07d}"
            elif self.rng.random() < 0.5:
                number = f"400{self.rng.randrange(10**7):07d}"
            else:
                return ""
            if phone_key(number):
                return number
        return ""

    def _brand(self) -> str:
        first, second = self.rng.sample(vocab.BRAND_CHARS, 2)
        return first + second

    def _division(self) -> str:
        if self.rng.random() < 0.6:
            return self.rng.choice(vocab.HEAVY_DIVISIONS)
        return self.rng.choice(list(vocab.DIVISION_WORDS))

    def _domain(self, brand: str) -> str:
        letters = "".join(lazy_pinyin(brand)).lower()
        return letters + self.rng.choice((".com", ".com.cn", ".cn"))

    def _address(self, city: City) -> str:
        province = "" if city.province_code[:2] in MUNICIPALITIES else city.province_name
        street = f"{self.fake.street_name()}{self.rng.randint(1, 999)}号"
        building = self.rng.choice(("", "", f"{self.rng.randint(1, 30)}栋", f"{self.rng.choice('ABCD')}座"))
        return f"{province}{city.name}{self.rng.choice(vocab.ZONES)}{street}{building}"

    def _coordinates(self, city: City) -> tuple[Decimal, Decimal]:
        lat = city.latitude + Decimal(str(round(self.rng.uniform(-0.08, 0.08), 6)))
        lng = city.longitude + Decimal(str(round(self.rng.uniform(-0.1, 0.1), 6)))
        return lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))

    # --- companies -----------------------------------------------------------------------

    def _company_name(self, city: City) -> tuple[str, str, str, str, bool]:
        """(name, short name, division, brand, is institution), unique by the dedup comparison key."""
        while True:
            style = self.rng.random()
            brand, division = self._brand(), self._division()
            word = self.rng.choice(vocab.DIVISION_WORDS[division])
            legal = self.rng.choice(vocab.LEGAL_FORMS)
            institution = False
            if style < 0.5:
                name, short = f"{city.short}{brand}{word}{legal}", f"{brand}{word[:2]}"
            elif style < 0.7:
                name, short = f"{brand}{word}{legal}", brand + word[:2]
            elif style < 0.88:
                name = str(self.fake.company())
                brand, short = name[:2], name[:4]
                division = "64" if "网络" in name else "86" if "传媒" in name else "65"
            elif style < 0.95:
                name, short = f"{brand}{word}（{city.short}）有限公司", f"{brand}{city.short}"
            else:
                division, kind = self.rng.choice(vocab.INSTITUTIONS)
                name, short, institution = f"{city.short}{kind}", "", True
            key = normalize_company_name(name)
            if key not in self._names:
                self._names.add(key)
                return name, short, division, brand, institution

    def _tags(self, tier: str, name: str, institution: bool) -> list[str]:
        tags = []
        if tier == "A" or self.rng.random() < 0.05:
            tags.append("重点客户")
        if "（" in name:
            tags.append("外资")
        elif institution or self.rng.random() < 0.12:
            tags.append("国企")
        for tag, chance in (("上市公司", 0.25 if tier == "A" else 0.05), ("专精特新", 0.1), ("高新技术企业", 0.15)):
            if self.rng.random() < chance:
                tags.append(tag)
        if tier == "A" and self.rng.random() < 0.3:
            tags.append("战略客户")
        return tags

    def customer(self, city: City) -> CustomerSpec:
        """A company in `city` with a valid credit code, a tier, a status and tags."""
        name, short, division, brand, institution = self._company_name(city)
        tier = self.weighted(TIER_WEIGHTS)
        lat, lng = self._coordinates(city)
        domain = self._domain(brand)
        return CustomerSpec(
            name=name,
            short_name=short,
            credit_code=self.credit_code(city.code, institution=institution),
            division=division,
            city=city,
            address=self._address(city),
            latitude=lat,
            longitude=lng,
            phone=self.switchboard(city),
            website=f"https://www.{domain}" if self.rng.random() < 0.6 else "",
            employees_band=self.rng.choice(vocab.EMPLOYEES_BY_TIER[tier]),
            revenue_band=self.rng.choice(vocab.REVENUE_BY_TIER[tier]),
            source=self.weighted(vocab.SOURCE_WEIGHTS),
            tier=tier,
            status=self.weighted(vocab.STATUS_WEIGHTS),
            notes=self.rng.choice(vocab.CUSTOMER_NOTES),
            tag_names=self._tags(tier, name, institution),
            domain=domain,
        )

    # --- people --------------------------------------------------------------------------

    def _person(self, customer: CustomerSpec, title: str, department: str, role: str, level: int) -> ContactSpec:
        name = self.person_name()
        attitude = self.weighted({"support": 35, "neutral": 50, "oppose": 15})
        influence = ("high", "medium", "low")[min(level, 2)] if self.rng.random() < 0.7 else "medium"
        letters = "".join(lazy_pinyin(name)).lower()
        email = f"{letters}@{customer.domain}" if letters and self.rng.random() < 0.75 else ""
        mobile = self.mobile()
        has_extension = customer.phone and "-" in customer.phone and self.rng.random() < 0.3
        born = date(self.rng.randint(1962, 1996), self.rng.randint(1, 12), self.rng.randint(1, 28))
        return ContactSpec(
            name=name,
            title=title,
            department=department,
            buying_role=role,
            influence=influence,
            attitude=attitude,
            strength=self.rng.choices((1, 2, 3, 4, 5), weights=(10, 25, 35, 20, 10))[0],
            is_key_person=role == "decision",
            mobile=mobile,
            phone=f"{customer.phone}-{self.rng.randint(800, 8999)}" if has_extension else "",
            email=email,
            wechat=self.rng.choice(("", mobile, "wxid_" + "".join(self.rng.choices(string.ascii_lowercase, k=8)))),
            birthday=born if self.rng.random() < 0.7 else None,
            notes=self.rng.choice(vocab.CONTACT_NOTES),
            level=level,
        )

    def contacts(self, customer: CustomerSpec, count: int) -> list[ContactSpec]:
        """An org chart of `count` people: a decision maker on top, department heads, their staff."""
        title, department = self.rng.choice(vocab.TOP_TITLES)
        top_role = "decision" if self.rng.random() < 0.9 else "other"
        people = [self._person(customer, title, department, top_role, 0)]
        people[0].influence = "high"
        head_count = min(count - 1, max(2, round((count - 1) * 0.5)), len(vocab.HEADS))
        heads = self.rng.sample(vocab.HEADS, head_count)
        for title, department, role in heads:
            if title == "财务总监" and self.rng.random() < 0.3:
                role = "decision"
            person = self._person(customer, title, department, role, 1)
            person.boss = 0
            people.append(person)
        for _index in range(count - len(people)):
            boss = self.rng.randrange(1, len(heads) + 1)
            department = people[boss].department
            title = self.rng.choice(vocab.STAFF_BY_DEPARTMENT[department])
            person = self._person(customer, title, department, "technical" if "工程师" in title else "user", 2)
            person.boss = boss
            people.append(person)
        if len(people) > 1 and self.rng.random() < 0.45:
            coach = people[self.rng.randrange(1, len(people))]
            coach.buying_role, coach.attitude, coach.is_key_person = "coach", "support", True
            coach.strength = self.rng.choice((4, 5))
        return people

    # --- time ----------------------------------------------------------------------------

    def story(self, tier: str, status: str, now: datetime) -> Story:
        """A past that the 公海 rules would have left alone, but for a few customers about to go back.

        Won customers are old; the others were taken on within the 180-day "not won" limit. Follow-ups
        mostly fall inside the tier's no-follow-up window; one in twelve is overdue (up to 120 days),
        and only customers newer than the window were never followed up.
        """
        won = status == "active"
        days = self.rng.randint(200, 900) if won else self.rng.randint(10, NOT_WON_LIMIT_DAYS - 10)
        age = timedelta(days=days, minutes=self.rng.randint(0, 1439))
        created = now - age
        window = _FOLLOWUP_WINDOW[tier]
        last = None
        if days > window or self.rng.random() < 0.7:
            ago = self.rng.uniform(0, window * 0.9) if self.rng.random() < 0.92 else self.rng.uniform(window * 0.9, 120)
            last = max(created, now - timedelta(days=ago))
        upcoming = now + timedelta(days=self.rng.uniform(1, 21)) if self.rng.random() < 0.4 else None
        won_at = created + age * self.rng.uniform(0.1, 0.8) if won else None
        return Story(created_at=created, last_followup_at=last, next_followup_at=upcoming, won_at=won_at)
