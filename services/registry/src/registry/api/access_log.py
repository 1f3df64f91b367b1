"""The personal-data access log for auditors: every read of an ID or phone number in clear."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from registry.api.persons import scope
from vet_common.api import ReadModels
from vet_common.auth import CurrentPrincipal, Role, require_roles

router = APIRouter(tags=["audit"], dependencies=[Depends(require_roles(Role.auditor, Role.admin))])


@router.get("/access-log")
async def access_log(
    principal: CurrentPrincipal,
    db: ReadModels,
    region: str | None = None,
    actor: Annotated[str | None, Query(description="The subject (sub) of the person who read")] = None,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    query: dict[str, Any] = {"region": {"$regex": f"^{re.escape(scope(principal, region))}"}}
    if actor:
        query["actor.sub"] = actor
    if from_ or to:
        query["at"] = {**({"$gte": from_} if from_ else {}), **({"$lte": to} if to else {})}
    total = await db.access_log.count_documents(query)
    docs = await db.access_log.find(query, sort=[("at", -1)], skip=(page - 1) * page_size, limit=page_size).to_list()
    return {
        "items": [{"id": d.pop("_id"), **{k: v for k, v in d.items() if k != "version"}} for d in docs],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
