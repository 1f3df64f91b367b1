"""Policy alerts (政策预警): people about to become eligible for something, told to the station ahead of time."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from registry import queries
from registry.alert_scan import raise_due_alerts
from registry.alerts import ALERT_KIND_NAMES, AlertKind
from registry.api.deps import CAN_CORRECT, Registry
from vet_common.api import AppClock, ReadModels
from vet_common.auth import CurrentPrincipal, require_roles

router = APIRouter(tags=["alerts"])


@router.get("/alerts")
async def list_alerts(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    region: str | None = None,
    kind: AlertKind | None = None,
    within_days: Annotated[int, Query(ge=0, le=366)] = 90,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Alerts due from today to `within_days` ahead (and overdue ones), soonest first."""
    until = clock.today() + timedelta(days=within_days)
    docs = await queries.list_alerts(db, principal, region, kind.value if kind else None, until, limit)
    return [{**queries.without_internals(doc), "kind_name": ALERT_KIND_NAMES[AlertKind(doc["kind"])]} for doc in docs]


@router.post("/alerts/run", dependencies=[Depends(require_roles(*CAN_CORRECT))])
async def run_alerts(
    principal: CurrentPrincipal, registry: Registry, db: ReadModels, clock: AppClock
) -> dict[str, int]:
    """Raise the alerts due in your jurisdiction now (the worker also does this once a day)."""
    raised = await raise_due_alerts(registry, db, clock.today(), principal.region)
    return {"raised": raised}
