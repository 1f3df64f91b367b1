"""Possible duplicates: same name and birth date, different ID number, waiting for review."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from registry.api.deps import CAN_CORRECT, Registry, domain_errors, not_found, run
from vet_common.api import ReadModels, actor_of
from vet_common.auth import CurrentPrincipal, require_roles

router = APIRouter(tags=["duplicates"])


class ResolutionIn(BaseModel):
    same_person: bool = Field(description="true: merge into keep_id; false: different people")
    keep_id: UUID | None = Field(default=None, description="The record to keep when they are the same person")
    note: str = Field(default="", max_length=500)


@router.get("/duplicates")
async def list_duplicates(
    principal: CurrentPrincipal,
    db: ReadModels,
    status_: Annotated[Literal["open", "resolved"], Query(alias="status")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    query = {"region": {"$regex": f"^{re.escape(principal.region)}"}, "status": status_}
    docs = await db.duplicates.find(query, sort=[("flagged_at", -1)], limit=limit).to_list()
    return [{"id": d.pop("_id"), **{k: v for k, v in d.items() if k != "version"}} for d in docs]


@router.post("/duplicates/{case_id}/resolve", status_code=204, dependencies=[Depends(require_roles(*CAN_CORRECT))])
async def resolve_duplicate(case_id: UUID, body: ResolutionIn, principal: CurrentPrincipal, registry: Registry) -> None:
    case = await run(registry.get_duplicate_case, case_id)
    if case is None or not principal.can_see(case.region):
        raise not_found("查无此疑似重复记录 (no such case in your jurisdiction)")
    with domain_errors():
        await run(
            registry.resolve_duplicate,
            case_id,
            body.same_person,
            str(body.keep_id) if body.keep_id else None,
            body.note,
            actor_of(principal),
        )
