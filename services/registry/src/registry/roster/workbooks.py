"""Writing workbooks: the import template with its instructions, and the rows that were not imported."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from registry.domain import CATEGORY_NAMES
from registry.roster.columns import (
    _HELP,
    EXAMPLE_ID_NUMBER,
    EXAMPLE_NAME,
    HELP_SHEET,
    REQUIRED_FIELDS,
    ROSTER_COLUMNS,
    TEMPLATE_SHEET,
    column_label,
)
from registry.roster.rows import RowRejection
from registry.validation import ETHNIC_GROUPS
from vet_common.idnumber import mask_id_number, mask_phone, normalize_id_number
from vet_common.spreadsheets import Column, Sheet, xlsx

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
    columns = [
        Column("行号", "row", width=8),
        Column("字段", "column", width=14),
        Column("原因", "reason", width=70),
        *(Column(header, path, width=16, text=True, mask=_MASKS.get(path)) for header, path in ROSTER_COLUMNS.items()),
    ]
    lines = (
        {"row": rejection.row_number, "column": column_label(path), "reason": reason, **rejection.values}
        for rejection in rejections
        for path, reason in rejection.errors
    )
    return xlsx(Sheet(title="未导入的行", columns=columns, rows=lines, freeze="D2", masked=mask))


_MASKS: dict[str, Callable[[str], str]] = {
    "id_number": lambda value: mask_id_number(normalize_id_number(value)),
    "phone": mask_phone,
}
