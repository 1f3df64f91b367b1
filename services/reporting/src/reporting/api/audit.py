"""The audit archive for auditors (审计): search what was recorded, and verify nothing was altered."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from reporting.api.deps import Reporting, run
from reporting.queries import AuditSearch, search_audit
from vet_common.api import ReadModels, StorableTime
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.jurisdiction import scope
from vet_common.openapi import problem

router = APIRouter(tags=["audit"], dependencies=[Depends(require_roles(Role.auditor, Role.admin))])


class AuditEntry(BaseModel):
    position: int = Field(description="Place in the archive, in arrival order")
    event_id: str
    type: str
    source: str
    source_position: int
    aggregate_id: str
    aggregate_version: int
    occurred_at: datetime
    archived_at: datetime
    actor: dict[str, str]
    region: str
    data: dict[str, Any]
    hash: str
    previous_hash: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next: int | None = Field(description="Pass as `after` for the next page; null on the last")
    chain_intact: bool = Field(description="Every listed entry is in the archive as listed, unaltered")


class ArchiveProblem(BaseModel):
    position: int
    message: str


class ArchiveVerdict(BaseModel):
    intact: bool
    entries: int
    seals: int
    sealed_through: int = Field(description="The last entry the newest seal covers")
    problems: list[ArchiveProblem] = Field(description="Where the archive was altered, first to last")


@router.get(
    "/audit/events",
    response_model=AuditPage,
    responses={**problem(403, "A region outside your jurisdiction"), **problem(422, "Narrow the search first")},
)
async def audit_events(
    principal: CurrentPrincipal,
    reporting: Reporting,
    db: ReadModels,
    aggregate_id: Annotated[str | None, Query(max_length=100, description="A person, contact, fund ... id")] = None,
    actor: Annotated[str | None, Query(max_length=100, description="Who acted (the token's subject)")] = None,
    region: Annotated[str | None, Query(description="Region prefix, default your jurisdiction")] = None,
    type: Annotated[str | None, Query(max_length=100, description="Event type, e.g. PersonRegistered")] = None,
    from_: Annotated[StorableTime | None, Query(alias="from", description="Occurred at or after")] = None,
    to: Annotated[StorableTime | None, Query(description="Occurred at or before")] = None,
    order: Annotated[Literal["newest", "oldest"], Query(description="newest first (default) or oldest")] = "newest",
    after: Annotated[int | None, Query(ge=0, description="`next` of the page before")] = None,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    """Archived events by record, actor, region, type and time, keyset-paged."""
    search = AuditSearch(
        scope=scope(principal, region),
        aggregate_id=aggregate_id,
        actor=actor,
        type=type,
        since=from_,
        until=to,
        order=order,
        after=after,
        page_size=page_size,
    )
    docs, next_after = await search_audit(db, search)
    # One thread hop for the page's check, not one per entry (the auditors' page waited on fifty of them).
    intact = await run(reporting.entries_match, [(doc["position"], doc["hash"]) for doc in docs])
    items = [AuditEntry(**{**doc, "actor": {"sub": doc["actor"], "role": doc["actor_role"]}}) for doc in docs]
    return AuditPage(items=items, next=next_after, chain_intact=intact)


@router.get("/audit/verify", response_model=ArchiveVerdict)
async def verify(reporting: Reporting) -> ArchiveVerdict:
    """Check the whole archive's hash chain and seals: says where an entry was edited, deleted, inserted, moved,
    or the tail before the last seal cut off."""
    verdict = await run(reporting.verify_archive)
    return ArchiveVerdict(
        intact=verdict.intact,
        entries=verdict.entries,
        seals=verdict.seals,
        sealed_through=verdict.sealed_through,
        problems=[ArchiveProblem(**problem.as_dict()) for problem in verdict.problems],
    )
