"""Chinese citizen ID numbers (公民身份号码, GB 11643): parsing, validation, masking."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from stdnum.cn import ric

from vet_common.regions import PROVINCES

Sex = Literal["male", "female"]

# Residence permits for Hong Kong, Macau and Taiwan residents use 81/82/83 and carry the same check digit.
_PERMIT_PROVINCES = frozenset({"81", "82", "83"})
_EARLIEST_BIRTH = date(1900, 1, 1)
_CHINA = ZoneInfo("Asia/Shanghai")


class InvalidIdNumber(ValueError):
    """An ID number that cannot be right; the message tells the station worker what to check."""


@dataclass(frozen=True)
class IdNumber:
    value: str  # 18 characters, upper-case X
    birth_date: date
    sex: Sex
    region_prefix: str  # where the number was issued: not necessarily where the person lives now

    def __str__(self) -> str:
        return self.value


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2, as GB 11643 applies it)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    # stdnum takes a whole 18-character number and ignores its last character.
    return ric.calc_check_digit(first17 + "0")


def normalize_id_number(raw: str) -> str:
    """Full-width characters to ASCII (Chinese input methods), blanks removed, x upper-cased."""
    return "".join(unicodedata.normalize("NFKC", str(raw)).split()).upper()


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Check one part at a time so that the message says which part is wrong.

    Not stdnum's ric.validate: its birth-place check refuses anyone born before the issuing county got
    its code (350102 dates from 1983, so a veteran born in 1950 there fails), and residence permits (83).
    """
    value = normalize_id_number(raw)
    if not value:
        raise InvalidIdNumber("请填写身份证号码 (ID number is required)")
    if len(value) != 18:
        hint = "，15 位旧号码请先升级为 18 位" if len(value) == 15 else ""
        raise InvalidIdNumber(
            f"身份证号码应为 18 位，当前为 {len(value)} 位{hint}，请核对 (ID number must have 18 characters)"
        )
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise InvalidIdNumber(
            "身份证号码前 17 位必须是数字，最后一位是数字或 X，请核对 "
            "(the first 17 characters must be digits, the last a digit or X)"
        )
    if value[:2] not in PROVINCES and value[:2] not in _PERMIT_PROVINCES:
        raise InvalidIdNumber(
            f"身份证号码前两位 {value[:2]} 不是有效的省份代码，请核对 (the first two digits are not a province code)"
        )
    try:
        # What stdnum's ric.get_birth_date reads, without its compact(): the number is clean already, and
        # cleaning it again character by character took 7 of the 17 µs this function spent on a number.
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            f"身份证号码中的出生日期 {value[6:10]}-{value[10:12]}-{value[12:14]} 不存在，请核对 "
            "(the birth date in the ID number is not a real date)"
        ) from None
    today = today or datetime.now(_CHINA).date()
    if birth > today:
        raise InvalidIdNumber(
            f"身份证号码中的出生日期 {birth.isoformat()} 晚于今天，请核对 (the birth date is in the future)"
        )
    if birth < _EARLIEST_BIRTH:
        raise InvalidIdNumber(
            f"身份证号码中的出生日期 {birth.isoformat()} 早于 1900 年，请核对 (the birth date is before 1900)"
        )
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise InvalidIdNumber(
            f"身份证号码校验位不正确，应为 {expected}，请核对 (check digit should be {expected}; "
            "a digit is probably mistyped)"
        )
    sex: Sex = "male" if int(value[16]) % 2 else "female"
    return IdNumber(value=value, birth_date=birth, sex=sex, region_prefix=value[:6])


def is_valid_id_number(raw: str) -> bool:
    try:
        parse_id_number(raw)
    except InvalidIdNumber:
        return False
    return True


def make_id_number(region6: str, birth: date, sequence: int, sex: Sex) -> str:
    """A valid number for tests and demo data. sequence 0..499 picks the order code; sex sets its parity."""
    if len(region6) != 6 or not region6.isdigit():
        raise ValueError("region6 must be 6 digits")
    if not 0 <= sequence < 500:
        raise ValueError("sequence must be in 0..499")
    order = sequence * 2 + (1 if sex == "male" else 0)
    first17 = f"{region6}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)


def mask_id_number(value: str) -> str:
    """Keep the issuing region and the last four, as Chinese public services do: 350102********0018."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for mobile numbers; shorter numbers keep only their last four."""
    value = "".join(value.split())
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)
