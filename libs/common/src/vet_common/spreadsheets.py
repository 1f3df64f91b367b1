"""Workbooks people open in Excel or WPS: Chinese headers, text-format ID columns, masking, CSV with a BOM.

Every export and every "rows that were not imported" file goes through here, so each of them keeps all 18
digits of an ID number (a text column: Excel would turn it into 3.50102E+17), masks personal data unless told
not to, and never fails on a control character pasted into a cell (openpyxl refuses them).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

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
    """The worksheet of `xlsx(sheet)` (headers in bold, widths, frozen header row, notes under the table), its XML
    written directly: for files of 100,000 rows and more (a payroll's bank file) it takes a second where
    openpyxl takes tens. Strings are inline strings (every digit of a text column kept), numbers are numbers."""
    columns = sheet.columns
    letters = [get_column_letter(index) for index in range(1, len(columns) + 1)]
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{_MAIN_NS}"><sheetViews><sheetView workbookViewId="0">{_pane(sheet.freeze)}'
        "</sheetView></sheetViews><cols>",
        *(f'<col min="{n}" max="{n}" width="{c.width}" customWidth="1"/>' for n, c in enumerate(columns, start=1)),
        "</cols><sheetData>",
        _row(1, letters, [column.header for column in columns], style=1),
    ]
    number = 1
    for number, row in enumerate(sheet.rows, start=2):
        parts.append(_row(number, letters, [cell_value(column, row, sheet.masked) for column in columns]))
    for offset, note in enumerate(sheet.notes, start=2):
        parts.append(_row(number + offset, letters, [printable(note)]))
    parts.append("</sheetData></worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _package(escape(printable(sheet.title)[:31])).items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return buffer.getvalue()


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _pane(freeze: str) -> str:
    column, row = coordinate_from_string(freeze)
    x, y = column_index_from_string(column) - 1, row - 1
    if not (x or y):
        return ""
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return f'<pane{split} topLeftCell="{freeze}" activePane="bottomRight" state="frozen"/>'


def _row(number: int, letters: Sequence[str], values: Sequence[Any], style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    cells = []
    for letter, value in zip(letters, values, strict=False):
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            text = escape(str(value))
            cells.append(
                f'<c r="{letter}{number}"{styled} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
            )
        else:
            cells.append(f'<c r="{letter}{number}"{styled}><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _package(title: str) -> dict[str, str]:
    """The parts of a workbook around its one worksheet: content types, relationships, the workbook, styles."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{sheet_type}.styles+xml"/></Types>',
        "_rels/.rels": head
        + f'<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" Type="{_REL_NS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": head + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
        f'<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": head + f'<Relationships xmlns="{_PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>',
        # Style 0 is the default; style 1 the bold header.
        "xl/styles.xml": head
        + f'<styleSheet xmlns="{_MAIN_NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    }


def csv_bytes(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], masked: bool = True) -> bytes:
    """UTF-8 with a byte-order mark, which is what makes Excel read Chinese text in a CSV correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in columns])
    for row in rows:
        values = [cell_value(column, row, masked) for column in columns]
        writer.writerow(["" if value is None else value for value in values])
    return buffer.getvalue().encode("utf-8-sig")
