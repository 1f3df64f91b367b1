"""A campaign's summary table (走访慰问活动情况汇总表) in the layout the Lishui notice asks for: one row per
county (a city's table) or per city (the province's roll-up), numbered, the total last, under a title naming the
region and the occasion, with what the platform counted (targets, people reached in person or remotely, the
meetings held (座谈会) and their attendances) beside what each county reported (people visited per target group,
money and goods, problems found and solved) and whether its table was submitted, approved or returned, and on
time.

It is the campaign's statistic (GET /stats/campaigns?campaign=) laid out as the form: the same counters, the
same as-of replay and publish suppression.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from reporting.queries import region_name
from reporting.tables import Table, Value, cell, notes_of
from vet_common.spreadsheets import printable

COUNTY = 6
# The form's columns in its order; the target groups' columns go where GROUPS stands.
GROUPS = "group.*"
LAYOUT = (
    "targets",
    "reached",
    "in_person",
    "remote",
    "coverage",
    "visits",
    "meetings",
    "meeting_attendances",
    GROUPS,
    "money_fen",
    "goods_fen",
    "problems_found",
    "problems_solved",
    "late",
)
STATUS_NAMES = {"approved": "已审核", "submitted": "待审核", "returned": "已退回"}


@dataclass
class SummaryRow:
    number: int | None  # 序号; None for the total
    region: str
    name: str
    figures: dict[str, Value]
    status: str


@dataclass
class SummaryTable:
    table: Table
    occasion: str | None
    rows: list[SummaryRow]
    total: SummaryRow

    @property
    def title(self) -> str:
        where = region_name(self.table.region) or self.table.region
        occasion = f"“{self.occasion}”" if self.occasion else ""
        return f"{where}{occasion}走访慰问活动情况汇总表"

    @property
    def columns(self) -> list[Any]:
        by_key = {m.key: m for m in self.table.measures}
        ordered = []
        for key in LAYOUT:
            if key == GROUPS:
                ordered += [m for m in self.table.measures if m.key.startswith("group.")]
            elif key in by_key:
                ordered.append(by_key[key])
        return ordered


def summary_table(table: Table, occasion: str | None) -> SummaryTable:
    def row(number: int | None, code: str, name: str, figures: dict[str, Value]) -> SummaryRow:
        return SummaryRow(number, code, name, figures, status_of(code, figures))

    rows = [row(n, code, region_name(code) or code, values) for n, (code, values) in enumerate(table.rows, 1)]
    total = row(None, table.region, "合计", table.total)
    return SummaryTable(table, occasion, rows, total)


def occasion_of(total: dict[str, int]) -> str | None:
    """The campaign's occasion (八一, 春节), counted where it was launched and above: the title's words."""
    return next((key.removeprefix("occasion.") for key in sorted(total) if key.startswith("occasion.")), None)


def status_of(region: str, figures: dict[str, Value]) -> str:
    """A county's table: approved, awaiting review, returned or not submitted; above a county, how many are."""
    if len(region) <= COUNTY - 2:  # a city or the province: its counties' tables counted
        return f"已报送{figures.get('reported') or 0}个县，已审核{figures.get('status.approved') or 0}个"
    if len(region) > COUNTY:
        return "—"  # a township reports through its county
    for code, name in STATUS_NAMES.items():
        if figures.get(f"status.{code}"):
            return name
    return "未报送"


def as_json(summary: SummaryTable) -> dict[str, Any]:
    table = summary.table

    def row(item: SummaryRow) -> dict[str, Any]:
        return {
            "number": item.number,
            "region": item.region,
            "name": item.name,
            "figures": {m.key: item.figures.get(m.key) for m in summary.columns},
            "status": item.status,
        }

    return {
        "campaign": table.part,
        "occasion": summary.occasion,
        "title": summary.title,
        "region": table.region,
        "region_name": region_name(table.region),
        "as_of": table.as_of,
        "produced_at": table.produced_at,
        "published": table.published,
        "threshold": table.threshold,
        "columns": [{"key": m.key, "label": m.label, "unit": m.units} for m in summary.columns],
        "rows": [row(item) for item in summary.rows],
        "total": row(summary.total),
    }


def summary_xlsx(summary: SummaryTable) -> bytes:
    """The form as a workbook: title, the reporting unit and dates, headers, a row per region, the total."""
    table, columns = summary.table, summary.columns
    headers = ["序号", "地区", *(m.label for m in columns), "汇总表报送情况"]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "情况汇总表"
    sheet.append([summary.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    notes = notes_of(table)
    sheet.append([f"填报单位：{region_name(table.region) or table.region}", None, *notes[1:3]])
    sheet.append(headers)
    for header in sheet[3]:
        header.font = Font(bold=True)
        header.alignment = Alignment(horizontal="center", wrap_text=True)
    for item in [*summary.rows, summary.total]:
        values = [cell(m, item.figures.get(m.key), table.threshold) for m in columns]
        sheet.append([item.number, item.name, *values, item.status])
    for index, measure in enumerate(columns, start=3):
        formats = {"fen": "#,##0.00", "ratio": "0.0%"}
        if measure.units in formats:
            for (figure,) in sheet.iter_rows(min_row=4, min_col=index, max_col=index):
                figure.number_format = formats[measure.units]
    sheet.column_dimensions["B"].width = 16
    sheet.append([])
    for note in notes[3:]:
        sheet.append([printable(note)])
    sheet.freeze_panes = "C4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
