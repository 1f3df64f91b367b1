"""统计报表: a region's figures with its next level down side by side, drill-down by region, a period picker,
as-of a past day, charts (Apache ECharts, vendored) and the same table as XLSX or CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.clients import ApiRefused
from console.pages.registry.forms import TOP
from console.web import ConsoleRefused, CurrentSession, Session, render
from vet_common.domain import CHINA

router = APIRouter()

TOPICS = {"people": "人员统计", "contacts": "联系走访统计", "requests": "诉求统计", "funds": "资金统计"}
QUERY = ("region", "period", "as_of")


def period_choices(year: int) -> list[tuple[str, str]]:
    """全部, this year and last, this year's quarters and months (the picker's options)."""
    options = [("all", "全部"), (str(year), f"{year}年"), (str(year - 1), f"{year - 1}年")]
    options += [(f"{year}-Q{q}", f"{year}年第{q}季度") for q in range(1, 5)]
    options += [(f"{year}-{m:02d}", f"{year}年{m}月") for m in range(1, 13)]
    return options


def year_of(period: str, today_year: int) -> int:
    return int(period[:4]) if period[:4].isdigit() else today_year


def trend_periods(period: str, today_year: int) -> list[str]:
    """The quarters of the chosen period's year: the chart of a figure by period."""
    year = year_of(period, today_year)
    return [f"{year}-Q{q}" for q in range(1, 5)]


def query_of(values: dict[str, str]) -> dict[str, str]:
    return {key: values[key] for key in QUERY if values.get(key)}


async def trend(session: Session, topic: str, values: dict[str, str], today_year: int) -> dict[str, Any]:
    """The region's totals for each quarter of the period's year, in one answer of reporting's."""
    periods = trend_periods(values.get("period", ""), today_year)
    params: dict[str, Any] = {"period": periods, **({"region": values["region"]} if values.get("region") else {})}
    found: dict[str, Any] = await session.api("reporting").get_json(f"/stats/{topic}/by-period", params=params)
    return found


def column_of(table: dict[str, Any], measure: str) -> dict[str, Any]:
    return next((c for c in table["columns"] if c["key"] == measure), table["columns"][0])


def value_of(column: dict[str, Any], figures: dict[str, Any]) -> float | None:
    """A figure as the chart plots it: yuan for money, the count otherwise (None where suppressed)."""
    found = figures.get(column["key"])
    return None if found is None else found / (100 if column["unit"] == "fen" else 1)


def chart_data(table: dict[str, Any], measure: str) -> dict[str, Any]:
    """What charts.js draws on the page: the measure by the region's next level down."""
    column = column_of(table, measure)
    return {
        "label": column["label"],
        "regions": [row["name"] or row["region"] for row in table["rows"]],
        "by_region": [value_of(column, row["figures"]) for row in table["rows"]],
    }


@router.get("/stats")
async def stats(request: Request, session: CurrentSession, topic: str = "people", measure: str = "") -> Response:
    if topic not in TOPICS:
        raise ConsoleRefused(404, f"没有这项统计，可选：{'、'.join(TOPICS.values())}")
    values = {key: request.query_params.get(key, "").strip() for key in QUERY}
    today_year = datetime.now(CHINA).year
    errors: dict[str, str] = {}
    table: dict[str, Any] | None = None
    try:
        table = await session.api("reporting").get_json(f"/stats/{topic}", params=query_of(values))
    except ApiRefused as refusal:
        if refusal.status != 422:
            raise
        errors = refusal.field_errors() or {TOP: refusal.message()}
    query = query_of(values)
    region = table["region"] if table else values.get("region", "")
    return render(
        request,
        "reporting/stats.html",
        422 if errors else 200,
        topic=topic,
        topics=TOPICS,
        table=table,
        values=values,
        errors=errors,
        periods=period_choices(today_year),
        chart=chart_data(table, measure) if table and table["columns"] else None,
        # The chart by quarter comes a moment later (htmx): one more answer (four quarters' totals), and none
        # for a past day (as_of replays the archive).
        trend_href=None
        if values.get("as_of")
        else "/stats/trend?" + urlencode({"topic": topic, "measure": measure, **query_of(values)}),
        measure=measure,
        query=query,
        export=urlencode(query),
        drill=lambda code: "/stats?" + urlencode({"topic": topic, **query, "region": code}),
        up=up_link(session, topic, query, region),
    )


def up_link(session: Session, topic: str, query: dict[str, str], region: str) -> str | None:
    """The level above, while it is still within this user's jurisdiction."""
    mine = session.principal.region
    if not region or len(region) <= len(mine):
        return None
    parent = {4: 2, 6: 4, 9: 6, 12: 9}.get(len(region))
    if parent is None or parent < len(mine):
        return None
    return "/stats?" + urlencode({"topic": topic, **query, "region": region[:parent]})


@router.get("/stats/trend")
async def quarterly(request: Request, session: CurrentSession, topic: str = "people", measure: str = "") -> Response:
    """The chart of a figure by quarter: a fragment the statistics page asks for once it is shown."""
    if topic not in TOPICS:
        raise ConsoleRefused(404, "没有这项统计")
    values = {key: request.query_params.get(key, "").strip() for key in QUERY}
    quarters = await trend(session, topic, values, datetime.now(CHINA).year)
    column = column_of(quarters, measure)
    data = {
        "label": column["label"],
        "periods": [row["period"] for row in quarters["periods"]],
        "by_period": [value_of(column, row["figures"]) for row in quarters["periods"]],
    }
    return render(request, "reporting/_trend.html", data=data)


@router.get("/stats/{topic}/export.{format_}")
async def export(request: Request, session: CurrentSession, topic: str, format_: str) -> Response:
    if topic not in TOPICS or format_ not in ("xlsx", "csv"):
        raise ConsoleRefused(404, "没有这个报表文件")
    params = {key: request.query_params[key] for key in QUERY if request.query_params.get(key)}
    answer = await session.api("reporting").request(
        "GET", f"/stats/{topic}/export", params={**params, "format": format_}
    )
    headers = {"Content-Disposition": answer.headers.get("Content-Disposition", "attachment")}
    return Response(answer.content, media_type=answer.headers.get("Content-Type"), headers=headers)
