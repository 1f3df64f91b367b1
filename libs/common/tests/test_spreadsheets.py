"""Workbooks for Excel and WPS: text columns keep every digit, masking, control characters, CSV with a BOM."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from vet_common.idnumber import mask_id_number
from vet_common.spreadsheets import Column, Sheet, csv_bytes, printable, xlsx, xlsx_streamed

COLUMNS = [
    Column("姓名", "name"),
    Column("公民身份号码", "id_number", width=22, text=True, mask=mask_id_number),
    Column("人数", "count"),
]
ROWS = [{"name": "张三", "id_number": "350102198103150015", "count": 3}, {"name": "李\x01四\x00", "count": 0}]


def read(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_sheet_has_chinese_headers_masked_ids_and_numbers_as_numbers() -> None:
    data = xlsx(Sheet(title="名单", columns=COLUMNS, rows=ROWS))
    assert read(data) == [["姓名", "公民身份号码", "人数"], ["张三", "350102********0015", 3], ["李四", None, 0]]


def test_unmasked_ids_are_text_so_excel_keeps_all_18_digits() -> None:
    data = xlsx(Sheet(title="名单", columns=COLUMNS, rows=ROWS, masked=False))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["B2"].value == "350102198103150015"
    assert sheet["B2"].number_format == "@"
    assert sheet.freeze_panes == "A2"


def test_control_characters_are_dropped_not_fatal() -> None:
    assert printable("a\x01b\x00c\td") == "abc\td"
    assert printable(5) == 5
    assert read(xlsx(Sheet(title="bad\x01name", columns=COLUMNS, rows=ROWS)))[2][0] == "李四"


def test_notes_go_under_the_table() -> None:
    rows = read(xlsx(Sheet(title="t", columns=COLUMNS, rows=ROWS[:1], notes=["截至 2026-08-01"])))
    assert rows[-1][0] == "截至 2026-08-01"


def test_csv_has_a_bom_for_excel_and_masks_too() -> None:
    data = csv_bytes(COLUMNS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig").splitlines()
    assert text == ["姓名,公民身份号码,人数", "张三,350102********0015,3", "李四,,0"]


def test_a_streamed_sheet_holds_the_same_cells_widths_header_and_notes() -> None:
    sheet = Sheet(title="名单", columns=COLUMNS, rows=ROWS, notes=["截至 2026-08-01"])
    streamed, plain = xlsx_streamed(sheet), xlsx(sheet)
    assert read(streamed) == read(plain)
    written = load_workbook(io.BytesIO(streamed)).worksheets[0]
    assert (written.freeze_panes, written.column_dimensions["B"].width, written["A1"].font.b) == ("A2", 22, True)
    assert written["B2"].value == "350102********0015"  # masked, a string: every character kept
