"""Outreach HTTP routes."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field, field_validator

from outreach.application import OutreachApplication
from outreach.domain import ContactMethod
from outreach.people import PersonDirectory, RegistryDirectory, RegistryUnavailable
from vet_common.api import actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.domain import SystemClock, actor_from

Outreach = Annotated[OutreachApplication, Depends(get_application)]
router = APIRouter(tags=["visits"])


def get_directory(request: Request) -> PersonDirectory:
    directory = getattr(request.app.state, "directory", None)
    if directory is None:
        directory = request.app.state.directory = RegistryDirectory(request.app.state.settings.registry_url)
    return directory  # type: ignore[no-any-return]


Directory = Annotated[PersonDirectory, Depends(get_directory)]


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
    dependencies=[Depends(require_roles(Role.station_staff, Role.officer, Role.admin))],
)
async def record_visit(
    body: VisitIn, request: Request, principal: CurrentPrincipal, outreach: Outreach, directory: Directory
) -> Created:
    token = request.headers["authorization"].partition(" ")[2]
    try:
        person = await directory.find(str(body.person_id), token)
    except RegistryUnavailable as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"人员档案服务暂时不可用，请稍后重试 (registry unavailable: {error})"
        ) from error
    if person is None or not principal.can_see(person.region):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"field": "person_id", "message": "查无此人或不在本辖区 (no such person in your jurisdiction)"}],
        )
    if person.status == "deceased":
        raise HTTPException(status.HTTP_409_CONFLICT, "该人员已去世 (this person is recorded as deceased)")
    visit_id = await asyncio.to_thread(
        outreach.record_visit,
        person_id=person.id,
        region=person.region,
        method=body.method.value,
        visited_on=body.date,
        notes=body.notes.strip(),
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
