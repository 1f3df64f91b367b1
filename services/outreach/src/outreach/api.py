"""Outreach HTTP routes."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field, field_validator

from outreach.application import OutreachApplication
from outreach.domain import ContactMethod
from vet_common.api import actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.domain import SystemClock, actor_from
from vet_common.openapi import problem

Outreach = Annotated[OutreachApplication, Depends(get_application)]
router = APIRouter(tags=["visits"])


class VisitIn(BaseModel):
    person_id: UUID
    method: ContactMethod = Field(description="上门走访 home_visit, 电话 phone, 视频 video, 微信 wechat, ...")
    date: dt.date
    notes: str = Field(default="", max_length=4000, description="What was found; follow-up needed")

    @field_validator("date")
    @classmethod
    def _not_in_future(cls, value: dt.date) -> dt.date:
        if value > SystemClock().today():
            raise ValueError("走访日期不能晚于今天 (the visit date cannot be in the future)")
        return value


class Created(BaseModel):
    id: UUID


class VisitOut(BaseModel):
    id: UUID
    person_id: UUID
    region: str
    method: ContactMethod
    date: dt.date
    notes: str
    recorded_by: str


@router.post(
    "/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses={
        **problem(404, "No such person in your jurisdiction"),
        **problem(409, "The person's registration has not reached outreach yet, or they are recorded as deceased"),
    },
    dependencies=[Depends(require_roles(Role.station_staff, Role.officer, Role.admin))],
)
async def record_visit(body: VisitIn, principal: CurrentPrincipal, outreach: Outreach) -> Created:
    """409 while the person's registration has not reached outreach yet (or they are deceased), 404 outside
    your jurisdiction. Outreach asks no other service: it keeps its own replica of the registry's events."""
    visit_id = await asyncio.to_thread(
        outreach.record_visit,
        person_id=body.person_id,
        method=body.method.value,
        visited_on=body.date,
        notes=body.notes.strip(),
        principal=principal,
        actor=actor_of(principal),
    )
    return Created(id=visit_id)


@router.get("/visits/{visit_id}", response_model=VisitOut)
async def get_visit(visit_id: UUID, principal: CurrentPrincipal, outreach: Outreach) -> VisitOut:
    visit = await asyncio.to_thread(outreach.get_visit, visit_id)
    if visit is None or not principal.can_see(visit.region):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "查无此走访记录 (no such visit in your jurisdiction)")
    return VisitOut(
        id=visit.id,
        person_id=UUID(visit.person_id),
        region=visit.region,
        method=ContactMethod(visit.method),
        date=visit.visited_on,
        notes=visit.notes,
        recorded_by=actor_from(visit.recorded_by).sub,
    )
