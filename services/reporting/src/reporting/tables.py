"""A statistic as a table: the region's total and its children side by side, with names, units and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reporting.queries import Counts, Figures, measures_of, region_name, suppress
from reporting.statistics.family import Family, Measure
from reporting.statistics.periods import Period
from vet_common.domain import CHINA
from vet_common.spreadsheets import Column, Sheet, csv_bytes, xlsx

Value = int | float | None


@dataclass
class Table:
    family: Family
    region: str
    period: Period
    as_of: date | None
    produced_at: datetime
    total: dict[str, Value]
    rows: list[tuple[str, dict[str, Value]]]
    published: bool
    threshold: int | None
    measures: list[Measure]
    locked: bool = False
    corrections: dict[str, int] | None = None
    part: str | None = None


def with_derived(family: Family, measures: list[Measure], counts: Counts) -> dict[str, Value]:
    values: dict[str, Value] = {m.key: counts.get(m.key, 0) for m in measures if not m.derived}
    derived = family.derive(counts)
    values.update({m.key: derived.get(m.key) for m in measures if m.derived})
    return values


def build_table(
    family: Family,
    figures: Figures,
    period: Period,
    as_of: date | None,
    produced_at: datetime,
    threshold: int | None,
    locked: Counts | None = None,
) -> Table:
    """`threshold` given: the published form (small counts suppressed). `locked`: an approved report's figures,
    shown instead of the live ones, with the difference as corrections."""
    total = locked if locked is not None else figures.total
    corrections = None
    if locked is not None:
        corrections = {
            key: figures.total.get(key, 0) - locked.get(key, 0)
            for key in set(figures.total) | set(locked)
            if figures.total.get(key, 0) != locked.get(key, 0)
        }

    measures = measures_of(family, total, figures.part)

    def shown(counts: Counts) -> dict[str, Value]:
        values = with_derived(family, measures, counts)
        if threshold is None:
            return values
        return {**values, **suppress(measures, {k: v for k, v in values.items() if isinstance(v, int)}, threshold)}

    return Table(
        family=family,
        region=figures.region,
        period=period,
        as_of=as_of,
        produced_at=produced_at,
        total=shown(total),
        rows=[(code, shown(counts)) for code, counts in figures.children.items()],
        published=threshold is not None,
        threshold=threshold,
        measures=measures,
        locked=locked is not None,
        corrections=corrections,
        part=figures.part,
    )


def as_json(table: Table) -> dict[str, Any]:
    return {
        "topic": table.family.topic,
        "part": table.part,
        "title": table.family.title,
        "region": table.region,
        "region_name": region_name(table.region),
        "period": table.period.key,
        "as_of": table.as_of,
        "produced_at": table.produced_at,
        "published": table.published,
        "threshold": table.threshold,
        "locked": table.locked,
        "corrections": table.corrections,
        "columns": [{"key": m.key, "label": m.label, "unit": m.units} for m in table.measures],
        "total": {"region": table.region, "name": region_name(table.region), "figures": table.total},
        "rows": [{"region": code, "name": region_name(code), "figures": values} for code, values in table.rows],
    }


def cell(measure: Measure, value: Value, threshold: int | None) -> Any:
    """A figure as a workbook shows it: yuan for fen, "<5" where suppressed (a rate without a base stays empty)."""
    if value is None:
        return f"<{threshold}" if threshold and measure.units == "count" else None
    if measure.money:
        return Decimal(int(value)).scaleb(-2)  # yuan with two decimals, from fen
    return value


def _columns(table: Table) -> list[Column]:
    return [
        Column("区划代码", "region", width=14, text=True),
        Column("区划名称", "name", width=20),
        *(
            Column(m.label, m.key, width=max(10, len(m.label) * 2), number_format="#,##0.00" if m.money else None)
            for m in table.measures
        ),
    ]


def _rows(table: Table) -> list[dict[str, Any]]:
    def row(code: str, name: str | None, values: dict[str, Value]) -> dict[str, Any]:
        return {
            "region": code,
            "name": name or code,
            **{m.key: cell(m, values.get(m.key), table.threshold) for m in table.measures},
        }

    return [
        row(table.region, f"{region_name(table.region) or table.region}（合计）", table.total),
        *(row(code, region_name(code), values) for code, values in table.rows),
    ]


def notes_of(table: Table) -> list[str]:
    produced = table.produced_at.astimezone(CHINA).date().isoformat()
    notes = [
        f"统计期：{'全部' if table.period.kind == 'all' else table.period.key}",
        f"制表日期：{produced}",
        f"数据截至：{(table.as_of.isoformat() + ' 24:00') if table.as_of else produced + '（实时）'}",
        "金额单位：元",
    ]
    if table.published:
        notes.append(f"对外公布：小于 {table.threshold} 的数字不予显示")
    if table.locked:
        notes.append("本期报表已审核锁定；此后补报的数据列为更正数")
    return notes


def table_xlsx(table: Table) -> bytes:
    return xlsx(
        Sheet(table.family.title, _columns(table), _rows(table), freeze="C2", masked=False, notes=notes_of(table))
    )


def table_csv(table: Table) -> bytes:
    return csv_bytes(_columns(table), _rows(table), masked=False)
