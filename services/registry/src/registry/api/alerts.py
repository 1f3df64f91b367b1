"""Policy alerts (政策预警): people about to become eligible for something, told to the station ahead of time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from registry import queries
from registry.alert_scan import raise_due_alerts
from registry.alerts import ALERT_KIND_NAMES, AlertKind
from registry.api.deps import CAN_CORRECT, Registry
from vet_common.api import AppClock, ReadModels
from vet_common.auth import CurrentPrincipal, require_roles
from vet_common.openapi import problem

router = APIRouter(tags=["alerts"])


class AlertOut(BaseModel):
    id: UUID
    person_id: str
    region: str
    kind: AlertKind
    kind_name: str = Field(description="The kind in Chinese")
    occasion: str = Field(description="What the alert is about, e.g. the year or birthday it is due for")
    due_on: date
    message: str
    raised_at: datetime
    person_status: str


class AlertRun(BaseModel):
    raised: int = Field(description="How many alerts were raised now (each alert is raised once)")


@router.get(
    "/alerts", response_model=list[AlertOut], responses=problem(403, "A region outside your jurisdiction was asked for")
)
async def list_alerts(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    region: Annotated[str | None, Query(description="Region prefix within your jurisdiction")] = None,
    kind: AlertKind | None = None,
    within_days: Annotated[int, Query(ge=0, le=366)] = 90,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AlertOut]:
    """Alerts due from today to `within_days` ahead (and overdue ones), soonest first."""
    until = clock.today() + timedelta(days=within_days)
    docs = await queries.list_alerts(db, principal, region, kind.value if kind else None, until, limit)
    return [
        AlertOut(**queries.without_internals(doc), kind_name=ALERT_KIND_NAMES[AlertKind(doc["kind"])]) for doc in docs
    ]


@router.post("/alerts/run", response_model=AlertRun, dependencies=[Depends(require_roles(*CAN_CORRECT))])
async def run_alerts(principal: CurrentPrincipal, registry: Registry, db: ReadModels, clock: AppClock) -> AlertRun:
    """Raise the alerts due in your jurisdiction now (the worker also does this once a day)."""
    raised = await raise_due_alerts(registry, db, clock.today(), principal.region)
    return AlertRun(raised=raised)
