"""Reading roster files: .xlsx and .csv (UTF-8 or GBK), finding the header, yielding the non-blank rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, TypeAlias
from zipfile import BadZipFile

from openpyxl import load_workbook

from registry.roster.columns import (
    COLUMN_OF,
    EXAMPLE_ID_NUMBER,
    EXAMPLE_NAME,
    HELP_SHEET,
    REQUIRED_FIELDS,
    TEMPLATE_SHEET,
    field_for_header,
)

RawValue: TypeAlias = str | int | float | date | None  # date covers datetime

_HEADER_SEARCH_ROWS = 10  # a title line or two often sits above the header


class RosterFormatError(ValueError):
    """The file as a whole cannot be imported: wrong type, unreadable, or required columns missing."""


@dataclass(frozen=True)
class RawRow:
    """One non-blank data row: values by PersonData field path, as the cell held them."""

    row_number: int
    values: dict[str, RawValue]


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
