"""Credit codes, phones, pinyin and company-name keys (pure functions, no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.cn import uscc

from kam.core.china import (
    credit_code_check_char,
    initials_variants,
    is_mobile,
    is_valid_credit_code,
    normalize_company_name,
    normalize_phone,
    org_code_check_char,
    phone_key,
    pinyin_variants,
    search_terms,
    validate_credit_code,
)

HUAWEI = "914403001922038216"  # 华为技术有限公司, public record
TENCENT = "9144030071526726XG"  # 腾讯科技（深圳）有限公司, public record

# Built with the check functions (see test_constructed_codes_match_the_check_functions).
CONSTRUCTED = {
    "1211010840000123X9": "1 机构编制 (org-code check X)",
    "51310000500123453M": "5 民政",
    "92440300MA5F3K7A7C": "9 工商, letters in the organization code",
    "91330100MA27WQ3X13": "9 工商",
    "A11000001000000168": "A 军队",
    "N233010073458210X0": "N 农业",
    "Y1440100MA9UXW120H": "Y 其他",
}


def _error_code(code: str) -> str:
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    return str(info.value.code)


@pytest.mark.parametrize("code", [HUAWEI, TENCENT, *CONSTRUCTED])
def test_valid_credit_codes_are_accepted(code: str) -> None:
    assert validate_credit_code(code) == code
    assert is_valid_credit_code(code) is True


@pytest.mark.parametrize("code", [HUAWEI, TENCENT, "92440300MA5F3K7A7C", "91330100MA27WQ3X13"])
def test_nine_prefixed_codes_agree_with_python_stdnum(code: str) -> None:
    assert uscc.is_valid(code) is True


@pytest.mark.parametrize("code", ["A11000001000000168", "N233010073458210X0", "Y1440100MA9UXW120H"])
def test_a_n_y_authorities_are_accepted_unlike_python_stdnum(code: str) -> None:
    assert uscc.is_valid(code) is False
    assert is_valid_credit_code(code) is True


def test_constructed_codes_match_the_check_functions() -> None:
    for code in CONSTRUCTED:
        assert org_code_check_char(code[8:16]) == code[16]
        assert credit_code_check_char(code[:17]) == code[17]


def test_check_chars_of_public_codes() -> None:
    assert credit_code_check_char(HUAWEI[:17]) == "6"
    assert credit_code_check_char(TENCENT[:17]) == "G"
    assert org_code_check_char("19220382") == "1"
    assert org_code_check_char("71526726") == "X"
    assert org_code_check_char("40000123") == "X"
    assert org_code_check_char("10000001") == "6"


def test_org_code_check_eleven_becomes_zero() -> None:
    assert org_code_check_char("MA9UXW12") == "0"


def test_lower_case_and_spaces_are_normalised() -> None:
    assert validate_credit_code("  9144030071526726xg \n") == TENCENT


def test_wrong_check_digit_is_rejected_with_its_own_message() -> None:
    assert _error_code("914403001922038217") == "checksum"
    # 91440300192203821K is quoted around the web for Huawei; its check character is wrong
    assert _error_code("91440300192203821K") == "checksum"
    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_credit_code("914403001922038217")
    with translation.override("en"):
        assert info.value.messages == ["The unified social credit code's check digit is wrong."]


def test_wrong_org_code_check_digit_is_rejected() -> None:
    # the 18th character is right for these 17, but the organization code 19220382-2 should end in 1
    assert credit_code_check_char("91440300192203822") == "9"
    assert _error_code("914403001922038229") == "org_checksum"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_forbidden_letters_are_rejected(letter: str) -> None:
    code = "92440300M" + letter + "5F3K7A7C"
    assert _error_code(code) == "invalid"
    with pytest.raises(ValueError, match="17 characters"):
        credit_code_check_char(code[:17])


@pytest.mark.parametrize("code", ["", "91440300192203821", "9144030019220382160", "91440300-19220382-16"])
def test_wrong_length_is_rejected(code: str) -> None:
    assert _error_code(code) == "invalid"
    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    with translation.override("en"):
        assert info.value.messages == ["Enter a valid unified social credit code (18 characters)."]


def test_unknown_registration_authority_is_rejected() -> None:
    # check character correct, but B is no registering authority of GB 32100
    assert credit_code_check_char("B2440300MA5F3K7A7") == "A"
    assert _error_code("B2440300MA5F3K7A7A") == "invalid"


def test_division_code_must_be_digits() -> None:
    assert credit_code_check_char("91A40300MA5F3K7A7") == "P"
    assert _error_code("91A40300MA5F3K7A7P") == "invalid"


def test_old_fifteen_digit_registration_numbers_are_not_credit_codes() -> None:
    assert is_valid_credit_code("440301104001819") is False


@pytest.mark.parametrize(
    ("raw", "normalized", "key"),
    [
        ("+86 138 1234 5678", "13812345678", "13812345678"),
        ("8613812345678", "13812345678", "13812345678"),
        ("0086 138-1234-5678", "13812345678", "13812345678"),
        ("13812345678", "13812345678", "13812345678"),
        ("010-12345678", "010-12345678", "01012345678"),
        ("(010) 1234 5678", "010-12345678", "01012345678"),
        ("+86 10 1234 5678", "010-12345678", "01012345678"),
        ("０１０－１２３４５６７８", "010-12345678", "01012345678"),
        ("0755 8888 8888-123", "0755-88888888-123", "075588888888"),
        ("0755-88888888转123", "0755-88888888-123", "075588888888"),
        ("021 6888 8888 ext. 55", "021-68888888-55", "02168888888"),
        ("0913-1234567", "0913-1234567", "09131234567"),
        ("400-810-8888", "4008108888", "4008108888"),
        ("400 810 8888 转 2", "4008108888-2", "4008108888"),
        ("800-820-8820", "8008208820", "8008208820"),
        ("+852 2123 4567", "+85221234567", "0085221234567"),
    ],
)
def test_phone_normalisation_and_key(raw: str, normalized: str, key: str) -> None:
    assert normalize_phone(raw) == normalized
    assert phone_key(raw) == key


@pytest.mark.parametrize(
    "raw", ["", "   ", "1234", "12345678901", "0755-8888888", "13812345678-12", "10086", "call me", "+86 999"]
)
def test_invalid_phones_are_rejected(raw: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    with translation.override("en"):
        assert info.value.messages == ["Enter a valid phone number."]
    assert phone_key(raw) == ""


def test_is_mobile() -> None:
    assert is_mobile("13812345678") is True
    assert is_mobile("19912345678") is True
    assert is_mobile("010-12345678") is False
    assert is_mobile("4008108888") is False
    assert is_mobile("12812345678") is False
    assert is_mobile("+85291234567") is False


def test_initials_of_a_company_name() -> None:
    variants = initials_variants("华为技术有限公司")
    assert variants[0] == "hwjsyxgs"
    assert pinyin_variants("华为技术有限公司")[0] == "huaweijishuyouxiangongsi"


def test_phrase_reading_comes_first() -> None:
    assert pinyin_variants("重庆") == ["chongqing", "zhongqing", "tongqing"]
    assert initials_variants("重庆")[0] == "cq"
    assert pinyin_variants("长城汽车")[0] == "changchengqiche"
    assert pinyin_variants("银行行长")[0] == "yinhanghangzhang"


def test_polyphonic_surname_gets_every_reading() -> None:
    assert pinyin_variants("曾小明") == ["cengxiaoming", "zengxiaoming", "cengxiaomeng", "zengxiaomeng"]
    assert initials_variants("曾小明") == ["cxm", "zxm"]
    assert pinyin_variants("单县") == ["danxian", "chanxian", "shanxian"]


def test_variants_are_capped() -> None:
    assert len(pinyin_variants("银行行长")) == 8
    assert pinyin_variants("银行行长", limit=2) == ["yinhanghangzhang", "yinxinghangzhang"]


def test_latin_letters_and_digits_are_kept_lower_case() -> None:
    assert pinyin_variants("TCL科技集团3号")[0] == "tclkejijituan3hao"
    assert initials_variants("TCL科技集团3号")[0] == "tclkjjt3h"
    assert pinyin_variants("Ａpple 电子（深圳）")[0] == "appledianzishenzhen"


def test_empty_text_has_no_variants() -> None:
    assert pinyin_variants("") == []
    assert search_terms("  ") == ("", "")


def test_search_terms_join_the_variants() -> None:
    assert search_terms("曾小明") == ("cengxiaoming zengxiaoming cengxiaomeng zengxiaomeng", "cxm zxm")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("北京华为技术有限公司", "华为技术"),
        ("华为技术有限公司", "华为技术"),
        ("华为技术 有限公司", "华为技术"),
        ("腾讯科技（深圳）有限公司", "腾讯科技深圳"),
        ("腾讯科技(深圳)有限公司", "腾讯科技深圳"),
        ("广东省深圳市腾讯计算机系统有限公司", "腾讯计算机系统"),
        ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统"),
        ("上海市浦东发展银行股份有限公司", "浦东发展银行"),
        ("内蒙古伊利实业集团股份有限公司", "伊利实业"),
        ("新疆维吾尔自治区天山水泥有限责任公司", "天山水泥"),
        ("万达集团", "万达"),
        ("大连万达集团股份有限公司", "万达"),
        ("TCL 科技集团股份有限公司", "tcl科技"),
        ("北京银行股份有限公司", "北京银行"),
        ("南京银行", "南京银行"),
        ("北京大学", "北京大学"),
        ("有限公司", "有限公司"),
        ("北京", "北京"),
        ("", ""),
    ],
)
def test_company_name_key(name: str, key: str) -> None:
    assert normalize_company_name(name) == key
