"""Possible duplicates: same name and birth date, different ID number, waiting for review."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from registry import queries
from registry.api.deps import CAN_CORRECT, Registry, run
from vet_common.api import ReadModels, actor_of
from vet_common.auth import CurrentPrincipal, require_roles
from vet_common.jurisdiction import ensure_visible
from vet_common.openapi import problem

router = APIRouter(tags=["duplicates"])


class ResolutionIn(BaseModel):
    same_person: bool = Field(description="true: merge into keep_id; false: different people")
    keep_id: UUID | None = Field(default=None, description="The record to keep when they are the same person")
    note: str = Field(default="", max_length=500)


class DuplicateCaseOut(BaseModel):
    id: UUID
    person_ids: list[str] = Field(description="The records that may be one person")
    region: str
    name: str
    birth_date: date
    status: Literal["open", "resolved"]
    outcome: str | None = Field(description="How the case was resolved; null while open")
    flagged_at: datetime


@router.get("/duplicates", response_model=list[DuplicateCaseOut])
async def list_duplicates(
    principal: CurrentPrincipal,
    db: ReadModels,
    status_: Annotated[Literal["open", "resolved"], Query(alias="status")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DuplicateCaseOut]:
    docs = await queries.list_duplicates(db, principal, status_, limit)
    return [DuplicateCaseOut(**queries.without_internals(doc)) for doc in docs]


@router.post(
    "/duplicates/{case_id}/resolve",
    status_code=204,
    responses=problem(404, "No such case, or keep_id is not one of its records, in your jurisdiction"),
    dependencies=[Depends(require_roles(*CAN_CORRECT))],
)
async def resolve_duplicate(case_id: UUID, body: ResolutionIn, principal: CurrentPrincipal, registry: Registry) -> None:
    case = await run(registry.get_duplicate_case, case_id)
    ensure_visible(principal, case.region if case else None, "疑似重复记录")
    if body.same_person:
        await run(registry.merge_duplicates, case_id, body.keep_id, body.note, actor_of(principal))
    else:
        await run(registry.close_as_different_people, case_id, body.note, actor_of(principal))
