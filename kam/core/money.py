"""Money in 元: exact Decimal arithmetic, display formats, 大写金额 and VAT splitting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

CENT = Decimal("0.01")
# The largest amount KAM accepts anywhere (9.99 万亿 yuan). SQLite keeps decimal columns as REAL with
# 15 significant digits: a larger value would be stored rounded, and 10**16 or more would make every
# read of the row fail. Every money input (schemas, forms, actions) checks against this one limit.
MAX_AMOUNT = Decimal("9999999999999.99")
_WAN = Decimal(10000)

MoneyInput = Decimal | int | str


def to_money(value: MoneyInput) -> Decimal:
    """The amount as a Decimal rounded half-up to 分; floats, booleans, NaN and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValueError(f"money must be a Decimal, int or str, not {type(value).__name__}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # no "-0.00"


def format_yuan(amount: MoneyInput) -> str:
    """¥1,234,567.80 (negative: -¥1,234.00)."""
    value = to_money(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def format_wan(amount: MoneyInput) -> str:
    """The amount in 万元, two places: 1234567.8 → 123.46万 (12,345.68万 past a thousand 万)."""
    wan = (to_money(amount) / _WAN).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{wan if wan else abs(wan):,.2f}万"


def rmb_upper(amount: MoneyInput) -> str:
    """大写金额 for contracts: 人民币壹拾万元整, 人民币壹万贰仟叁佰肆拾伍元陆角柒分, 人民币负伍元整.

    整 follows an amount that ends at 元 or 角; none after 分. Up to 16 integer digits.
    """
    value = to_money(amount)
    words = str(cn2an.an2cn(format(value, "f"), "rmb"))
    if not words.endswith(("整", "分")):
        words += "整"
    return "人民币" + words


def split_tax(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(不含税 net, 税额 tax) of one tax-inclusive line: net = gross / (1 + rate) to 分, tax = gross − net."""
    if isinstance(rate, float) or rate < 0:
        raise ValueError(f"VAT rate must be a non-negative Decimal, got {rate!r}")
    total = to_money(gross)
    net = (total / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return net, total - net
