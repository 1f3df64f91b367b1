"""The personal-data access log for auditors: every read of an ID or phone number in clear."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from registry import queries
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
    docs, total = await queries.access_log(db, principal, region, actor, from_, to, page, page_size)
    return {
        "items": [queries.without_internals(doc) for doc in docs],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
