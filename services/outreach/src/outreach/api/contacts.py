"""Contacts and visits: record one or a group's, read one, correct or withdraw it, a person's history."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from outreach.application import OutreachApplication
from outreach.application.contacts import GROUP_LIMIT, NO_SUCH_CONTACT, ContactDetails
from outreach.domain.contacts import Contact, ContactMethod
from outreach.queries import contacts as queries
from vet_common.api import IfMatch, ReadModels, actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.domain import NotFound, actor_from
from vet_common.openapi import problem

Outreach = Annotated[OutreachApplication, Depends(get_application)]
router = APIRouter(tags=["contacts"])
CAN_RECORD = Depends(require_roles(Role.station_staff, Role.officer, Role.admin))
METHODS = (
    "上门走访 home_visit, 电话 phone, 视频 video, 微信 wechat, 短信 sms, 座谈会 meeting, 集中活动 group_activity, "
    "医疗巡诊 medical_round"
)


class ContactFields(BaseModel):
    method: ContactMethod = Field(description=METHODS)
    date: dt.date = Field(description="The day of the contact: not after today, not before the person's registration")
    staff: str | None = Field(default=None, max_length=100, description="Who made the contact; you by default")
    findings: str = Field(default="", max_length=4000, description="What was found (走访情况)")
    needs_follow_up: bool = False
    occasion: str | None = Field(default=None, max_length=50, description="e.g. 八一, 春节, illness")
    campaign_id: UUID | None = Field(default=None, description="The campaign (走访慰问活动) the visit belongs to")

    def details(self, default_staff: str) -> ContactDetails:
        return ContactDetails(
            method=self.method.value,
            contacted_on=self.date,
            staff=self.staff or default_staff,
            findings=self.findings.strip(),
            needs_follow_up=self.needs_follow_up,
            occasion=self.occasion,
            campaign_id=str(self.campaign_id) if self.campaign_id else None,
        )


class ContactIn(ContactFields):
    person_id: UUID


class GroupContactIn(ContactFields):
    """A meeting, group activity or medical round: one entry for everyone who took part."""

    person_ids: list[UUID] = Field(min_length=1, max_length=GROUP_LIMIT)


class Created(BaseModel):
    id: UUID


class GroupCreated(BaseModel):
    group_id: UUID
    ids: list[UUID] = Field(description="One contact per person, in the order of person_ids")


class CorrectionIn(BaseModel):
    """Only the fields given are corrected; the person cannot be (withdraw the record instead)."""

    method: ContactMethod | None = Field(default=None, description=METHODS)
    date: dt.date | None = None
    staff: str | None = Field(default=None, min_length=1, max_length=100)
    findings: str | None = Field(default=None, max_length=4000)
    needs_follow_up: bool | None = None
    occasion: str | None = Field(default=None, max_length=50)
    reason: str = Field(min_length=2, max_length=500, description="Why the record was wrong (更正原因)")

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(exclude_unset=True, exclude={"reason"})
        renamed = {"contacted_on" if name == "date" else name: value for name, value in given.items()}
        if isinstance(renamed.get("method"), ContactMethod):
            renamed["method"] = renamed["method"].value
        return {name: value for name, value in renamed.items() if value is not None or name == "occasion"}


class WithdrawalIn(BaseModel):
    reason: str = Field(min_length=2, max_length=500, description="Why the record should not exist (撤销原因)")


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
    group_id: UUID | None
    recorded_by: str
    status: str = Field(description="recorded, corrected, or withdrawn (then it counts toward nothing)")
    withdrawal_reason: str | None
    corrections: list[dict[str, Any]] = Field(description="Each correction: what it changed, why, by whom")
    version: int


class HistoryItem(BaseModel):
    id: UUID
    method: ContactMethod
    date: dt.date
    staff: str
    needs_follow_up: bool
    occasion: str | None
    campaign_id: UUID | None
    group_id: UUID | None
    status: str


class History(BaseModel):
    person_id: UUID
    items: list[HistoryItem] = Field(description="Newest first")
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


@router.post(
    "/contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses={
        **problem(404, "No such person in your jurisdiction"),
        **problem(409, "The person's registration has not reached outreach yet, or they are recorded as deceased"),
    },
    dependencies=[CAN_RECORD],
)
async def record_contact(body: ContactIn, principal: CurrentPrincipal, outreach: Outreach) -> Created:
    """409 while the person's registration has not reached outreach yet (or they are deceased), 404 outside
    your jurisdiction, 422 for a date after today or before the person's registration. Outreach asks no other
    service: it keeps its own replica of the registry's events."""
    contact_id = await asyncio.to_thread(
        outreach.record_contact,
        person_id=body.person_id,
        details=body.details(principal.sub),
        principal=principal,
        actor=actor_of(principal),
    )
    return Created(id=contact_id)


