"""Bulk import of existing rosters (台账): reading xlsx and csv files, and turning messy rows into PersonData.

Pure functions, bytes in and bytes out; the import job that registers people lives elsewhere.

    for raw, result in parse_roster(data, "台账.xlsx"):
        if isinstance(result, RowRejection): report it
        else: register result (a validated PersonData)

Rows are numbered as the spreadsheet shows them (the header row is usually 1, the first person 2).
A rejected row carries every problem found in it, one (field, reason) pair per bad field; the field is
PersonData's dotted path ("birth_date", "service.enlisted_on"), COLUMN_OF gives the Chinese header.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeAlias
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from registry.domain import CATEGORY_NAMES
from registry.validation import ETHNIC_GROUPS, PersonData, field_errors
from vet_common.idnumber import make_id_number, mask_id_number, mask_phone, normalize_id_number

RawValue: TypeAlias = str | int | float | date | None  # date covers datetime

# ------------------------------------------------------------------------------------------------ columns

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
_HEADER_SEARCH_ROWS = 10  # a title line or two often sits above the header


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


# ------------------------------------------------------------------------------------------------ results


class RosterFormatError(ValueError):
    """The file as a whole cannot be imported: wrong type, unreadable, or required columns missing."""


@dataclass(frozen=True)
class RawRow:
    """One non-blank data row: values by PersonData field path, as the cell held them."""

    row_number: int
    values: dict[str, RawValue]


@dataclass(frozen=True)
class RowRejection:
    """A row that cannot be registered, with every problem found in it.

    errors: (field path, reason) pairs, one per bad field, in column order where pydantic gives it.
    values: the row's original cells as text, by field path (unmasked: mask before showing).
    """

    row_number: int
    errors: tuple[tuple[str, str], ...]
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def field(self) -> str:
        """The first bad field (most rows have only one)."""
        return self.errors[0][0]

    @property
    def reason(self) -> str:
        return self.errors[0][1]

    def items(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per problem: row, field, column (Chinese header), reason."""
        return [
            {"row": self.row_number, "field": path, "column": column_label(path), "reason": reason}
            for path, reason in self.errors
        ]


# ------------------------------------------------------------------------------------------------ reading


def read_roster(data: bytes, filename: str) -> Iterator[RawRow]:
    """The data rows of an .xlsx or .csv roster, blank rows and the template's example row skipped.

    Raises RosterFormatError (before yielding anything) for an unsupported or unreadable file or when a
    required column is missing.
    """
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "xlsx":
        rows = _xlsx_rows(data)
    elif suffix == "csv":
        rows = _csv_rows(data)
    elif suffix in ("xls", "et", "wps"):
        raise RosterFormatError(
            f"不支持旧版 Excel 文件“{filename}”，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入 "
            "(old .xls files are not supported: save the file as .xlsx first)"
        )
    else:
        raise RosterFormatError(
            f"只能导入 .xlsx 或 .csv 文件，收到“{filename}” (only .xlsx and .csv files can be imported)"
        )
    columns, rows = _find_header(rows)
    return _data_rows(columns, rows)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise RosterFormatError(
            "文件无法打开，可能已损坏或不是 Excel 文件，请用 Excel 或 WPS 打开后另存为 .xlsx 再试 "
            f"(the file cannot be read as .xlsx: {type(error).__name__})"
        ) from None
    sheets = list(workbook.worksheets)
    # Prefer the template's sheet, then any sheet with a recognisable header, in workbook order.
    sheets.sort(key=lambda sheet: sheet.title != TEMPLATE_SHEET)
    first_error: RosterFormatError | None = None
    try:
        for sheet in sheets:
            if sheet.title == HELP_SHEET:
                continue
            sheet.reset_dimensions()  # some writers record wrong dimensions; read every row there is
            rows = ((number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1))
            try:
                header = _find_header(rows)
            except RosterFormatError as error:
                first_error = first_error or error
                continue
            yield from _chain_header(header)
            return
    finally:
        workbook.close()
    raise first_error or RosterFormatError("文件中没有工作表 (the workbook has no sheets)")


