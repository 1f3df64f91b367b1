"""A campaign's summary table (情况汇总表): its counties side by side for a city, the cities for the province."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from reporting.api.stats import (
    FILES,
    AsOfQuery,
    Context,
    PublishQuery,
    RegionQuery,
    StatColumn,
    TableQuery,
    figures_of,
    file_response,
)
from reporting.statistics.periods import parse_period
from reporting.summary import SummaryTable, as_json, occasion_of, summary_table, summary_xlsx
from reporting.tables import build_table
from vet_common.openapi import problem

router = APIRouter(tags=["statistics"])
NOT_FOUND = problem(404, "No such campaign counted in the region")
OUTSIDE = problem(403, "A region outside your jurisdiction")


class SummaryRowOut(BaseModel):
    number: int | None = Field(description="序号; null for the total")
    region: str
    name: str
    figures: dict[str, int | float | None] = Field(description="By column key; null where suppressed or no base")
    status: str = Field(description="The county's table: 已审核, 待审核, 已退回 or 未报送; above, how many are")


class SummaryTableOut(BaseModel):
    campaign: str
    occasion: str | None
    title: str
    region: str
    region_name: str | None
    as_of: date | None
    produced_at: datetime
    published: bool
    threshold: int | None
    columns: list[StatColumn]
    rows: list[SummaryRowOut] = Field(description="The next region level down: a city's counties, the cities")
    total: SummaryRowOut


@dataclass
class SummaryQuery:
    """Which table: where (default your jurisdiction), live or as of a past day, internal or published."""

    region: RegionQuery = None
    as_of: AsOfQuery = None
    publish: PublishQuery = False


async def summary_of(campaign_id: str, context: Context, query: SummaryQuery) -> SummaryTable:
    table_query = TableQuery(region=query.region, as_of=query.as_of, publish=query.publish, campaign=campaign_id)
    family, figures, _ = await figures_of("campaigns", context, table_query)
    threshold = context.settings.publish_threshold if query.publish else None
    table = build_table(family, figures, parse_period(None), query.as_of, context.clock.now(), threshold)
    return summary_table(table, occasion_of(figures.total))


@router.get("/summary-tables/{campaign_id}", response_model=SummaryTableOut, responses={**OUTSIDE, **NOT_FOUND})
async def campaign_summary_table(
    campaign_id: str, context: Annotated[Context, Depends()], query: Annotated[SummaryQuery, Depends()]
) -> SummaryTableOut:
    """The campaign's summary table for a region (default your jurisdiction), live or as of a past day."""
    return SummaryTableOut.model_validate(as_json(await summary_of(campaign_id, context, query)))


@router.get(
    "/summary-tables/{campaign_id}/export", response_class=Response, responses={**FILES, **OUTSIDE, **NOT_FOUND}
)
async def campaign_summary_workbook(
    campaign_id: str, context: Annotated[Context, Depends()], query: Annotated[SummaryQuery, Depends()]
) -> Response:
    """The summary table as the form's workbook (.xlsx): title, reporting unit, dates, a row per region, total."""
    summary = await summary_of(campaign_id, context, query)
    day = f"-{query.as_of.isoformat()}" if query.as_of else ""
    return file_response(summary_xlsx(summary), f"summary-{campaign_id}-{summary.table.region}{day}", "xlsx")
