"""The personal-data access log for auditors: every read of an ID or phone number in clear."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from registry import queries
from vet_common.api import ReadModels, StorableTime
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.domain import Actor

MAX_PAGE = 100_000  # page_size up to 500: a skip the read models can count, and more than anyone reads
router = APIRouter(tags=["audit"], dependencies=[Depends(require_roles(Role.auditor, Role.admin))])


class AccessEntry(BaseModel):
    """One read of personal data in clear."""

    id: UUID
    person_id: str = Field(description="Whose record was read; empty for the rows of an import")
    import_job_id: str | None = Field(default=None, description="The import whose rejected rows were read")
    region: str
    fields: list[str] = Field(description="What was shown in clear: id_number, phone")
    purpose: str
    actor: Actor
    at: datetime


class AccessLogPage(BaseModel):
    items: list[AccessEntry]
    total: int
    page: int
    page_size: int


@router.get("/access-log", response_model=AccessLogPage)
async def access_log(
    principal: CurrentPrincipal,
    db: ReadModels,
    region: Annotated[str | None, Query(description="Region prefix within your jurisdiction")] = None,
    actor: Annotated[str | None, Query(description="The subject (sub) of the person who read")] = None,
    from_: Annotated[StorableTime | None, Query(alias="from")] = None,
    to: StorableTime | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AccessLogPage:
    docs, total = await queries.access_log(db, principal, region, actor, from_, to, page, page_size)
    return AccessLogPage(
        items=[AccessEntry(**queries.without_internals(doc)) for doc in docs],
        total=total,
        page=page,
        page_size=page_size,
    )