def _chain_header(header: tuple[dict[int, str], Iterator[tuple[int, list[Any]]]]) -> Iterator[tuple[int, list[Any]]]:
    """Re-emit a found header as a row so read_roster's own header search finds it straight away."""
    columns, rows = header
    width = max(columns, default=-1) + 1
    header_row: list[Any] = [None] * width
    for index, field_ in columns.items():
        header_row[index] = field_
    yield 0, header_row
    yield from rows


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFormatError(
            "CSV 文件的文字编码无法识别，请用 UTF-8 或 GBK 编码保存 (the CSV file is neither UTF-8 nor GB18030)"
        )
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise RosterFormatError(f"CSV 文件格式有误，无法读取 (the CSV file cannot be parsed: {error})") from None
    return ((number, list(row)) for number, row in enumerate(rows, start=1))


def _find_header(rows: Iterator[tuple[int, list[Any]]]) -> tuple[dict[int, str], Iterator[tuple[int, list[Any]]]]:
    """The header row among the first few rows: column index -> field path, and the rows after it."""
    seen: list[str] = []
    for _ in range(_HEADER_SEARCH_ROWS):
        try:
            _, row = next(rows)
        except StopIteration:
            break
        columns: dict[int, str] = {}
        for index, cell in enumerate(row):
            found = field_for_header(cell)
            if found is not None and found not in columns.values():  # first of 电话 / 手机 wins
                columns[index] = found
        texts = [str(cell).strip() for cell in row if cell is not None and str(cell).strip()]
        if not texts:
            continue
        if not seen:
            seen = texts
        if len(columns) < 2 or not {"name", "id_number"} & set(columns.values()):
            continue
        missing = [COLUMN_OF[field_] for field_ in REQUIRED_FIELDS if field_ not in columns.values()]
        if missing:
            raise RosterFormatError(
                f"缺少必填列：{'、'.join(missing)}。文件中的列为：{'、'.join(texts)} "
                f"(missing required column(s): {', '.join(missing)}; see the import template)"
            )
        return columns, rows
    shown = "、".join(seen) if seen else "（空）"
    raise RosterFormatError(
        f"找不到表头：前 {_HEADER_SEARCH_ROWS} 行中没有“姓名”“公民身份号码”等列名。文件开头为：{shown} "
        "(no header row with 姓名 and 公民身份号码 found; use the import template)"
    )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _data_rows(columns: dict[int, str], rows: Iterator[tuple[int, list[Any]]]) -> Iterator[RawRow]:
    for number, row in rows:
        values: dict[str, RawValue] = {}
        for index, field_ in columns.items():
            cell = row[index] if index < len(row) else None
            if isinstance(cell, time | timedelta | bool):
                cell = str(cell)
            values[field_] = None if _is_blank(cell) else cell
        if all(value is None for value in values.values()):
            continue  # blank, or only a 序号 / 备注 filled in
        if values.get("id_number") == EXAMPLE_ID_NUMBER and values.get("name") == EXAMPLE_NAME:
            continue  # the template's example row, left in by the user
        yield RawRow(row_number=number, values=values)


# ------------------------------------------------------------------------------------------------ parsing

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 once Excel's phantom 1900-02-29 is allowed for
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e\+?\d+", re.IGNORECASE)
_DATE_FIELDS = ("birth_date", "service.enlisted_on", "service.discharged_on")


def _as_text(value: RawValue) -> str:
    """A cell as a person would read it: 1.0 -> "1", datetimes as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:.5E}"  # as Excel shows a long number: 3.50102E+17
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _mangled_id_message(shown: str) -> str:
    return (
        f"身份证号码被 Excel 当成数字保存，后几位已丢失（显示为 {shown}）。请把该列设为“文本”格式，"
        "重新录入完整号码 (the ID number was stored as a number and lost its last digits; "
        "format the column as text and enter it again)"
    )


def _id_number_cell(value: RawValue) -> str:
    """The ID number as text, or ValueError when Excel has turned it into a number and lost digits."""
    if isinstance(value, float):
        # Excel keeps 15 significant digits: any 18-digit number stored as a float has lost the last three.
        raise ValueError(_mangled_id_message(f"{value:.5E}"))
    if isinstance(value, int):
        text = str(value)
        # An exact 18-digit integer can come from a program; one ending 000 is what Excel's 15 digits leave.
        if len(text) >= 16 and text.endswith("000"):
            raise ValueError(_mangled_id_message(text))
        return text
    text = _as_text(value)
    if _SCIENTIFIC.fullmatch("".join(unicodedata.normalize("NFKC", text).split())):
        raise ValueError(_mangled_id_message(text.strip()))
    return text


def _excel_serial(serial: float) -> date:
    """Excel's 1900 date system (the 1904 one of old Mac workbooks is not supported)."""
    value = from_excel(serial)
    return value.date() if isinstance(value, datetime) else _EXCEL_EPOCH + timedelta(days=int(serial))


