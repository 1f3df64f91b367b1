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
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from registry.cleaning import (
    CATEGORY_ALIASES,
    CATEGORY_SEPARATORS,
    ETHNIC_GROUPS,
    ETHNICITIES,
    HOUSEHOLD_NAMES,
    HOUSEHOLDS,
    OTHER_ETHNICITY,
    SEX_NAMES,
    SEXES,
    blank_to_none,
    field_error,
    loose_date,
    nfkc,
    normalize_address,
    normalize_name,
    normalize_phone,
    not_in_future,
    parse_categories,
    parse_date_text,
    parse_id_once,
    text_of,
    today,
)
from registry.domain import Category, Registration
from vet_common.api import FRIENDLY_MESSAGES
from vet_common.idnumber import IdNumber, InvalidIdNumber
from vet_common.regions import InvalidRegion, validate_region_code

__all__ = [
    "CATEGORY_ALIASES",
    "CATEGORY_SEPARATORS",
    "ETHNIC_GROUPS",
    "HOUSEHOLD_NAMES",
    "OTHER_ETHNICITY",
    "SEX_NAMES",
    "PersonData",
    "ServiceRecord",
    "field_errors",
    "normalize_address",
    "normalize_name",
    "normalize_phone",
    "parse_categories",
    "parse_date_text",
    "today",
]

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
        return loose_date(value, "入伍时间", "enlisted_on")[0]

    @field_validator("discharged_on", mode="before")
    @classmethod
    def _discharged_text(cls, value: Any) -> date | None:
        return loose_date(value, "退伍时间", "discharged_on")[0]

    @field_validator("enlisted_on")
    @classmethod
    def _enlisted(cls, value: date | None) -> date | None:
        return None if value is None else not_in_future(value, "入伍时间", "enlisted_on")

    @field_validator("discharged_on")
    @classmethod
    def _discharged(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return None
        not_in_future(value, "退伍时间", "discharged_on")
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
        value = blank_to_none(value)
        if value is None:
            return None
        label = "军种" if info.field_name == "branch" else "职级"
        return " ".join(nfkc(text_of(value, label, str(info.field_name))).split())


class PersonData(BaseModel):
    """A person as registered (``POST /persons``) or as read from one roster row.

    Field order matters: ``sex`` and ``birth_date`` are checked against ``id_number``, and ``service``
    against ``birth_date``, through the values already validated.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id_number": "350102196008010031",  # made up, with a valid check digit
                    "name": "张三",
                    "region": "350102001001",
                    "household": "urban",
                    "categories": ["discharged_soldier"],
                }
            ]
        }
    )

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
            return parse_id_once(value, today()).value
        except InvalidIdNumber as error:
            raise ValueError(str(error)) from None

    @staticmethod
    def _parsed_id(info: ValidationInfo) -> IdNumber | None:
        value = info.data.get("id_number")
        return None if value is None else parse_id_once(value, today())

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        value = blank_to_none(value)
        if value is None:
            raise ValueError("请填写姓名 (name is required)")
        name = normalize_name(text_of(value, "姓名", "name"))
        if len(name) > 50:
            raise ValueError(f"姓名过长（{len(name)} 个字），最多 50 个字 (name is too long: at most 50 characters)")
        if re.search(r"\d", name):
            raise ValueError(f"姓名“{name}”中有数字，请核对是否填错了列 (name must not contain digits)")
        return name

    @field_validator("sex", mode="before")
    @classmethod
    def _sex_text(cls, value: Any) -> str | None:
        value = blank_to_none(value)
        if value is None:
            return None
        sex = SEXES.get("".join(nfkc(str(value)).split()).lower())
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
        birth, precision = loose_date(value, "出生日期", "birth_date")
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
            not_in_future(value, "出生日期", "birth_date")
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
        value = blank_to_none(value)
        if value is None:
            return None
        key = "".join(nfkc(text_of(value, "民族", "ethnicity")).split())
        if key in ("其他", "其它"):
            return OTHER_ETHNICITY
        for candidate in (key, f"{key}族"):
            if candidate in ETHNICITIES:
                return candidate
        raise ValueError(
            f"民族“{value}”不在 56 个民族之中，请填写如“汉族”“回族”，无法确定的填“其他” "
            "(unknown ethnic group; write e.g. 汉族, or 其他)"
        )

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: Any) -> str | None:
        value = blank_to_none(value)
        if value is None:
            return None
        return normalize_phone(text_of(value, "联系电话", "phone"))

    @field_validator("address", mode="before")
    @classmethod
    def _address(cls, value: Any) -> str | None:
        return normalize_address(value)

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> str:
        value = blank_to_none(value)
        if value is None:
            raise ValueError("请填写行政区划代码（12 位，如 350102001001） (region code is required)")
        try:
            return validate_region_code(text_of(value, "行政区划代码", "region"))
        except InvalidRegion as error:
            raise ValueError(str(error)) from None

    @field_validator("household", mode="before")
    @classmethod
    def _household(cls, value: Any) -> str | None:
        value = blank_to_none(value)
        if value is None:
            return None
        key = "".join(nfkc(str(value)).split()).lower()
        key = re.sub(r"(户籍|户口|户)$", "", key)
        household = HOUSEHOLDS.get(key)
        if household is None:
            raise ValueError(f"户籍类别应填“农村”或“城镇”，收到“{value}” (household register must be rural or urban)")
        return household

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> list[Category]:
        value = blank_to_none(value)
        if value is None:
            raise ValueError("请至少填写一个人员类别 (at least one category is required)")
        return parse_categories(value)

    @field_validator("service", mode="before")
    @classmethod
    def _service_blank(cls, value: Any) -> Any:
        if isinstance(value, dict) and all(blank_to_none(item) is None for item in value.values()):
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
                raise field_error(
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
