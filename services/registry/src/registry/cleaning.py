"""Repairing what people type: full-width characters, blanks, dates like 1981.3.15, phones, names, categories.

Each function takes a raw value and returns the clean one, or raises ValueError with a message a station
worker can act on (Chinese first, English in brackets); the models in `registry.validation` use them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from registry.domain import CATEGORY_NAMES, Category
from vet_common.domain import SystemClock
from vet_common.idnumber import IdNumber, parse_id_number


def today() -> date:
    """Today's date in China, from the system clock (tests freeze it with time-machine)."""
    return SystemClock().today()


# --------------------------------------------------------------------------------------------- text helpers


@lru_cache(maxsize=256)
def parse_id_once(value: str, day: date) -> IdNumber:
    """parse_id_number, once per value: the id, sex and birth-date validators all need it."""
    return parse_id_number(value, today=day)


def nfkc(value: str) -> str:
    """Full-width digits, letters, spaces and punctuation to their ASCII forms."""
    return unicodedata.normalize("NFKC", value)


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


# The control characters (Unicode category Cc: U+0000-U+001F and U+007F-U+009F) but tab and line breaks, as one
# regex search: asking each character's category took 7 µs a cell against 0.4, three cells in every roster row.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_of(value: Any, what: str, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{what}应填写文字 ({field} must be text)")
    text = str(value)
    # A NUL or \x01 pasted from another system is invisible on screen and breaks exports: refuse it here.
    if _CONTROL.search(text):
        raise ValueError(
            f"{what}中含有看不见的控制字符，请删除后重新填写 ({field} contains an invisible control character)"
        )
    return text


# ------------------------------------------------------------------------------------------------ dates

_DATE_PATTERNS = (
    # 1981-03-15, 1981/3/15, 1981.3.15, 1981年3月15日, 1981-03-15 00:00:00, 1981-03-15T00:00:00
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?(?:[ T].*)?"),
    # 19810315
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    # 1981-03, 1981.3, 1981/03, 1981年3月
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?"),
    # 198103
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})"),
)

Precision = Literal["day", "month"]


def parse_date_text(raw: str, label: str = "日期") -> tuple[date, Precision]:
    """A date as people write it, and whether it named a day or only a month (then the 1st is returned).

    Raises ValueError with a readable message; `label` names the field in it (e.g. "入伍时间").
    """
    text = nfkc(raw).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year, month = int(match["y"]), int(match["m"])
        day = int(match["d"]) if "d" in match.groupdict() and match["d"] is not None else None
        try:
            value = date(year, month, day or 1)
        except ValueError:
            shown = f"{year}-{month:02d}" + (f"-{day:02d}" if day is not None else "")
            raise ValueError(f"{label} {shown} 不存在，请核对 (not a real date: {shown})") from None
        return value, "day" if day is not None else "month"
    if re.fullmatch(r"\d{4}\s*年?", text):
        raise ValueError(f"{label}“{raw}”只有年份，请至少填写到月份，如 1981-03 (give at least the year and month)")
    raise ValueError(
        f"{label}“{raw}”无法识别，请按 1981-03-15 或 1981年3月15日 的格式填写 (not a date; write it like 1981-03-15)"
    )


def loose_date(value: Any, label: str, field: str) -> tuple[date | None, Precision]:
    value = blank_to_none(value)
    if value is None:
        return None, "day"
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    if isinstance(value, str):
        return parse_date_text(value, label)
    raise ValueError(f"{label}应按 1981-03-15 的格式填写 ({field} must be a date like 1981-03-15)")


def not_in_future(value: date, label: str, field: str) -> date:
    now = today()
    if value > now:
        raise ValueError(
            f"{label} {value.isoformat()} 晚于今天（{now.isoformat()}），请核对 ({field} is in the future)"
        )
    return value


def field_error(loc: tuple[str | int, ...], message: str, value: Any) -> ValidationError:
    """A ValidationError for a nested location: raised inside a validator, pydantic prefixes the outer field."""
    return ValidationError.from_exception_data(
        "PersonData",
        [InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)],
    )


# ------------------------------------------------------------------------------------- controlled values

# GB/T 3304 order.
ETHNIC_GROUPS: tuple[str, ...] = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)  # fmt: skip
OTHER_ETHNICITY = "其他"
ETHNICITIES = frozenset(ETHNIC_GROUPS)

SEXES: dict[str, Literal["male", "female"]] = {
    "male": "male", "female": "female", "m": "male", "f": "female",
    "男": "male", "女": "female", "男性": "male", "女性": "female",
}  # fmt: skip
SEX_NAMES = {"male": "男", "female": "女"}

