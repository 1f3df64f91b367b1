"""活动汇总表 (统计报表): a campaign's summary table as reporting counts it, the counties of a city (or the cities
of the province) side by side with each table's status, as of a past day if asked, and as the form's XLSX."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.clients import ApiRefused
from console.pages.outreach.common import given
from console.pages.outreach.names import CAMPAIGN_STATUS_NAMES
from console.web import TOP, CurrentSession, render

router = APIRouter()
QUERY = ("region", "as_of")


@router.get("/stats/campaigns")
async def campaigns(request: Request, session: CurrentSession, after: str = "") -> Response:
    """The campaigns whose summary tables one may read (those of one's jurisdiction, from outreach)."""
    page = await session.api("outreach").get_json("/campaigns", params=given(after=after, limit=20))
    return render(request, "reporting/campaigns.html", page=page, statuses=CAMPAIGN_STATUS_NAMES)


@router.get("/stats/campaigns/{campaign_id}")
async def summary_table(request: Request, session: CurrentSession, campaign_id: UUID) -> Response:
    values = {key: request.query_params.get(key, "").strip() for key in QUERY}
    query = {key: value for key, value in values.items() if value}
    table: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    try:
        table = await session.api("reporting").get_json(f"/summary-tables/{campaign_id}", params=query)
    except ApiRefused as refusal:
        if refusal.status != 422:
            raise
        errors = refusal.field_errors() or {TOP: refusal.message()}
    return render(
        request,
        "reporting/summary.html",
        422 if errors else 200,
        campaign_id=campaign_id,
        table=table,
        values=values,
        errors=errors,
        export=urlencode(query),
        drill=lambda code: f"/stats/campaigns/{campaign_id}?" + urlencode({**query, "region": code}),
    )


@router.get("/stats/campaigns/{campaign_id}/export.xlsx")
async def export(request: Request, session: CurrentSession, campaign_id: UUID) -> Response:
    params = {key: request.query_params[key] for key in QUERY if request.query_params.get(key)}
    answer = await session.api("reporting").request("GET", f"/summary-tables/{campaign_id}/export", params=params)
    headers = {"Content-Disposition": answer.headers.get("Content-Disposition", "attachment")}
    return Response(answer.content, media_type=answer.headers.get("Content-Type"), headers=headers)