def _date_cell(value: RawValue, label: str) -> RawValue:
    """Numbers in date columns: Excel serials (29661), 19810315, or 1981.03 typed into a numeric cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        text = "".join(unicodedata.normalize("NFKC", value).split())
        if re.fullmatch(r"\d{5}(?:\.0+)?", text):  # a serial that reached a CSV unformatted
            value = float(text)
        else:
            return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not value.is_integer():
        whole = int(value)
        if 1900 <= whole <= 2100:
            # 1981.03 typed into a number cell; 1981.1 could have been 1981.10 before Excel dropped the 0.
            text = repr(value)
            if text.endswith(".1"):
                raise ValueError(
                    f"{label}“{text}”无法确定是 1 月还是 10 月，请写成 {whole}-01 或 {whole}-10 "
                    "(ambiguous: January or October? write the month with two digits)"
                )
            return text
        if 1 <= value < 100000:
            return _excel_serial(value)  # a serial with a time of day
        return _as_text(value)
    number = int(value)
    if 1900 <= number <= 2100:
        return str(number)  # a bare year: PersonData says it needs the month
    if 10_000_000 <= number <= 99_999_999:
        return str(number)  # 19810315
    if 1 <= number < 100000:
        return _excel_serial(number)
    return str(number)


def _plain_cell(value: RawValue) -> RawValue:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, int | float | date) and not isinstance(value, bool):
        return _as_text(value)
    return value


def parse_row(raw: RawRow) -> PersonData | RowRejection:
    """A validated person, or a rejection listing each bad field with a reason a station worker can act on."""
    early: dict[str, str] = {}
    person: dict[str, Any] = {}
    service: dict[str, Any] = {}
    for path, value in raw.values.items():
        try:
            if path == "id_number":
                cell: Any = None if value is None else _id_number_cell(value)
            elif path in _DATE_FIELDS:
                cell = _date_cell(value, COLUMN_OF[path])
            else:
                cell = _plain_cell(value)
        except ValueError as error:
            early[path] = str(error)
            continue
        if path.startswith("service."):
            service[path.removeprefix("service.")] = cell
        else:
            person[path] = cell
    if service:
        person["service"] = service
    try:
        if not early:
            return PersonData.model_validate(person)
        PersonData.model_validate(person)
        found: list[tuple[str, str]] = []
    except ValidationError as error:
        found = field_errors(error)
    # A field refused before validation is missing from it; keep our reason, not "required".
    problems = {**dict(found), **early}
    ordered = sorted(problems.items(), key=lambda item: _column_order(item[0]))
    return RowRejection(raw.row_number, tuple(ordered), _original_values(raw))


def _column_order(path: str) -> int:
    fields = list(ROSTER_COLUMNS.values())
    for candidate in (path, path.rsplit(".", 1)[0]):
        if candidate in fields:
            return fields.index(candidate)
    return len(fields)


def _original_values(raw: RawRow) -> dict[str, str]:
    return {path: _as_text(value) for path, value in raw.values.items()}


def find_duplicates_in_file(
    results: Iterable[tuple[RawRow, PersonData | RowRejection]],
) -> Iterator[tuple[RawRow, PersonData | RowRejection]]:
    """Reject the later rows of an ID number that an earlier accepted row already has (streams)."""
    first_row: dict[str, int] = {}
    for raw, result in results:
        if isinstance(result, PersonData):
            earlier = first_row.setdefault(result.id_number, raw.row_number)
            if earlier != raw.row_number:
                result = RowRejection(
                    raw.row_number,
                    (
                        (
                            "id_number",
                            f"与第 {earlier} 行身份证号码重复 (same ID number as row {earlier})",
                        ),
                    ),
                    _original_values(raw),
                )
        yield raw, result


def parse_roster(data: bytes, filename: str) -> Iterator[tuple[RawRow, PersonData | RowRejection]]:
    """read_roster, parse_row and find_duplicates_in_file in one pass; raises RosterFormatError up front."""
    rows = read_roster(data, filename)
    return find_duplicates_in_file((raw, parse_row(raw)) for raw in rows)


# ------------------------------------------------------------------------------------------------ writing

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_TEXT_FIELDS = ("id_number", "phone", "region", "birth_date", "service.enlisted_on", "service.discharged_on")


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """The import template: headers (required ones marked *), one example row, and a 填写说明 sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = TEMPLATE_SHEET
    example = {
        "name": EXAMPLE_NAME,
        "id_number": EXAMPLE_ID_NUMBER,
        **{path: help_[1] for path, help_ in _HELP.items() if path not in ("name", "id_number")},
    }
    for index, (header, path) in enumerate(ROSTER_COLUMNS.items(), start=1):
        required = path in REQUIRED_FIELDS
        cell = sheet.cell(row=1, column=index, value=f"{header}*" if required else header)
        cell.font = _HEADER_FONT
        if required:
            cell.fill = _REQUIRED_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 22 if path in ("id_number", "address", "categories") else 14
        example_cell = sheet.cell(row=2, column=index, value=example.get(path, ""))
        if path in _TEXT_FIELDS:
            # Text format for the whole column, so Excel keeps all 18 digits and the X.
            sheet.column_dimensions[letter].number_format = "@"
            example_cell.number_format = "@"
    sheet.freeze_panes = "A2"
    for path, choices in (("sex", "男,女"), ("household", "农村,城镇")):
        letter = get_column_letter(list(ROSTER_COLUMNS.values()).index(path) + 1)
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        validation.add(f"{letter}2:{letter}100000")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.append(["列名", "是否必填", "填写说明", "示例"])
    for header, path in ROSTER_COLUMNS.items():
        what, sample = _HELP[path]
        help_sheet.append([header, "必填" if path in REQUIRED_FIELDS else "选填", what, example.get(path, sample)])
    help_sheet.append([])
    help_sheet.append(["说明", "", "带 * 的列必须填写；第 2 行是示例，可删除（保留也不会被导入）。同一人只填一行。"])
    help_sheet.append([])
    help_sheet.append(["人员类别名称", "代码"])
    for category, name in CATEGORY_NAMES.items():
        help_sheet.append([name, category.value])
    help_sheet.append([])
    help_sheet.append(["民族", "、".join(ETHNIC_GROUPS) + "、其他"])
    for row in help_sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.value in ("列名", "是否必填", "填写说明", "示例", "人员类别名称", "代码"):
                cell.font = _HEADER_FONT
    for letter, width in (("A", 26), ("B", 22), ("C", 60), ("D", 30)):
        help_sheet.column_dimensions[letter].width = width
    return _save(workbook)


