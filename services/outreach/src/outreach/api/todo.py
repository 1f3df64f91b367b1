"""The station's to-do list (待办): the registry's eligibility alerts for people in your jurisdiction."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from outreach.api.schedule import OUTSIDE, After, Limit, Region
from outreach.application import OutreachApplication
from outreach.queries import todo as queries
from vet_common.api import AppClock, ReadModels, actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.openapi import problem

Outreach = Annotated[OutreachApplication, Depends(get_application)]
router = APIRouter(tags=["to-do"])


class TodoOut(BaseModel):
    id: UUID
    person_id: str
    region: str
    kind: str = Field(description="What the registry's alert is about, e.g. turning_60_rural, turning_80")
    occasion: str
    due_on: dt.date
    status: str = Field(description="open, done, or cancelled (the person died)")


class TodoList(BaseModel):
    items: list[TodoOut] = Field(description="Open items, the earliest due first")
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


@router.get("/todo", response_model=TodoList, responses=OUTSIDE)
async def list_todo(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    region: Region = None,
    within_days: Annotated[int, Query(ge=0, le=366)] = 120,
    after: After = None,
    limit: Limit = 50,
) -> TodoList:
    """Open items due within `within_days` (and overdue ones)."""
    page = await queries.open_items(db, principal, region, clock.today(), within_days, after, limit)
    return TodoList(
        items=[TodoOut(id=doc["_id"], **{k: doc[k] for k in TodoOut.model_fields if k != "id"}) for doc in page.docs],
        next=page.next,
    )


@router.post(
    "/todo/{item_id}/done",
    response_model=TodoOut,
    responses=problem(409, "The item is already done"),
    dependencies=[Depends(require_roles(Role.station_staff, Role.officer, Role.admin))],
)
async def mark_done(item_id: UUID, principal: CurrentPrincipal, outreach: Outreach) -> TodoOut:
    item = await asyncio.to_thread(outreach.mark_todo_done, item_id, principal=principal, actor=actor_of(principal))
    return TodoOut(
        id=item.id,
        person_id=item.person_id,
        region=item.region,
        kind=item.kind,
        occasion=item.occasion,
        due_on=item.due_on,
        status=item.status,
    )
