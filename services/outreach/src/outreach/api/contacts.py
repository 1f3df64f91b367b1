"""Contacts and visits: record one, read one."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field, field_validator

from outreach.application import OutreachApplication
from outreach.domain.contacts import ContactMethod
from vet_common.api import actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.domain import SystemClock, actor_from
from vet_common.openapi import problem

Outreach = Annotated[OutreachApplication, Depends(get_application)]
router = APIRouter(tags=["contacts"])


class ContactIn(BaseModel):
    person_id: UUID
    method: ContactMethod = Field(
        description="上门走访 home_visit, 电话 phone, 视频 video, 微信 wechat, 短信 sms, 座谈会 meeting, "
        "集中活动 group_activity, 医疗巡诊 medical_round"
    )
    date: dt.date
    staff: str | None = Field(default=None, max_length=100, description="Who made the contact; you by default")
    findings: str = Field(default="", max_length=4000, description="What was found (走访情况)")
    needs_follow_up: bool = False
    occasion: str | None = Field(default=None, max_length=50, description="e.g. 八一, 春节, illness")
    campaign_id: UUID | None = None

    @field_validator("date")
    @classmethod
    def _not_in_future(cls, value: dt.date) -> dt.date:
        if value > SystemClock().today():
            raise ValueError("联系日期不能晚于今天 (the contact date cannot be in the future)")
        return value


class Created(BaseModel):
    id: UUID


class ContactOut(BaseModel):
    id: UUID
    person_id: UUID
    region: str
    method: ContactMethod
    date: dt.date
    staff: str
    findings: str
    needs_follow_up: bool
    occasion: str | None
    campaign_id: UUID | None
    recorded_by: str


@router.post(
    "/contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses={
        **problem(404, "No such person in your jurisdiction"),
        **problem(409, "The person's registration has not reached outreach yet, or they are recorded as deceased"),
    },
    dependencies=[Depends(require_roles(Role.station_staff, Role.officer, Role.admin))],
)
async def record_contact(body: ContactIn, principal: CurrentPrincipal, outreach: Outreach) -> Created:
    """409 while the person's registration has not reached outreach yet (or they are deceased), 404 outside
    your jurisdiction. Outreach asks no other service: it keeps its own replica of the registry's events."""
    contact_id = await asyncio.to_thread(
        outreach.record_contact,
        person_id=body.person_id,
        method=body.method.value,
        contacted_on=body.date,
        staff=body.staff or principal.sub,
        findings=body.findings.strip(),
        needs_follow_up=body.needs_follow_up,
        occasion=body.occasion,
        campaign_id=str(body.campaign_id) if body.campaign_id else None,
        principal=principal,
        actor=actor_of(principal),
    )
    return Created(id=contact_id)


@router.get("/contacts/{contact_id}", response_model=ContactOut)
async def get_contact(contact_id: UUID, principal: CurrentPrincipal, outreach: Outreach) -> ContactOut:
    contact = await asyncio.to_thread(outreach.get_contact, contact_id)
    if contact is None or not principal.can_see(contact.region):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "查无此联系记录 (no such contact in your jurisdiction)")
    return ContactOut(
        id=contact.id,
        person_id=UUID(contact.person_id),
        region=contact.region,
        method=ContactMethod(contact.method),
        date=contact.contacted_on,
        staff=contact.staff,
        findings=contact.findings,
        needs_follow_up=contact.needs_follow_up,
        occasion=contact.occasion,
        campaign_id=UUID(contact.campaign_id) if contact.campaign_id else None,
        recorded_by=actor_from(contact.recorded_by).sub,
    )
