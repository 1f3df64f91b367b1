"""The roster's columns: template headers, the other headers rosters use, and what to write in each."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from vet_common.idnumber import make_id_number

# The template's headers, in order, and the PersonData field each fills.
ROSTER_COLUMNS: dict[str, str] = {
    "姓名": "name",
    "公民身份号码": "id_number",
    "性别": "sex",
    "出生日期": "birth_date",
    "民族": "ethnicity",
    "联系电话": "phone",
    "家庭住址": "address",
    "行政区划代码": "region",
    "户籍类别": "household",
    "人员类别": "categories",
    "入伍时间": "service.enlisted_on",
    "退伍时间": "service.discharged_on",
    "军种": "service.branch",
    "职级": "service.rank",
}
REQUIRED_FIELDS = ("name", "id_number", "region", "categories")
# Other headers rosters use for the same columns.
HEADER_ALIASES: dict[str, str] = {
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "身份证": "id_number",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "联系方式": "phone",
    "住址": "address",
    "现住址": "address",
    "区划代码": "region",
    "户口性质": "household",
    "户籍性质": "household",
    "户口类别": "household",
    "类别": "categories",
    "优抚对象类别": "categories",
    "军衔": "service.rank",
}
COLUMN_OF: dict[str, str] = {column: header for header, column in ROSTER_COLUMNS.items()}

_HELP: dict[str, tuple[str, str]] = {
    # field: (what to write, example)
    "name": ("与身份证一致；少数民族姓名中间的点用“·”", "张三"),
    "id_number": ("18 位公民身份号码，末位 X 大小写均可；请把本列设为“文本”格式，以免 Excel 丢掉后几位", ""),
    "sex": ("男 或 女；可不填，按身份证号码自动判断", "男"),
    "birth_date": ("如 1960-08-01 或 1960年8月1日；可不填，按身份证号码自动判断", "1960-08-01"),
    "ethnicity": ("56 个民族之一，如 汉族、回族（可省略“族”字）；无法确定的填“其他”", "汉族"),
    "phone": ("手机 11 位，或带区号的固定电话如 0591-87654321；只填一个", "13812345678"),
    "address": ("最多 200 字", "福州市鼓楼区鼓东街道某某路 1 号"),
    "region": ("本人所在村（社区）的 12 位统计用区划代码", "350102001001"),
    "household": ("农村 或 城镇（也可写 农业/非农业）", "农村"),
    "categories": ("一项或多项，多项用顿号“、”分隔；名称见下表", "退役士兵"),
    "service.enlisted_on": ("如 1978-12 或 1978-12-01；只写到月的按该月 1 日", "1978-12"),
    "service.discharged_on": ("不得早于入伍时间", "1983-10"),
    "service.branch": ("如 陆军、海军、空军、火箭军、武警", "陆军"),
    "service.rank": ("退役时的职级或军衔，如 上士", "上士"),
}
EXAMPLE_NAME = "张三"
EXAMPLE_ID_NUMBER = make_id_number("350102", date(1960, 8, 1), 5, "male")
TEMPLATE_SHEET = "人员台账"
HELP_SHEET = "填写说明"

_HEADER_NOISE = re.compile(r"[\s*＊:：]|[(（][^)）]*[)）]")


def _header_key(text: str) -> str:
    """ "公民身份号码 *", "公民身份号码（必填）", "ｉｄ_number" -> one comparable form."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


_HEADER_LOOKUP: dict[str, str] = {
    **{_header_key(field_): field_ for field_ in ROSTER_COLUMNS.values()},
    **{_header_key(header): field_ for header, field_ in HEADER_ALIASES.items()},
    **{_header_key(header): field_ for header, field_ in ROSTER_COLUMNS.items()},
}


def field_for_header(header: Any) -> str | None:
    """The PersonData field a roster header fills, or None for columns we do not import (序号, 备注 ...)."""
    if header is None:
        return None
    return _HEADER_LOOKUP.get(_header_key(str(header)))


def column_label(field_path: str) -> str:
    """The Chinese header for a field path from field_errors ("service.enlisted_on" -> "入伍时间")."""
    parts = field_path.split(".")
    while parts:
        label = COLUMN_OF.get(".".join(parts))
        if label:
            return label
        parts.pop()
    return {"service": "服役信息"}.get(field_path, field_path)
