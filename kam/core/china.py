"""China-specific identifiers and text: credit codes, phones, pinyin and company names.

Pure functions only (no models, no queries), so forms, imports, dedup and the search index can
share them. The rules follow the team reference CHINA.md (GB 32100-2015, GB 11714, phonenumbers region CN).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations, product

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType
from pypinyin import Style, pinyin

# ---------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
# 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商, A 军队, N 农业, Y 其他
REGISTRATION_AUTHORITIES = frozenset("123456789ANY")
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # Wi = 3^(i-1) mod 31
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organization code
_ORG_BODY_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

CREDIT_CODE_FORMAT_MESSAGE = _("Enter a valid unified social credit code (18 characters).")
CREDIT_CODE_CHECKSUM_MESSAGE = _("The unified social credit code's check digit is wrong.")


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a credit code whose first 17 characters are given."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_ALPHABET for c in first17):
        raise ValueError(f"expected 17 characters of {CREDIT_CODE_ALPHABET}, got {first17!r}")
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The 9th character (check digit, 0–9 or X) of an organization code whose body is given."""
    if len(first8) != 8 or any(c not in _ORG_BODY_CHARS for c in first8):
        raise ValueError(f"expected 8 characters of 0-9 A-Z, got {first8!r}")
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(code: str) -> str:
    """The code upper-cased and stripped, or ValidationError (format, check digit or org-code check)."""
    value = code.strip().upper()
    if (
        len(value) != 18
        or any(c not in CREDIT_CODE_ALPHABET for c in value)
        or value[0] not in REGISTRATION_AUTHORITIES
        or not value[2:8].isdigit()
    ):
        raise ValidationError(CREDIT_CODE_FORMAT_MESSAGE, code="invalid")
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(CREDIT_CODE_CHECKSUM_MESSAGE, code="checksum")
    if org_code_check_char(value[8:16]) != value[16]:
        raise ValidationError(CREDIT_CODE_CHECKSUM_MESSAGE, code="org_checksum")
    return value


def is_valid_credit_code(code: str) -> bool:
    """Whether validate_credit_code would accept the code."""
    try:
        validate_credit_code(code)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------------------------

PHONE_MESSAGE = _("Enter a valid phone number.")
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# An explicit extension marker always splits; a bare "-1234" only when the whole is no number.
_EXT_MARKED_RE = re.compile(r"(?P<base>.+?)\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>\d{1,6})", re.IGNORECASE)
_EXT_DASH_RE = re.compile(r"(?P<base>.+?)\s*-\s*(?P<ext>\d{1,6})")
_LANDLINE_TYPES = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# only these may carry an extension: landlines and 400 (shared cost) / 800 (toll free) switchboards
_SWITCHBOARD_TYPES = _LANDLINE_TYPES | {PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST}


@dataclass(frozen=True)
class _Phone:
    number: PhoneNumber
    extension: str

    @property
    def is_landline(self) -> bool:
        return phonenumbers.number_type(self.number) in _LANDLINE_TYPES

    def line(self) -> str:
        """The number without extension: 13812345678, 010-12345678, 4001234567, +85221234567."""
        if self.number.country_code != 86:
            return phonenumbers.format_number(self.number, PhoneNumberFormat.E164)
        national = phonenumbers.national_significant_number(self.number)
        if self.is_landline:
            area = phonenumbers.length_of_geographical_area_code(self.number)
            return f"0{national[:area]}-{national[area:]}" if area else f"0{national}"
        return national


def _valid_number(text: str) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _parse_phone(raw: str) -> _Phone:
    text = unicodedata.normalize("NFKC", raw).strip()
    marked = _EXT_MARKED_RE.fullmatch(text)
    dashed = _EXT_DASH_RE.fullmatch(text)
    if marked:
        candidates = [(marked["base"], marked["ext"])]
    else:
        candidates = [(text, "")] + ([(dashed["base"], dashed["ext"])] if dashed else [])
    for base, ext in candidates:
        number = _valid_number(base) if base else None
        if number is None:
            continue
        if ext and (number.country_code != 86 or phonenumbers.number_type(number) not in _SWITCHBOARD_TYPES):
            continue
        return _Phone(number, ext)
    raise ValidationError(PHONE_MESSAGE, code="invalid")


def normalize_phone(raw: str) -> str:
    """Canonical form: mobile 13812345678, landline 010-12345678[-123], 4001234567, foreign +E.164."""
    phone = _parse_phone(raw)
    return f"{phone.line()}-{phone.extension}" if phone.extension else phone.line()


def is_mobile(normalized: str) -> bool:
    """Whether a normalised number is a mainland mobile number."""
    return _MOBILE_RE.fullmatch(normalized) is not None


def phone_key(raw: str) -> str:
    """Digits-only key of the line (extension dropped) for exact dedup; "" for empty or invalid input.

    Foreign numbers get the 00 international prefix so they never collide with mainland keys.
    """
    try:
        phone = _parse_phone(raw)
    except ValidationError:
        return ""
    line = phone.line()
    return "00" + line[1:] if line.startswith("+") else line.replace("-", "")


# ---------------------------------------------------------------------------------------------
# Pinyin
# ---------------------------------------------------------------------------------------------

