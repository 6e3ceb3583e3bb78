"""Turning the text of a cell into what CustomerForm / ContactForm expect (codes, choice values).

Reference data and the organization's users are loaded once per job into a `Lookups`, so
reading 50,000 rows costs no query per cell.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kam.core.models import User
from kam.customers.models import CustomerSource, CustomerStatus, CustomerTier, Industry, Region, RegionLevel

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_PROVINCE_SUFFIX_RE = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")
_CITY_SUFFIX_RE = re.compile(r"(市|地区|盟)$")
_PUNCT_RE = re.compile(r"[\s、，,·()（）]")

STATUS_WORDS = {
    CustomerStatus.PROSPECT: ("潜在", "潜在客户", "意向", "意向客户", "prospect"),
    CustomerStatus.ACTIVE: ("合作中", "合作", "已合作", "成交", "成交客户", "活跃", "active"),
    CustomerStatus.DORMANT: ("休眠", "沉睡", "dormant"),
    CustomerStatus.LOST: ("流失", "已流失", "lost"),
}
SOURCE_WORDS = {
    CustomerSource.REFERRAL: ("转介绍", "推荐", "介绍", "referral"),
    CustomerSource.EXHIBITION: ("展会", "会展", "exhibition"),
    CustomerSource.WEBSITE: ("官网", "网站", "网络", "website"),
    CustomerSource.COLD_CALL: ("陌拜", "陌生拜访", "电话开发", "陌电", "coldcall"),
    CustomerSource.BIDDING: ("招标", "招投标", "招标公告", "bidding", "tender"),
    CustomerSource.PARTNER: ("合作伙伴", "渠道", "partner"),
    CustomerSource.EXISTING: ("老客户", "既有关系", "existing"),
    CustomerSource.IMPORT: ("导入", "import"),
    CustomerSource.OTHER: ("其他", "其它", "other"),
}
# What the export writes for a choice: the first word above, so an exported file imports again.
STATUS_EXPORT: dict[str, str] = {code.value: words[0] for code, words in STATUS_WORDS.items()}
SOURCE_EXPORT: dict[str, str] = {code.value: words[0] for code, words in SOURCE_WORDS.items()}


def cell_text(value: object) -> str:
    """A cell as text: numbers without a trailing .0 (phones typed as numbers), dates in ISO form.

    A leading quote that the export put before = + - @ (formula neutralising) is removed again.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value.isoformat() if hasattr(value, "isoformat") else value).strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def _key(text: str) -> str:
    return _PUNCT_RE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _word_map(words: dict[CustomerStatus, tuple[str, ...]] | dict[CustomerSource, tuple[str, ...]]) -> dict[str, str]:
    """Every way to write a choice: its code, its label in English and the words above."""
    found: dict[str, str] = {}
    for code, options in words.items():
        for word in (code.value, str(code.label), *options):
            found.setdefault(_key(word), code.value)
    return found


@dataclass
class Lookups:
    """Reference data and users of one organization, by every name a cell may use."""

    provinces: dict[str, str] = field(default_factory=dict)
    cities: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name → [(code, province code)]
    industries: dict[str, str] = field(default_factory=dict)
    users: dict[str, list[User]] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, organization_id: int) -> Lookups:
        lookups = cls(
            statuses=_word_map(STATUS_WORDS),
            sources=_word_map(SOURCE_WORDS),
        )
        for code, name, level, parent in Region.objects.values_list("code", "name", "level", "parent_id"):
            if level == RegionLevel.PROVINCE:
                for variant in (code, name, _PROVINCE_SUFFIX_RE.sub("", name)):
                    lookups.provinces.setdefault(_key(variant), code)
            else:
                for variant in {code, name, _CITY_SUFFIX_RE.sub("", name)}:
                    lookups.cities.setdefault(_key(variant), []).append((code, parent or ""))
        for code, name in Industry.objects.values_list("code", "name"):
            for variant in (code, name, f"{code}{name}"):
                lookups.industries.setdefault(_key(variant), code)
        for user in User.objects.filter(organization_id=organization_id, is_active=True).select_related("team"):
            for variant in {user.username, user.display_name}:
                if variant:
                    lookups.users.setdefault(_key(variant), []).append(user)
        return lookups

    def province(self, text: str) -> str:
        code = self.provinces.get(_key(text))
        if code is None:
            raise ValueError(_("Unknown province “%(value)s”.") % {"value": text})
        return code

    def city(self, text: str, province_code: str | None) -> str:
        options = self.cities.get(_key(text), [])
        if province_code:
            options = [o for o in options if o[1] == province_code] or options
        if len(options) != 1:
            raise ValueError(_("Unknown city “%(value)s”.") % {"value": text})
        return options[0][0]

    def industry(self, text: str) -> str:
        code = self.industries.get(_key(text))
        if code is None:
            raise ValueError(_("Unknown industry “%(value)s”: use a GB/T 4754 name or code.") % {"value": text})
        return code

    def tier(self, text: str) -> str:
        value = _key(text).upper().removesuffix("类").removesuffix("级")
        if value not in CustomerTier.values:
            raise ValueError(_("Tier must be A, B or C."))
        return value

    def status(self, text: str) -> str:
        code = self.statuses.get(_key(text))
        if code is None:
            raise ValueError(_("Unknown status “%(value)s”.") % {"value": text})
        return code

    def source(self, text: str) -> str:
        code = self.sources.get(_key(text))
        if code is None:
            raise ValueError(_("Unknown source “%(value)s”.") % {"value": text})
        return code

    def user(self, text: str) -> User:
        found = self.users.get(_key(text), [])
        unique = {u.pk: u for u in found}
        if len(unique) != 1:
            if unique:
                raise ValueError(_("“%(value)s” names several colleagues; use the user name.") % {"value": text})
            raise ValueError(_("No active colleague is called “%(value)s”.") % {"value": text})
        return next(iter(unique.values()))


def customer_form_data(values: dict[str, str], lookups: Lookups) -> tuple[dict[str, str], dict[str, list[str]]]:
    """CustomerForm data from the customer cells of a row, and the cells that could not be read.

    Tier and status default to the model defaults (C, prospect) so that a blank cell is no error.
    """
    data = {"tier": CustomerTier.C.value, "status": CustomerStatus.PROSPECT.value}
    errors: dict[str, list[str]] = {}
    converters = {
        "industry": lookups.industry,
        "province": lookups.province,
        "tier": lookups.tier,
        "status": lookups.status,
        "source": lookups.source,
    }
    for key, text in values.items():
        if key in ("owner", "city"):
            continue
        try:
            data[key] = converters[key](text) if key in converters else text
        except ValueError as exc:
            errors[key] = [str(exc)]
    if values.get("city"):
        try:
            data["city"] = lookups.city(values["city"], data.get("province"))
        except ValueError as exc:
            errors["city"] = [str(exc)]
    return data, errors