def rejections_xlsx(rejections: Iterable[RowRejection], *, mask: bool = True) -> bytes:
    """The rows that were not imported: 行号, 字段, 原因, then the row's original values.

    One line per problem. ID and phone numbers are masked unless mask=False.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "未导入的行"
    sheet.append(["行号", "字段", "原因", *ROSTER_COLUMNS])
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
    for rejection in rejections:
        original = [rejection.values.get(path, "") for path in ROSTER_COLUMNS.values()]
        if mask:
            original = [_masked(path, value) for path, value in zip(ROSTER_COLUMNS.values(), original, strict=True)]
        for path, reason in rejection.errors:
            sheet.append([rejection.row_number, column_label(path), reason, *original])
    for letter, width in (("A", 8), ("B", 14), ("C", 70)):
        sheet.column_dimensions[letter].width = width
    for column in range(4, 4 + len(ROSTER_COLUMNS)):
        sheet.column_dimensions[get_column_letter(column)].width = 16
        for cell in sheet.iter_rows(min_col=column, max_col=column):
            cell[0].number_format = "@"
    sheet.freeze_panes = "D2"
    return _save(workbook)


def _masked(path: str, value: str) -> str:
    if not value:
        return value
    if path == "id_number":
        return mask_id_number(normalize_id_number(value))
    if path == "phone":
        return mask_phone(value)
    return value