_HAN_RUN_RE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)")
_ASCII_RUN_RE = re.compile(r"[a-z0-9]+")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def _han_readings(run: str) -> list[list[str]]:
    """Per character: the phrase-aware reading first, then the character's other readings."""
    phrase = [r[0] for r in pinyin(run, style=Style.NORMAL, errors="ignore")]
    if len(phrase) != len(run):  # a character pypinyin does not know; fall back to one by one
        phrase = [next(iter(pinyin(c, style=Style.NORMAL, errors="ignore")), [""])[0] for c in run]
    readings = []
    for char, first in zip(run, phrase, strict=True):
        others = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
        options = _unique([first, *(others[0] if others else [])])
        readings.append([o for o in (re.sub(r"[^a-z]", "", x.lower()) for x in options) if o])
    return [r for r in readings if r]


def _positions(text: str) -> list[tuple[list[str], bool]]:
    """Each position's alternatives and whether it is a Chinese character (else a latin/digit run)."""
    positions: list[tuple[list[str], bool]] = []
    for i, part in enumerate(_HAN_RUN_RE.split(unicodedata.normalize("NFKC", text))):
        if i % 2:  # the split keeps the Chinese runs at odd indexes
            positions.extend((readings, True) for readings in _han_readings(part))
        else:
            positions.extend(([run], False) for run in _ASCII_RUN_RE.findall(part.lower()))
    return positions


def _variants(positions: list[list[str]], limit: int) -> list[str]:
    """Joined readings, default first, then those differing in one position, then two, … up to limit."""
    polyphonic = [i for i, options in enumerate(positions) if len(options) > 1]
    default = [options[0] for options in positions]
    found: list[str] = []
    for count in range(len(polyphonic) + 1):
        for chosen in combinations(polyphonic, count):
            for picks in product(*(positions[i][1:] for i in chosen)):
                choice = list(default)
                for index, pick in zip(chosen, picks, strict=True):
                    choice[index] = pick
                joined = "".join(choice)
                if joined and joined not in found:
                    found.append(joined)
                    if len(found) >= limit:
                        return found
    return found


def pinyin_variants(text: str, limit: int = 8) -> list[str]:
    """Full pinyin without spaces, lower case; the phrase-aware reading first (重庆 → chongqing)."""
    return _variants([options for options, _han in _positions(text)], max(limit, 1))


def initials_variants(text: str, limit: int = 8) -> list[str]:
    """Initials of the pinyin (华为技术有限公司 → hwjsyxgs first); latin and digit runs kept whole."""
    positions = [_unique([o[0] for o in options]) if han else options for options, han in _positions(text)]
    return _variants(positions, max(limit, 1))


def search_terms(text: str) -> tuple[str, str]:
    """(space-joined full-pinyin variants, space-joined initials variants) for the search columns."""
    return " ".join(pinyin_variants(text)), " ".join(initials_variants(text))


# ---------------------------------------------------------------------------------------------
# Company names (for dedup comparison only, never for display)
# ---------------------------------------------------------------------------------------------

_COMPANY_SUFFIXES = (
    "集团股份有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "股份公司",
    "集团",
    "公司",
)
_PROVINCES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 "
    "四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
).split()
_CITIES = (
    "深圳 广州 杭州 南京 苏州 成都 武汉 西安 长沙 郑州 合肥 青岛 东莞 宁波 佛山 厦门 福州 济南 沈阳 大连 "
    "哈尔滨 长春 石家庄 太原 呼和浩特 南昌 南宁 海口 三亚 贵阳 昆明 拉萨 兰州 西宁 银川 乌鲁木齐 无锡 常州 "
    "温州 珠海 中山 惠州 烟台 泉州 绍兴 嘉兴 金华 台州 南通 徐州 扬州 潍坊 洛阳 唐山 保定 芜湖"
).split()
_PROVINCE_PREFIX_RE = re.compile(
    "^(?:{})(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)?".format("|".join(_PROVINCES))
)
_CITY_PREFIX_RE = re.compile("^(?:{})市?".format("|".join(_CITIES)))
# What is left after a region is removed must still name a company: 北京银行 ≠ 南京银行.
_GENERIC_REMAINDERS = frozenset(
    "银行 大学 学院 医院 证券 保险 日报 晚报 电视台 地铁 机场 港务 农商银行 商业银行".split()
)


def _strip_suffixes(name: str) -> str:
    """Drop legal-form suffixes, longest first and repeatedly (…集团股份有限公司 → …), never to nothing."""
    while True:
        suffix = next((s for s in _COMPANY_SUFFIXES if name.endswith(s)), "")
        if not suffix or len(name) == len(suffix):
            return name
        name = name[: -len(suffix)]


def _strip_region_prefix(name: str) -> str:
    for pattern in (_PROVINCE_PREFIX_RE, _CITY_PREFIX_RE):
        rest = pattern.sub("", name, count=1)
        if len(rest) >= 2 and rest not in _GENERIC_REMAINDERS:
            name = rest
    return name


def normalize_company_name(name: str) -> str:
    """Comparison key: half-width, lower case, no spaces or punctuation, no legal suffix, no leading region.

    Brackets are dropped and their content kept, so 腾讯科技（深圳）有限公司 → 腾讯科技深圳;
    北京华为技术有限公司 and 华为技术有限公司 both → 华为技术.
    """
    text = unicodedata.normalize("NFKC", name).lower()
    text = "".join(c for c in text if unicodedata.category(c)[0] not in "PSZC")
    return _strip_region_prefix(_strip_suffixes(text))