HOUSEHOLDS: dict[str, Literal["rural", "urban"]] = {
    "rural": "rural", "urban": "urban",
    "农村": "rural", "农业": "rural", "城镇": "urban", "非农业": "urban", "城市": "urban",
}  # fmt: skip
HOUSEHOLD_NAMES = {"rural": "农村", "urban": "城镇"}

# Names rosters use besides the official ones; each names exactly one category.
CATEGORY_ALIASES: dict[str, Category] = {
    "转业干部": Category.transferred_officer,
    "军转干部": Category.transferred_officer,
    "退伍士兵": Category.discharged_soldier,
    "离退休干部": Category.retired_cadre,
    "退伍红军老战士": Category.red_army_veteran,
    "红军失散人员": Category.red_army_veteran,
    "伤残军人": Category.disabled_soldier,
    "烈属": Category.martyr_survivor,
    "烈士家属": Category.martyr_survivor,
    "因公牺牲军人家属": Category.duty_death_survivor,
    "病故军人家属": Category.illness_death_survivor,
    "现役军属": Category.active_duty_family,
    "军属": Category.active_duty_family,
}
CATEGORY_LOOKUP: dict[str, Category] = {
    **{category.value: category for category in Category},
    **{name: category for category, name in CATEGORY_NAMES.items()},
    **CATEGORY_ALIASES,
}
CATEGORY_SEPARATORS = re.compile(r"[、,，;；/\s]+")

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")
_MIDDLE_DOTS = re.compile(r"[\u00b7\u2022\u2027\u30fb\u2219\u22c5\uff0e.]")
_CJK = r"\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


def normalize_phone(raw: str) -> str:
    """13812345678 for a mobile, 0591-87654321 (area code, dash, local number) for a landline."""
    text = nfkc(raw)
    digits = re.sub(r"[\s\-()]+", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(digits):
        # Beijing 010 and the big cities 020-029 have 3-digit area codes, everyone else 4; local numbers 7-8.
        area = 3 if digits[1] in "12" else 4
        local = digits[area:]
        if 7 <= len(local) <= 8:
            return f"{digits[:area]}-{local}"
    raise ValueError(
        f"联系电话“{raw}”格式不正确：手机号为 11 位（如 13812345678），固定电话要带区号（如 0591-87654321），"
        "只填一个号码 (phone must be one 11-digit mobile number or a landline with its area code)"
    )


def normalize_address(value: Any) -> str | None:
    """Blanks collapsed, full-width to ASCII; None when empty. ValueError for control characters or > 200."""
    value = blank_to_none(value)
    if value is None:
        return None
    address = " ".join(nfkc(text_of(value, "家庭住址", "address")).split())
    if len(address) > 200:
        raise ValueError(
            f"家庭住址过长（{len(address)} 个字），最多 200 个字 (address is too long: at most 200 characters)"
        )
    return address


def normalize_name(raw: str) -> str:
    """Strip, collapse blanks (and drop those between Chinese characters: 张　三 -> 张三), one kind of middle dot."""
    text = " ".join(nfkc(raw).split())
    text = re.sub(rf"(?<=[{_CJK}]) (?=[{_CJK}])", "", text)
    text = _MIDDLE_DOTS.sub("\u00b7", text)
    return re.sub(r"\s*\u00b7\s*", "\u00b7", text)


def parse_categories(value: Any) -> list[Category]:
    """Codes or Chinese names, as a list or one string separated by 、,，;； or blanks; each kept once."""
    if isinstance(value, str):
        items: list[Any] = [part for part in CATEGORY_SEPARATORS.split(nfkc(value)) if part]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError("人员类别应为一个列表 (categories must be a list)")
    found: list[Category] = []
    unknown: list[str] = []
    for item in items:
        if isinstance(item, Category):
            found.append(item)
            continue
        key = "".join(nfkc(str(item)).split())
        if not key:
            continue
        category = CATEGORY_LOOKUP.get(key) or CATEGORY_LOOKUP.get(key.lower())
        if category is None:
            unknown.append(str(item))
        else:
            found.append(category)
    if unknown:
        shown = "、".join(f"“{item}”" for item in unknown)
        raise ValueError(
            f"人员类别{shown}无法识别，应为以下之一：{'、'.join(CATEGORY_NAMES.values())} "
            "(unknown category; use one of the 12 national categories)"
        )
    if not found:
        raise ValueError("请至少填写一个人员类别 (at least one category is required)")
    return list(dict.fromkeys(found))
