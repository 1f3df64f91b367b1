"""Money as integer fen (分): parsing yuan amounts people type, formatting for screens, a pydantic type."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

# BSON's int64 is where MongoDB stores amounts; anything larger would not round-trip.
MAX_FEN = 2**63 - 1

_PLAIN = re.compile(r"\d+(\.\d+)?")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


class InvalidAmount(ValueError):
    """An amount that cannot be taken as yuan; the message says what to type instead."""


def parse_yuan(amount: str | Decimal | int) -> int:
    """Yuan as typed ("1600", "1,600.00", "￥1600元") or a Decimal, to fen. Floats are refused: inexact."""
    if isinstance(amount, bool | float):
        raise TypeError("parse_yuan takes str, Decimal or int, not float: floats cannot hold 0.10 exactly")
    if isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, Decimal):
        value = amount
    else:
        text = "".join(unicodedata.normalize("NFKC", amount).split())
        text = text.removeprefix("¥").removesuffix("元")
        if text.startswith("-"):
            raise InvalidAmount(f"金额不能为负数，收到 “{amount}” (amount cannot be negative)")
        if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
            raise InvalidAmount(
                f"金额格式不正确，收到 “{amount}”，请填写如 1600 或 1,600.00 的数字 "
                "(amount must be a number such as 1600 or 1,600.00)"
            )
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the patterns above admit only decimals
            raise InvalidAmount(f"金额格式不正确，收到 “{amount}” (not a number)") from None
    if not value.is_finite():
        raise InvalidAmount(f"金额格式不正确，收到 “{amount}” (amount must be a finite number)")
    if value < 0:
        raise InvalidAmount(f"金额不能为负数，收到 “{amount}” (amount cannot be negative)")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise InvalidAmount(f"金额最多精确到分（两位小数），收到 “{amount}” (amount can have at most 2 decimal places)")
    result = int(fen)
    if result > MAX_FEN:
        raise InvalidAmount(f"金额过大，收到 “{amount}” (amount is too large)")
    return result


def format_yuan(fen: int) -> str:
    """Fen to yuan with thousands separators and two decimals: 160000 -> "1,600.00"."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("format_yuan takes an int amount in fen")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


_FEN_MESSAGE = "金额必须是不小于 0 的整数，单位为分（1 元 = 100 分）(amount must be a whole number of fen, 0 or more)"


def _readable_fen(value: Any, handler: ValidatorFunctionWrapHandler) -> int:
    # pydantic's own "greater than or equal to 0" means little at a service station; say it in their terms.
    if isinstance(value, bool):
        raise ValueError(_FEN_MESSAGE)
    try:
        return handler(value)  # type: ignore[no-any-return]
    except ValidationError:
        raise ValueError(_FEN_MESSAGE) from None


Fen = Annotated[
    int,
    Field(ge=0, le=MAX_FEN, description="Amount in fen (分), 1 yuan = 100 fen", examples=[160000]),
    WrapValidator(_readable_fen),
]
