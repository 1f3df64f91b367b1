"""What a person's registration must look like: one model for the HTTP API and for bulk import.

`PersonData` is the body of ``POST /persons`` and the target of every roster row, so a station worker
sees the same message whichever way the data came in. Every message is Chinese first, then English
in parentheses, and is attached to the field it is about (``birth_date``, ``service.discharged_on``),
never to the whole body.

Inputs are accepted the way people actually type them: full-width digits and letters, stray blanks,
``男``/``女``, ``农村``/``城镇``, category names in Chinese, dates like ``1981.3.15`` or ``1981年3月15日``.
After validation:

* ``id_number`` is 18 characters with an upper-case ``X``;
* ``sex`` and ``birth_date`` are always set (taken from the ID number when left out, and checked
  against it when given);
* ``ethnicity`` ends in 族 (or is 其他); ``phone`` is 11 digits for a mobile, ``0591-87654321`` for a
  landline; ``categories`` holds each category once, in the order given.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from registry.domain import CATEGORY_NAMES, Category, Registration
from vet_common.api import FRIENDLY_MESSAGES
from vet_common.domain import SystemClock
from vet_common.idnumber import IdNumber, InvalidIdNumber, parse_id_number
from vet_common.regions import InvalidRegion, validate_region_code


def today() -> date:
    """Today's date in China, from the system clock (tests freeze it with time-machine)."""
    return SystemClock().today()


# --------------------------------------------------------------------------------------------- text helpers


@lru_cache(maxsize=256)
def _parse_id(value: str, day: date) -> IdNumber:
    """parse_id_number, once per value: the id, sex and birth-date validators all need it."""
    return parse_id_number(value, today=day)


