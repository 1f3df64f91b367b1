"""Statistics by region and period (统计): GET /stats/{topic}, as of a past day, and as XLSX or CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from reporting import day_ends, queries
from reporting.api.deps import Reporting, family_of, run
from reporting.queries import Counts, Figures, locked_figures, measures_of, region_name
from reporting.statistics.family import Family
from reporting.statistics.periods import parse_period
from reporting.tables import Table, as_json, build_table, table_csv, table_xlsx, with_derived
from vet_common.api import AppClock, AppSettings, ReadModels
from vet_common.auth import CurrentPrincipal
from vet_common.domain import Invalid, NotFound
from vet_common.jurisdiction import scope
from vet_common.openapi import problem

router = APIRouter(tags=["statistics"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The statistic as a workbook (.xlsx) or CSV (UTF-8 with BOM)",
        "content": {
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}

RegionQuery = Annotated[str | None, Query(description="Region prefix (2-12 digits), default your jurisdiction")]
PeriodQuery = Annotated[str | None, Query(description="all (default), a year 2026, a quarter 2026-Q3, a month 2026-07")]
AsOfQuery = Annotated[date | None, Query(description="Answer as the platform knew it at the end of this day (China)")]
PublishQuery = Annotated[bool, Query(description="Published form: counts under the threshold are suppressed")]
FundQuery = Annotated[str | None, Query(description="funds only: the figures of one fund (its fund_id)")]
CampaignQuery = Annotated[str | None, Query(description="campaigns only: one campaign's progress and summary table")]


class Summary(BaseModel):
    region: str
    persons: int
    visits: int
    funds: int


class RegionFigures(BaseModel):
    region: str
    name: str | None
    figures: dict[str, int | float | None] = Field(description="By column key; null where suppressed")


class StatColumn(BaseModel):
    key: str
    label: str
    unit: Literal["count", "fen", "ratio", "days", "tables"]


class Statistic(BaseModel):
    topic: str
    part: str | None = Field(description="The fund (?fund=) or campaign (?campaign=) the figures are of")
    title: str
    region: str
    region_name: str | None
    period: str
    as_of: date | None
    produced_at: datetime
    published: bool
    threshold: int | None
    locked: bool = Field(description="An approved report's figures, locked; later events are in `corrections`")
    corrections: dict[str, int] | None
    columns: list[StatColumn]
    total: RegionFigures
    rows: list[RegionFigures] = Field(description="The next region level down, side by side")


@router.get("/stats/summary", response_model=Summary, responses=problem(403, "A region outside your jurisdiction"))
async def summary(principal: CurrentPrincipal, db: ReadModels, clock: AppClock, region: RegionQuery = None) -> Summary:
    """Three headline figures of a region: people on record, contacts, funds."""
    prefix = scope(principal, region)
    period = parse_period(None)
    figures = {
        topic: (await queries.live_figures(db, family_of(topic), prefix, period, clock.today())).total
        for topic in ("people", "contacts", "funds")
    }
    return Summary(
        region=prefix,
        persons=figures["people"].get("people", 0),
        visits=figures["contacts"].get("contacts", 0),
        funds=figures["funds"].get("funds", 0),
    )


@dataclass
class TableQuery:
    """Which figures: where, which period, live or as of a day, internal or published."""

    region: RegionQuery = None
    period: PeriodQuery = None
    as_of: AsOfQuery = None
    publish: PublishQuery = False
    fund: FundQuery = None
    campaign: CampaignQuery = None

    def part_of(self, family: Family) -> str | None:
        """The part asked for (a fund, a campaign), refused on a topic that has no such part."""
        parts = {"fund": self.fund, "campaign": self.campaign}
        for name, value in parts.items():
            if value is not None and family.part_name != name:
                raise Invalid(
                    name,
                    f"只有{'资金' if name == 'fund' else '活动'}统计可按 {name} 查看 (?{name}= is for the "
                    f"{'funds' if name == 'fund' else 'campaigns'} statistic only)",
                )
        return parts.get(family.part_name or "")


@dataclass
class Context:
    principal: CurrentPrincipal
    reporting: Reporting
    db: ReadModels
    clock: AppClock
    settings: AppSettings


async def figures_of(topic: str, context: Context, query: TableQuery) -> tuple[Family, Figures, Counts | None]:
    """The figures asked for, live (or an approved report's, locked) or as of a day: from the counters' day
    starts, or replayed from the archive while the counters have not counted all of that day."""
    family = family_of(topic)
    part = query.part_of(family)
    prefix = scope(context.principal, query.region)
    period = parse_period(query.period)
    today = context.clock.today()
    locked = None
    if query.as_of is not None:
        if query.as_of > today:
            raise Invalid("as_of", f"截至日期不能晚于今天（{today}）(as_of cannot be after today, {today})")
        read = await day_ends.figures_at_end_of(
            context.db, family, prefix, period, query.as_of, lambda at: run(context.reporting.entry_at, at + 1), part
        )
        if read is None:
            read = await run(queries.figures_as_of, context.reporting, family, prefix, period, query.as_of, part)
        figures = read
    else:
        figures = await queries.live_figures(context.db, family, prefix, period, today, part)
        if part is None:
            locked = await locked_figures(context.db, topic, prefix, period)
    if part is not None and not figures.documents_read:
        raise NotFound(
            f"本辖区（{prefix}）没有 {part} 的数据 (nothing of {family.part_name} {part} in {prefix}; "
            "check the id, or ask for a region it counts in)"
        )
    return family, figures, locked


async def table_of(topic: str, context: Context, query: TableQuery) -> Table:
    family, figures, locked = await figures_of(topic, context, query)
    threshold = context.settings.publish_threshold if query.publish else None
    period = parse_period(query.period)
    return build_table(family, figures, period, query.as_of, context.clock.now(), threshold, locked)


def file_response(content: bytes, name: str, format: str) -> Response:
    """An export as a download: CSV (UTF-8 with BOM) or a workbook."""
    media_type = "text/csv; charset=utf-8" if format == "csv" else XLSX
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'}
    )


@router.get(
    "/stats/{topic}",
    response_model=Statistic,
    responses={**problem(403, "A region outside your jurisdiction"), **problem(404, "No such statistic")},
)
async def statistic(
    topic: str, context: Annotated[Context, Depends()], query: Annotated[TableQuery, Depends()]
) -> Statistic:
    """A topic's figures for a region and its next level down, for a period, live or as of a past day."""
    table = await table_of(topic, context, query)
    return Statistic.model_validate(as_json(table))


class PeriodFigures(BaseModel):
    period: str
    figures: dict[str, int | float | None]


class ByPeriod(BaseModel):
    topic: str
    region: str
    region_name: str | None
    columns: list[StatColumn]
    periods: list[PeriodFigures] = Field(description="The region's own total for each period asked, in that order")


MAX_PERIODS = 24


@router.get(
    "/stats/{topic}/by-period",
    response_model=ByPeriod,
    responses={**problem(403, "A region outside your jurisdiction"), **problem(404, "No such statistic")},
)
async def by_period(
    topic: str,
    context: Annotated[Context, Depends()],
    period: Annotated[list[str], Query(description="Each period of the chart: ?period=2026-Q1&period=2026-Q2")],
    region: RegionQuery = None,
) -> ByPeriod:
    """A region's totals for several periods in one answer (a chart by quarter or month), live."""
    if not 1 <= len(period) <= MAX_PERIODS:
        raise Invalid("period", f"请选择 1 至 {MAX_PERIODS} 个统计期 (ask for 1 to {MAX_PERIODS} periods)")
    family = family_of(topic)
    prefix = scope(context.principal, region)
    periods = [parse_period(text) for text in period]
    totals = await queries.live_totals(context.db, family, prefix, periods, context.clock.today())
    measures = measures_of(family, {key for counts in totals.values() for key in counts})
    return ByPeriod(
        topic=topic,
        region=prefix,
        region_name=region_name(prefix),
        columns=[StatColumn.model_validate({"key": m.key, "label": m.label, "unit": m.units}) for m in measures],
        periods=[
            PeriodFigures(period=key, figures=with_derived(family, measures, counts)) for key, counts in totals.items()
        ],
    )


@router.get(
    "/stats/{topic}/export",
    response_class=Response,
    responses={**FILES, **problem(403, "A region outside your jurisdiction"), **problem(404, "No such statistic")},
)
async def export(
    topic: str,
    context: Annotated[Context, Depends()],
    query: Annotated[TableQuery, Depends()],
    format: Annotated[Literal["xlsx", "csv"], Query(description="xlsx (default) or csv")] = "xlsx",
) -> Response:
    """The same table as a file: Chinese headers, region names, yuan with two decimals, produced and as-of dates."""
    table = await table_of(topic, context, query)
    part = f"-{table.part}" if table.part else ""
    name = f"{topic}{part}-{table.region}-{table.period.key}{'-' + table.as_of.isoformat() if table.as_of else ''}"
    return file_response(table_csv(table) if format == "csv" else table_xlsx(table), name, format)
