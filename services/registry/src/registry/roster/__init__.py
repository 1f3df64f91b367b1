"""Bulk import of existing rosters (台账): reading xlsx and csv files, and turning messy rows into PersonData.

Pure functions, bytes in and bytes out; the import job that registers people lives elsewhere.

    for raw, result in parse_roster(data, "台账.xlsx"):
        if isinstance(result, RowRejection): report it
        else: register result (a validated PersonData)

Rows are numbered as the spreadsheet shows them (the header row is usually 1, the first person 2).
A rejected row carries every problem found in it, one (field, reason) pair per bad field; the field is
PersonData's dotted path ("birth_date", "service.enlisted_on"), COLUMN_OF gives the Chinese header.
"""

from registry.roster.columns import (
    COLUMN_OF,
    EXAMPLE_ID_NUMBER,
    EXAMPLE_NAME,
    HEADER_ALIASES,
    HELP_SHEET,
    REQUIRED_FIELDS,
    ROSTER_COLUMNS,
    TEMPLATE_SHEET,
    column_label,
    field_for_header,
)
from registry.roster.files import RawRow, RawValue, RosterFormatError, read_roster
from registry.roster.rows import RowRejection, find_duplicates_in_file, parse_roster, parse_row
from registry.roster.workbooks import rejections_xlsx, template_xlsx

__all__ = [
    "COLUMN_OF",
    "EXAMPLE_ID_NUMBER",
    "EXAMPLE_NAME",
    "HEADER_ALIASES",
    "HELP_SHEET",
    "REQUIRED_FIELDS",
    "ROSTER_COLUMNS",
    "TEMPLATE_SHEET",
    "RawRow",
    "RawValue",
    "RosterFormatError",
    "RowRejection",
    "column_label",
    "field_for_header",
    "find_duplicates_in_file",
    "parse_roster",
    "parse_row",
    "read_roster",
    "rejections_xlsx",
    "template_xlsx",
]
