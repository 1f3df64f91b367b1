"""Workbooks people open in Excel or WPS: Chinese headers, text-format ID columns, masking, CSV with a BOM.

Every export and every "rows that were not imported" file goes through here, so each of them keeps all 18
digits of an ID number (a text column: Excel would turn it into 3.50102E+17), masks personal data unless told
not to, and never fails on a control character pasted into a cell (openpyxl refuses them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True)
TEXT_FORMAT = "@"


def printable(value: Any) -> Any:
    """A cell value without the control characters a workbook cannot hold (a pasted \\x01 or NUL)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, the key of the row it shows, and how."""

    header: str
    key: str
    width: float = 14
    text: bool = False  # ID numbers, phone numbers, region codes and dates typed as text keep every character
    mask: Callable[[str], str] | None = None  # applied unless the sheet is written unmasked
    number_format: str | None = None  # e.g. "#,##0.00" for yuan


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any]]
    freeze: str = "A2"
    masked: bool = True
    # Extra lines under the table (a note, the source, "as of"), one cell each.
    notes: Sequence[str] = field(default_factory=tuple)


def cell_value(column: Column, row: Mapping[str, Any], masked: bool) -> Any:
    value = row.get(column.key)
    if value is None or value == "":
        return value
    if masked and column.mask is not None:
        value = column.mask(str(value))
    return printable(str(value) if column.text else value)


def xlsx(*sheets: Sheet) -> bytes:
    """A workbook with one worksheet per Sheet."""
    workbook = Workbook()
    assert workbook.active is not None
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(printable(sheet.title)[:31])  # Excel's limit for sheet names
        worksheet.append([column.header for column in sheet.columns])
        for cell in worksheet[1]:
            cell.font = HEADER_FONT
        for row in sheet.rows:
            worksheet.append([cell_value(column, row, sheet.masked) for column in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            worksheet.column_dimensions[letter].width = column.width
            number_format = TEXT_FORMAT if column.text else column.number_format
            if number_format:
                for (cell,) in worksheet.iter_rows(min_col=index, max_col=index, min_row=2):
                    cell.number_format = number_format
        if sheet.notes:
            worksheet.append([])
            for note in sheet.notes:
                worksheet.append([printable(note)])
        worksheet.freeze_panes = sheet.freeze
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_streamed(sheet: Sheet) -> bytes:
    """The worksheet of `xlsx(sheet)`, written row by row (openpyxl's write-only mode): for files of 100,000 rows
    and more (a payroll's bank file), faster and without the whole sheet in memory. Text columns hold strings
    (every digit kept) without the cell-by-cell text format, which is what made the other way slow."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(printable(sheet.title)[:31])
    for index, column in enumerate(sheet.columns, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.freeze_panes = sheet.freeze
    worksheet.append([_styled(worksheet, column.header, font=HEADER_FONT) for column in sheet.columns])
    for row in sheet.rows:
        worksheet.append([cell_value(column, row, sheet.masked) for column in sheet.columns])
    if sheet.notes:
        worksheet.append([])
        for note in sheet.notes:
            worksheet.append([printable(note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _styled(worksheet: Any, value: Any, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    cell.font = font
    return cell


def csv_bytes(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], masked: bool = True) -> bytes:
    """UTF-8 with a byte-order mark, which is what makes Excel read Chinese text in a CSV correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in columns])
    for row in rows:
        values = [cell_value(column, row, masked) for column in columns]
        writer.writerow(["" if value is None else value for value in values])
    return buffer.getvalue().encode("utf-8-sig")