def _nfkc(value: str) -> str:
    """Full-width digits, letters, spaces and punctuation to their ASCII forms."""
    return unicodedata.normalize("NFKC", value)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _text(value: Any, what: str, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{what}应填写文字 ({field} must be text)")
    text = str(value)
    # A NUL or \x01 pasted from another system is invisible on screen and breaks exports: refuse it here.
    if any(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in text):
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
    text = _nfkc(raw).strip()
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


def _loose_date(value: Any, label: str, field: str) -> tuple[date | None, Precision]:
    value = _blank_to_none(value)
    if value is None:
        return None, "day"
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    if isinstance(value, str):
        return parse_date_text(value, label)
    raise ValueError(f"{label}应按 1981-03-15 的格式填写 ({field} must be a date like 1981-03-15)")


def _not_in_future(value: date, label: str, field: str) -> date:
    now = today()
    if value > now:
        raise ValueError(
            f"{label} {value.isoformat()} 晚于今天（{now.isoformat()}），请核对 ({field} is in the future)"
        )
    return value


def _field_error(loc: tuple[str | int, ...], message: str, value: Any) -> ValidationError:
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
_ETHNICITIES = frozenset(ETHNIC_GROUPS)

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
_CATEGORY_LOOKUP: dict[str, Category] = {
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
    text = _nfkc(raw)
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
    value = _blank_to_none(value)
    if value is None:
        return None
    address = " ".join(_nfkc(_text(value, "家庭住址", "address")).split())
    if len(address) > 200:
        raise ValueError(
            f"家庭住址过长（{len(address)} 个字），最多 200 个字 (address is too long: at most 200 characters)"
        )
    return address


def normalize_name(raw: str) -> str:
    """Strip, collapse blanks (and drop those between Chinese characters: 张　三 -> 张三), one kind of middle dot."""
    text = " ".join(_nfkc(raw).split())
    text = re.sub(rf"(?<=[{_CJK}]) (?=[{_CJK}])", "", text)
    text = _MIDDLE_DOTS.sub("\u00b7", text)
    return re.sub(r"\s*\u00b7\s*", "\u00b7", text)


def parse_categories(value: Any) -> list[Category]:
    """Codes or Chinese names, as a list or one string separated by 、,，;； or blanks; each kept once."""
    if isinstance(value, str):
        items: list[Any] = [part for part in CATEGORY_SEPARATORS.split(_nfkc(value)) if part]
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
        key = "".join(_nfkc(str(item)).split())
        if not key:
            continue
        category = _CATEGORY_LOOKUP.get(key) or _CATEGORY_LOOKUP.get(key.lower())
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


# ------------------------------------------------------------------------------------------------ models


class ServiceRecord(BaseModel):
    """Military service: dates may be given to the month (1981.03 means 1 March 1981)."""

    enlisted_on: date | None = Field(default=None, description="入伍时间")
    discharged_on: date | None = Field(default=None, description="退伍时间")
    branch: str | None = Field(default=None, max_length=30, description="军种, e.g. 陆军")
    rank: str | None = Field(default=None, max_length=30, description="职级或军衔, e.g. 上士")

    @field_validator("enlisted_on", mode="before")
    @classmethod
    def _enlisted_text(cls, value: Any) -> date | None:
        return _loose_date(value, "入伍时间", "enlisted_on")[0]

    @field_validator("discharged_on", mode="before")
    @classmethod
    def _discharged_text(cls, value: Any) -> date | None:
        return _loose_date(value, "退伍时间", "discharged_on")[0]

    @field_validator("enlisted_on")
    @classmethod
    def _enlisted(cls, value: date | None) -> date | None:
        return None if value is None else _not_in_future(value, "入伍时间", "enlisted_on")

    @field_validator("discharged_on")
    @classmethod
    def _discharged(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return None
        _not_in_future(value, "退伍时间", "discharged_on")
        enlisted = info.data.get("enlisted_on")
        if enlisted is not None and value < enlisted:
            raise ValueError(
                f"退伍时间 {value.isoformat()} 早于入伍时间 {enlisted.isoformat()}，请核对 "
                "(discharged_on is before enlisted_on)"
            )
        return value

    @field_validator("branch", "rank", mode="before")
    @classmethod
    def _short_text(cls, value: Any, info: ValidationInfo) -> str | None:
        value = _blank_to_none(value)
        if value is None:
            return None
        label = "军种" if info.field_name == "branch" else "职级"
        return " ".join(_nfkc(_text(value, label, str(info.field_name))).split())


class PersonData(BaseModel):
    """A person as registered (``POST /persons``) or as read from one roster row.

    Field order matters: ``sex`` and ``birth_date`` are checked against ``id_number``, and ``service``
    against ``birth_date``, through the values already validated.
    """

    id_number: str = Field(description="18-digit citizen ID number (公民身份号码)")
    name: str = Field(max_length=50, description="姓名")
    sex: Literal["male", "female"] | None = Field(
        default=None, validate_default=True, description="性别; taken from the ID number if left out"
    )
    birth_date: date | None = Field(
        default=None, validate_default=True, description="出生日期; taken from the ID number if left out"
    )
    ethnicity: str | None = Field(default=None, description="民族: one of the 56 ethnic groups, e.g. 汉族, or 其他")
    phone: str | None = Field(default=None, description="联系电话: mobile 13812345678 or landline 0591-87654321")
    address: str | None = Field(default=None, max_length=200, description="家庭住址")
    region: str = Field(description="12-digit region code of the person's village or community (行政区划代码)")
    household: Literal["rural", "urban"] | None = Field(default=None, description="户籍类别: 农村 rural, 城镇 urban")
    categories: list[Category] = Field(description="One or more of the 12 national categories (codes or names)")
    service: ServiceRecord | None = Field(default=None, description="Service record (服役信息)")

    # -- identity

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number(cls, value: Any) -> str:
        if value is None:
            raise ValueError("请填写身份证号码 (ID number is required)")
        if isinstance(value, bool) or not isinstance(value, str):
            raise ValueError(
                "身份证号码应作为文字填写（以免末位 X 和后几位数字丢失） (the ID number must be a string, not a number)"
            )
        try:
            return _parse_id(value, today()).value
        except InvalidIdNumber as error:
            raise ValueError(str(error)) from None

    @staticmethod
    def _parsed_id(info: ValidationInfo) -> IdNumber | None:
        value = info.data.get("id_number")
        return None if value is None else _parse_id(value, today())

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        value = _blank_to_none(value)
        if value is None:
            raise ValueError("请填写姓名 (name is required)")
        name = normalize_name(_text(value, "姓名", "name"))
        if len(name) > 50:
            raise ValueError(f"姓名过长（{len(name)} 个字），最多 50 个字 (name is too long: at most 50 characters)")
        if re.search(r"\d", name):
            raise ValueError(f"姓名“{name}”中有数字，请核对是否填错了列 (name must not contain digits)")
        return name

    @field_validator("sex", mode="before")
    @classmethod
    def _sex_text(cls, value: Any) -> str | None:
        value = _blank_to_none(value)
        if value is None:
            return None
        sex = SEXES.get("".join(_nfkc(str(value)).split()).lower())
        if sex is None:
            raise ValueError(f"性别应填“男”或“女”，收到“{value}” (sex must be male or female)")
        return sex

    @field_validator("sex")
    @classmethod
    def _sex(cls, value: str | None, info: ValidationInfo) -> str | None:
        parsed = cls._parsed_id(info)
        if parsed is None:
            return value
        if value is not None and value != parsed.sex:
            raise ValueError(
                f"性别与身份证号码不符，身份证号码显示为{SEX_NAMES[parsed.sex]} "
                f"(sex does not match the ID number, which says {parsed.sex})"
            )
        return parsed.sex

    @field_validator("birth_date", mode="before")
    @classmethod
    def _birth_text(cls, value: Any, info: ValidationInfo) -> date | None:
        birth, precision = _loose_date(value, "出生日期", "birth_date")
        parsed = cls._parsed_id(info)
        if birth is not None and precision == "month" and parsed is not None:
            # A roster giving only the year and month: fine if it agrees with the ID number.
            if (birth.year, birth.month) != (parsed.birth_date.year, parsed.birth_date.month):
                raise ValueError(cls._birth_mismatch(parsed))
            return parsed.birth_date
        return birth

    @staticmethod
    def _birth_mismatch(parsed: IdNumber) -> str:
        return (
            f"出生日期与身份证号码不符，身份证号码显示为 {parsed.birth_date.isoformat()} "
            "(birth_date does not match the ID number)"
        )

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None:
            _not_in_future(value, "出生日期", "birth_date")
        parsed = cls._parsed_id(info)
        if parsed is None:
            return value
        if value is not None and value != parsed.birth_date:
            raise ValueError(cls._birth_mismatch(parsed))
        return parsed.birth_date

    # -- details

    @field_validator("ethnicity", mode="before")
    @classmethod
    def _ethnicity(cls, value: Any) -> str | None:
        value = _blank_to_none(value)
        if value is None:
            return None
        key = "".join(_nfkc(_text(value, "民族", "ethnicity")).split())
        if key in ("其他", "其它"):
            return OTHER_ETHNICITY
        for candidate in (key, f"{key}族"):
            if candidate in _ETHNICITIES:
                return candidate
        raise ValueError(
            f"民族“{value}”不在 56 个民族之中，请填写如“汉族”“回族”，无法确定的填“其他” "
            "(unknown ethnic group; write e.g. 汉族, or 其他)"
        )

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: Any) -> str | None:
        value = _blank_to_none(value)
        if value is None:
            return None
        return normalize_phone(_text(value, "联系电话", "phone"))

    @field_validator("address", mode="before")
    @classmethod
    def _address(cls, value: Any) -> str | None:
        return normalize_address(value)

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> str:
        value = _blank_to_none(value)
        if value is None:
            raise ValueError("请填写行政区划代码（12 位，如 350102001001） (region code is required)")
        try:
            return validate_region_code(_text(value, "行政区划代码", "region"))
        except InvalidRegion as error:
            raise ValueError(str(error)) from None

    @field_validator("household", mode="before")
    @classmethod
    def _household(cls, value: Any) -> str | None:
        value = _blank_to_none(value)
        if value is None:
            return None
        key = "".join(_nfkc(str(value)).split()).lower()
        key = re.sub(r"(户籍|户口|户)$", "", key)
        household = HOUSEHOLDS.get(key)
        if household is None:
            raise ValueError(f"户籍类别应填“农村”或“城镇”，收到“{value}” (household register must be rural or urban)")
        return household

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> list[Category]:
        value = _blank_to_none(value)
        if value is None:
            raise ValueError("请至少填写一个人员类别 (at least one category is required)")
        return parse_categories(value)

    @field_validator("service", mode="before")
    @classmethod
    def _service_blank(cls, value: Any) -> Any:
        if isinstance(value, dict) and all(_blank_to_none(item) is None for item in value.values()):
            return None
        return value

    @field_validator("service")
    @classmethod
    def _service(cls, value: ServiceRecord | None, info: ValidationInfo) -> ServiceRecord | None:
        birth = info.data.get("birth_date")
        if value is None or birth is None:
            return value
        for field, label in (("enlisted_on", "入伍时间"), ("discharged_on", "退伍时间")):
            day = getattr(value, field)
            if day is not None and day < birth:
                raise _field_error(
                    (field,),
                    f"{label} {day.isoformat()} 早于出生日期 {birth.isoformat()}，请核对 "
                    f"({field} is before the birth date)",
                    day.isoformat(),
                )
        return value

    def to_registration(self) -> Registration:
        """The domain's registration: sex and birth date are always filled in once validated."""
        values = {name: getattr(self, name) for name in Registration.__dataclass_fields__}
        values["categories"] = [str(category) for category in self.categories]
        values["service"] = self.service.model_dump(mode="json") if self.service else None
        return Registration(**values)


# ------------------------------------------------------------------------------------------------ errors

# Pydantic error types FRIENDLY_MESSAGES does not word (it wins where both do).
_MORE_MESSAGES = {
    "string_type": "应填写文字 (must be text)",
    "date_type": "日期格式应为 年-月-日，如 2026-08-01 (date must look like 2026-08-01)",
    "list_type": "应为一个列表 (must be a list)",
    "model_type": "内容格式不正确 (must be an object with fields)",
    "model_attributes_type": "内容格式不正确 (must be an object with fields)",
    "dict_type": "内容格式不正确 (must be an object with fields)",
    "extra_forbidden": "不认识的字段 (unknown field)",
}
_MESSAGES = {**_MORE_MESSAGES, **FRIENDLY_MESSAGES}


def field_errors(error: ValidationError) -> list[tuple[str, str]]:
    """(dotted field, readable message) for each problem, e.g. ("service.discharged_on", "退伍时间 ... (...)")."""
    items: list[tuple[str, str]] = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem.get("loc", ())) or "body"
        template = _MESSAGES.get(problem.get("type", ""))
        message: str | None
        try:
            message = template.format(**problem.get("ctx", {})) if template else None
        except (KeyError, IndexError, ValueError):
            message = None
        if message is None:
            message = str(problem.get("msg", "invalid value")).removeprefix("Value error, ")
        items.append((location, message))
    return items