@router.post(
    "/contact-groups", status_code=status.HTTP_201_CREATED, response_model=GroupCreated, dependencies=[CAN_RECORD]
)
async def record_group_contact(body: GroupContactIn, principal: CurrentPrincipal, outreach: Outreach) -> GroupCreated:
    """A meeting, group activity or medical round with many people: one contact per person (sharing a group id),
    all recorded or none; 422 names the person (`person_ids.N`) who cannot be recorded and why."""
    group_id, ids = await asyncio.to_thread(
        outreach.record_group_contact,
        person_ids=body.person_ids,
        details=body.details(principal.sub),
        principal=principal,
        actor=actor_of(principal),
    )
    return GroupCreated(group_id=group_id, ids=ids)


@router.get("/contacts/{contact_id}", response_model=ContactOut)
async def get_contact(
    contact_id: UUID, principal: CurrentPrincipal, outreach: Outreach, response: Response
) -> ContactOut:
    contact = await asyncio.to_thread(outreach.get_contact, contact_id)
    if contact is None or not principal.can_see(contact.region):
        raise NotFound(NO_SUCH_CONTACT)
    response.headers["ETag"] = f'"{contact.version}"'
    return contact_out(contact)


@router.post(
    "/contacts/{contact_id}/corrections",
    response_model=ContactOut,
    responses=problem(409, "The contact was withdrawn"),
    dependencies=[CAN_RECORD],
)
async def correct_contact(
    contact_id: UUID, body: CorrectionIn, principal: CurrentPrincipal, outreach: Outreach, if_match: IfMatch
) -> ContactOut:
    """Correct a mistaken record with a reason: the new values are recorded, the old ones stay in its history."""
    contact = await asyncio.to_thread(
        outreach.correct_contact,
        contact_id,
        changes=body.changes(),
        reason=body.reason.strip(),
        principal=principal,
        actor=actor_of(principal),
        expected_version=if_match,
    )
    return contact_out(contact)


@router.post(
    "/contacts/{contact_id}/withdrawal",
    response_model=ContactOut,
    responses=problem(409, "The contact was withdrawn already"),
    dependencies=[CAN_RECORD],
)
async def withdraw_contact(
    contact_id: UUID, body: WithdrawalIn, principal: CurrentPrincipal, outreach: Outreach, if_match: IfMatch
) -> ContactOut:
    """Withdraw a record that should not exist, with a reason: it stays in the history, marked, and no longer
    counts toward the contact rules."""
    contact = await asyncio.to_thread(
        outreach.withdraw_contact,
        contact_id,
        reason=body.reason.strip(),
        principal=principal,
        actor=actor_of(principal),
        expected_version=if_match,
    )
    return contact_out(contact)


@router.get(
    "/persons/{person_id}/contacts",
    response_model=History,
    responses=problem(409, "The person's registration has not reached outreach yet"),
)
async def person_history(
    person_id: UUID,
    principal: CurrentPrincipal,
    outreach: Outreach,
    db: ReadModels,
    after: Annotated[str | None, Query(description="`next` of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> History:
    """The person's contacts, newest first, withdrawn ones included and marked."""
    await asyncio.to_thread(outreach.visible_person, person_id, principal)
    docs, following = await queries.person_history(db, str(person_id), after, limit)
    return History(person_id=person_id, items=[HistoryItem(**history_fields(doc)) for doc in docs], next=following)


def history_fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["_id"],
        "method": doc["method"],
        "date": doc["contacted_on"],
        "staff": doc["staff"],
        "needs_follow_up": doc.get("needs_follow_up", False),
        "occasion": doc.get("occasion"),
        "campaign_id": doc.get("campaign_id"),
        "group_id": doc.get("group_id"),
        "status": doc.get("status", "recorded"),
    }


def contact_out(contact: Contact) -> ContactOut:
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
        group_id=UUID(contact.group_id) if contact.group_id else None,
        recorded_by=actor_from(contact.recorded_by).sub,
        status="withdrawn" if contact.withdrawn else ("corrected" if contact.corrections else "recorded"),
        withdrawal_reason=contact.withdrawal_reason,
        corrections=[
            {**c, "changes": {k: str(v) if isinstance(v, dt.date) else v for k, v in c["changes"].items()}}  # type: ignore[attr-defined]
            for c in contact.corrections
        ],
        version=contact.version,
    )
