"""Policy alerts (政策预警): people about to become eligible for something, told to the station ahead of time."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from registry.alert_scan import raise_due_alerts
from registry.alerts import ALERT_KIND_NAMES, AlertKind
from registry.api.deps import CAN_CORRECT, Registry
from registry.api.persons import scope
from vet_common.api import ReadModels, today_in_china
from vet_common.auth import CurrentPrincipal, require_roles

router = APIRouter(tags=["alerts"])


@router.get("/alerts")
async def list_alerts(
    principal: CurrentPrincipal,
    db: ReadModels,
    region: str | None = None,
    kind: AlertKind | None = None,
    within_days: Annotated[int, Query(ge=0, le=366)] = 90,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Alerts due from today to `within_days` ahead (and overdue ones), soonest first."""
    until = (today_in_china() + timedelta(days=within_days)).isoformat()
    query: dict[str, Any] = {
        "region": {"$regex": f"^{re.escape(scope(principal, region))}"},
        "due_on": {"$lte": until},
        "person_status": "active",
    }
    if kind:
        query["kind"] = kind.value
    docs = await db.alerts.find(query, sort=[("due_on", 1)], limit=limit).to_list()
    return [
        {
            "id": d.pop("_id"),
            "kind_name": ALERT_KIND_NAMES[AlertKind(d["kind"])],
            **{k: v for k, v in d.items() if k != "version"},
        }
        for d in docs
    ]


@router.post("/alerts/run", dependencies=[Depends(require_roles(*CAN_CORRECT))])
async def run_alerts(principal: CurrentPrincipal, registry: Registry, db: ReadModels) -> dict[str, int]:
    """Raise the alerts due in your jurisdiction now (the worker also does this once a day)."""
    raised = await raise_due_alerts(registry, db, today_in_china(), principal.region)
    return {"raised": raised}
