"""Money helpers: parsing, display, 大写金额 and per-line VAT (pure functions, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kam.core.money import CENT, format_wan, format_yuan, rmb_upper, split_tax, to_money


def test_cent_is_one_fen() -> None:
    assert Decimal("0.01") == CENT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.345", Decimal("12.35")),
        ("12.344", Decimal("12.34")),
        (" 7 ", Decimal("7.00")),
        (100, Decimal("100.00")),
        (Decimal("2.675"), Decimal("2.68")),
        (Decimal("-2.675"), Decimal("-2.68")),
        ("1E+5", Decimal("100000.00")),
        ("-0.001", Decimal("0.00")),
    ],
)
def test_to_money_rounds_half_up_to_fen(value: Decimal | int | str, expected: Decimal) -> None:
    result = to_money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2
    assert str(result) == str(expected)


@pytest.mark.parametrize("value", [1.5, float("nan"), "NaN", "inf", "-Infinity", Decimal("NaN"), "abc", "", True, None])
def test_to_money_refuses_floats_and_non_numbers(value: object) -> None:
    with pytest.raises(ValueError, match="amount|money"):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234567.8"), "¥1,234,567.80"),
        (Decimal("0"), "¥0.00"),
        ("999.995", "¥1,000.00"),
        (Decimal("-1234"), "-¥1,234.00"),
    ],
)
def test_format_yuan(value: Decimal | str, expected: str) -> None:
    assert format_yuan(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234567.8"), "123.46万"),
        (Decimal("100000"), "10.00万"),
        (Decimal("49"), "0.00万"),
        (Decimal("50"), "0.01万"),
        (Decimal("123456789012"), "12,345,678.90万"),
        (Decimal("-25000"), "-2.50万"),
    ],
)
def test_format_wan(value: Decimal, expected: str) -> None:
    assert format_wan(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("100000"), "人民币壹拾万元整"),
        (Decimal("12345.67"), "人民币壹万贰仟叁佰肆拾伍元陆角柒分"),
        (Decimal("0"), "人民币零元整"),
        (Decimal("1.50"), "人民币壹元伍角整"),
        (Decimal("0.05"), "人民币伍分"),
        (Decimal("10.05"), "人民币壹拾元零伍分"),
        (Decimal("10010"), "人民币壹万零壹拾元整"),
        (Decimal("1000001"), "人民币壹佰万零壹元整"),
        (Decimal("100200300.40"), "人民币壹亿零贰拾万零叁佰元肆角整"),
        (Decimal("100000000.01"), "人民币壹亿元零壹分"),
        (Decimal("1.005"), "人民币壹元零壹分"),
        (Decimal("-5.2"), "人民币负伍元贰角整"),
        (Decimal("-0.001"), "人民币零元整"),
        ("3000", "人民币叁仟元整"),
    ],
)
def test_rmb_upper(value: Decimal | str, expected: str) -> None:
    assert rmb_upper(value) == expected


@pytest.mark.parametrize(
    ("gross", "rate", "net", "tax"),
    [
        ("113.00", "0.13", "100.00", "13.00"),
        ("100.00", "0.13", "88.50", "11.50"),
        ("109.00", "0.09", "100.00", "9.00"),
        ("106.00", "0.06", "100.00", "6.00"),
        ("103.00", "0.03", "100.00", "3.00"),
        ("101.00", "0.01", "100.00", "1.00"),
        ("100.00", "0", "100.00", "0.00"),
        ("0.01", "0.13", "0.01", "0.00"),
        ("-113.00", "0.13", "-100.00", "-13.00"),
        ("9999.99", "0.13", "8849.55", "1150.44"),
    ],
)
def test_split_tax_rounds_each_line_to_fen(gross: str, rate: str, net: str, tax: str) -> None:
    result = split_tax(Decimal(gross), Decimal(rate))
    assert result == (Decimal(net), Decimal(tax))
    assert result[0] + result[1] == Decimal(gross)


def test_per_line_rounding_differs_from_rounding_the_sum() -> None:
    lines = [split_tax(Decimal("100.00"), Decimal("0.13")) for _ in range(3)]
    assert sum(tax for _net, tax in lines) == Decimal("34.50")
    assert split_tax(Decimal("300.00"), Decimal("0.13"))[1] == Decimal("34.51")


def test_split_tax_refuses_a_negative_rate() -> None:
    with pytest.raises(ValueError, match="rate"):
        split_tax(Decimal("100"), Decimal("-0.13"))
