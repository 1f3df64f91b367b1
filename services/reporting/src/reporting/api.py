"""Reporting HTTP routes: statistics by region and the audit history."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel

from reporting.application import ReportingApplication
from reporting.projections import count_by_kind
from vet_common.api import ReadModels, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.openapi import problem
from vet_common.regions import InvalidRegion, validate_jurisdiction

Reporting = Annotated[ReportingApplication, Depends(get_application)]
router = APIRouter()


class Summary(BaseModel):
    region: str
    persons: int
    visits: int
    funds: int


class AuditEntry(BaseModel):
    event_id: str
    type: str
    source: str
    source_position: int
    aggregate_version: int
    occurred_at: datetime
    actor: dict[str, str]
    region: str
    data: dict[str, Any]
    hash: str
    previous_hash: str


class AuditHistory(BaseModel):
    aggregate_id: str
    chain_intact: bool
    items: list[AuditEntry]


def jurisdiction_param(region: str | None, principal: Any) -> str:
    if region is None:
        return str(principal.region)
    try:
        region = validate_jurisdiction(region)
    except InvalidRegion as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": "region", "message": str(error)}]
        ) from None
    if not principal.can_see(region):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"只能查看本辖区（{principal.region}）的统计 (outside your jurisdiction)"
        )
    return region


@router.get(
    "/stats/summary",
    response_model=Summary,
    tags=["statistics"],
    responses=problem(403, "A region outside your jurisdiction was asked for"),
)
async def summary(
    principal: CurrentPrincipal,
    db: ReadModels,
    region: Annotated[str | None, Query(description="Region prefix, default your own jurisdiction")] = None,
) -> Summary:
    prefix = jurisdiction_param(region, principal)
    counts = await count_by_kind(db, prefix)
    return Summary(region=prefix, persons=counts["person"], visits=counts["visit"], funds=counts["fund"])


@router.get(
    "/audit/events",
    response_model=AuditHistory,
    tags=["audit"],
    responses=problem(404, "No archived history of that record in your jurisdiction"),
    dependencies=[Depends(require_roles(Role.auditor, Role.admin))],
)
async def audit_events(
    principal: CurrentPrincipal,
    reporting: Reporting,
    aggregate_id: Annotated[str, Query(min_length=1, max_length=100, description="Id of a person, visit, fund ...")],
) -> AuditHistory:
    record = await asyncio.to_thread(reporting.get_record, aggregate_id)
    entries = [] if record is None else [e for e in record.entries if principal.can_see(e["envelope"]["region"])]
    if record is None or not entries:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "档案库中没有该记录 (no archived history in your jurisdiction)")
    try:
        record.verify()
        intact = True
    except Exception:
        intact = False
    return AuditHistory(
        aggregate_id=aggregate_id,
        chain_intact=intact,
        items=[
            AuditEntry(
                **{k: e["envelope"][k] for k in AuditEntry.model_fields if k in e["envelope"]},
                hash=e["hash"],
                previous_hash=e["previous_hash"],
            )
            for e in entries
        ],
    )
