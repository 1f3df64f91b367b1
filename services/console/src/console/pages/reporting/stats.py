"""统计报表: a region's figures with its next level down side by side, drill-down by region, a period picker,
as-of a past day, charts (Apache ECharts, vendored) and the same table as XLSX or CSV."""

from __future__ import annotations

import asyncio
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


async def trend(session: Session, topic: str, values: dict[str, str], today_year: int) -> list[dict[str, Any]]:
    """The region's totals for each quarter, side by side (live figures only: as-of replays the archive)."""
    if values.get("as_of"):
        return []
    api = session.api("reporting")
    periods = trend_periods(values.get("period", ""), today_year)
    params = {key: value for key, value in query_of(values).items() if key == "region"}
    tables = await asyncio.gather(
        *(api.get_json(f"/stats/{topic}", params={**params, "period": period}) for period in periods)
    )
    return [
        {"period": period, "figures": table["total"]["figures"]} for period, table in zip(periods, tables, strict=True)
    ]


def chart_data(table: dict[str, Any], quarters: list[dict[str, Any]], measure: str) -> dict[str, Any]:
    """What charts.js draws: the measure by region below, and by quarter."""
    column = next((c for c in table["columns"] if c["key"] == measure), table["columns"][0])
    scale = 100 if column["unit"] == "fen" else 1

    def value(figures: dict[str, Any]) -> float | None:
        found = figures.get(column["key"])
        return None if found is None else found / scale

    return {
        "label": column["label"],
        "regions": [row["name"] or row["region"] for row in table["rows"]],
        "by_region": [value(row["figures"]) for row in table["rows"]],
        "periods": [q["period"] for q in quarters],
        "by_period": [value(q["figures"]) for q in quarters],
    }


@router.get("/stats")
async def stats(request: Request, session: CurrentSession, topic: str = "people", measure: str = "") -> Response:
    if topic not in TOPICS:
        raise ConsoleRefused(404, f"没有这项统计，可选：{'、'.join(TOPICS.values())}")
    values = {key: request.query_params.get(key, "").strip() for key in QUERY}
    today_year = datetime.now(CHINA).year
    errors: dict[str, str] = {}
    table: dict[str, Any] | None = None
    quarters: list[dict[str, Any]] = []
    try:
        table, quarters = await asyncio.gather(
            session.api("reporting").get_json(f"/stats/{topic}", params=query_of(values)),
            trend(session, topic, values, today_year),
        )
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
        chart=chart_data(table, quarters, measure) if table and table["columns"] else None,
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
